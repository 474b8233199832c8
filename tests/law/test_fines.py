"""Fine rules as data (zhifa.law.fines): the three forms of the regulations and their statutory ranges.

Each row names the clause whose wording it encodes; the amounts are those of catalog.json (law.md §7).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhifa.law.errors import RuleViolation
from zhifa.law.fines import Base, FineRule, RuleType, parse_fine_rule, statutory_range, yuan

D = Decimal

# 网吧条例第二十七条: 违法经营额1万元以上并处5倍以上10倍以下；不足1万元并处1万元以上5万元以下
NET_27 = {"base": "违法经营额", "threshold_yuan": 10000, "if_at_or_above": {"multiple_min": 5, "multiple_max": 10},
          "if_below_or_none": {"min": 10000, "max": 50000}}
# 出版管理条例第六十一条（2024修订）: 违法所得5万元以上5倍以上10倍以下；没有或不足5万元并处25万元以下
PUB_61 = {"base": "违法所得", "threshold_yuan": 50000, "if_at_or_above": {"multiple_min": 5, "multiple_max": 10},
          "if_below_or_none": {"min": None, "max": 250000}}
# 未成年人保护法第一百二十三条: 5万元以下；拒不改正或者情节严重的，5万元以上50万元以下
MIN_123 = {"type": "range", "min": None, "max": 50000, "serious": {"type": "range", "min": 50000, "max": 500000}}


PARSE = [
    # (basis, JSON, expected rule)
    pytest.param({"min": 10000, "max": 30000, "multiple_of": None, "multiple_min": None, "multiple_max": None},
                 FineRule(RuleType.RANGE, min=D(10000), max=D(30000)), id="WH-PER-014-seed-fine-range"),
    pytest.param({"min": None, "max": 15000, "multiple_of": None}, FineRule(RuleType.RANGE, max=D(15000)),
                 id="网吧条例31-max-only"),
    pytest.param({"min": None, "max": None, "multiple_of": None, "multiple_min": None, "multiple_max": None}, None,
                 id="娱乐条例41-no-fine"),
    pytest.param(None, None, id="null-no-fine"),
    pytest.param(NET_27, FineRule(RuleType.TIERED, min=D(10000), max=D(50000), base=Base.TURNOVER,
                                  multiple_min=D(5), multiple_max=D(10), threshold=D(10000)), id="网吧条例27-tiered"),
    pytest.param(PUB_61, FineRule(RuleType.TIERED, min=None, max=D(250000), base=Base.GAINS,
                                  multiple_min=D(5), multiple_max=D(10), threshold=D(50000)), id="出版条例61-min-null"),
    pytest.param({"min": None, "max": 30000, "multiple_of": "违法经营额", "multiple_min": 1, "multiple_max": 3},
                 FineRule(RuleType.MULTIPLE, max=D(30000), base=Base.TURNOVER, multiple_min=D(1), multiple_max=D(3)),
                 id="艺术品办法20-multiple-capped"),
    pytest.param(MIN_123, FineRule(RuleType.RANGE, max=D(50000),
                                   serious=FineRule(RuleType.RANGE, min=D(50000), max=D(500000))),
                 id="未成年人保护法123-serious"),
]


@pytest.mark.parametrize(("data", "expected"), PARSE)
def test_parse_fine_rule(data, expected):
    rule = parse_fine_rule(data)
    assert rule == expected
    if rule is not None:  # the canonical JSON reads back to the same rule
        assert parse_fine_rule(rule.to_json()) == rule


PARSE_ERRORS = [
    # (JSON, code, field)
    pytest.param({"type": "range", "min": 5, "max": 1}, "fine_rule_order", "min", id="min-above-max"),
    pytest.param({"type": "range", "min": -1, "max": 1}, "fine_rule_number", "min", id="negative"),
    pytest.param({"type": "range", "max": "abc"}, "fine_rule_number", "max", id="not-a-number"),
    pytest.param({"type": "range", "max": True}, "fine_rule_number", "max", id="bool"),
    pytest.param({"type": "range", "min": 5}, "fine_rule_missing", "max", id="no-max"),
    pytest.param({"type": "multiple", "base": "营业额", "multiple_min": 1, "multiple_max": 2}, "fine_rule_base", "base",
                 id="unknown-base"),
    pytest.param({"type": "multiple", "base": "违法所得", "multiple_min": 3, "multiple_max": 1}, "fine_rule_order",
                 "multiple_min", id="multiple-order"),
    pytest.param({"type": "tiered", "base": "违法所得", "if_at_or_above": {"multiple_min": 1, "multiple_max": 2},
                  "if_below_or_none": {"max": 10}}, "fine_rule_missing", "threshold_yuan", id="tier-no-threshold"),
    pytest.param({"type": "percent", "max": 1}, "fine_rule_type", "type", id="unknown-type"),
    pytest.param([1, 2], "fine_rule_shape", "fine_rule", id="not-an-object"),
]


@pytest.mark.parametrize(("data", "code", "field"), PARSE_ERRORS)
def test_parse_fine_rule_refuses(data, code, field):
    with pytest.raises(RuleViolation) as err:
        parse_fine_rule(data)
    assert (err.value.code, err.value.field) == (code, field)


RANGES = [
    # (basis, rule JSON, amounts, serious, min, max, shape)
    pytest.param(NET_27, {"违法经营额": "9999.99"}, False, "10000", "50000", "range", id="网吧条例27-below-threshold"),
    pytest.param(NET_27, {"违法经营额": 10000}, False, "50000", "100000", "multiple", id="网吧条例27-at-threshold"),
    pytest.param(NET_27, {"违法经营额": "10000.01"}, False, "50000.05", "100000.10", "multiple",
                 id="网吧条例27-above-threshold"),
    pytest.param(NET_27, {}, False, "10000", "50000", "range", id="网吧条例27-no-amount"),
    pytest.param(NET_27, {"违法经营额": 0}, False, "10000", "50000", "range", id="网吧条例27-zero"),
    pytest.param(PUB_61, {"违法所得": "49999.99"}, False, "0", "250000", "max_only", id="出版条例61-below"),
    pytest.param(PUB_61, {"违法所得": 50000}, False, "250000", "500000", "multiple", id="出版条例61-at"),
    pytest.param(PUB_61, {}, False, "0", "250000", "max_only", id="出版条例61-none"),
    pytest.param(MIN_123, {}, False, "0", "50000", "max_only", id="未成年人保护法123"),
    pytest.param(MIN_123, {}, True, "50000", "500000", "range", id="未成年人保护法123-serious"),
    pytest.param({"type": "range", "max": 15000}, {}, True, "0", "15000", "max_only", id="网吧条例31-no-serious-tier"),
    # 艺术品办法第二十条 [U]: 1倍以上3倍以下, capped at 3万
    pytest.param({"type": "multiple", "base": "违法经营额", "multiple_min": 1, "multiple_max": 3, "max": 30000},
                 {"违法经营额": 20000}, False, "20000", "30000", "multiple", id="multiple-capped"),
    pytest.param({"type": "multiple", "base": "违法经营额", "multiple_min": 1, "multiple_max": 3, "max": 30000},
                 {"违法经营额": 40000}, False, "30000", "30000", "multiple", id="multiple-cap-below-min-multiple"),
    # a floor lifts both ends: 1–3倍, 不低于1万
    pytest.param({"type": "multiple", "base": "违法所得", "multiple_min": 1, "multiple_max": 3, "min": 10000},
                 {"违法所得": 2000}, False, "10000", "10000", "multiple", id="multiple-floor-lifts-both"),
    pytest.param({"type": "multiple", "base": "违法所得", "multiple_min": 1, "multiple_max": 3, "min": 10000},
                 {"违法所得": 5000}, False, "10000", "15000", "multiple", id="multiple-floor"),
    # half up to the cent: 0.01 × 1.5 = 0.015 → 0.02
    pytest.param({"type": "multiple", "base": "违法所得", "multiple_min": "1.5", "multiple_max": "2.5"},
                 {"违法所得": "0.01"}, False, "0.02", "0.03", "multiple", id="half-up-rounding"),
]


@pytest.mark.parametrize(("data", "amounts", "serious", "lo", "hi", "shape"), RANGES)
def test_statutory_range(data, amounts, serious, lo, hi, shape):
    rng = statutory_range(parse_fine_rule(data), amounts, serious=serious)
    assert (rng.min, rng.max, rng.shape) == (D(lo), D(hi), shape)
    assert rng.steps  # the computation is explained
    assert rng.to_json() == {"min": f"{D(lo):.2f}", "max": f"{D(hi):.2f}", "unit": "元"}


def test_serious_range_is_explained():
    """未成年人保护法第一百二十三条: the serious tier replaces the ordinary one, and says so."""
    rng = statutory_range(parse_fine_rule(MIN_123), {}, serious=True)
    assert rng.rule == parse_fine_rule(MIN_123).serious
    assert "情节严重" in rng.steps[0]


AMOUNT_ERRORS = [
    pytest.param({"type": "multiple", "base": "违法所得", "multiple_min": 1, "multiple_max": 3}, {}, "amount_missing",
                 "违法所得", id="multiple-needs-amount"),
    pytest.param(NET_27, {"违法经营额": -1}, "amount_invalid", "违法经营额", id="negative-amount"),
    pytest.param(NET_27, {"违法经营额": "十万"}, "amount_invalid", "违法经营额", id="not-a-number"),
    pytest.param(NET_27, {"违法经营额": True}, "amount_invalid", "违法经营额", id="bool-amount"),
]


@pytest.mark.parametrize(("data", "amounts", "code", "field"), AMOUNT_ERRORS)
def test_statutory_range_refuses_amounts(data, amounts, code, field):
    with pytest.raises(RuleViolation) as err:
        statutory_range(parse_fine_rule(data), amounts)
    assert (err.value.code, err.value.field) == (code, field)
    assert field in err.value.message


@pytest.mark.parametrize(("value", "text"), [(D(15000), "15000元"), (D("12345.675"), "12345.68元"),
                                             (D("0.5"), "0.50元")])
def test_yuan(value, text):
    assert yuan(value) == text


@pytest.mark.parametrize("alias, base", [("illegal_turnover", "违法经营额"), ("illegal_gains", "违法所得"),
                                         ("goods_value", "货值金额")])
def test_english_base_aliases(alias, base):
    rule = parse_fine_rule({"type": "multiple", "base": alias, "multiple_min": 1, "multiple_max": 3})
    assert rule.base.value == base
    assert rule.to_json()["base"] == base  # stored in the catalog's own (Chinese) words
