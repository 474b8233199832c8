"""Identity numbers of parties: the 18-digit resident ID and the unified social credit code.

The algorithms are GB 11643-1999 and GB 32100-2015 (law.md §5); the arithmetic is python-stdnum's.
Each check returns a plain result with the reason in Chinese, so a form, the CLI and the API say
the same thing. Invalid numbers are refused; doubts that do not make a number invalid (an
address code unknown to the bundled table, an inner organisation-code check that some
个体工商户 codes do not follow) are warnings.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from .citations import GB_11643, GB_32100
from .errors import Citation


@dataclass(frozen=True)
class IdCheck:
    valid: bool
    number: str  # normalised (upper-case, no spaces) — what is stored when valid
    reason: str = ""  # why not, in Chinese; empty when valid
    code: str = ""  # stable reason code
    birth_date: date | None = None
    sex: str | None = None  # "male" / "female": derived on demand, never stored in place of the number
    warnings: tuple[str, ...] = field(default=())
    basis: Citation | None = None

    @property
    def message(self) -> str:
        """The reason with the standard it comes from, e.g. "…（GB 32100-2015）", for a form."""
        if not self.reason:
            return ""
        return f"{self.reason}（{self.basis.source.split('《')[0]}）" if self.basis else self.reason

    def as_dict(self) -> dict:
        out = {"valid": self.valid, "number": self.number, "reason": self.reason, "code": self.code,
               "warnings": list(self.warnings), "basis": str(self.basis) if self.basis else None}
        if self.birth_date:
            out["birth_date"] = self.birth_date.isoformat()
            out["sex"] = self.sex
        return out


_ASCII_DIGITS = frozenset("0123456789")


def _clean(number: str) -> str:
    """Drop spaces and hyphens, fold full-width characters (typed with a Chinese IME) to ASCII,
    upper-case. Only full-width forms are folded: other look-alike digits (², ٣) stay as they are
    and are refused by the format checks below."""
    text = "".join(unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" else ch
                   for ch in str(number or ""))
    return "".join(text.split()).replace("-", "").upper()


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts ² and other scripts' digits, which int() or
    python-stdnum then choke on."""
    return bool(text) and set(text) <= _ASCII_DIGITS


def check_resident_id(number: str, *, today: date | None = None) -> IdCheck:
    """18-digit 居民身份证号码 (GB 11643-1999): length, digits, birth date, check character.

    A lower-case 'x' is accepted and normalised to 'X'. The birth date must be a real date, not
    before 1900 and not in the future.
    """
    today = today or date.today()
    n = _clean(number)

    def bad(code: str, reason: str) -> IdCheck:
        return IdCheck(False, n, reason, code, basis=GB_11643)

    if not n:
        return bad("empty", "身份证号码不能为空")
    if len(n) != 18:
        return bad("length", f"身份证号码应为 18 位，实际为 {len(n)} 位")
    if not _digits(n[:17]) or not (_digits(n[17]) or n[17] == "X"):
        return bad("format", "身份证号码前 17 位应为数字，第 18 位应为数字或 X")
    try:
        born = ric.get_birth_date(n)
    except stdnum_errors.ValidationError:
        return bad("birth_date", f"身份证号码中的出生日期 {n[6:10]}-{n[10:12]}-{n[12:14]} 不是有效日期")
    if born > today:
        return bad("birth_date", f"身份证号码中的出生日期 {born:%Y-%m-%d} 晚于今天")
    if born.year < 1900:
        return bad("birth_date", f"身份证号码中的出生日期 {born:%Y-%m-%d} 早于 1900 年")
    expected = ric.calc_check_digit(n)
    if n[17] != expected:
        return bad("checksum", f"身份证号码校验码错误：第 18 位应为 {expected}，实际为 {n[17]}")
    warnings: list[str] = []
    try:
        ric.get_birth_place(n)
    # python-stdnum raises KeyError for a prefix its table knows only above county level (e.g.
    # 111000); any failure of the look-up is a doubt about the table, not about the number.
    except (stdnum_errors.ValidationError, KeyError, ValueError, IndexError):
        warnings.append(f"地址码 {n[:6]} 不在内置行政区划表中，请核对")
    sex = "male" if int(n[16]) % 2 else "female"
    return IdCheck(True, n, birth_date=born, sex=sex, warnings=tuple(warnings), basis=GB_11643)


_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_code_ok(body: str) -> bool:
    """GB 11714 check of the 9-character organisation code inside a USCC (positions 9–17)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    try:
        total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body[:8], weights, strict=True))
    except ValueError:
        return False
    c = 11 - total % 11
    expected = "X" if c == 10 else "0" if c == 11 else str(c)
    return body[8] == expected


def check_uscc(code: str) -> IdCheck:
    """18-character 统一社会信用代码 (GB 32100-2015): length, alphabet, check character."""
    n = _clean(code)

    def bad(c: str, reason: str) -> IdCheck:
        return IdCheck(False, n, reason, c, basis=GB_32100)

    if not n:
        return bad("empty", "统一社会信用代码不能为空")
    if len(n) != 18:
        return bad("length", f"统一社会信用代码应为 18 位，实际为 {len(n)} 位")
    if not _digits(n[:8]):
        return bad("format", "统一社会信用代码前 8 位（登记管理部门码、机构类别码、行政区划码）应为数字")
    wrong = [ch for ch in n[8:] if ch not in uscc._alphabet]
    if wrong:
        return bad("format", f"统一社会信用代码含有不允许的字符 {'、'.join(dict.fromkeys(wrong))}"
                             "（不使用 I、O、S、V、Z）")
    expected = uscc.calc_check_digit(n)
    if n[17] != expected:
        return bad("checksum", f"统一社会信用代码校验码错误：第 18 位应为 {expected}，实际为 {n[17]}")
    warnings = () if _org_code_ok(n[8:17]) else (
        "第 9–17 位组织机构代码的校验位不符合 GB 11714，个体工商户等可能如此，请核对",)
    return IdCheck(True, n, warnings=warnings, basis=GB_32100)


def mask_id_number(number: str) -> str:
    """An identity number for display: the first 6 and last 4 characters of an 18-digit number
    (the birth date and sequence hidden); shorter numbers keep the first and last 2."""
    n = str(number or "")
    if len(n) <= 4:
        return "*" * len(n)
    if len(n) < 11:
        return n[:2] + "*" * (len(n) - 4) + n[-2:]
    return n[:6] + "*" * (len(n) - 10) + n[-4:]


def age_on(birth: date, on: date) -> int:
    """Whole years of age on a date (a birthday counts from its day; someone born on 29 February
    turns a year older on 1 March in a common year).

    This is the everyday count, used for display and ID checks. For capacity under 《行政处罚法》
    第三十条 use :func:`zhifa.law.capacity.completed_age`, which counts 周岁 from the day *after* the
    birthday (法释〔2006〕1号 第二条, applied by analogy); the two differ only on the birthday itself."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years
