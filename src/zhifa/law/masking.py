"""Masking personal data before publication (行政执法公示, issue 7 §2; standards.md §4).

What must not be published of a penalty decision (《工商行政处罚结果信息网上公开暂行办法》 as quoted in standards.md
§4(a), [U] article numbers; carried forward by the 市场监管 2021 rule and 个人信息保护法第五十五条): a natural
person's home address, contact details, identity number, bank account and health status; the names of natural persons
other than the penalised party; a legal person's bank account. The penalised natural person's name is published with
the given name hidden (张某某), a common practice [U] that the portal's policy may change. Organisations' names, unified
social credit codes and registered addresses are public registration data and stay.

This module is pure: it masks values it is told about (names, addresses) and finds by pattern what needs no telling
(18-character numbers shaped like a resident ID, whatever their check digit, unless they are a valid unified social
credit code; mobile and landline numbers; bank card numbers passing Luhn). ``scan``
finds what is left unmasked in a published text — the portal's crawler test uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from stdnum.cn import uscc

from .errors import Citation

BASIS = Citation("《工商行政处罚结果信息网上公开暂行办法》", "",
                 "公开时隐去自然人的住所、联系方式、身份证号码、银行账号、健康状况，当事人以外的自然人姓名，法人的银行账号"
                 "（standards.md §4(a)，[U] 条号未核实）")
PIPL_55 = Citation("《中华人民共和国个人信息保护法》", "第五十五条", "公开个人信息前应当进行个人信息保护影响评估")

# 复姓 (two-character surnames) common enough to matter; a name starting with one keeps both characters.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
    "令狐", "钟离", "闻人", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "南宫", "端木", "呼延",
})
NAME_STYLES = ("mou", "stars", "surname")  # 张某某 / 张** / 张某


def mask_name(name: str, style: str = "mou") -> str:
    """A natural person's name with the given name hidden: 张三丰 → 张某某 (``mou``), 张** (``stars``) or 张某
    (``surname``); 欧阳娜娜 → 欧阳某某. A name that is not Chinese characters keeps its first letter."""
    name = (name or "").strip()
    if not name:
        return ""
    if style not in NAME_STYLES:
        raise ValueError(f"unknown name style {style!r}")
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    rest = len(name) - len(surname)
    if style == "surname":
        return surname + "某"
    return surname + ("某" if style == "mou" else "*") * max(rest, 1)


def mask_id(number: str) -> str:
    """An identity number as published: the first six characters (the region of issue) and the rest hidden."""
    n = re.sub(r"\s", "", number or "")
    return n[:6] + "*" * max(len(n) - 6, 0) if len(n) > 6 else "*" * len(n)


def mask_phone(number: str) -> str:
    """A mobile number keeps its first three and last four digits (138****5678); other numbers keep only the area
    code (0396-*******)."""
    n = (number or "").strip()
    digits = re.sub(r"\D", "", n)
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return f"{digits[:3]}****{digits[-4:]}"
    m = re.match(r"(0\d{2,3})[-\s]?", n)
    head = m.group(1) + "-" if m else ""
    return head + "*" * max(len(digits) - len(head.rstrip("-")), 4)


def mask_account(number: str) -> str:
    """A bank account keeps its last four digits."""
    digits = re.sub(r"\D", "", number or "")
    return "*" * max(len(digits) - 4, 4) + digits[-4:] if len(digits) > 4 else "*" * len(digits)


# The administrative levels an address keeps when published (to the township or street: where, not which door).
_ADMIN = re.compile(r"^(?:.{1,12}?(?:省|自治区|市))?(?:.{1,12}?(?:市|自治州|州|地区|盟))?(?:.{1,12}?(?:区|县|旗|市))?"
                    r"(?:.{1,12}?(?:镇|乡|街道|苏木))?")


def mask_address(address: str) -> str:
    """A natural person's address as published: down to the county, and the township or street office when given;
    the road, village, building and door are hidden."""
    a = (address or "").strip()
    if not a:
        return ""
    kept = _ADMIN.match(a).group(0) if _ADMIN.match(a) else ""
    return (kept or a[:2]) + "***"


# --- finding what needs no telling -----------------------------------------------------------------------------------

_ID18 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                   r"(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){15,18}\d(?!\d)")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_check_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


@dataclass(frozen=True)
class Leak:
    """Something a published text should not hold: its kind, the text found and where."""

    kind: str  # id / mobile / landline / account / name / address
    text: str
    start: int


KIND_LABELS = {"id": "身份证号码", "mobile": "手机号码", "landline": "固定电话号码", "account": "银行账号",
               "name": "自然人姓名", "address": "住址"}


def _looks_like_id(number: str) -> bool:
    """An 18-character number shaped like a resident ID (region, birth date, sequence) is treated as one — a wrong
    check digit does not make it publishable — unless it is a valid unified social credit code (public data)."""
    return _id_check_ok(number) or not uscc.is_valid(number)


def _patterns(text: str) -> list[Leak]:
    out = [Leak("id", m.group(0), m.start()) for m in _ID18.finditer(text) if _looks_like_id(m.group(0))]
    out += [Leak("mobile", m.group(0), m.start()) for m in _MOBILE.finditer(text)]
    out += [Leak("landline", m.group(0), m.start()) for m in _LANDLINE.finditer(text)]
    taken = [(leak.start, leak.start + len(leak.text)) for leak in out]
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        inside = any(a <= m.start() < b for a, b in taken)
        if not inside and 16 <= len(digits) <= 19 and _luhn(digits):
            out.append(Leak("account", m.group(0), m.start()))
    return out


def scan(text: str, *, names: Iterable[str] = (), addresses: Iterable[str] = ()) -> list[Leak]:
    """What ``text`` still holds that publication must hide: identity numbers (by their shape), mobile and
    landline numbers, bank card numbers (Luhn), and any of the given natural persons' ``names`` (full) and
    ``addresses``. Sorted by position."""
    out = _patterns(text or "")
    for kind, values in (("name", names), ("address", addresses)):
        for v in {v.strip() for v in values if v and len(v.strip()) >= 2}:
            start = (text or "").find(v)
            while start >= 0:
                out.append(Leak(kind, v, start))
                start = text.find(v, start + 1)
    return sorted(out, key=lambda leak: (leak.start, leak.kind))


def scrub(text: str, *, names: Iterable[str] = (), addresses: Iterable[str] = (), name_style: str = "mou") -> str:
    """``text`` as it may be published: the given natural persons' names and addresses masked (longest first, so a
    name inside another is not half-masked), then every identity, phone and bank number found by pattern."""
    text = text or ""
    replacements = {n.strip(): mask_name(n, name_style) for n in names if n and len(n.strip()) >= 2}
    replacements.update({a.strip(): mask_address(a) for a in addresses if a and len(a.strip()) >= 4})
    for value in sorted(replacements, key=len, reverse=True):
        text = text.replace(value, replacements[value])
    for leak in sorted(_patterns(text), key=lambda leak: leak.start, reverse=True):
        masked = {"id": mask_id, "mobile": mask_phone, "landline": mask_phone, "account": mask_account}[leak.kind](
            leak.text)
        text = text[:leak.start] + masked + text[leak.start + len(leak.text):]
    return text
