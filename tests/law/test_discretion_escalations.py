"""The regulations' own repeat-offence escalations (法定升格) in the discretion engine.

Read in the regulation texts (LawRefBook/Laws, 行政法规/…(2020-11-29).md; law.md §3.3 and §4 row 28 [V:LRB]):

* 《娱乐场所管理条例》第五十三条第三款 — 2年内被处以3次警告或者罚款，又有违反本条例的行为应受行政处罚的，
  责令停业整顿3个月至6个月; 2年内被2次责令停业整顿，又有违反本条例的行为应受行政处罚的，吊销娱乐经营许可证;
* 《营业性演出管理条例》第五十三条第三款 — 2年内2次受到行政处罚，又有应受本条例处罚的违法行为的，应当从重处罚;
* 《营业性演出管理条例》第四十七条第一款 — 演出举办单位、文艺表演团体在2年内再次被公布的，由原发证机关吊销
  营业性演出许可证 (个体演员: 工商部门吊销营业执照).

The items are built from the project's data (catalog.json for names and fines, structure.json for the kinds and
the escalations), so these tests check the encoded data as well as the engine. Each row's id names the article
that decides it, and the assessment must cite that article.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from zhifa.law.discretion import (
    ART_30,
    ART_32_1,
    ART_33_1,
    ART_33_2,
    CIVIL_CODE_PERIODS,
    DEFAULT_BENCHMARK,
    Escalation,
    ItemRule,
    KindMode,
    KindRule,
    Outcome,
    assess,
    escalation_from_json,
    escalations_from_json,
    escalations_to_json,
    parse_facts,
)
from zhifa.law.errors import Citation, RuleViolation
from zhifa.law.fines import parse_fine_rule
from zhifa.law.penalties import PenaltyKind

D = Decimal
K = PenaltyKind
DATA = Path(__file__).resolve().parents[2] / "src" / "zhifa" / "catalog" / "data"
SEED = {row["code"]: row for row in json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))}
STRUCTURE = json.loads((DATA / "structure.json").read_text(encoding="utf-8"))["items"]

ENT_53_3 = Citation("《娱乐场所管理条例》", "第五十三条第三款")
PER_53_3 = Citation("《营业性演出管理条例》", "第五十三条第三款")
PER_47 = Citation("《营业性演出管理条例》", "第四十七条第一款")

ENT_SUSPEND = "ent_suspend_after_warnings_or_fines"
ENT_REVOKE = "ent_revoke_after_suspensions"
PER_HEAVIER = "perf_heavier_after_two_penalties"
PER_NAMED = "perf_revoke_named_again"


def item(code: str) -> ItemRule:
    """The item as the catalog builds it: seed name and fine, structure.json kinds (with qualifiers) and
    escalations."""
    seed, entry = SEED[code], STRUCTURE[code]
    kinds = tuple(KindRule(K(k["kind"]), KindMode(k["mode"]), k.get("note", ""),
                           mode_below_threshold=KindMode(k["mode_below_threshold"]) if k.get("mode_below_threshold")
                           else None, alternative_group=k.get("alternative_group", ""),
                           applies_to=k.get("applies_to", ""), authority=k.get("authority", ""),
                           escalation=k.get("escalation", ""))
                  for k in entry["kinds"])
    fine = parse_fine_rule(entry["fine_rule"] or seed.get("fine_rule") or seed["fine"])
    penalty = entry["penalty"][0]
    basis = Citation(f"《{penalty['source']}》", penalty["article"])
    return ItemRule(code=code, name=seed["name"], penalty_basis=basis, kinds=kinds, fine=fine,
                    verified=seed["verified"], escalations=escalations_from_json(entry.get("escalations")))


def run(code: str, facts: dict, benchmark=DEFAULT_BENCHMARK):
    return assess(item(code), parse_facts(facts), benchmark)


def cites(result, source: str, article: str) -> bool:
    return any(c.source == source and c.article == article for step in result.steps for c in step.basis)


def cites_basis(result, basis: Citation) -> bool:
    return cites(result, basis.source, basis.article)


def by_kind(**counts) -> dict:
    return {"prior_penalties_by_kind": counts}


# --- the engine, table-driven: both sides of each count threshold ---------------------------------------------------
# (code, facts, outcome, mandatory kinds that must be there, kinds that must not be mandatory or optional,
#  escalations applied, the article the row rests on)
CASES = [
    # 《娱乐场所管理条例》第五十三条第三款 (first rung): 3 warnings or fines → 责令停业整顿3个月至6个月
    pytest.param("WH-ENT-008", by_kind(warning_or_fine=3, suspend_business=0), Outcome.GENERAL,
                 {K.WARNING, K.SUSPEND_BUSINESS}, {K.REVOKE_LICENCE}, (ENT_SUSPEND,), ENT_53_3,
                 id="ENT-Art53.3-3-warnings-or-fines-suspend"),
    pytest.param("WH-ENT-008", by_kind(warning_or_fine=2, suspend_business=0), Outcome.GENERAL,
                 {K.WARNING}, {K.SUSPEND_BUSINESS, K.REVOKE_LICENCE}, (), ENT_53_3,
                 id="ENT-Art53.3-2-warnings-or-fines-not-yet"),
    pytest.param("WH-ENT-002", {**by_kind(warning_or_fine=4, suspend_business=1), "违法所得": 5000}, Outcome.GENERAL,
                 {K.FINE, K.CONFISCATE_GAINS, K.SUSPEND_BUSINESS}, {K.REVOKE_LICENCE}, (ENT_SUSPEND,), ENT_53_3,
                 id="ENT-Art53.3-4-fines-suspend-on-a-fine-item"),
    # second rung: 2 停业整顿 → 吊销娱乐经营许可证, which replaces the 停业整顿 of the first rung
    pytest.param("WH-ENT-011", by_kind(warning_or_fine=0, suspend_business=2), Outcome.GENERAL,
                 {K.WARNING, K.REVOKE_LICENCE}, {K.SUSPEND_BUSINESS}, (ENT_REVOKE,), ENT_53_3,
                 id="ENT-Art53.3-2-suspensions-revoke"),
    pytest.param("WH-ENT-011", by_kind(warning_or_fine=0, suspend_business=1), Outcome.GENERAL,
                 {K.WARNING}, {K.SUSPEND_BUSINESS, K.REVOKE_LICENCE}, (), ENT_53_3,
                 id="ENT-Art53.3-1-suspension-not-yet"),
    pytest.param("WH-ENT-009", by_kind(warning_or_fine=3, suspend_business=2), Outcome.GENERAL,
                 {K.WARNING, K.REVOKE_LICENCE}, {K.SUSPEND_BUSINESS}, (ENT_REVOKE,), ENT_53_3,
                 id="ENT-Art53.3-both-rungs-revoke-replaces-suspend"),
    # 《营业性演出管理条例》第五十三条第三款: 2 penalties → 应当从重处罚 (5000–10000 元: 从重档 70%–100%)
    pytest.param("WH-PER-010", by_kind(any=2), Outcome.HEAVIER, {K.WARNING, K.FINE}, set(), (PER_HEAVIER,),
                 PER_53_3, id="PER-Art53.3-2-penalties-heavier"),
    pytest.param("WH-PER-010", by_kind(any=1), Outcome.GENERAL, {K.WARNING, K.FINE}, set(), (), PER_53_3,
                 id="PER-Art53.3-1-penalty-general"),
    pytest.param("WH-PER-010", by_kind(warning_or_fine=2), Outcome.HEAVIER, {K.WARNING, K.FINE}, set(),
                 (PER_HEAVIER,), PER_53_3, id="PER-Art53.3-any-at-least-the-warnings-or-fines"),
    # 应当从重 is not offset by the benchmark's (non-statutory) mitigating circumstances …
    pytest.param("WH-PER-010", {**by_kind(any=2), "mitigating": ["cooperated", "stopped_voluntarily"]},
                 Outcome.HEAVIER, {K.WARNING, K.FINE}, set(), (PER_HEAVIER,), PER_53_3,
                 id="PER-Art53.3-benchmark-mitigation-does-not-offset"),
    # … but meets 《行政处罚法》第三十二条 / 第三十条 "应当从轻或者减轻": 一般, 法制审核 decides
    pytest.param("WH-PER-010", {**by_kind(any=2), "eliminated_harm": True}, Outcome.GENERAL, {K.WARNING, K.FINE},
                 set(), (PER_HEAVIER,), ART_32_1, id="PER-Art53.3-vs-XZCFF-Art32-general"),
    pytest.param("WH-PER-015", {**by_kind(any=3), "party": "person", "age": 16}, Outcome.GENERAL,
                 {K.WARNING, K.FINE}, set(), (PER_HEAVIER,), ART_30, id="PER-Art53.3-vs-XZCFF-Art30-minor-general"),
    # 《营业性演出管理条例》第四十七条第一款: publicly named again within 2 years → 吊销 (organisations only)
    pytest.param("WH-PER-011", by_kind(any=0, named=1), Outcome.GENERAL, {K.FINE, K.REVOKE_LICENCE}, set(),
                 (PER_NAMED,), PER_47, id="PER-Art47-named-again-revoke"),
    pytest.param("WH-PER-011", {**by_kind(any=0, named=0), "serious": True}, Outcome.GENERAL, {K.FINE},
                 {K.REVOKE_LICENCE}, (), PER_47, id="PER-Art47-not-named-before-no-revoke-even-if-serious"),
    pytest.param("WH-PER-011", {**by_kind(any=0, named=1), "party": "person", "age": 30}, Outcome.GENERAL,
                 {K.FINE}, {K.REVOKE_LICENCE}, (), PER_47, id="PER-Art47-individual-performer-not-this-bureau"),
    pytest.param("WH-PER-011", by_kind(any=2, named=1), Outcome.HEAVIER, {K.FINE, K.REVOKE_LICENCE}, set(),
                 (PER_HEAVIER, PER_NAMED), PER_47, id="PER-Art47-and-Art53.3-both"),
]


@pytest.mark.parametrize(("code", "facts", "outcome", "mandatory", "absent", "applied", "basis"), CASES)
def test_escalations(code, facts, outcome, mandatory, absent, applied, basis):
    result = run(code, facts)
    assert result.outcome is outcome
    assert mandatory <= set(result.mandatory_kinds)
    assert not absent & (set(result.mandatory_kinds) | set(result.optional_kinds))
    assert tuple(e.code for e in result.escalations) == applied
    assert cites_basis(result, basis)
    for esc in result.escalations:
        assert esc.verified and cites_basis(result, esc.basis)


def test_heavier_range_is_the_heavier_band():
    """营业性演出管理条例第四十六条第二款 5000–10000 元, 从重 (第五十三条第三款) → 70%–100% of the range."""
    result = run("WH-PER-010", by_kind(any=2))
    assert result.recommended_range == (D(8500), D(10000))
    assert result.recommended_range[1] <= result.statutory_range.max


def test_suspension_note_carries_the_months():
    result = run("WH-ENT-008", by_kind(warning_or_fine=3))
    step = next(s for s in result.steps if "法定升格（" in s.text)
    assert "3个月至6个月" in step.text and ENT_53_3.article in step.basis[0].article


def test_offset_by_a_mandatory_ground_is_left_to_legal_review():
    result = run("WH-PER-010", {**by_kind(any=2), "eliminated_harm": True})
    assert any("法制审核" in w for w in result.warnings)
    assert cites_basis(result, PER_53_3) and cites_basis(result, ART_32_1)


def test_generic_repeat_factor_not_counted_twice():
    """The benchmark's "repeat" factor and 第五十三条第三款 rest on the same earlier penalties."""
    result = run("WH-PER-010", {**by_kind(any=2), "prior_penalties_in_window": 2, "aggravating": ["repeat"]})
    assert result.outcome is Outcome.HEAVIER
    assert not any(s.text.startswith("从重情节：在规定期间内再次") for s in result.steps)
    assert any("不重复计算" in s.text for s in result.steps)


