"""Discretion (zhifa.law.discretion) as legal cases: facts, outcomes, ranges, kinds and their articles.

Items are built from the seed catalog (src/zhifa/catalog/data/catalog.json) with :func:`seed_item`;
the penalty kinds and their modes (并处 / 可以并处 / 情节严重的) are given here from each clause's
wording (the seed keeps them in ``notes``). Each row cites the article that decides it, and where a
row's outcome rests on an article, that article must be among the citations the assessment carries.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from zhifa.law.discretion import (
    ART_29,
    ART_30,
    ART_31,
    ART_32_1,
    ART_32_2,
    ART_32_5,
    ART_33_1,
    ART_33_2,
    ART_33_3,
    DEFAULT_BENCHMARK,
    PUBLICATION_ART_69,
    Band,
    Benchmark,
    Facts,
    ItemRule,
    KindMode,
    KindRule,
    NoPenaltyEntry,
    Outcome,
    assess,
    bands_from_json,
    benchmark_from_json,
    benchmark_to_json,
    check_conditions,
    choose_higher_fine,
    parse_facts,
)
from zhifa.law.errors import Citation, RuleViolation
from zhifa.law.fines import parse_fine_rule
from zhifa.law.penalties import PenaltyKind

D = Decimal
CATALOG = Path(__file__).resolve().parents[2] / "src" / "zhifa" / "catalog" / "data" / "catalog.json"
SEED = {row["code"]: row for row in json.loads(CATALOG.read_text(encoding="utf-8"))}

M, OPT, S = KindMode.MANDATORY, KindMode.OPTIONAL, KindMode.SERIOUS
K = PenaltyKind

# Kinds per clause, from its wording.
KINDS = {
    # 网吧条例第二十七条: 没收违法所得及专用工具、设备；并处罚款
    "WH-NET-001": ((K.CONFISCATE_GAINS, M), (K.CONFISCATE_PROPERTY, M), (K.FINE, M)),
    # 网吧条例第三十一条: 给予警告，可以并处15000元以下罚款；情节严重的，责令停业整顿，直至吊销
    "WH-NET-004": ((K.WARNING, M), (K.FINE, OPT), (K.SUSPEND_BUSINESS, S), (K.REVOKE_LICENCE, S)),
    "WH-NET-007": ((K.WARNING, M), (K.FINE, OPT), (K.SUSPEND_BUSINESS, S), (K.REVOKE_LICENCE, S)),
    # 未成年人保护法第一百二十三条: 给予警告，没收违法所得，可以并处5万元以下罚款；情节严重的，责令停业整顿或者吊销
    "WH-MIN-001": ((K.WARNING, M), (K.CONFISCATE_GAINS, M), (K.FINE, OPT), (K.SUSPEND_BUSINESS, S),
                   (K.REVOKE_LICENCE, S)),
    # 出版管理条例第六十一条: 没收出版物、违法所得和专用工具设备，并处罚款
    "WH-PUB-001": ((K.CONFISCATE_PROPERTY, M), (K.CONFISCATE_GAINS, M), (K.FINE, M)),
    # 营业性演出管理条例第四十六条第二款: 给予警告，并处5000元以上1万元以下罚款
    "WH-PER-010": ((K.WARNING, M), (K.FINE, M)),
    # 旅行社条例第五十五条: 处2万元以上10万元以下罚款；情节严重的，责令停业整顿
    "WH-TRV-014": ((K.FINE, M), (K.SUSPEND_BUSINESS, S)),
    # 娱乐场所管理条例第四十九条: 给予警告；情节严重的，责令停业整顿（无罚款）
    "WH-ENT-008": ((K.WARNING, M), (K.SUSPEND_BUSINESS, S)),
    # 娱乐场所管理条例第五十一条: 给予警告
    "WH-ENT-011": ((K.WARNING, M),),
    # 艺术品经营管理办法第十九条 [未核实]: 可根据情节轻重处1万元以下罚款
    "WH-ART-001": ((K.FINE, OPT),),
}
# 未成年人保护法第一百二十三条: 拒不改正或者情节严重的，可以并处5万元以上50万元以下罚款 (law.md §1.6; the
# seed's flat ``fine`` keeps only the ordinary tier).
SERIOUS_FINES = {"WH-MIN-001": {"type": "range", "min": 50000, "max": 500000}}


def _citation(text: str) -> Citation:
    """"《条例》(2020修订)第三十一条第（二）项" → source "《条例》(2020修订)", article "第三十一条第（二）项"."""
    m = re.match(r"^(《[^》]+》(?:\([^)]*\))?)(.*)$", text)
    return Citation(m.group(1), m.group(2)) if m else Citation(text)


def seed_item(code: str, kinds=None) -> ItemRule:
    """An ItemRule from the seed catalog row, with the kinds of :data:`KINDS` (or those given)."""
    row = SEED[code]
    fine = parse_fine_rule(row.get("fine_rule") or row["fine"])
    if code in SERIOUS_FINES:
        fine = replace(fine, serious=parse_fine_rule(SERIOUS_FINES[code]))
    rules = tuple(k if isinstance(k, KindRule) else KindRule(k[0], k[1], "情节严重的" if k[1] is S else "")
                  for k in (kinds or KINDS[code]))
    return ItemRule(code=code, name=row["name"], penalty_basis=_citation(row["basis_penalty"]), kinds=rules,
                    fine=fine, violated_basis=(_citation(row["basis_violated"]),), verified=row["verified"])


def cites(assessment, citation: Citation) -> bool:
    return any(citation in step.basis for step in assessment.steps)


def run(code: str, facts: dict, benchmark: Benchmark = DEFAULT_BENCHMARK, no_penalty=()):
    return assess(seed_item(code), parse_facts(facts), benchmark, tuple(no_penalty))


# --- parse_facts ----------------------------------------------------------------------------------------

def test_parse_facts_full():
    facts = parse_facts({
        "party": "person", "act_date": "2026-06-01", "birth_date": "2000-01-31", "违法所得": "12000.50",
        "illegal_turnover": 30000, "first_violation": True, "corrected_promptly": True, "minor_violation": False,
        "harm": "minor", "no_fault": False, "mental_state": "partial", "coerced": False, "confessed_unknown": True,
        "merit": False, "eliminated_harm": True, "prior_penalties_in_window": 0, "serious": False,
        "aggravating": ["holiday_or_event"], "mitigating": ["cooperated", "cooperated"],
    })
    assert facts.act_date == date(2026, 6, 1) and facts.birth_date == date(2000, 1, 31)
    assert facts.amounts == {"违法所得": D("12000.50"), "违法经营额": D(30000)}
    assert facts.mitigating == ("cooperated",)
    assert facts.harm == "minor" and facts.mental_state == "partial"


def test_parse_facts_defaults_and_nested_amounts():
    facts = parse_facts({"amounts": {"goods_value": 100, "违法所得": None}})
    assert facts == Facts(amounts={"货值金额": D(100)})


FACT_ERRORS = [
    # (facts, code, field) — every refusal names the field (RuleViolation.field and the message)
    pytest.param([], "facts_shape", "facts", id="not-an-object"),
    pytest.param({"fist_violation": True}, "facts_unknown_key", "fist_violation", id="unknown-key"),
    pytest.param({"party": "company"}, "facts_value", "party", id="party-unknown"),
    pytest.param({"first_violation": "true"}, "facts_type", "first_violation", id="bool-as-string"),
    pytest.param({"serious": 1}, "facts_type", "serious", id="bool-as-int"),
    pytest.param({"harm": "huge"}, "facts_value", "harm", id="harm-unknown"),
    pytest.param({"mental_state": "ill"}, "facts_value", "mental_state", id="mental-state-unknown"),
    pytest.param({"act_date": "2026/06/01"}, "facts_date", "act_date", id="date-format"),
    pytest.param({"act_date": "20260601"}, "facts_date", "act_date", id="date-compact"),
    pytest.param({"act_date": "2026-02-30"}, "facts_date", "act_date", id="date-invalid"),
    pytest.param({"act_date": 20260601}, "facts_date", "act_date", id="date-number"),
    pytest.param({"违法所得": -1}, "facts_amount", "违法所得", id="amount-negative"),
    pytest.param({"illegal_gains": "一万"}, "facts_amount", "illegal_gains", id="amount-not-numeric"),
    pytest.param({"违法经营额": "NaN"}, "facts_amount", "违法经营额", id="amount-nan"),
    pytest.param({"违法经营额": True}, "facts_amount", "违法经营额", id="amount-bool"),
    pytest.param({"违法经营额": "1.234"}, "facts_amount", "违法经营额", id="amount-below-cent"),
    pytest.param({"违法经营额": 1, "illegal_turnover": 2}, "facts_duplicate", "illegal_turnover",
                 id="amount-alias-twice"),
    pytest.param({"amounts": {"营业额": 1}}, "facts_unknown_key", "amounts", id="amounts-unknown"),
    pytest.param({"amounts": [1]}, "facts_type", "amounts", id="amounts-not-object"),
    pytest.param({"prior_penalties_in_window": -1}, "facts_type", "prior_penalties_in_window", id="prior-negative"),
    pytest.param({"prior_penalties_in_window": True}, "facts_type", "prior_penalties_in_window", id="prior-bool"),
    pytest.param({"prior_penalties_in_window": 1.5}, "facts_type", "prior_penalties_in_window", id="prior-float"),
    pytest.param({"aggravating": "repeat"}, "facts_type", "aggravating", id="factors-not-list"),
    pytest.param({"mitigating": [1]}, "facts_type", "mitigating", id="factor-not-string"),
    pytest.param({"party": "person", "age": "15"}, "facts_type", "age", id="age-string"),
    pytest.param({"party": "person", "age": -1}, "facts_type", "age", id="age-negative"),
    # Art 30: age is counted on the date of the act
    pytest.param({"party": "person", "birth_date": "2010-01-01"}, "facts_missing", "act_date",
                 id="Art30-birth-date-needs-act-date"),
    pytest.param({"party": "person", "birth_date": "2010-01-01", "act_date": "2009-12-31"}, "facts_conflict",
                 "birth_date", id="born-after-act"),
    pytest.param({"party": "person", "birth_date": "2010-01-01", "act_date": "2026-01-01", "age": 16},
                 "facts_conflict", "age", id="Art30-age-and-birth-date"),
    pytest.param({"birth_date": "2010-01-01", "act_date": "2026-01-01"}, "facts_conflict", "birth_date",
                 id="Art30-organisation-has-no-age"),
    pytest.param({"mental_state": "partial"}, "facts_conflict", "mental_state", id="Art31-organisation"),
    # Art 33: 初次违法 contradicts earlier penalties
    pytest.param({"first_violation": True, "prior_penalties_in_window": 1}, "facts_conflict", "first_violation",
                 id="Art33-first-but-repeat"),
]


@pytest.mark.parametrize(("data", "code", "field"), FACT_ERRORS)
def test_parse_facts_refuses(data, code, field):
    with pytest.raises(RuleViolation) as err:
        parse_facts(data)
    assert (err.value.code, err.value.field) == (code, field)
    assert field in err.value.message


# --- benchmarks -----------------------------------------------------------------------------------------

def test_default_benchmark_is_seed_and_round_trips():
    """《行政处罚法》第三十四条: the benchmark is data; the seed says it is unverified and to be replaced."""
    assert "未经核实" in DEFAULT_BENCHMARK.source and "替换" in DEFAULT_BENCHMARK.source
    for shape in ("range", "max_only", "multiple"):
        bands = DEFAULT_BENCHMARK.bands[shape]
        assert (bands[Outcome.LIGHTER], bands[Outcome.GENERAL], bands[Outcome.HEAVIER]) == (
            Band(D(0), D("0.3")), Band(D("0.3"), D("0.7")), Band(D("0.7"), D(1)))
    codes = {f.code for f in DEFAULT_BENCHMARK.aggravating}
    assert {"minors", "holiday_or_event", "repeat", "refused_correction", "obstruction", "serious_consequence",
            "social_impact", "content_security"} <= codes
    data = json.loads(json.dumps(benchmark_to_json(DEFAULT_BENCHMARK)))  # through a JSON column
    assert set(data["params"]) == {"mitigated_floor", "mitigate_threshold", "repeat_window_years", "repeat_count"}
    assert benchmark_from_json(data) == DEFAULT_BENCHMARK
    assert DEFAULT_BENCHMARK.to_json() == benchmark_to_json(DEFAULT_BENCHMARK)


def test_benchmark_round_trip_with_item_bands():
    data = benchmark_to_json(DEFAULT_BENCHMARK)
    data["item_bands"] = {"WH-NET-004": {"max_only": {"lighter": [0, "0.2"], "general": ["0.2", "0.5"],
                                                      "heavier": ["0.5", 1]}}}
    data["params"] = {"mitigated_floor": "0.5", "mitigate_threshold": 3, "repeat_window_years": 1, "repeat_count": 2}
    b = benchmark_from_json(data)
    assert b.item_bands["WH-NET-004"]["max_only"][Outcome.GENERAL] == Band(D("0.2"), D("0.5"))
    assert (b.mitigated_floor, b.mitigate_threshold, b.repeat_window_years, b.repeat_count) == (D("0.5"), 3, 1, 2)
    assert benchmark_from_json(benchmark_to_json(b)) == b


def _bands(**over):
    data = benchmark_to_json(DEFAULT_BENCHMARK)
    for path, value in over.items():
        node = data
        *head, last = path.split("__")
        for key in head:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return data


BENCHMARK_ERRORS = [
    # (data, code, field)
    pytest.param(_bands(bands__range__lighter={"low": "0.4", "high": "0.3"}), "benchmark_band_order",
                 "bands.range.lighter", id="low-above-high"),
    pytest.param(_bands(bands__range__heavier={"low": "0.7", "high": "1.2"}), "benchmark_band",
                 "bands.range.heavier.high", id="above-one"),
    pytest.param(_bands(bands__max_only__general={"low": "-0.1", "high": "0.7"}), "benchmark_band",
                 "bands.max_only.general.low", id="below-zero"),
    pytest.param(_bands(bands__multiple__heavier=None), "benchmark_band_missing", "bands.multiple.heavier",
                 id="missing-outcome"),
    pytest.param(_bands(bands__range=None), "benchmark_band_missing", "bands.range", id="missing-shape"),
    pytest.param(_bands(bands__percent={}), "benchmark_band", "bands.percent", id="unknown-shape"),
    pytest.param(_bands(bands__range__mitigated={"low": 0, "high": 1}), "benchmark_band", "bands.range.mitigated",
                 id="unknown-outcome"),
    pytest.param(_bands(bands__range__general={"low": "0", "high": "0.2"}), "benchmark_band_order", "bands.range",
                 id="bands-not-rising"),
    pytest.param(_bands(bands__range__lighter={"low": "x", "high": "0.3"}), "benchmark_band",
                 "bands.range.lighter.low", id="not-a-number"),
    pytest.param(_bands(params__mitigated_floor="1"), "benchmark_params", "params.mitigated_floor",
                 id="floor-one"),
    pytest.param(_bands(params__repeat_count=0), "benchmark_params", "params.repeat_count", id="repeat-count-zero"),
    pytest.param(_bands(params__window=2), "benchmark_params", "params.window", id="unknown-param"),
    pytest.param(_bands(aggravating=[{"code": "repeat", "label": "a"}, {"code": "repeat", "label": "b"}]),
                 "benchmark_factor", "aggravating[1].code", id="duplicate-factor"),
    pytest.param(_bands(mitigating=[{"code": "x", "label": "无依据", "ground": True}]), "benchmark_factor",
                 "mitigating[0].basis", id="Art32-5-ground-needs-basis"),
    pytest.param(_bands(item_bands={"WH-NET-004": {"range": {"lighter": [0, 1]}}}), "benchmark_band_missing",
                 "item_bands.WH-NET-004.range.general", id="item-band-missing-outcome"),
    pytest.param(_bands(extra=1), "benchmark_shape", "extra", id="unknown-key"),
]


@pytest.mark.parametrize(("data", "code", "field"), BENCHMARK_ERRORS)
def test_benchmark_from_json_refuses(data, code, field):
    with pytest.raises(RuleViolation) as err:
        benchmark_from_json(data)
    assert (err.value.code, err.value.field) == (code, field)


def test_item_bands_may_give_some_shapes():
    assert set(bands_from_json({"range": {"lighter": [0, 0.5], "general": [0.5, 0.5], "heavier": [0.5, 1]}},
                               require_all=False)) == {"range"}


# --- outcomes -------------------------------------------------------------------------------------------

CHILD_BIRTH = "2012-06-01"  # 14th birthday 2026-06-01
OUTCOMES = [
    # (item, facts, outcome, statutory (min, max) | None, recommended (min, max) | None, deciding article)
    # 不予处罚
    pytest.param("WH-PER-010", {"party": "person", "birth_date": CHILD_BIRTH, "act_date": "2026-06-01"},
                 Outcome.NO_PENALTY, None, None, ART_30, id="Art30-13-on-14th-birthday"),
    pytest.param("WH-PER-010", {"party": "person", "age": 13}, Outcome.NO_PENALTY, None, None, ART_30,
                 id="Art30-age-13"),
    pytest.param("WH-PER-010", {"party": "person", "mental_state": "incapable"}, Outcome.NO_PENALTY, None, None,
                 ART_31, id="Art31-incapable"),
    pytest.param("WH-PER-010", {"no_fault": True}, Outcome.NO_PENALTY, None, None, ART_33_2, id="Art33-2-no-fault"),
    pytest.param("WH-PER-010", {"minor_violation": True, "corrected_promptly": True, "harm": "none"},
                 Outcome.NO_PENALTY, None, None, ART_33_1, id="Art33-1-minor-corrected-no-harm"),
    # 减轻
    pytest.param("WH-PER-010", {"party": "person", "birth_date": CHILD_BIRTH, "act_date": "2026-06-02",
                                "eliminated_harm": True},
                 Outcome.MITIGATED, ("5000", "10000"), ("0.01", "4999.99"), ART_30, id="Art30+Art32-1-mitigated"),
    pytest.param("WH-PER-010", {"coerced": True, "eliminated_harm": True}, Outcome.MITIGATED, ("5000", "10000"),
                 ("0.01", "4999.99"), ART_32_2, id="Art32-two-grounds-mitigated"),
    pytest.param("WH-PER-010", {"party": "person", "mental_state": "partial", "mitigating": ["cooperated"]},
                 Outcome.MITIGATED, ("5000", "10000"), ("0.01", "4999.99"), ART_31, id="Art31-partial-mitigated"),
    # 出版管理条例第六十九条 (sector ground) + a benchmark factor; the fine has no minimum → optional, 从轻档
    pytest.param("WH-PUB-001", {"违法所得": 20000, "mitigating": ["source_identified", "cooperated"]},
                 Outcome.MITIGATED, ("0", "250000"), ("0", "75000"), PUBLICATION_ART_69,
                 id="出版条例69-mitigated-max-only"),
    # 从轻
    pytest.param("WH-PER-010", {"coerced": True}, Outcome.LIGHTER, ("5000", "10000"), ("5000", "6500"), ART_32_2,
                 id="Art32-2-one-ground-lighter"),
    pytest.param("WH-PER-010", {"party": "person", "birth_date": CHILD_BIRTH, "act_date": "2026-06-02"},
                 Outcome.LIGHTER, ("5000", "10000"), ("5000", "6500"), ART_30, id="Art30-14-day-after-birthday"),
    # two benchmark factors, no legal ground: capped at 从轻 (Art 32(5))
    pytest.param("WH-PER-010", {"mitigating": ["cooperated", "stopped_voluntarily"]}, Outcome.LIGHTER,
                 ("5000", "10000"), ("5000", "6500"), ART_32_5, id="Art32-5-no-ground-capped-lighter"),
    # 一般
    pytest.param("WH-PER-010", {}, Outcome.GENERAL, ("5000", "10000"), ("6500", "8500"), None, id="general"),
    pytest.param("WH-PER-010", {"coerced": True, "aggravating": ["holiday_or_event"]}, Outcome.GENERAL,
                 ("5000", "10000"), ("6500", "8500"), ART_32_2, id="Art32-offset-by-aggravating"),
    # 从重
    pytest.param("WH-PER-010", {"prior_penalties_in_window": 1}, Outcome.HEAVIER, ("5000", "10000"),
                 ("8500", "10000"), None, id="repeat-heavier"),
    pytest.param("WH-PER-010", {"harm": "serious"}, Outcome.HEAVIER, ("5000", "10000"), ("8500", "10000"), None,
                 id="serious-harm-heavier"),
    pytest.param("WH-NET-004", {"aggravating": ["minors", "holiday_or_event"]}, Outcome.HEAVIER, ("0", "15000"),
                 ("10500", "15000"), None, id="网吧条例31-heavier-max-only"),
    # tiered: 网吧条例第二十七条 at 违法经营额 1万元 ("1万元以上" includes the threshold)
    pytest.param("WH-NET-001", {"违法经营额": "9999.99"}, Outcome.GENERAL, ("10000", "50000"), ("22000", "38000"),
                 None, id="网吧条例27-9999.99-fixed-range"),
    pytest.param("WH-NET-001", {"违法经营额": 10000}, Outcome.GENERAL, ("50000", "100000"), ("65000", "85000"),
                 None, id="网吧条例27-10000-multiple"),
    pytest.param("WH-NET-001", {"illegal_turnover": "10000.01"}, Outcome.GENERAL, ("50000.05", "100000.10"),
                 ("65001", "85000"), None, id="网吧条例27-10000.01-multiple-inward"),
    pytest.param("WH-NET-001", {"违法经营额": "9999.99", "coerced": True, "merit": True}, Outcome.MITIGATED,
                 ("10000", "50000"), ("0.01", "9999.99"), ART_32_2, id="网吧条例27-mitigated-below-10000"),
    # tiered with no minimum below the threshold: 出版管理条例第六十一条 at 违法所得 5万元
    pytest.param("WH-PUB-001", {"违法所得": "49999.99"}, Outcome.GENERAL, ("0", "250000"), ("75000", "175000"),
                 None, id="出版条例61-49999.99-max-only"),
    pytest.param("WH-PUB-001", {"违法所得": 50000}, Outcome.GENERAL, ("250000", "500000"), ("325000", "425000"),
                 None, id="出版条例61-50000-multiple"),
    pytest.param("WH-PUB-001", {}, Outcome.GENERAL, ("0", "250000"), ("75000", "175000"), None,
                 id="出版条例61-no-gains"),
    pytest.param("WH-PUB-001", {"违法所得": 50000, "prior_penalties_in_window": 2}, Outcome.HEAVIER,
                 ("250000", "500000"), ("425000", "500000"), None, id="出版条例61-multiple-heavier"),
]


@pytest.mark.parametrize(("code", "facts", "outcome", "statutory", "recommended", "article"), OUTCOMES)
def test_outcomes(code, facts, outcome, statutory, recommended, article):
    a = run(code, facts)
    assert a.outcome is outcome
    if statutory is None:
        assert a.statutory_range is None
    else:
        assert (a.statutory_range.min, a.statutory_range.max) == (D(statutory[0]), D(statutory[1]))
    assert a.recommended_range == (None if recommended is None else (D(recommended[0]), D(recommended[1])))
    if article is not None:
        assert cites(a, article)
    assert a.steps[0].basis[0] == seed_item(code).penalty_basis  # the item's penalty basis comes first
    if outcome is Outcome.NO_PENALTY:  # Art 33(3)
        assert a.requires_education and cites(a, ART_33_3)
        assert a.mandatory_kinds == a.optional_kinds == ()
    else:
        assert not a.requires_education


def test_mitigated_floor_from_benchmark():
    """减轻 goes below the minimum, not below the benchmark's floor (国办发〔2022〕27号: clear conditions)."""
    b = replace(DEFAULT_BENCHMARK, mitigated_floor=D("0.5"))
    a = run("WH-PER-010", {"coerced": True, "merit": True}, b)
    assert a.outcome is Outcome.MITIGATED
    assert a.recommended_range == (D("2500.00"), D("4999.99"))
    assert set(a.grounds) == {ART_32_2, Citation("《中华人民共和国行政处罚法》", "第三十二条第（四）项",
                                                 "配合行政机关查处违法行为有立功表现")}


