"""Penalty kinds and the procedure decisions that depend on them (《行政处罚法》第九条、第五十一条、第五十八条、
第六十三条、第六十八条、第六十九条).

Each row names the article (and item) that decides it; the article must be among the citations the answer
carries, so a row cannot pass on the wrong rule.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.law.errors import RuleViolation
from zhifa.law.penalties import (
    KIND_GROUP,
    KIND_SEVERITY,
    LOCAL_EXAMPLE_CATALOGUE,
    Decision,
    HearingThresholds,
    PenaltyKind,
    ReviewCatalogue,
    hearing_required,
    heaviest_kind,
    kind_from_wording,
    on_the_spot_collection_allowed,
    review_required,
    summary_eligible,
)

K = PenaltyKind
D = Decimal


def cites(decision: Decision, article: str) -> bool:
    return any(article in str(c) for c in decision.basis)


# --- Art 9: kinds and wording ---------------------------------------------------------------------

WORDING = [
    # (article, wording, kind)
    ("第九条第一项", "警告", K.WARNING),
    ("第九条第二项", "没收违法所得", K.CONFISCATE_GAINS),
    ("第九条第二项", "没收专用工具、设备", K.CONFISCATE_PROPERTY),
    ("第九条第三项", "吊销《网络文化经营许可证》", K.REVOKE_LICENCE),
    ("第九条第四项", "责令停业整顿", K.SUSPEND_BUSINESS),
    ("第九条第四项", "限制开展生产经营活动", K.RESTRICT_BUSINESS),
]


@pytest.mark.parametrize(("article", "wording", "kind"), WORDING, ids=[f"Art9-{w[1]}" for w in WORDING])
def test_kind_from_wording(article: str, wording: str, kind: PenaltyKind) -> None:
    assert kind_from_wording(wording) is kind


@pytest.mark.parametrize("wording", ["责令改正", "取缔", "查封场所"], ids=["Art28-correct", "Art9-ban", "QZF9-seal"])
def test_measures_are_not_penalties(wording: str) -> None:
    with pytest.raises(RuleViolation) as info:
        kind_from_wording(wording)
    assert info.value.code == "not_a_penalty"


def test_severity_orders_every_kind_but_other() -> None:
    """KIND_SEVERITY (documented in penalties.py): every Art 9 kind but 其他 is ranked, each once."""
    assert set(KIND_SEVERITY) == set(PenaltyKind) - {K.OTHER}
    assert len(set(KIND_SEVERITY.values())) == len(KIND_SEVERITY)
    # revoke and close are the heaviest kinds a culture agency imposes; detention is police-only (Art 18(3))
    culture = [k for k in KIND_SEVERITY if k is not K.DETENTION]
    assert sorted(culture, key=KIND_SEVERITY.get)[-2:] == [K.REVOKE_LICENCE, K.CLOSE]
    # within an Art 9 group the ladder of the regulations holds: 停业整顿 … 直至吊销
    assert KIND_SEVERITY[K.SUSPEND_BUSINESS] < KIND_SEVERITY[K.REVOKE_LICENCE]
    assert KIND_SEVERITY[K.RESTRICT_BUSINESS] < KIND_SEVERITY[K.DOWNGRADE] < KIND_SEVERITY[K.REVOKE_LICENCE]
    assert all(KIND_SEVERITY[a] < KIND_SEVERITY[b] for a in KIND_SEVERITY for b in KIND_SEVERITY
               if KIND_GROUP[a] == 1 and KIND_GROUP[b] == 2)


def test_heaviest_kind() -> None:
    assert heaviest_kind([K.WARNING, K.FINE, K.REVOKE_LICENCE, K.SUSPEND_BUSINESS]) is K.REVOKE_LICENCE
    assert heaviest_kind([]) is None
    with pytest.raises(RuleViolation) as info:
        heaviest_kind([K.FINE, K.OTHER])
    assert info.value.code == "penalty_kind_unranked"


# --- Art 51: summary procedure ----------------------------------------------------------------------

SUMMARY = [
    # (article, party, kinds, fine, eligible)
    pytest.param("第五十一条", "person", [K.WARNING], None, True, id="Art51-person-warning"),
    pytest.param("第五十一条", "person", [K.FINE], D(200), True, id="Art51-person-200"),
    pytest.param("第五十一条", "person", [K.FINE], D("200.01"), False, id="Art51-person-200.01"),
    pytest.param("第五十一条", "person", [K.WARNING, K.FINE], D(50), True, id="Art51-person-warning+50"),
    pytest.param("第五十一条", "organisation", [K.FINE], D(3000), True, id="Art51-org-3000"),
    pytest.param("第五十一条", "organisation", [K.FINE], D(3001), False, id="Art51-org-3001"),
    pytest.param("第五十一条", "organisation", K.WARNING, None, True, id="Art51-org-single-kind"),
    pytest.param("第五十一条", "person", [K.CRITICISM], None, False, id="Art51-criticism-not-listed"),
    pytest.param("第五十一条", "person", [K.FINE, K.CONFISCATE_GAINS], D(100), False, id="Art51-confiscation"),
    pytest.param("第五十一条", "organisation", [K.WARNING, K.SUSPEND_BUSINESS], None, False, id="Art51-suspension"),
    pytest.param("第五十一条", "organisation", ["warning", "fine"], "3000", True, id="Art51-string-values"),
]


@pytest.mark.parametrize(("article", "party", "kinds", "fine", "eligible"), SUMMARY)
def test_summary_eligible(article: str, party: str, kinds, fine, eligible: bool) -> None:
    decision = summary_eligible(party, kinds, fine)
    assert decision.result is eligible
    assert cites(decision, article)
    assert decision.reasons
    out = decision.to_json()
    assert out["result"] is eligible and any(article in b for b in out["basis"]) and out["reasons"]


def test_summary_needs_conclusive_facts() -> None:
    """Art 51: "违法事实确凿并有法定依据" is a condition of its own."""
    decision = summary_eligible("person", [K.WARNING], facts_established=False)
    assert not decision.result
    assert any("确凿" in r for r in decision.reasons)


def test_summary_reasons_name_the_excluded_kind() -> None:
    decision = summary_eligible("organisation", [K.FINE, K.REVOKE_LICENCE], D(1000))
    assert any("吊销许可证件" in r for r in decision.reasons)


BAD_SUMMARY = [
    # (kwargs, code, field); the article is in each id and must be in the refusal's basis
    pytest.param({"party": "company", "kinds": [K.WARNING]}, "party_invalid", "party", id="Art51-bad-party"),
    pytest.param({"party": "person", "kinds": [K.FINE]}, "fine_amount_missing", "fine_amount",
                 id="Art51-fine-no-amount"),
    pytest.param({"party": "person", "kinds": [K.FINE], "fine_amount": D(-5)}, "amount_invalid", "fine_amount",
                 id="Art51-negative"),
    pytest.param({"party": "person", "kinds": [K.FINE], "fine_amount": "abc"}, "amount_invalid", "fine_amount",
                 id="Art51-not-a-number"),
    pytest.param({"party": "person", "kinds": [K.WARNING], "fine_amount": D(100)}, "fine_without_kind", "fine_amount",
                 id="Art51-amount-without-fine"),
    pytest.param({"party": "person", "kinds": []}, "penalty_kinds_missing", "kinds", id="Art51-no-kinds"),
    pytest.param({"party": "person", "kinds": ["jail"]}, "penalty_kind_unknown", "kinds", id="Art9-unknown-kind"),
]


@pytest.mark.parametrize(("kwargs", "code", "field"), BAD_SUMMARY)
def test_summary_refuses_bad_input(kwargs: dict, code: str, field: str) -> None:
    with pytest.raises(RuleViolation) as info:
        summary_eligible(**kwargs)
    assert (info.value.code, info.value.field) == (code, field)
    assert field in info.value.message
    assert info.value.basis


@given(st.decimals(min_value=D("0.01"), max_value=D(10000), places=2), st.sampled_from(["person", "organisation"]))
def test_summary_fine_limit_property(amount: Decimal, party: str) -> None:
    """Art 51: a fine alone is eligible exactly when it is within 200 (person) / 3000 (organisation) yuan."""
    limit = D(200) if party == "person" else D(3000)
    assert summary_eligible(party, [K.FINE], amount).result is (amount <= limit)


# --- Art 68–69: collection on the spot -----------------------------------------------------------------

SPOT = [
    # (article, fine, kwargs, allowed)
    pytest.param("第六十八条", D(100), {}, True, id="Art68(1)-100"),
    pytest.param("第六十八条", D("100.50"), {}, False, id="Art68(1)-100.50"),
    pytest.param("第六十八条", D(200), {"hard_to_enforce": True}, True, id="Art68(2)-hard-to-enforce"),
    pytest.param("第六十九条", D(3000), {"remote_area": True, "party_requests": True}, True, id="Art69-remote-request"),
    pytest.param("第六十九条", D(3000), {"remote_area": True}, False, id="Art69-remote-no-request"),
    pytest.param("第六十九条", D(20000), {"remote_area": True, "party_requests": True, "summary": False}, True,
                 id="Art69-general-procedure-remote"),
    pytest.param("第六十八条", D(50), {"summary": False}, False, id="Art68-needs-summary-decision"),
]


@pytest.mark.parametrize(("article", "fine", "kwargs", "allowed"), SPOT)
def test_on_the_spot_collection(article: str, fine: Decimal, kwargs: dict, allowed: bool) -> None:
    decision = on_the_spot_collection_allowed(fine, **kwargs)
    assert decision.result is allowed
    assert cites(decision, article)
    assert cites(decision, "第七十条") is allowed  # Art 70: a fiscal receipt whenever collected on the spot


def test_on_the_spot_collection_refuses_bad_amount() -> None:
    for bad in (None, D(-1), D(0)):
        with pytest.raises(RuleViolation) as info:
            on_the_spot_collection_allowed(bad)
        assert info.value.field == "fine_amount"


# --- Art 63: hearing -------------------------------------------------------------------------------------

# Policy values for the tests (law.md §1.12: the 较大数额 thresholds are provincial/departmental, [U]).
THRESHOLDS = HearingThresholds(person_fine=D(10000), organisation_fine=D(100000), person_confiscation=D(10000),
                               organisation_confiscation=D(100000))

HEARING = [
    # (item of Art 63, party, kinds, fine, confiscation, kwargs, required, expected reason fragment)
    pytest.param("第一项", "person", [K.FINE], D(10000), None, {}, True, "较大数额罚款",
                 id="Art63(1)-person-at-threshold"),
    pytest.param("第一项", "person", [K.FINE], D(9999), None, {}, False, "不属于", id="Art63(1)-person-below"),
    pytest.param("第一项", "organisation", [K.FINE], D(99999), None, {}, False, "不属于", id="Art63(1)-org-below"),
    pytest.param("第一项", "organisation", [K.WARNING, K.FINE], D(100000), None, {}, True, "较大数额罚款",
                 id="Art63(1)-org-at-threshold"),
    pytest.param("第二项", "person", [K.CONFISCATE_GAINS], None, D(12000), {}, True, "没收较大数额",
                 id="Art63(2)-gains"),
    pytest.param("第二项", "organisation", [K.CONFISCATE_PROPERTY], None, D(5000), {}, False, "不属于",
                 id="Art63(2)-small-property"),
    pytest.param("第三项", "organisation", [K.REVOKE_LICENCE], None, None, {}, True, "吊销许可证件",
                 id="Art63(3)-revoke"),
    pytest.param("第三项", "organisation", [K.DOWNGRADE], None, None, {}, True, "降低资质等级",
                 id="Art63(3)-downgrade"),
    pytest.param("第四项", "organisation", [K.SUSPEND_BUSINESS], None, None, {}, True, "责令停产停业",
                 id="Art63(4)-suspend"),
    pytest.param("第四项", "organisation", [K.CLOSE], None, None, {}, True, "责令关闭", id="Art63(4)-close"),
    pytest.param("第四项", "person", [K.BAN_PRACTICE], None, None, {}, True, "限制从业", id="Art63(4)-ban-practice"),
    pytest.param("第五项", "organisation", [K.SUSPEND_LICENCE], None, None, {}, False, "其他较重",
                 id="Art63(5)-suspend-licence-not-listed"),
    pytest.param("第五项", "organisation", [K.SUSPEND_LICENCE], None, None, {"other_heavy": True}, True, "第五项",
                 id="Art63(5)-other-heavy"),
    pytest.param("第六项", "person", [K.WARNING], None, None, {"other_rule": True}, True, "第六项",
                 id="Art63(6)-other-rule"),
    pytest.param("第六十三条", "person", [K.WARNING], None, None, {}, False, "不属于", id="Art63-warning-only"),
]


@pytest.mark.parametrize(("item", "party", "kinds", "fine", "confiscation", "kwargs", "required", "fragment"),
                         HEARING)
def test_hearing_required(item: str, party: str, kinds, fine, confiscation, kwargs: dict, required: bool,
                          fragment: str) -> None:
    decision = hearing_required(party, kinds, fine, confiscation, THRESHOLDS, **kwargs)
    assert decision.result is required
    assert cites(decision, "第六十三条")
    assert any(fragment in r for r in decision.reasons), decision.reasons
    if required and item.endswith("项"):
        assert any(f"（{item}）" in r for r in decision.reasons)


def test_hearing_lists_every_trigger() -> None:
    """Art 63: fine, confiscation, revocation and suspension at once: four reasons, items (一)(二)(三)(四)."""
    decision = hearing_required("organisation",
                                [K.FINE, K.CONFISCATE_GAINS, K.REVOKE_LICENCE, K.SUSPEND_BUSINESS],
                                D(200000), D(150000), THRESHOLDS, other_rule=True)
    assert decision.result
    for item in ("第一项", "第二项", "第三项", "第四项", "第六项"):
        assert any(item in r for r in decision.reasons), item
    assert len(decision.reasons) == 5


def test_hearing_refuses_inconsistent_amounts() -> None:
    with pytest.raises(RuleViolation) as info:
        hearing_required("person", [K.CONFISCATE_GAINS], None, None, THRESHOLDS)
    assert info.value.field == "confiscation_amount"
    with pytest.raises(RuleViolation) as info:
        hearing_required("person", [K.WARNING], None, D(100), THRESHOLDS)
    assert info.value.code == "confiscation_without_kind"
    with pytest.raises(RuleViolation) as info:
        hearing_required("nobody", [K.WARNING], None, None, THRESHOLDS)
    assert info.value.field == "party" and "第六十三条" in str(info.value.basis[0])


@given(st.decimals(min_value=D("0.01"), max_value=D(500000), places=2),
       st.decimals(min_value=D(1), max_value=D(200000), places=0))
def test_hearing_fine_threshold_property(amount: Decimal, threshold: Decimal) -> None:
    """Art 63(1): a fine alone triggers a hearing exactly at or above the configured threshold."""
    thresholds = HearingThresholds(threshold, threshold, threshold, threshold)
    assert hearing_required("person", [K.FINE], amount, None, thresholds).result is (amount >= threshold)


# --- Art 58: legal review (and the agency's catalogue, 国办发〔2018〕118号) ------------------------------

EMPTY = ReviewCatalogue(None, None, None, None)

REVIEW = [
    # (ground, party, kinds, fine, confiscation, kwargs, catalogue, required, cites 118号)
    pytest.param("第五十八条", "person", [K.WARNING], None, None, {"major_public_interest": True}, EMPTY, True, False,
                 id="Art58(1)-public-interest"),
    pytest.param("第五十八条", "organisation", [K.FINE], D(5000), None, {"hearing_held": True}, EMPTY, True, False,
                 id="Art58(2)-after-hearing"),
    pytest.param("第五十八条", "person", [K.WARNING], None, None, {"complex_case": True}, EMPTY, True, False,
                 id="Art58(3)-complex"),
    pytest.param("第五十八条", "person", [K.WARNING], None, None, {"other_law": True}, EMPTY, True, False,
                 id="Art58(4)-other-law"),
    pytest.param("第五十八条", "organisation", [K.FINE, K.REVOKE_LICENCE], D(50000), None, {}, EMPTY, False, False,
                 id="Art58-no-statutory-ground-empty-catalogue"),
    pytest.param("118号", "person", [K.FINE], D(10000), None, {}, LOCAL_EXAMPLE_CATALOGUE, True, True,
                 id="118-catalogue-person-10000"),
    pytest.param("118号", "person", [K.FINE], D(9999), None, {}, LOCAL_EXAMPLE_CATALOGUE, False, False,
                 id="118-catalogue-person-9999"),
    pytest.param("118号", "organisation", [K.FINE], D(100000), None, {}, LOCAL_EXAMPLE_CATALOGUE, True, True,
                 id="118-catalogue-org-100000"),
    pytest.param("118号", "organisation", [K.CONFISCATE_GAINS], None, D(100000), {}, LOCAL_EXAMPLE_CATALOGUE, True,
                 True, id="118-catalogue-org-confiscation"),
    pytest.param("118号", "organisation", [K.SUSPEND_BUSINESS], None, None, {}, LOCAL_EXAMPLE_CATALOGUE, True, True,
                 id="118-catalogue-suspend-business"),
    pytest.param("118号", "organisation", [K.FINE], D(1000), None, {"outside_benchmark": True},
                 LOCAL_EXAMPLE_CATALOGUE, True, True, id="118-catalogue-outside-benchmark"),
    pytest.param("118号", "organisation", [K.FINE], D(1000), None, {"outside_benchmark": True}, EMPTY, False, False,
                 id="118-outside-benchmark-not-in-catalogue"),
]


@pytest.mark.parametrize(("ground", "party", "kinds", "fine", "confiscation", "kwargs", "catalogue", "required",
                          "cites_118"), REVIEW)
def test_review_required(ground: str, party: str, kinds, fine, confiscation, kwargs: dict,
                         catalogue: ReviewCatalogue, required: bool, cites_118: bool) -> None:
    decision = review_required(party, kinds, fine, confiscation, catalogue=catalogue, **kwargs)
    assert decision.result is required
    assert cites(decision, "第五十八条")
    assert cites(decision, "国办发〔2018〕118号") is cites_118
    if required:
        assert any("不得作出决定" in r for r in decision.reasons)


def test_review_after_hearing_lists_both_grounds() -> None:
    """Art 58(2) and the catalogue's "after a hearing" are two grounds; both are listed."""
    decision = review_required("organisation", [K.REVOKE_LICENCE], None, None, catalogue=LOCAL_EXAMPLE_CATALOGUE,
                               hearing_held=True)
    assert decision.result
    assert any("第五十八条第一款第二项" in r for r in decision.reasons)
    assert any("经过听证程序的处罚决定" in r for r in decision.reasons)
    assert any("吊销许可证件" in r for r in decision.reasons)
    assert any(LOCAL_EXAMPLE_CATALOGUE.source in str(c) for c in decision.basis)


def test_review_refuses_bad_party() -> None:
    with pytest.raises(RuleViolation) as info:
        review_required("citizen", [K.WARNING], None, None, catalogue=EMPTY)
    assert info.value.field == "party"