def test_generic_repeat_beside_kinds_escalation_warns():
    result = run("WH-ENT-008", {**by_kind(warning_or_fine=3), "prior_penalties_in_window": 3})
    assert any("重复评价" in w for w in result.warnings)


def test_prior_penalties_in_window_still_works_alone():
    """Without the new facts the benchmark's generic repeat factor applies as before (and the escalation is
    reported as not checked)."""
    result = run("WH-ENT-008", {"prior_penalties_in_window": 1})
    assert result.outcome is Outcome.HEAVIER and result.escalations == ()
    assert any("prior_penalties_by_kind" in w and "第五十三条第三款" in w for w in result.warnings)


def test_first_violation_means_no_escalation():
    result = run("WH-ENT-008", {"first_violation": True})
    assert result.escalations == () and not any("prior_penalties_by_kind" in w for w in result.warnings)
    assert cites_basis(result, ENT_53_3)


# --- 不予处罚 (《行政处罚法》第三十条、第三十一条、第三十三条) comes first ------------------------------
@pytest.mark.parametrize(("code", "facts", "basis"), [
    pytest.param("WH-ENT-008", {**by_kind(warning_or_fine=5, suspend_business=3), "no_fault": True}, ART_33_2,
                 id="Art33.2-no-fault-before-ENT-Art53.3"),
    pytest.param("WH-PER-010", {**by_kind(any=4), "minor_violation": True, "corrected_promptly": True,
                                "harm": "none"}, ART_33_1, id="Art33.1-minor-before-PER-Art53.3"),
    pytest.param("WH-PER-015", {**by_kind(any=4), "party": "person", "age": 13}, ART_30,
                 id="Art30-under-14-before-PER-Art53.3"),
])
def test_no_penalty_paths_come_first(code, facts, basis):
    result = run(code, facts)
    assert result.outcome is Outcome.NO_PENALTY and result.requires_education
    assert result.mandatory_kinds == result.optional_kinds == () and result.escalations == ()
    assert cites_basis(result, basis)