def test_mitigate_threshold_from_benchmark():
    a = run("WH-PER-010", {"coerced": True, "merit": True}, replace(DEFAULT_BENCHMARK, mitigate_threshold=3))
    assert a.outcome is Outcome.LIGHTER


def test_item_bands_override_shape_bands():
    """An item's own bands (ItemBenchmark) replace the shape's bands for that item only."""
    b = benchmark_from_json({**benchmark_to_json(DEFAULT_BENCHMARK), "item_bands": {
        "WH-NET-004": {"max_only": {"lighter": [0, "0.1"], "general": ["0.1", "0.4"], "heavier": ["0.4", 1]}}}})
    assert run("WH-NET-004", {}, b).recommended_range == (D(1500), D(6000))
    assert run("WH-NET-007", {}, b).recommended_range == (D(4500), D(10500))


def test_offset_of_a_mandatory_ground_is_flagged():
    """Art 32 says 应当从轻或者减轻: offsetting it with an aggravating factor needs a reviewer's eye."""
    a = run("WH-PER-010", {"coerced": True, "aggravating": ["holiday_or_event"]})
    assert any("应当从轻或者减轻" in w for w in a.warnings)
    assert any("相互抵消" in s.text for s in a.steps)


def test_cap_at_lighter_is_explained():
    a = run("WH-PER-010", {"mitigating": ["cooperated", "stopped_voluntarily"]})
    assert any("没有法律、法规、规章规定的减轻处罚依据" in s.text for s in a.steps)
    assert a.recommended_range[0] >= a.statutory_range.min


