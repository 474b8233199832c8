"""Fine rules as data: a fixed range, a multiple of an amount, or a tier between the two.

Regulations set fines three ways, and the seed catalog (``catalog.json`` ``fine`` / ``fine_rule``)
stores them the same way:

* ``range`` — "1万元以上5万元以下" (``min`` may be absent: "15000元以下");
* ``multiple`` — "违法所得1倍以上3倍以下" of a base amount (违法经营额 or 违法所得), optionally with a cap;
* ``tiered`` — "违法经营额1万元以上的，并处5倍以上10倍以下罚款；不足1万元的，并处1万元以上5万元以下罚款":
  at or above ``threshold_yuan`` the multiple applies, below it (or with no amount) the range.

Any rule may carry ``serious``: the rule that replaces it when 情节严重 / 拒不改正 (e.g. 《未成年人保护法》
第一百二十三条: 5万元以下; 情节严重 5万元以上50万元以下).

Money is :class:`decimal.Decimal` yuan, never float. The JSON form is the catalog's own, so a rule
round-trips through the database, the import/export files and the command line unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from .errors import RuleViolation


class Base(StrEnum):
    TURNOVER = "违法经营额"
    GAINS = "违法所得"
    VALUE = "货值金额"


class RuleType(StrEnum):
    RANGE = "range"
    MULTIPLE = "multiple"
    TIERED = "tiered"


@dataclass(frozen=True)
class FineRule:
    """One fine rule. Which fields are used depends on ``type`` (see the module docstring)."""

    type: RuleType
    min: Decimal | None = None  # range: lower bound (None = no lower bound, "以下"); multiple: optional floor
    max: Decimal | None = None  # range: upper bound; multiple: optional cap
    base: Base | None = None  # multiple / tiered
    multiple_min: Decimal | None = None
    multiple_max: Decimal | None = None
    threshold: Decimal | None = None  # tiered: the multiple applies at or above this amount
    serious: FineRule | None = None  # replaces this rule when 情节严重/拒不改正

    def to_json(self) -> dict[str, Any]:
        def num(v: Decimal | None):
            if v is None:
                return None
            return int(v) if v == v.to_integral_value() else str(v)

        if self.type is RuleType.RANGE:
            out: dict[str, Any] = {"type": "range", "min": num(self.min), "max": num(self.max)}
        elif self.type is RuleType.MULTIPLE:
            out = {"type": "multiple", "base": str(self.base), "multiple_min": num(self.multiple_min),
                   "multiple_max": num(self.multiple_max), "min": num(self.min), "max": num(self.max)}
        else:
            out = {"type": "tiered", "base": str(self.base), "threshold_yuan": num(self.threshold),
                   "if_at_or_above": {"multiple_min": num(self.multiple_min), "multiple_max": num(self.multiple_max)},
                   "if_below_or_none": {"min": num(self.min), "max": num(self.max)}}
        if self.serious is not None:
            out["serious"] = self.serious.to_json()
        return out


def _money(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    if value is None:
        if required:
            raise RuleViolation("fine_rule_missing", f"罚款规则缺少 {field}", field)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise RuleViolation("fine_rule_number", f"罚款规则的 {field} 应为数字", field)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise RuleViolation("fine_rule_number", f"罚款规则的 {field} 应为数字", field) from None
    if not amount.is_finite() or amount < 0:
        raise RuleViolation("fine_rule_number", f"罚款规则的 {field} 应为不小于 0 的数字", field)
    return amount


# English names accepted for the base (the same aliases the discretion facts accept).
BASE_ALIASES = {"illegal_turnover": Base.TURNOVER, "illegal_gains": Base.GAINS, "goods_value": Base.VALUE}


def _base(value: Any) -> Base:
    if isinstance(value, str) and value in BASE_ALIASES:
        return BASE_ALIASES[value]
    try:
        return Base(value)
    except ValueError:
        names = "、".join(f"{b.value}（{alias}）" for alias, b in BASE_ALIASES.items())
        raise RuleViolation("fine_rule_base", f"罚款计算基数只能是：{names}", "base") from None


def _check_order(lo: Decimal | None, hi: Decimal | None, field: str) -> None:
    if lo is not None and hi is not None and lo > hi:
        raise RuleViolation("fine_rule_order", f"罚款规则的 {field} 下限大于上限", field)


def parse_fine_rule(data: dict[str, Any] | None) -> FineRule | None:
    """A :class:`FineRule` from its JSON form; ``None`` for no fine. Refuses malformed rules by field.

    Accepts the canonical form (with ``type``) and the seed catalog's two forms: ``fine_rule``
    (tiered, no ``type``) and ``fine`` (``min``/``max``/``multiple_of``/``multiple_min``/``multiple_max``).
    """
    if data is None:
        return None
    if not isinstance(data, dict):
        raise RuleViolation("fine_rule_shape", "罚款规则应为对象", "fine_rule")
    kind = data.get("type")
    if kind is None:
        if "threshold_yuan" in data:
            kind = "tiered"
        elif data.get("multiple_of") or data.get("base"):
            kind = "multiple"
        elif data.get("max") is None and data.get("min") is None:
            return None  # the seed's "no fine" form: every field null
        else:
            kind = "range"
    serious = parse_fine_rule(data["serious"]) if data.get("serious") is not None else None
    if kind == "range":
        lo, hi = _money(data.get("min"), "min"), _money(data.get("max"), "max", required=True)
        _check_order(lo, hi, "min")
        return FineRule(RuleType.RANGE, min=lo, max=hi, serious=serious)
    if kind == "multiple":
        mlo = _money(data.get("multiple_min"), "multiple_min", required=True)
        mhi = _money(data.get("multiple_max"), "multiple_max", required=True)
        _check_order(mlo, mhi, "multiple_min")
        lo, hi = _money(data.get("min"), "min"), _money(data.get("max"), "max")
        _check_order(lo, hi, "min")
        return FineRule(RuleType.MULTIPLE, min=lo, max=hi, base=_base(data.get("base") or data.get("multiple_of")),
                        multiple_min=mlo, multiple_max=mhi, serious=serious)
    if kind == "tiered":
        above = data.get("if_at_or_above") or {}
        below = data.get("if_below_or_none") or {}
        if not isinstance(above, dict) or not isinstance(below, dict):
            raise RuleViolation("fine_rule_shape", "分档罚款规则的两档应为对象", "fine_rule")
        mlo = _money(above.get("multiple_min"), "multiple_min", required=True)
        mhi = _money(above.get("multiple_max"), "multiple_max", required=True)
        _check_order(mlo, mhi, "multiple_min")
        lo, hi = _money(below.get("min"), "min"), _money(below.get("max"), "max", required=True)
        _check_order(lo, hi, "min")
        return FineRule(RuleType.TIERED, min=lo, max=hi, base=_base(data.get("base")),
                        multiple_min=mlo, multiple_max=mhi,
                        threshold=_money(data.get("threshold_yuan"), "threshold_yuan", required=True),
                        serious=serious)
    raise RuleViolation("fine_rule_type", "罚款规则类型只能是 range、multiple 或 tiered", "type")


CENT = Decimal("0.01")


def _num(value: Decimal) -> str:
    """A multiple as written: 5, 10, 1.5 (never 1E+1)."""
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def yuan(value: Decimal) -> str:
    """Money as people read it: "15000元", "12345.67元"."""
    q = value.quantize(CENT, rounding=ROUND_HALF_UP)
    text = str(int(q)) if q == q.to_integral_value() else f"{q:.2f}"
    return f"{text}元"


@dataclass(frozen=True)
class FineRange:
    """The statutory fine range for given facts: ``min`` (0 when the rule has no lower bound) to ``max``.

    ``rule`` is the rule that gave the range (the ``serious`` variant when it applied); ``multiple`` says
    the range is a multiple of an amount (a ``multiple`` rule, or a ``tiered`` rule at or above its
    threshold), which benchmarks band separately from fixed ranges.
    """

    min: Decimal
    max: Decimal
    rule: FineRule
    steps: tuple[str, ...] = ()
    multiple: bool = False

    @property
    def has_minimum(self) -> bool:
        return self.min > 0

    @property
    def shape(self) -> str:
        """The benchmark shape: ``"multiple"``, ``"max_only"`` (no lower bound, "……以下") or ``"range"``."""
        if self.multiple:
            return "multiple"
        return "max_only" if self.min == 0 else "range"

    def to_json(self) -> dict[str, Any]:
        return {"min": str(self.min.quantize(CENT, rounding=ROUND_HALF_UP)),
                "max": str(self.max.quantize(CENT, rounding=ROUND_HALF_UP)), "unit": "元"}


def _amount(amounts: dict[str, Any], base: Base, *, required: bool) -> Decimal | None:
    raw = amounts.get(base.value)
    if raw is None:
        if required:
            raise RuleViolation("amount_missing", f"计算罚款须提供{base.value}（元）", base.value)
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
        raise RuleViolation("amount_invalid", f"{base.value}应为以元为单位的金额", base.value)
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise RuleViolation("amount_invalid", f"{base.value}应为以元为单位的金额", base.value) from None
    if not amount.is_finite() or amount < 0:
        raise RuleViolation("amount_invalid", f"{base.value}应为不小于 0 的金额", base.value)
    return amount


def _times(amount: Decimal, multiple: Decimal) -> Decimal:
    """A multiple of an amount to the cent, half up (0.005 → 0.01)."""
    return (amount * multiple).quantize(CENT, rounding=ROUND_HALF_UP)


def statutory_range(rule: FineRule, amounts: dict[str, Any] | None = None, *, serious: bool = False) -> FineRange:
    """The fine range the rule gives for the amounts (违法经营额/违法所得/货值金额, in yuan), exactly.

    ``serious`` selects the rule's ``serious`` variant when it has one. Multiples are computed on the
    amount to the cent (ROUND_HALF_UP); a tiered rule applies the multiple at or above its threshold
    ("……以上的", the threshold itself included) and the fixed range below it or when the amount is
    absent or zero (the seed's ``if_below_or_none``: "没有……或者不足……的"). A multiple rule's ``min`` is a
    floor under both ends ("不低于"), its ``max`` a cap over both.
    """
    amounts = amounts or {}
    steps: list[str] = []
    if serious and rule.serious is not None:
        steps.append("情节严重/拒不改正，适用加重罚款幅度")
        rule = rule.serious
    if rule.type is RuleType.RANGE:
        lo = rule.min or Decimal(0)
        steps.append(f"罚款幅度：{yuan(lo) + '以上' if rule.min else ''}{yuan(rule.max)}以下")
        return FineRange(lo, rule.max, rule, tuple(steps))
    if rule.type is RuleType.TIERED:
        amount = _amount(amounts, rule.base, required=False)
        if amount is None or amount == 0 or amount < rule.threshold:
            have = f"{rule.base.value}{yuan(amount)}" if amount else f"无{rule.base.value}"
            lo = rule.min or Decimal(0)
            steps.append(f"{have}，不足{yuan(rule.threshold)}，适用固定幅度："
                         f"{yuan(lo) + '以上' if rule.min else ''}{yuan(rule.max)}以下")
            return FineRange(lo, rule.max, rule, tuple(steps))
        lo, hi = _times(amount, rule.multiple_min), _times(amount, rule.multiple_max)
        steps.append(f"{rule.base.value}{yuan(amount)}，达到{yuan(rule.threshold)}，适用倍数："
                     f"{_num(rule.multiple_min)}倍至{_num(rule.multiple_max)}倍，即{yuan(lo)}至{yuan(hi)}")
        return FineRange(lo, hi, rule, tuple(steps), multiple=True)
    amount = _amount(amounts, rule.base, required=True)
    lo, hi = _times(amount, rule.multiple_min), _times(amount, rule.multiple_max)
    steps.append(f"{rule.base.value}{yuan(amount)}的{_num(rule.multiple_min)}倍至"
                 f"{_num(rule.multiple_max)}倍，即{yuan(lo)}至{yuan(hi)}")
    if rule.min is not None and lo < rule.min:
        lo, hi = rule.min, max(hi, rule.min)
        steps.append(f"不低于{yuan(rule.min)}")
    if rule.max is not None and hi > rule.max:
        hi = rule.max
        lo = min(lo, hi)
        steps.append(f"以{yuan(rule.max)}为上限")
    return FineRange(lo, hi, rule, tuple(steps), multiple=True)