# --- the window (2年内), from dated earlier penalties ---------------------------------------------------------------
def dated(act: str, *entries) -> dict:
    return {"act_date": act, "prior_penalties": [
        {"decided_on": d, "kinds": list(k)} if not isinstance(k, dict) else {"decided_on": d, **k}
        for d, k in entries]}


WARNINGS = (("2023-06-01", ["warning"]), ("2024-01-10", ["fine"]), ("2024-05-05", ["warning", "fine"]))


@pytest.mark.parametrize(("code", "facts", "applied"), [
    # 《娱乐场所管理条例》第五十三条第三款; the window of a decision of 2023-06-01 ends on 2025-06-01
    # (《民法典》第二百零一条、第二百零二条, by analogy)
    pytest.param("WH-ENT-008", dated("2025-06-01", *WARNINGS), (ENT_SUSPEND,), id="ENT-Art53.3-window-last-day"),
    pytest.param("WH-ENT-008", dated("2025-06-02", *WARNINGS), (), id="ENT-Art53.3-window-passed"),
    pytest.param("WH-ENT-008", dated("2024-05-04", *WARNINGS), (), id="ENT-Art53.3-later-decision-not-counted"),
    pytest.param("WH-ENT-008", dated("2025-01-01", ("2024-03-01", ["suspend_business"]),
                                     ("2024-09-01", ["责令停业整顿"])), (ENT_REVOKE,),
                 id="ENT-Art53.3-suspensions-by-wording"),
    pytest.param("WH-ENT-008", dated("2025-01-01", ("2024-03-01", ["confiscate_gains"]),
                                     ("2024-04-01", ["confiscate_gains"]), ("2024-05-01", ["confiscate_gains"])), (),
                 id="ENT-Art53.3-only-warnings-or-fines-count"),
    # 《营业性演出管理条例》第五十三条第三款; a decision of 29 February: the window ends on 28 February
    pytest.param("WH-PER-010", dated("2026-02-28", ("2024-02-29", ["fine"]), ("2025-01-01", ["warning"])),
                 (PER_HEAVIER,), id="PER-Art53.3-leap-day-last-day"),
    pytest.param("WH-PER-010", dated("2026-03-01", ("2024-02-29", ["fine"]), ("2025-01-01", ["warning"])), (),
                 id="PER-Art53.3-leap-day-passed"),
    # 《营业性演出管理条例》第四十七条第一款: publication counts, not a penalty kind
    pytest.param("WH-PER-011", dated("2026-05-01", ("2025-01-01", {"kinds": [], "named": True})), (PER_NAMED,),
                 id="PER-Art47-named-within-2-years"),
    pytest.param("WH-PER-011", dated("2026-05-01", ("2024-04-30", {"kinds": ["fine"], "named": True})), (),
                 id="PER-Art47-named-over-2-years-ago"),
])
def test_window(code, facts, applied):
    result = run(code, facts)
    assert tuple(e.code for e in result.escalations) == applied
    assert cites(result, CIVIL_CODE_PERIODS.source, CIVIL_CODE_PERIODS.article)