# --- Art 30: age on the date of the act ------------------------------------------------------------------

AGES = [
    # (birth, act, outcome) — a person reaches N full years on the day after the Nth birthday
    pytest.param("2012-06-01", "2026-06-01", Outcome.NO_PENALTY, id="Art30-14th-birthday-still-13"),
    pytest.param("2012-06-01", "2026-06-02", Outcome.LIGHTER, id="Art30-day-after-14"),
    pytest.param("2008-03-10", "2026-03-10", Outcome.LIGHTER, id="Art30-18th-birthday-still-17"),
    pytest.param("2008-03-10", "2026-03-11", Outcome.GENERAL, id="Art30-day-after-18"),
    pytest.param("2012-02-29", "2026-02-28", Outcome.NO_PENALTY, id="Art30-29Feb-born-28Feb-13"),
    pytest.param("2012-02-29", "2026-03-01", Outcome.LIGHTER, id="Art30-29Feb-born-1Mar-14"),
    pytest.param("2010-02-28", "2024-02-29", Outcome.LIGHTER, id="Art30-leap-day-after-birthday"),
]


@pytest.mark.parametrize(("birth", "act", "outcome"), AGES)
def test_age_on_the_date_of_the_act(birth, act, outcome):
    a = run("WH-PER-010", {"party": "person", "birth_date": birth, "act_date": act})
    assert a.outcome is outcome
    assert cites(a, ART_30)


