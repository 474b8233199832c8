"""Money as documents write it (zhifa.law.money): 5,000.00 and 伍仟元整. Table rows and a property: the capitals
read back to the same amount for every amount up to a trillion yuan."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.law.money import DIGITS, amount, upper

ROWS = [
    ("0", "零元整", "0.00"),
    ("0.35", "叁角伍分", "0.35"),
    ("5", "伍元整", "5.00"),
    ("10", "壹拾元整", "10.00"),
    ("10.05", "壹拾元零伍分", "10.05"),
    ("200", "贰佰元整", "200.00"),
    ("1005", "壹仟零伍元整", "1,005.00"),
    ("5000", "伍仟元整", "5,000.00"),
    ("10500", "壹万零伍佰元整", "10,500.00"),
    ("20000", "贰万元整", "20,000.00"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分", "1,680.32"),
    ("107000.53", "壹拾万柒仟元零伍角叁分", "107,000.53"),
    ("100010001", "壹亿零壹万零壹元整", "100,010,001.00"),
    ("2.005", "贰元零壹分", "2.01"),  # half up to the fen
    ("1000100000000", "壹万零壹亿元整", "1,000,100,000,000.00"),  # 亿 counted in 万
]


@pytest.mark.parametrize(("value", "capitals", "figures"), ROWS)
def test_rows(value: str, capitals: str, figures: str) -> None:
    assert upper(Decimal(value)) == capitals
    assert amount(Decimal(value)) == figures


def _read_back(text: str) -> Decimal:
    """Parse the capitals again (the inverse, written independently of the code under test)."""
    units = {"拾": 10, "佰": 100, "仟": 1000}
    big = {"万": 10 ** 4, "亿": 10 ** 8}
    yuan_part, _, rest = text.partition("元")
    if not _:
        yuan_part, rest = "", text
    total, section, digit = 0, 0, 0
    for ch in yuan_part:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch in units:
            section += digit * units[ch]
            digit = 0
        elif ch in big:
            section += digit
            if ch == "亿":
                total = (total + section) * big[ch]
            else:
                total += section * big[ch]
            section, digit = 0, 0
    total += section + digit
    cents = 0
    digit = 0
    for ch in rest:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch == "角":
            cents += digit * 10
            digit = 0
        elif ch == "分":
            cents += digit
            digit = 0
    return Decimal(total) + Decimal(cents) / 100


@given(st.integers(min_value=0, max_value=10 ** 12 * 100 - 1))
def test_capitals_read_back(fen: int) -> None:
    value = Decimal(fen) / 100
    text = upper(value)
    assert _read_back(text) == value, text
    assert ("零零" not in text and not text.endswith("零") and text[0] != "零") or text == "零元整"
    assert text.endswith(("整", "分"))


def test_refuses_negative() -> None:
    with pytest.raises(ValueError):
        upper(Decimal("-1"))