def test_window_is_the_regulations_not_the_benchmarks():
    """A benchmark whose repeat window is 1 year does not shorten the 2 years of 第五十三条第三款."""
    bench = replace(DEFAULT_BENCHMARK, repeat_window_years=1)
    result = run("WH-PER-010", dated("2025-12-01", ("2024-03-01", ["fine"]), ("2024-06-01", ["warning"])), bench)
    assert result.outcome is Outcome.HEAVIER and [e.code for e in result.escalations] == [PER_HEAVIER]


def test_first_violation_contradicts_penalties_in_the_window():
    with pytest.raises(RuleViolation) as err:
        run("WH-PER-010", {**dated("2025-12-01", ("2024-03-01", ["fine"]), ("2024-06-01", ["warning"])),
                           "first_violation": True})
    assert err.value.code == "facts_conflict" and err.value.field == "first_violation"


def test_unverified_escalation_warns():
    rule = item("WH-PER-010")
    rule = replace(rule, escalations=tuple(replace(e, verified=False) for e in rule.escalations))
    result = assess(rule, parse_facts(by_kind(any=2)), DEFAULT_BENCHMARK)
    assert any("未核实" in w and "第五十三条第三款" in w for w in result.warnings)


# --- parse_facts: the new facts, refused by field -----------------------------------------------------------------
@pytest.mark.parametrize(("facts", "code", "field"), [
    pytest.param({"prior_penalties_by_kind": {"repeat": 1}}, "facts_unknown_key", "prior_penalties_by_kind.repeat",
                 id="by-kind-unknown"),
    pytest.param({"prior_penalties_by_kind": {"any": -1}}, "facts_type", "prior_penalties_by_kind.any",
                 id="by-kind-negative"),
    pytest.param({"prior_penalties_by_kind": {"named": True}}, "facts_type", "prior_penalties_by_kind.named",
                 id="by-kind-bool"),
    pytest.param({"prior_penalties_by_kind": {"any": "2"}}, "facts_type", "prior_penalties_by_kind.any",
                 id="by-kind-text"),
    pytest.param({"prior_penalties_by_kind": [2]}, "facts_type", "prior_penalties_by_kind", id="by-kind-not-object"),
    pytest.param({"prior_penalties_by_kind": {"any": 1, "warning_or_fine": 3}}, "facts_conflict",
                 "prior_penalties_by_kind.any", id="by-kind-any-below-warnings"),
    pytest.param({"prior_penalties_by_kind": {"any": 1}, "first_violation": True}, "facts_conflict",
                 "first_violation", id="Art33-first-violation-with-penalties"),
    pytest.param({"act_date": "2025-01-01", "prior_penalties_by_kind": {"any": 1},
                  "prior_penalties": [{"decided_on": "2024-01-01", "kinds": ["fine"]}]}, "facts_conflict",
                 "prior_penalties", id="both-forms"),
    pytest.param({"prior_penalties": [{"decided_on": "2024-01-01", "kinds": ["fine"]}]}, "facts_missing", "act_date",
                 id="list-needs-act-date"),
    pytest.param({"act_date": "2025-01-01", "prior_penalties": {"decided_on": "2024-01-01"}}, "facts_type",
                 "prior_penalties", id="list-not-a-list"),
    pytest.param({"act_date": "2025-01-01", "prior_penalties": [{"kinds": ["fine"]}]}, "facts_missing",
                 "prior_penalties[0].decided_on", id="list-entry-no-date"),
    pytest.param({"act_date": "2025-01-01", "prior_penalties": [{"decided_on": "2024-02-30", "kinds": ["fine"]}]},
                 "facts_date", "prior_penalties[0].decided_on", id="list-entry-bad-date"),
    pytest.param({"act_date": "2025-01-01", "prior_penalties": [{"decided_on": "2024-01-01", "kinds": ["责令改正"]}]},
                 "facts_value", "prior_penalties[0].kinds", id="Art28-correction-is-not-a-penalty"),
    pytest.param({"act_date": "2025-01-01", "prior_penalties": [{"decided_on": "2024-01-01"}]}, "facts_value",
                 "prior_penalties[0].kinds", id="list-entry-empty"),
    pytest.param({"act_date": "2025-01-01", "prior_penalties": [{"decided_on": "2024-01-01", "named": "yes"}]},
                 "facts_type", "prior_penalties[0].named", id="list-entry-named-not-bool"),
    pytest.param({"act_date": "2025-01-01", "prior_penalties": [{"decided_on": "2024-01-01", "kind": ["fine"]}]},
                 "facts_unknown_key", "prior_penalties[0].kind", id="list-entry-unknown-key"),
])
def test_parse_facts_refusals(facts, code, field):
    with pytest.raises(RuleViolation) as err:
        parse_facts(facts)
    assert (err.value.code, err.value.field) == (code, field)
    assert err.value.message