def test_person_without_age_is_warned():
    a = run("WH-PER-010", {"party": "person"})
    assert any("第三十条" in w for w in a.warnings)


def test_lucid_intermittent_is_punished():
    a = run("WH-PER-010", {"party": "person", "age": 30, "mental_state": "lucid_intermittent"})
    assert a.outcome is Outcome.GENERAL and cites(a, ART_31)


# --- Art 33 and the 免罚清单 ------------------------------------------------------------------------------

GD_LIST = NoPenaltyEntry("WH-NET-007", ("first_violation", "corrected_promptly", "no_harm"),
                         "《广东省文化市场综合行政执法领域免处罚清单》（2022）第1项",
                         Citation("《广东省文化市场综合行政执法领域免处罚清单》", "第1项"))


def test_first_violation_may_go_unpunished():
    """Art 33(1) second sentence: 初次违法且危害后果轻微并及时改正的，可以不予行政处罚 — an alternative."""
    a = run("WH-NET-007", {"first_violation": True, "harm": "minor", "corrected_promptly": True})
    assert a.outcome is Outcome.GENERAL and a.alternatives == (Outcome.NO_PENALTY,)
    assert cites(a, ART_33_1)
    assert a.to_json()["alternatives"] == [{"outcome": "no_penalty", "label": "不予处罚"}]


