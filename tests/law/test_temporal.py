"""Limitation (《行政处罚法》第三十六条) and the applicable version (第三十七条, 从旧兼从轻).

The lex mitior cases use the 2024-12-06 revisions of 出版管理条例, 印刷业管理条例, 音像制品管理条例 and
互联网上网服务营业场所管理条例 as law.md §6 and the seed catalog (catalog.json, WH-PUB-001/002, WH-PRT-001,
WH-AV-001, WH-NET-003) record them:

- the revision date is 2024-12-06 [V:CLDB]; its **effective date is [U] in law.md ("probably 2025-01-20")**,
  so the tests use 2025-01-20 and name it ``REVISION_IN_FORCE_U``;
- the pre-revision texts' own start dates are not in law.md and do not matter to these cases; the tests
  use 2020-11-29 (the LRB file date of the 2020 texts), marked ``OLD_TEXT_FROM``, never as a fact;
- amounts are copied from the catalog notes: 出版 Art 61 / 音像 Art 39 before: 违法经营额 ≥1万 5–10倍, below
  可以处5万元以下; 印刷 Art 36 before: ≥1万 5–10倍, below 1万–5万; all three after: 违法所得 ≥5万 5–10倍, none or
  below 并处25万元以下. 出版 Art 62 and the 网吧条例 penalties were not changed.

Cases that are not in the sources are named ``hypothetical`` in their id and say so in a comment.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.law.calendar import WorkCalendar
from zhifa.law.errors import RuleViolation
from zhifa.law.fines import parse_fine_rule
from zhifa.law.penalties import PenaltyKind
from zhifa.law.temporal import Choice, Version, applicable_version, limitation

CAL = WorkCalendar.from_chinese_calendar()
K = PenaltyKind
D = Decimal

REVISION_IN_FORCE_U = date(2025, 1, 20)  # law.md §6: [U], "probably 2025-01-20"
OLD_TEXT_FROM = date(2020, 11, 29)  # not a verified 施行日期; only needs to precede the acts below

TURNOVER, GAINS = "违法经营额", "违法所得"

# 2024 regime of 出版 Art 61, 印刷 Art 36, 音像 Art 39 (catalog WH-PUB-001, WH-PRT-001, WH-AV-001)
NEW_GAINS_RULE = parse_fine_rule({"type": "tiered", "base": GAINS, "threshold_yuan": 50000,
                                  "if_at_or_above": {"multiple_min": 5, "multiple_max": 10},
                                  "if_below_or_none": {"min": None, "max": 250000}})
# before 2024: 出版 Art 61, 音像 Art 39 (可以处5万元以下)
OLD_TURNOVER_RULE = parse_fine_rule({"type": "tiered", "base": TURNOVER, "threshold_yuan": 10000,
                                     "if_at_or_above": {"multiple_min": 5, "multiple_max": 10},
                                     "if_below_or_none": {"min": None, "max": 50000}})
# before 2024: 印刷 Art 36 (1万元以上5万元以下)
OLD_PRINT_RULE = parse_fine_rule({"type": "tiered", "base": TURNOVER, "threshold_yuan": 10000,
                                  "if_at_or_above": {"multiple_min": 5, "multiple_max": 10},
                                  "if_below_or_none": {"min": 10000, "max": 50000}})
UNLICENSED = (K.CONFISCATE_PROPERTY, K.CONFISCATE_GAINS, K.FINE)


def revision(name: str, old_rule, new_rule, kinds=UNLICENSED, new_kinds=None) -> list[Version]:
    return [
        Version(f"{name}（2024年修订前）", OLD_TEXT_FROM, REVISION_IN_FORCE_U, True, kinds, old_rule),
        Version(f"{name}（2024年12月6日修订）", REVISION_IN_FORCE_U, None, True, new_kinds or kinds, new_rule),
    ]


PUB_61 = revision("出版管理条例第六十一条", OLD_TURNOVER_RULE, NEW_GAINS_RULE)
PRT_36 = revision("印刷业管理条例第三十六条", OLD_PRINT_RULE, NEW_GAINS_RULE)
AV_39 = revision("音像制品管理条例第三十九条", OLD_TURNOVER_RULE, NEW_GAINS_RULE)
# 出版 Art 62 (content): "2024修订未改本条" (WH-PUB-002)
PUB_62 = revision("出版管理条例第六十二条", OLD_TURNOVER_RULE, OLD_TURNOVER_RULE,
                  (K.SUSPEND_BUSINESS, K.CONFISCATE_PROPERTY, K.CONFISCATE_GAINS, K.FINE, K.REVOKE_LICENCE))
# 网吧条例 Art 31: the 2024 revision changed only Art 11 and police Art 32 (law.md §6, WH-NET-003)
NET_31 = revision("互联网上网服务营业场所管理条例第三十一条", parse_fine_rule({"type": "range", "max": 15000}),
                  parse_fine_rule({"type": "range", "max": 15000}),
                  (K.WARNING, K.FINE, K.SUSPEND_BUSINESS, K.REVOKE_LICENCE))

BEFORE, AFTER = date(2024, 10, 15), date(2025, 3, 10)  # act before the revision took effect, decision after

LEX_MITIOR = [
    # (versions, act, decision, amounts, index of the version applied, lighter applied, step fragment)
    pytest.param(PUB_61, BEFORE, AFTER, {TURNOVER: 8000, GAINS: 3000}, 0, False, "上限较高",
                 id="Art37-PUB61-small-retailer-old-50000-cap-lighter-than-new-250000"),
    pytest.param(PUB_61, BEFORE, AFTER, {TURNOVER: 200000, GAINS: 20000}, 1, True, "上限较低",
                 id="Art37-PUB61-turnover-200000-old-1m-2m-new-250000-new-applies"),
    pytest.param(PUB_61, BEFORE, AFTER, {TURNOVER: 200000, GAINS: 100000}, 1, True, "上限较低",
                 id="Art37-PUB61-gains-100000-new-500000-1m-lighter-than-old-1m-2m"),
    pytest.param(PUB_61, date(2025, 2, 1), AFTER, {TURNOVER: 200000, GAINS: 20000}, 1, False, "同一版本",
                 id="Art37-PUB61-act-after-revision-new-text-only"),
    pytest.param(PUB_61, BEFORE, date(2025, 1, 19), {TURNOVER: 200000, GAINS: 20000}, 0, False, "同一版本",
                 id="Art37-PUB61-decided-before-revision-in-force"),
    pytest.param(PUB_61, date(2025, 1, 19), AFTER, {TURNOVER: 8000, GAINS: 3000}, 0, False, "上限较高",
                 id="Art37-PUB61-last-day-of-old-text"),
    pytest.param(PRT_36, BEFORE, AFTER, {TURNOVER: 5000, GAINS: 5000}, 0, False, "上限较高",
                 id="Art37-PRT36-small-old-10000-50000-kept"),
    pytest.param(PRT_36, BEFORE, AFTER, {TURNOVER: 50000, GAINS: 5000}, 1, True, "上限较低",
                 id="Art37-PRT36-old-250000-500000-new-250000-cap-applies"),
    pytest.param(AV_39, BEFORE, AFTER, {TURNOVER: 9000, GAINS: 9000}, 0, False, "上限较高",
                 id="Art37-AV39-small-old-kept"),
    pytest.param(AV_39, BEFORE, AFTER, {TURNOVER: 30000, GAINS: 0}, 1, True, "上限较低",
                 id="Art37-AV39-no-gains-new-250000-below-old-150000-300000"),
    pytest.param(PUB_62, BEFORE, AFTER, {TURNOVER: 30000}, 0, False, "不轻于",
                 id="Art37-PUB62-unchanged-act-time-text"),
    pytest.param(NET_31, BEFORE, AFTER, {}, 0, False, "不轻于", id="Art37-NET31-unchanged-act-time-text"),
]


@pytest.mark.parametrize(("versions", "act", "decision", "amounts", "index", "lighter", "fragment"), LEX_MITIOR)
def test_applicable_version_2024_revisions(versions: list[Version], act: date, decision: date, amounts: dict,
                                           index: int, lighter: bool, fragment: str) -> None:
    choice = applicable_version(versions, act, decision, amounts)
    assert isinstance(choice, Choice)
    assert choice.version is versions[index]
    assert choice.lighter_applied is lighter and choice.punishable
    assert any("第三十七条" in str(c) for c in choice.basis)
    assert any(fragment in s for s in choice.steps), choice.steps
    out = choice.to_json()
    assert out["result"] == versions[index].label and out["basis"] and out["steps"]


def test_version_order_does_not_matter() -> None:
    assert applicable_version(list(reversed(PUB_61)), BEFORE, AFTER, {TURNOVER: 200000, GAINS: 20000}).version \
        is PUB_61[1]


# --- Hypothetical changes (not in the sources; constructed to exercise each branch of Art 37) ------------

T0, T1, T2 = date(2020, 1, 1), date(2023, 1, 1), date(2024, 1, 1)
RANGE_50K = parse_fine_rule({"type": "range", "min": 10000, "max": 50000})


def pair(new: Version, old: Version | None = None) -> list[Version]:
    old = old or Version("旧规定", T0, T1, True, (K.WARNING, K.FINE, K.REVOKE_LICENCE), RANGE_50K)
    return [old, new]


HYPOTHETICAL = [
    # (versions, index applied, lighter, punishable, step fragment)
    pytest.param(pair(Version("新规定（废止该项）", T1, None, False)), 1, True, False, "不认为是违法",
                 id="Art37-hypothetical-repealed-no-longer-offence"),
    pytest.param(pair(Version("新规定", T1, None, True, (K.WARNING, K.FINE),
                              parse_fine_rule({"type": "range", "min": 10000, "max": 30000}))),
                 1, True, True, "上限较低", id="Art37-hypothetical-lower-maximum"),
    pytest.param(pair(Version("新规定", T1, None, True, (K.WARNING, K.FINE, K.REVOKE_LICENCE),
                              parse_fine_rule({"type": "range", "min": 5000, "max": 50000}))),
                 1, True, True, "下限较低", id="Art37-hypothetical-same-max-lower-minimum"),
    pytest.param(pair(Version("新规定", T1, None, True, (K.WARNING, K.FINE, K.REVOKE_LICENCE),
                              parse_fine_rule({"type": "range", "min": 20000, "max": 50000}))),
                 0, False, True, "下限较高", id="Art37-hypothetical-same-max-higher-minimum"),
    pytest.param(pair(Version("新规定", T1, None, True, (K.WARNING, K.FINE, K.SUSPEND_BUSINESS), RANGE_50K)),
                 1, True, True, "最重处罚种类", id="Art37-hypothetical-same-fine-revocation-dropped"),
    pytest.param(pair(Version("新规定", T1, None, True, (K.WARNING, K.FINE, K.CLOSE), RANGE_50K)),
                 0, False, True, "最重处罚种类", id="Art37-hypothetical-same-fine-closure-added"),
    pytest.param(pair(Version("新规定", T1, None, True, (K.WARNING, K.FINE, K.OTHER), RANGE_50K)),
                 0, False, True, "人工判断", id="Art37-hypothetical-other-kind-unranked"),
    pytest.param(pair(Version("新规定", T1, None, True, (K.WARNING,), None)),
                 1, True, True, "上限较低", id="Art37-hypothetical-fine-abolished"),
    pytest.param(pair(Version("新规定（新设违法行为）", T1, None, True, (K.FINE,), RANGE_50K),
                      Version("旧规定（不认为是违法）", T0, T1, False)),
                 0, False, False, "不溯及既往", id="Art37-hypothetical-new-offence-not-retroactive"),
]


@pytest.mark.parametrize(("versions", "index", "lighter", "punishable", "fragment"), HYPOTHETICAL)
def test_applicable_version_hypothetical(versions: list[Version], index: int, lighter: bool, punishable: bool,
                                         fragment: str) -> None:
    choice = applicable_version(versions, date(2022, 6, 1), date(2023, 6, 1))
    assert choice.version is versions[index]
    assert (choice.lighter_applied, choice.punishable) == (lighter, punishable)
    assert any(fragment in s for s in choice.steps), choice.steps


def test_hypothetical_intermediate_lighter_version_is_not_applied() -> None:
    """Art 37 compares the act-time and decision-time rules only (hypothetical three versions)."""
    versions = [
        Version("第一版", T0, T1, True, (K.FINE,), RANGE_50K),
        Version("第二版（较轻）", T1, T2, True, (K.FINE,), parse_fine_rule({"type": "range", "max": 1000})),
        Version("第三版（较重）", T2, None, True, (K.FINE,), parse_fine_rule({"type": "range", "max": 100000})),
    ]
    choice = applicable_version(versions, date(2022, 6, 1), date(2024, 6, 1))
    assert choice.version is versions[0]
    assert any("第二版" in s and "不适用中间版本" in s for s in choice.steps)


def test_hypothetical_serious_variant_is_compared() -> None:
    """Hypothetical: same ordinary range, lower 情节严重 range; only a serious case takes the new rule."""
    old = Version("旧规定", T0, T1, True, (K.FINE,), parse_fine_rule(
        {"type": "range", "max": 50000, "serious": {"type": "range", "min": 50000, "max": 500000}}))
    new = Version("新规定", T1, None, True, (K.FINE,), parse_fine_rule(
        {"type": "range", "max": 50000, "serious": {"type": "range", "min": 50000, "max": 200000}}))
    assert applicable_version([old, new], date(2022, 6, 1), date(2023, 6, 1)).version is old
    assert applicable_version([old, new], date(2022, 6, 1), date(2023, 6, 1), serious=True).version is new


BAD = [
    # (versions, act, decision, amounts, code, field); the id names the article
    pytest.param(PUB_61, date(2019, 1, 1), AFTER, {}, "version_missing_at_act", "act_date",
                 id="Art37-no-version-at-act-date"),
    pytest.param([PUB_61[0]], BEFORE, AFTER, {}, "version_missing_at_decision", "decision_date",
                 id="Art37-gap-at-decision-date"),
    pytest.param([PUB_61[0], Version("重叠", date(2025, 1, 1), None)], BEFORE, AFTER, {}, "version_overlap",
                 "versions", id="Art37-overlapping-versions"),
    pytest.param([Version("空", T1, T1)], T1, T1, {}, "version_dates", "versions", id="Art37-empty-period"),
    pytest.param([], BEFORE, AFTER, {}, "versions_missing", "versions", id="Art37-no-versions"),
    pytest.param(PUB_61, AFTER, BEFORE, {}, "decision_before_act", "decision_date", id="Art37-decision-before-act"),
]


@pytest.mark.parametrize(("versions", "act", "decision", "amounts", "code", "field"), BAD)
def test_applicable_version_refuses(versions, act: date, decision: date, amounts: dict, code: str,
                                    field: str) -> None:
    with pytest.raises(RuleViolation) as info:
        applicable_version(versions, act, decision, amounts)
    assert (info.value.code, info.value.field) == (code, field)
    assert field in info.value.message and any("第三十七条" in str(c) for c in info.value.basis)


def test_version_kinds_are_checked() -> None:
    assert Version("v", T0, None, True, ("fine", "warning")).kinds == (K.FINE, K.WARNING)
    with pytest.raises(RuleViolation) as info:
        Version("v", T0, None, True, ("jail",))
    assert info.value.field == "kinds"


def test_missing_amount_for_a_multiple_rule_is_refused() -> None:
    """fines.statutory_range needs the base amount of a multiple rule; the refusal names it."""
    rule = parse_fine_rule({"type": "multiple", "base": GAINS, "multiple_min": 1, "multiple_max": 3})
    versions = [Version("旧", T0, T1, True, (K.FINE,), rule), Version("新", T1, None, True, (K.FINE,), RANGE_50K)]
    with pytest.raises(RuleViolation) as info:
        applicable_version(versions, date(2022, 6, 1), date(2023, 6, 1), {})
    assert info.value.field == GAINS


# --- Art 36: limitation -----------------------------------------------------------------------------

LIMITATION = [
    # (act or end of a continuing act, discovered on, serious, last day, punishable); ids name the rule
    pytest.param(date(2024, 10, 1), date(2026, 10, 1), False, date(2026, 10, 1), True,
                 id="Art36-2y-discovered-on-last-day-national-day-not-rolled"),
    pytest.param(date(2024, 10, 1), date(2026, 10, 2), False, date(2026, 10, 1), False, id="Art36-2y-one-day-late"),
    pytest.param(date(2024, 10, 1), date(2024, 10, 1), False, date(2026, 10, 1), True, id="Art36-discovered-same-day"),
    pytest.param(date(2021, 10, 1), date(2026, 10, 1), True, date(2026, 10, 1), True, id="Art36-5y-life-health-harm"),
    pytest.param(date(2021, 10, 1), date(2026, 10, 1), False, date(2023, 10, 1), False,
                 id="Art36-same-dates-2y-expired"),
    pytest.param(date(2024, 2, 29), date(2026, 3, 1), False, date(2026, 2, 28), False,
                 id="Art36-CivilCode202-leap-day-last-day-feb28"),
    pytest.param(date(2025, 6, 30), date(2026, 9, 1), False, date(2027, 6, 30), True,
                 id="Art36-continuing-act-counts-from-its-end"),
]


@pytest.mark.parametrize(("act_end", "discovered", "serious", "last_day", "punishable"), LIMITATION)
def test_limitation(act_end: date, discovered: date, serious: bool, last_day: date, punishable: bool) -> None:
    result = limitation(act_end, discovered, CAL, serious=serious)
    assert (result.last_day, result.result) == (last_day, punishable)
    assert result.years == (5 if serious else 2)
    assert any("第三十六条" in str(c) for c in result.basis)
    out = result.to_json()
    assert out["result"] is punishable and out["last_day"] == last_day.isoformat() and out["reasons"]


def test_limitation_refuses_discovery_before_act() -> None:
    with pytest.raises(RuleViolation) as info:
        limitation(date(2026, 5, 1), date(2026, 4, 30), CAL)
    assert (info.value.code, info.value.field) == ("discovered_before_act", "discovered_on")
    assert any("第三十六条" in str(c) for c in info.value.basis)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=0, max_value=2500),
       st.booleans())
def test_limitation_is_discovery_on_or_before_the_last_day(act: date, days: int, serious: bool) -> None:
    """Art 36: punishable exactly when discovered by the last day; the last day is 2 or 5 years on, never earlier."""
    discovered = act + timedelta(days=days)
    result = limitation(act, discovered, CAL, serious=serious)
    assert result.result is (discovered <= result.last_day)
    years = 5 if serious else 2
    assert act.replace(day=1).replace(year=act.year + years) <= result.last_day <= act.replace(
        day=1).replace(year=act.year + years) + timedelta(days=31)
    if not result.result:
        assert not limitation(act, discovered + timedelta(days=1), CAL, serious=serious).result