def test_parse_facts_accepts_both_forms():
    facts = parse_facts({"prior_penalties_by_kind": {"warning_or_fine": 3, "suspend_business": 0, "named": 0}})
    assert facts.prior_penalties_by_kind == {"warning_or_fine": 3, "suspend_business": 0, "named": 0}
    facts = parse_facts(dated("2025-06-01", ("2024-05-05", ["警告", "fine"]), ("2023-06-01", ["warning"])))
    assert [p.decided_on for p in facts.prior_penalties] == [date(2023, 6, 1), date(2024, 5, 5)]
    assert facts.prior_penalties[1].kinds == (K.WARNING, K.FINE)
    assert parse_facts({}).prior_penalties_by_kind == {} and parse_facts({}).prior_penalties == ()


# --- escalations as data ------------------------------------------------------------------------------------------
GOOD = {"code": "x_heavier", "label": "2年内2次受到行政处罚又违法", "window_years": 2, "prior_count": 2,
        "prior_kind": "any", "effect": "heavier", "kinds": [],
        "basis": {"source": "营业性演出管理条例", "article": "第五十三条第三款", "note": ""}}


def test_escalation_json_round_trip_and_string_basis():
    esc = escalation_from_json({**GOOD, "basis": "《营业性演出管理条例》第五十三条第三款"})
    assert esc.basis == Citation("《营业性演出管理条例》", "第五十三条第三款")
    assert esc.verified is False  # not said: not verified
    canonical = escalations_to_json(escalations_from_json([GOOD]))
    assert canonical[0]["basis"]["source"] == "《营业性演出管理条例》"
    assert escalations_to_json(escalations_from_json(canonical)) == canonical
    assert escalations_from_json(None) == ()
    kinds = escalation_from_json({**GOOD, "effect": "kinds", "kinds": ["责令停业整顿"]})
    assert kinds.kinds == (K.SUSPEND_BUSINESS,) and isinstance(kinds, Escalation)