def test_no_penalty_list_entry_decides():
    """A published 免罚清单 entry whose conditions all hold: 不予处罚 (Art 33(1), the list)."""
    facts = {"first_violation": True, "harm": "none", "corrected_promptly": True}
    a = run("WH-NET-007", facts, no_penalty=[GD_LIST])
    assert a.outcome is Outcome.NO_PENALTY and a.requires_education
    assert cites(a, GD_LIST.basis) and cites(a, ART_33_1) and cites(a, ART_33_3)
    assert a.statutory_range is None and a.recommended_range is None


def test_no_penalty_list_conditions_must_all_hold():
    a = run("WH-NET-007", {"first_violation": True, "harm": "minor", "corrected_promptly": True},
            no_penalty=[GD_LIST])
    assert a.outcome is Outcome.GENERAL and a.alternatives == (Outcome.NO_PENALTY,)
    assert any("不满足条件" in s.text and "未造成危害后果" in s.text for s in a.steps)


def test_no_penalty_list_of_another_item_is_ignored():
    a = run("WH-NET-004", {"first_violation": True, "harm": "none", "corrected_promptly": True},
            no_penalty=[GD_LIST])
    assert a.outcome is Outcome.GENERAL


@pytest.mark.parametrize(("conditions", "code"), [
    pytest.param((), "no_penalty_conditions", id="Art33-empty"),
    pytest.param(("first_violation", "sunny"), "no_penalty_condition_unknown", id="Art33-unknown"),
])
def test_no_penalty_conditions_refused(conditions, code):
    with pytest.raises(RuleViolation) as err:
        check_conditions(conditions)
    assert err.value.code == code and err.value.field == "conditions"
    with pytest.raises(RuleViolation):
        run("WH-NET-007", {}, no_penalty=[replace(GD_LIST, conditions=conditions)])


