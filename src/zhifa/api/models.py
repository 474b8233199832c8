"""API tokens: a user's credential for the JSON API (``Authorization: Token <secret>``).

Only the SHA-256 of the secret is stored: the secret is printed once when it is issued (``zhifa token``) and
cannot be read back. A 32-byte random secret needs no slow hash (nothing to guess); looking a token up by its
hash also keeps the comparison out of Python.
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="人员", on_delete=models.CASCADE,
                             related_name="api_tokens")
    key_hash = models.CharField("令牌摘要（SHA-256）", max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌前缀", max_length=12, editable=False,
                              help_text="令牌开头几位，便于辨认是哪一个令牌；不足以使用令牌")
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
