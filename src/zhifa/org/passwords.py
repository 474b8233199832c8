"""Password rules beyond Django's own (standards.md §1: complexity; ≥12 characters by default).

Django's validators give the length, the common-password list and the similarity check; these add
a blocklist of words that are weak here (the platform's and the bureau's names, keyboard runs,
pinyin commonplaces) and, in 等保 mode (ZHIFA_DENGBAO_MODE=1), 3 of 4 character classes.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

BLOCKLIST = (
    "zhifa", "password", "passw0rd", "admin", "administrator", "qwerty", "asdfgh", "zxcvbn",
    "1qaz2wsx", "qazwsx", "woaini", "wangluo", "zhongguo", "china", "beijing", "wenlv", "wenhua",
    "pingyu", "zhumadian", "henan", "zhifadui", "dadui", "abc123", "a1b2c3", "iloveyou", "welcome",
    "letmein", "123qwe", "1q2w3e", "88888888", "66666666", "11111111", "12345678", "87654321",
)


class BlocklistValidator:
    """Refuses passwords built on a blocklisted word or on one character repeated."""

    def validate(self, password, user=None):
        lowered = password.lower()
        for word in BLOCKLIST:
            if word in lowered and len(word) >= max(5, len(lowered) // 3):
                raise ValidationError(_("密码包含常见弱口令“%(word)s”，请换一个不易猜到的密码。"),
                                      code="password_blocklisted", params={"word": word})
        if len(set(lowered)) <= 3:
            raise ValidationError(_("密码字符过于单一，请使用更多不同的字符。"), code="password_repetitive")

    def get_help_text(self):
        return _("不能使用常见弱口令或单一重复的字符。")


CLASSES = (
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "特殊字符"),
)


class CharacterClassValidator:
    """等保 mode: at least `min_classes` of lower case, upper case, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def enabled(self) -> bool:
        return bool(getattr(settings, "ZHIFA_DENGBAO_MODE", False))

    def validate(self, password, user=None):
        if not self.enabled():
            return
        present = sum(1 for rx, _label in CLASSES if rx.search(password))
        if present < self.min_classes:
            raise ValidationError(
                _("等保模式下密码须至少包含大写字母、小写字母、数字、特殊字符中的 %(n)d 类（当前 %(k)d 类）。"),
                code="password_classes", params={"n": self.min_classes, "k": present})

    def get_help_text(self):
        if not self.enabled():
            return ""
        return _("须至少包含大写字母、小写字母、数字、特殊字符中的 %(n)d 类。") % {"n": self.min_classes}