# --- kinds: 并处 / 可以并处 / 情节严重的 ----------------------------------------------------------------------

def test_kinds_mandatory_and_optional():
    a = run("WH-NET-004", {})  # 网吧条例第三十一条: 警告 + 可以并处罚款
    assert a.mandatory_kinds == (K.WARNING,) and a.optional_kinds == (K.FINE,)
    b = run("WH-PER-010", {})  # 营业性演出条例第四十六条: 警告 + 并处罚款
    assert b.mandatory_kinds == (K.WARNING, K.FINE) and b.optional_kinds == ()


def test_serious_kinds_only_when_serious():
    """旅行社条例第五十五条: 情节严重的，责令停业整顿 — offered as an option only when serious."""
    assert K.SUSPEND_BUSINESS not in run("WH-TRV-014", {}).optional_kinds
    a = run("WH-TRV-014", {"serious": True})
    assert a.optional_kinds == (K.SUSPEND_BUSINESS,) and a.mandatory_kinds == (K.FINE,)


def test_mitigated_drops_serious_kinds():
    a = run("WH-NET-004", {"serious": True, "coerced": True, "merit": True})
    assert a.outcome is Outcome.MITIGATED
    assert a.optional_kinds == (K.FINE,) and a.mandatory_kinds == (K.WARNING,)
    assert any("减轻处罚不予适用" in s.text for s in a.steps)


def test_mitigated_max_only_fine_becomes_optional():
    a = run("WH-PUB-001", {"违法所得": 20000, "coerced": True, "merit": True})
    assert a.outcome is Outcome.MITIGATED
    assert K.FINE in a.optional_kinds and K.FINE not in a.mandatory_kinds
    assert a.recommended_range == (D(0), D(75000))
    assert any("没有最低限" in s.text for s in a.steps)


