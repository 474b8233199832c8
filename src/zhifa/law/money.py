"""Money as documents write it: 5,000.00 and 人民币大写 伍仟元整.

Amounts are ``Decimal`` yuan (DESIGN.md §6, never float), rounded to the fen half up. The capital form follows
the bank practice for 大写金额 (《支付结算办法》附件《正确填写票据和结算凭证的基本规定》: 零 for a gap, 整 after
元 or 角 with no fen; [U] the exact rule text not checked here): 壹万零伍佰元整, 壹拾元零伍分, 叁角伍分.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
LIMIT = Decimal("10") ** 16  # 万亿 groups go no further


def amount(value: Decimal) -> str:
    """5000 → "5,000.00"."""
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def _group(n: int) -> str:
    """0 < n < 10000 in capitals, with 零 for inner gaps (1005 → 壹仟零伍)."""
    out, zero = [], False
    for pos in range(3, -1, -1):
        d = n // 10 ** pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[d] + SMALL_UNITS[pos])
    return "".join(out)


def _whole(n: int) -> str:
    """0 < n < 10**16 in capitals: 亿 over 万 over groups of four (100010001 → 壹亿零壹万零壹; 10**12 + 10**8 →
    壹万零壹亿), with 零 where the lower part does not reach its first place."""
    for unit, size in (("亿", 10 ** 8), ("万", 10 ** 4)):
        if n >= size:
            high, low = divmod(n, size)
            text = _whole(high) + unit
            if low:
                text += ("零" if low < size // 10 else "") + _whole(low)
            return text
    return _group(n)


def upper(value: Decimal) -> str:
    """The amount in capitals: 5000 → 伍仟元整; 10500 → 壹万零伍佰元整; 10.05 → 壹拾元零伍分; 0 → 零元整."""
    q = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    if q < 0:
        raise ValueError("金额不能为负数")
    if q >= LIMIT:
        raise ValueError("金额过大")
    fen_total = int(q * 100)
    whole, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    parts: list[str] = []
    if whole:
        parts += [_whole(whole), "元"]
    if not whole and not jiao and not fen:
        return "零元整"
    if jiao:
        if whole and (whole % 10 == 0):
            parts.append("零")
        parts.append(DIGITS[jiao] + "角")
    if fen:
        if whole and not jiao:
            parts.append("零")
        parts.append(DIGITS[fen] + "分")
    else:
        parts.append("整")
    return "".join(parts)
