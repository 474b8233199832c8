"""Properties of the discretion engine (hypothesis): the invariants of 《行政处罚法》第五条、第三十条至第三十四条
for random items, amounts, facts and benchmark bands.

- 从重 never exceeds the statutory maximum (bands are shares of the statutory range, Art 34);
- the recommended range stays inside the statutory range unless the outcome is 减轻;
- below the statutory minimum only through 减轻 with a cited legal ground (Art 30, 31, 32, a sector rule);
- 不予处罚 always requires education and carries no kind and no range (Art 33(3));
- an aggravating circumstance never makes the outcome lighter, a mitigating ground never heavier;
- a tiered fine's statutory range is monotone in the amount within a tier, constant below the threshold.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from tests.law.test_discretion import KINDS, seed_item
from zhifa.law.discretion import (
    ART_33_3,
    DEFAULT_BENCHMARK,
    LEGAL_GROUNDS,
    MENTAL_STATES,
    OUTCOME_ORDER,
    Band,
    ItemRule,
    KindMode,
    KindRule,
    Outcome,
    assess,
    parse_facts,
)
from zhifa.law.fines import Base, FineRule, RuleType, statutory_range
from zhifa.law.penalties import PenaltyKind

D = Decimal
SHARE = st.integers(0, 100).map(lambda n: D(n) / 100)
MONEY = st.integers(0, 100_000_000).map(lambda n: D(n) / 100)  # up to 1,000,000.00 yuan, to the cent
WHOLE = st.integers(1, 500_000).map(D)
MULT = st.integers(1, 20).map(D)
AGGRAVATING = [f.code for f in DEFAULT_BENCHMARK.aggravating]


@st.composite
def shape_bands(draw):
    """Three bands rising from 从轻 to 从重, each low ≤ high, inside 0..1."""
    lows = sorted(draw(st.lists(SHARE, min_size=3, max_size=3)))
    highs = sorted(draw(st.lists(SHARE, min_size=3, max_size=3)))
    highs = [max(h, lo) for h, lo in zip(highs, lows, strict=True)]
    return {o: Band(lo, hi) for o, lo, hi in zip((Outcome.LIGHTER, Outcome.GENERAL, Outcome.HEAVIER), lows, highs,
                                                 strict=True)}


@st.composite
def benchmarks(draw):
    return replace(DEFAULT_BENCHMARK,
                   bands={shape: draw(shape_bands()) for shape in ("range", "max_only", "multiple")},
                   mitigated_floor=draw(st.integers(0, 99).map(lambda n: D(n) / 100)),
                   mitigate_threshold=draw(st.integers(1, 3)), repeat_count=draw(st.integers(1, 3)))


@st.composite
def fine_rules(draw):
    kind = draw(st.sampled_from(list(RuleType)))
    base = draw(st.sampled_from(list(Base)))
    if kind is RuleType.RANGE:
        hi = draw(WHOLE)
        lo = draw(st.one_of(st.none(), st.integers(0, int(hi)).map(D)))
        serious = None
        if draw(st.booleans()):
            shi = draw(WHOLE)
            serious = FineRule(RuleType.RANGE, min=draw(st.integers(0, int(shi)).map(D)), max=shi)
        return FineRule(RuleType.RANGE, min=lo, max=hi, serious=serious)
    mlo = draw(MULT)
    mhi = mlo + draw(st.integers(0, 10))
    if kind is RuleType.MULTIPLE:
        cap = draw(st.one_of(st.none(), WHOLE))
        floor = draw(st.one_of(st.none(), st.integers(0, int(cap) if cap else 100_000).map(D)))
        return FineRule(RuleType.MULTIPLE, min=floor, max=cap, base=base, multiple_min=mlo, multiple_max=mhi)
    hi = draw(WHOLE)
    lo = draw(st.one_of(st.none(), st.integers(0, int(hi)).map(D)))
    return FineRule(RuleType.TIERED, min=lo, max=hi, base=base, multiple_min=mlo, multiple_max=mhi,
                    threshold=draw(WHOLE))


@st.composite
def items(draw):
    if draw(st.booleans()):
        return seed_item(draw(st.sampled_from(sorted(KINDS))))
    fine_mode = draw(st.sampled_from([KindMode.MANDATORY, KindMode.OPTIONAL]))
    kinds = (KindRule(PenaltyKind.WARNING, KindMode.MANDATORY), KindRule(PenaltyKind.FINE, fine_mode),
             KindRule(PenaltyKind.SUSPEND_BUSINESS, KindMode.SERIOUS, "情节严重的，责令停业整顿"))
    base = seed_item(draw(st.sampled_from(["WH-PUB-001", "WH-PER-010"])))  # a 出版 and a non-出版 basis
    return replace(base, code="X-TEST", kinds=kinds, fine=draw(fine_rules()))


@st.composite
def facts_for(draw, item: ItemRule):
    d: dict = {"party": draw(st.sampled_from(["person", "organisation"]))}
    if d["party"] == "person":
        how = draw(st.sampled_from(["none", "age", "birth"]))
        if how == "age":
            d["age"] = draw(st.integers(10, 80))
        elif how == "birth":
            act = draw(st.dates(date(2021, 7, 15), date(2030, 12, 31)))
            d["act_date"], d["birth_date"] = act.isoformat(), draw(st.dates(date(1950, 1, 1), act)).isoformat()
        d["mental_state"] = draw(st.sampled_from(["normal"] * 5 + list(MENTAL_STATES)))
    for key, one_in in (("no_fault", 12), ("minor_violation", 6), ("coerced", 6), ("confessed_unknown", 6),
                        ("merit", 6), ("eliminated_harm", 6), ("first_violation", 2), ("corrected_promptly", 2),
                        ("serious", 3)):
        d[key] = draw(st.integers(1, one_in)) == 1
    d["harm"] = draw(st.sampled_from(["none", "minor", "ordinary", "ordinary", "serious"]))
    d["prior_penalties_in_window"] = 0 if d["first_violation"] else draw(st.integers(0, 3))
    d["aggravating"] = draw(st.lists(st.sampled_from(AGGRAVATING), unique=True, max_size=2))
    usable = [f.code for f in DEFAULT_BENCHMARK.mitigating if f.applies_to(item)]
    d["mitigating"] = draw(st.lists(st.sampled_from(usable), unique=True, max_size=2))
    needed = item.fine.base if item.fine is not None and item.fine.type is RuleType.MULTIPLE else None
    for base in Base:
        amount = draw(MONEY if base is needed else st.one_of(st.none(), MONEY))
        if amount is not None:
            d[base.value] = str(amount)
    return parse_facts(d)


@st.composite
def cases(draw):
    item = draw(items())
    return item, draw(facts_for(item)), draw(benchmarks())


def _legal_grounds(benchmark) -> set:
    return set(LEGAL_GROUNDS) | {f.basis for f in benchmark.mitigating if f.ground}


@given(cases())
def test_invariants(case):
    item, facts, benchmark = case
    a = assess(item, facts, benchmark)
    rng, rec = a.statutory_range, a.recommended_range
    # Art 33(3): no penalty ⇔ education, and then nothing else
    assert (a.outcome is Outcome.NO_PENALTY) == a.requires_education
    if a.outcome is Outcome.NO_PENALTY:
        assert a.mandatory_kinds == a.optional_kinds == () and rng is None and rec is None
        assert any(ART_33_3 in s.basis for s in a.steps)
        return
    if rec is not None:
        assert rng is not None and rec[0] <= rec[1]
        assert rec[1] <= rng.max  # nothing above the statutory maximum, 从重 included
        if a.outcome is not Outcome.MITIGATED:
            assert rng.min <= rec[0]
        if rec[0] < rng.min:  # below the minimum only through 减轻 with a cited legal ground
            assert a.outcome is Outcome.MITIGATED
            assert rec[1] < rng.min and rec[0] >= D("0.01")
    if a.outcome is Outcome.MITIGATED:  # 减轻 rests on legal grounds only, each cited in a step
        assert a.grounds and set(a.grounds) <= _legal_grounds(benchmark)
        assert set(a.grounds) <= {c for s in a.steps for c in s.basis}
        # and drops the kinds reserved for 情节严重
        ordinary = {r.kind for r in item.kinds if r.mode is not KindMode.SERIOUS}
        assert not {r.kind for r in item.kinds if r.mode is KindMode.SERIOUS} - ordinary & set(a.optional_kinds)
    else:
        assert a.grounds == ()
    if a.outcome is Outcome.HEAVIER and rec is not None:
        assert rec[1] <= rng.max


@given(cases(), st.data())
def test_aggravating_never_lightens(case, data):
    item, facts, benchmark = case
    before = assess(item, facts, benchmark).outcome
    how = data.draw(st.sampled_from(["factor", "repeat", "harm"]))
    if how == "factor":
        left = [c for c in AGGRAVATING if c not in facts.aggravating]
        assume(left)
        worse = replace(facts, aggravating=(*facts.aggravating, data.draw(st.sampled_from(left))))
    elif how == "repeat":
        assume(not facts.first_violation)
        worse = replace(facts, prior_penalties_in_window=facts.prior_penalties_in_window + benchmark.repeat_count)
    else:
        worse = replace(facts, harm="serious", minor_violation=False)
    assert OUTCOME_ORDER[assess(item, worse, benchmark).outcome] >= OUTCOME_ORDER[before]


@given(cases(), st.data())
def test_mitigating_never_aggravates(case, data):
    item, facts, benchmark = case
    before = assess(item, facts, benchmark).outcome
    options = [k for k in ("coerced", "confessed_unknown", "merit", "eliminated_harm") if not getattr(facts, k)]
    usable = [f.code for f in benchmark.mitigating if f.applies_to(item) and f.code not in facts.mitigating]
    choice = data.draw(st.sampled_from([*options, *(f"factor:{c}" for c in usable)] or ["none"]))
    assume(choice != "none")
    if choice.startswith("factor:"):
        better = replace(facts, mitigating=(*facts.mitigating, choice.removeprefix("factor:")))
    else:
        better = replace(facts, **{choice: True})
    assert OUTCOME_ORDER[assess(item, better, benchmark).outcome] <= OUTCOME_ORDER[before]


@given(fine_rules().filter(lambda r: r.type is RuleType.TIERED), MONEY, MONEY)
def test_tiered_range_monotone_within_a_tier(rule, a, b):
    lo_amount, hi_amount = sorted((a, b))
    r1 = statutory_range(rule, {rule.base.value: lo_amount})
    r2 = statutory_range(rule, {rule.base.value: hi_amount})
    if lo_amount >= rule.threshold and lo_amount > 0:  # both in the multiple tier
        assert r1.multiple and r2.multiple
        assert r1.min <= r2.min and r1.max <= r2.max
    elif hi_amount < rule.threshold or hi_amount == 0:  # both below: the fixed range, whatever the amount
        assert (r1.min, r1.max) == (r2.min, r2.max) == (rule.min or 0, rule.max)
    assert r1.min <= r1.max and r2.min <= r2.max