def test_no_fine_item():
    """娱乐场所管理条例第四十九条: 警告；情节严重的，责令停业整顿 — no fine, no range."""
    a = run("WH-ENT-008", {"serious": True})
    assert a.statutory_range is None and a.recommended_range is None
    assert a.mandatory_kinds == (K.WARNING,) and a.optional_kinds == (K.SUSPEND_BUSINESS,)


def test_mitigated_warning_only_is_explained():
    a = run("WH-ENT-011", {"coerced": True, "merit": True})
    assert a.outcome is Outcome.MITIGATED and a.mandatory_kinds == (K.WARNING,)
    assert any("已无更轻的种类" in s.text for s in a.steps)


def test_unverified_item_warns():
    a = run("WH-ART-001", {})
    assert any("金额与条号未核实" in w for w in a.warnings)
    assert not run("WH-PER-010", {}).warnings


# --- factors --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "facts", "error", "field"), [
    pytest.param("WH-PER-010", {"aggravating": ["weather"]}, "facts_factor_unknown", "aggravating",
                 id="Art34-unknown-aggravating"),
    pytest.param("WH-PER-010", {"mitigating": ["repeat"]}, "facts_factor_unknown", "mitigating",
                 id="Art34-aggravating-code-as-mitigating"),
    pytest.param("WH-NET-004", {"mitigating": ["source_identified"]}, "factor_not_applicable", "mitigating",
                 id="出版条例69-only-for-publications"),
])
def test_factors_refused(code, facts, error, field):
    with pytest.raises(RuleViolation) as err:
        run(code, facts)
    assert (err.value.code, err.value.field) == (error, field)


def test_repeat_counts_once():
    a = run("WH-PER-010", {"prior_penalties_in_window": 3, "aggravating": ["repeat"]})
    assert sum(s.text.startswith("从重情节：") for s in a.steps) == 1


def test_missing_amount_for_a_multiple_is_refused_by_field():
    item = replace(seed_item("WH-PER-010"), fine=parse_fine_rule(
        {"type": "multiple", "base": "违法所得", "multiple_min": 1, "multiple_max": 3}))
    with pytest.raises(RuleViolation) as err:
        assess(item, parse_facts({}), DEFAULT_BENCHMARK)
    assert err.value.field == "违法所得"


# --- to_json ----------------------------------------------------------------------------------------------

def test_to_json_shape():
    a = run("WH-MIN-001", {"serious": True})
    out = json.loads(json.dumps(a.to_json(), ensure_ascii=False))
    assert list(out) == ["item", "outcome", "outcome_label", "statutory_range", "recommended_range",
                         "mandatory_kinds", "optional_kinds", "requires_education", "alternatives", "steps", "basis",
                         "warnings"]
    assert out["item"] == "WH-MIN-001" and out["outcome"] == "general" and out["outcome_label"] == "一般处罚"
    assert out["statutory_range"] == {"min": "50000.00", "max": "500000.00", "unit": "元"}
    assert out["recommended_range"] == {"min": "185000.00", "max": "365000.00", "unit": "元"}
    assert out["mandatory_kinds"] == [{"kind": "warning", "label": "警告"},
                                      {"kind": "confiscate_gains", "label": "没收违法所得"}]
    assert [k["kind"] for k in out["optional_kinds"]] == ["fine", "suspend_business", "revoke_licence"]
    assert out["requires_education"] is False
    assert all(set(s) == {"text", "basis"} and all(isinstance(b, str) for b in s["basis"]) for s in out["steps"])
    assert len(out["basis"]) == len(set(out["basis"]))
    assert {b for s in out["steps"] for b in s["basis"]} == set(out["basis"])


def test_to_json_no_penalty():
    out = run("WH-PER-010", {"no_fault": True}).to_json()
    assert out["outcome"] == "no_penalty" and out["requires_education"] is True
    assert out["statutory_range"] is None and out["recommended_range"] is None
    assert out["mandatory_kinds"] == out["optional_kinds"] == []
    assert str(ART_33_3) in out["basis"]


# --- Art 29: one fine, the higher one ---------------------------------------------------------------------

NET_31 = seed_item("WH-NET-004")  # 网吧条例第三十一条: 15000元以下
MIN_123 = seed_item("WH-MIN-001")  # 未成年人保护法第一百二十三条: 5万元以下；情节严重 5万–50万


@pytest.mark.parametrize(("candidates", "serious", "winner", "lo", "hi"), [
    pytest.param((NET_31, MIN_123), False, "WH-MIN-001", "0", "50000", id="Art29-网吧接纳未成年人"),
    pytest.param((MIN_123, NET_31), False, "WH-MIN-001", "0", "50000", id="Art29-order-irrelevant"),
    pytest.param((NET_31, MIN_123), True, "WH-MIN-001", "50000", "500000", id="Art29-serious"),
    pytest.param((seed_item("WH-ENT-011"), NET_31), False, "WH-NET-004", "0", "15000", id="Art29-skip-no-fine"),
    pytest.param((NET_31, seed_item("WH-NET-007")), False, "WH-NET-004", "0", "15000", id="Art29-tie-keeps-first"),
    # same maximum, higher minimum wins: 1万–5万 beats 5万以下
    pytest.param((replace(NET_31, fine=parse_fine_rule({"min": None, "max": 50000})),
                  replace(NET_31, code="X-2", fine=parse_fine_rule({"min": 10000, "max": 50000}))), False, "X-2",
                 "10000", "50000", id="Art29-then-minimum"),
])
def test_choose_higher_fine(candidates, serious, winner, lo, hi):
    item, rng, step = choose_higher_fine(list(candidates), Facts(serious=serious))
    assert item.code == winner and (rng.min, rng.max) == (D(lo), D(hi))
    assert step.basis[0] == ART_29 and item.penalty_basis in step.basis