@pytest.mark.parametrize(("change", "field"), [
    pytest.param({"basis": None}, "escalations[0].basis", id="basis-missing"),
    pytest.param({"basis": "《营业性演出管理条例》"}, "escalations[0].basis", id="basis-without-article"),
    pytest.param({"basis": {"source": "营业性演出管理条例", "article": ""}}, "escalations[0].basis.article",
                 id="basis-article-empty"),
    pytest.param({"prior_kind": "repeat"}, "escalations[0].prior_kind", id="prior-kind-unknown"),
    pytest.param({"effect": "lighter"}, "escalations[0].effect", id="effect-unknown"),
    pytest.param({"kinds": ["fine"]}, "escalations[0].kinds", id="heavier-lists-no-kinds"),
    pytest.param({"effect": "kinds", "kinds": []}, "escalations[0].kinds", id="kinds-needs-kinds"),
    pytest.param({"effect": "kinds", "kinds": ["detention"]}, "escalations[0].kinds[0]", id="Art18.3-no-detention"),
    pytest.param({"effect": "kinds", "kinds": ["取缔"]}, "escalations[0].kinds[0]", id="measure-not-a-kind"),
    pytest.param({"window_years": 0}, "escalations[0].window_years", id="window-zero"),
    pytest.param({"prior_count": True}, "escalations[0].prior_count", id="count-bool"),
    pytest.param({"code": "X-1"}, "escalations[0].code", id="code-format"),
    pytest.param({"party": "company"}, "escalations[0].party", id="party-unknown"),
    pytest.param({"supersedes": ["other"]}, "escalations[0].supersedes", id="supersedes-unknown"),
    pytest.param({"verified": "yes"}, "escalations[0].verified", id="verified-bool"),
    pytest.param({"extra": 1}, "escalations[0].extra", id="unknown-key"),
])
def test_escalation_json_refusals(change, field):
    with pytest.raises(RuleViolation) as err:
        escalations_from_json([{**GOOD, **change}])
    assert err.value.code == "escalation_invalid" and err.value.field == field and "法定升格" in err.value.message


def test_escalation_codes_unique():
    with pytest.raises(RuleViolation) as err:
        escalations_from_json([GOOD, GOOD])
    assert err.value.field == "escalations[1].code"