def test_choose_higher_fine_then_assess():
    """The Art 29 example end to end: the minors law wins, and with 情节严重 its serious tier applies."""
    facts = parse_facts({"serious": True})
    item, _, step = choose_higher_fine([NET_31, MIN_123], facts)
    a = assess(item, facts, DEFAULT_BENCHMARK)
    assert (a.statutory_range.min, a.statutory_range.max) == (D(50000), D(500000))
    assert "未成年人保护法" in step.text and "网吧" not in item.penalty_basis.source


@pytest.mark.parametrize("candidates", [
    pytest.param([seed_item("WH-ENT-011"), seed_item("WH-ENT-008")], id="Art29-no-fine"),
    pytest.param([], id="Art29-empty"),
])
def test_choose_higher_fine_refuses(candidates):
    with pytest.raises(RuleViolation) as err:
        choose_higher_fine(candidates, Facts())
    assert err.value.code == "no_fine_candidate" and err.value.basis == [ART_29]


def test_seed_items_all_assess():
    """Every seed item with a fine assesses under the default benchmark (kinds: FINE as 并处)."""
    for code, row in SEED.items():
        fine = parse_fine_rule(row.get("fine_rule") or row["fine"])
        kinds = ((K.WARNING, M),) + (((K.FINE, M),) if fine else ())
        amounts = {"违法经营额": D("23456.78"), "违法所得": D("3456.78"), "货值金额": D(100)}
        a = assess(seed_item(code, kinds), Facts(amounts=amounts), DEFAULT_BENCHMARK)
        assert a.outcome is Outcome.GENERAL
        if fine is not None:
            assert a.statutory_range.min <= a.recommended_range[0] <= a.recommended_range[1] <= a.statutory_range.max
        assert ART_32_1 not in a.basis


def test_double_evaluation_is_flagged():
    """Art 5 (过罚相当): serious harm that already made the case 情节严重 must not aggravate it again."""
    a = run("WH-TRV-014", {"serious": True, "harm": "serious"})
    assert a.outcome is Outcome.HEAVIER
    assert any("不得重复评价" in w for w in a.warnings)
    assert not any("不得重复评价" in w for w in run("WH-TRV-014", {"harm": "serious"}).warnings)


# --- kind qualifiers (structure.json): 不足……的可以处 / 或者 / 直接责任人员 / another authority -------------------

# 出版管理条例第六十二条: 违法经营额1万元以上的，并处5倍以上10倍以下罚款；不足1万元的，可以处5万元以下罚款
PUB_62 = ((K.SUSPEND_BUSINESS, M), (K.CONFISCATE_PROPERTY, M), (K.CONFISCATE_GAINS, M),
          KindRule(K.FINE, M, "不足1万元的，可以处5万元以下罚款", mode_below_threshold=OPT), (K.REVOKE_LICENCE, S))


@pytest.mark.parametrize(("turnover", "fine_mode"), [
    pytest.param("9999.99", "optional", id="出版条例62-below-可以处"),
    pytest.param(None, "optional", id="出版条例62-none-可以处"),
    pytest.param("10000", "mandatory", id="出版条例62-at-并处"),
])
def test_mode_below_threshold(turnover, fine_mode):
    facts = {} if turnover is None else {"违法经营额": turnover}
    a = assess(seed_item("WH-PUB-002", PUB_62), parse_facts(facts), DEFAULT_BENCHMARK)
    assert (K.FINE in a.mandatory_kinds, K.FINE in a.optional_kinds) == (fine_mode == "mandatory",
                                                                       fine_mode == "optional")


def test_alternative_group():
    """文物保护法第八十九条: 给予警告或者通报批评 — one of the two, not both."""
    kinds = (KindRule(K.WARNING, M, alternative_group="w"), KindRule(K.CRITICISM, M, alternative_group="w"),
             (K.CONFISCATE_GAINS, M), (K.FINE, M))
    a = assess(seed_item("WH-REL-001", kinds), parse_facts({}), DEFAULT_BENCHMARK)
    assert a.kind_groups == ((K.WARNING, K.CRITICISM),)
    assert any("应当择一给予" in s.text for s in a.steps)


def test_responsible_persons_and_other_authority_are_not_the_partys_kinds():
    """旅游法第一百条 (WH-TRV-009): 暂扣导游证 is for the responsible persons; 营业性演出条例第四十七条:
    向社会公布 is made by the ministry or the province, not the county."""
    kinds = ((K.FINE, M), (K.SUSPEND_BUSINESS, M),
             KindRule(K.SUSPEND_LICENCE, M, "并暂扣或者吊销导游证", applies_to="responsible_persons"),
             KindRule(K.CRITICISM, M, authority="省级人民政府文化主管部门"))
    a = assess(seed_item("WH-TRV-009", kinds), parse_facts({}), DEFAULT_BENCHMARK)
    assert a.mandatory_kinds == (K.FINE, K.SUSPEND_BUSINESS)
    assert any("直接责任人员" in s.text for s in a.steps)
    assert any("本机关不作出" in s.text for s in a.steps)
