"""The catalog's rows as inputs of the pure rules: an item's rule, the benchmark and 免罚清单 in force for an
agency on a date (the agency, then those above it, then the platform), the hearing thresholds and the
法制审核 catalogue from the policy parameters, and the discretion end to end."""

from datetime import date
from decimal import Decimal

import pytest

from zhifa.catalog.models import Benchmark, EnforcementItem, NoPenaltyEntry, PolicyValue
from zhifa.catalog.policies import PARAMETERS, parameter
from zhifa.catalog.rules import (
    article_key,
    assess_item,
    benchmark_for,
    benchmark_row_for,
    cn_number,
    hearing_thresholds,
    item_rule,
    no_penalty_entries,
    review_catalogue,
)
from zhifa.law.discretion import DEFAULT_BENCHMARK, KindMode, Outcome
from zhifa.law.errors import RuleViolation
from zhifa.law.penalties import PenaltyKind

pytestmark = pytest.mark.django_db

BANDS = {"lighter": {"low": "0", "high": "0.2"}, "general": {"low": "0.2", "high": "0.6"},
         "heavier": {"low": "0.6", "high": "1"}}


def _bench(agency, name, start, *, published=True, end=None, bands=BANDS):
    return Benchmark.objects.create(agency=agency, name=name, effective_from=start, effective_to=end,
                                    bands=dict.fromkeys(("range", "max_only", "multiple"), bands),
                                    published=published, source=f"{name}（测试）")


@pytest.fixture
def tree(make_agency, domains):
    province = make_agency("测试省文化和旅游厅")
    city = make_agency("测试市文化广电和旅游局", parent=province)
    county = make_agency("测试县文化广电和旅游局", parent=city)
    return province, city, county


def test_item_rule_from_the_rows(domains):
    """网吧条例第三十一条第（五）项: 警告 (mandatory), 可以并处罚款 (optional), 情节严重 停业整顿/吊销 (serious)."""
    rule = item_rule(EnforcementItem.objects.get(code="WH-NET-007"))
    assert rule.code == "WH-NET-007" and rule.verified
    assert rule.penalty_basis.source == "《互联网上网服务营业场所管理条例》"
    assert rule.penalty_basis.article == "第三十一条第（五）项"
    assert [v.article for v in rule.violated_basis] == ["第二十条", "第二十一条第二款"]
    assert {k.kind for k in rule.kinds} >= {PenaltyKind.WARNING, PenaltyKind.FINE}
    assert all(isinstance(k.mode, KindMode) for k in rule.kinds)
    assert rule.fine is not None and rule.fine.max == 15000


def test_item_rule_joins_several_articles_in_reading_order(domains):
    rule = item_rule(EnforcementItem.objects.get(code="WH-NET-010"))
    assert rule.penalty_basis.article == "第三十三条第（三）项、第三十三条第（四）项"


@pytest.mark.parametrize("text, number", [("九", 9), ("十", 10), ("十二", 12), ("三十三", 33), ("一百", 100),
                                          ("一百零二", 102), ("一百二十三", 123)])
def test_cn_number(text, number):
    assert cn_number(text) == number


def test_article_key_orders_as_read():
    articles = ["第一百条", "第九条", "第三十三条第（四）项", "第三十三条第（三）项", "第三十三条"]
    assert sorted(articles, key=article_key) == ["第九条", "第三十三条", "第三十三条第（三）项", "第三十三条第（四）项",
                                                 "第一百条"]


# --- benchmarks: 《行政处罚法》第三十四条; the nearest agency's published benchmark applies ------------------------
def test_platform_default_row_applies_when_no_agency_has_one(tree):
    _province, _city, county = tree
    row = benchmark_row_for(county, date(2026, 1, 1))
    assert row is not None and row.agency is None
    assert benchmark_for(county, date(2026, 1, 1)).bands == DEFAULT_BENCHMARK.bands


@pytest.mark.parametrize("owners, on, expected", [
    pytest.param(["province"], date(2026, 3, 1), "province", id="Art34-inherit-province"),
    pytest.param(["province", "city"], date(2026, 3, 1), "city", id="Art34-nearest-wins"),
    pytest.param(["province", "city", "county"], date(2026, 3, 1), "county", id="Art34-own-first"),
    pytest.param(["county"], date(2025, 12, 31), None, id="Art34-not-yet-in-force"),
])
def test_nearest_published_benchmark(tree, owners, on, expected):
    agencies = dict(zip(("province", "city", "county"), tree, strict=True))
    for owner in owners:
        _bench(agencies[owner], f"{owner}基准", date(2026, 1, 1))
    row = benchmark_row_for(agencies["county"], on)
    assert (row.agency if row.agency_id else None) == (agencies[expected] if expected else None)


def test_unpublished_benchmark_does_not_apply(tree):
    """裁量基准应当向社会公布 (《行政处罚法》第三十四条): a draft is not applied."""
    province, _city, county = tree
    _bench(province, "省基准", date(2026, 1, 1))
    _bench(county, "县基准（草稿）", date(2026, 1, 1), published=False)
    assert benchmark_row_for(county, date(2026, 6, 1)).agency == province


def test_benchmark_dates(tree):
    _province, _city, county = tree
    _bench(county, "旧基准", date(2024, 1, 1), end=date(2025, 12, 31))
    _bench(county, "新基准", date(2026, 1, 1))
    assert benchmark_row_for(county, date(2025, 6, 1)).name == "旧基准"
    assert benchmark_row_for(county, date(2026, 6, 1)).name == "新基准"


def test_benchmark_for_reads_the_row_bands(tree):
    _province, city, county = tree
    _bench(city, "市基准", date(2026, 1, 1))
    bench = benchmark_for(county, date(2026, 6, 1))
    assert bench.bands["range"][Outcome.LIGHTER].high == Decimal("0.2")
    assert bench.jurisdiction == city.name


def test_benchmark_for_falls_back_to_the_default_without_any_row(tree):
    Benchmark.objects.all().delete()
    assert benchmark_for(tree[2], date(2026, 6, 1)) == DEFAULT_BENCHMARK


# --- 免罚清单 (《行政处罚法》第三十三条第一款) -----------------------------------------------------------------------
def test_no_penalty_entries_by_agency_and_date(tree, make_agency):
    province, _city, county = tree
    item = EnforcementItem.objects.get(code="WH-ENT-009")
    other = make_agency("他省某局")
    NoPenaltyEntry.objects.create(agency=province, item=item, list_name="省首违不罚清单",
                                  conditions=["first_violation", "corrected_promptly"], effective_from=date(2026, 1, 1))
    NoPenaltyEntry.objects.create(agency=other, item=item, list_name="他省清单", conditions=["first_violation"],
                                  effective_from=date(2026, 1, 1))
    entries = no_penalty_entries(county, item, date(2026, 6, 1))
    assert [e.source for e in entries] == ["省首违不罚清单"]
    assert entries[0].conditions == ("first_violation", "corrected_promptly")
    assert "第三十三条" in entries[0].basis.article
    assert no_penalty_entries(county, item, date(2025, 6, 1)) == ()


def test_guangdong_sample_entry_expires(domains):
    item = EnforcementItem.objects.get(code="WH-NET-007")
    assert len(no_penalty_entries(None, item, date(2027, 8, 14))) == 1
    assert no_penalty_entries(None, item, date(2027, 8, 15)) == ()


# --- assess_item: parse_facts + assess with the benchmark and list in force ------------------------------------
def test_assess_no_penalty_through_the_list(domains):
    """《行政处罚法》第三十三条: first violation, corrected, no harm → no penalty, with an education record."""
    item = EnforcementItem.objects.get(code="WH-NET-007")
    result = assess_item(item, {"first_violation": True, "corrected_promptly": True, "harm": "none"},
                         on=date(2026, 6, 1))
    assert result.outcome == Outcome.NO_PENALTY and result.requires_education


@pytest.mark.parametrize("amount, low, high", [
    pytest.param(20000, Decimal("100000"), Decimal("200000"), id="NET-Art27-at-or-above-threshold-5to10x"),
    pytest.param(5000, Decimal("10000"), Decimal("50000"), id="NET-Art27-below-threshold-fixed-range"),
])
def test_assess_tiered_item(domains, amount, low, high):
    item = EnforcementItem.objects.get(code="WH-NET-001")
    result = assess_item(item, {"party": "organisation", "amounts": {"违法经营额": amount}}, on=date(2026, 6, 1))
    assert (result.statutory_range.min, result.statutory_range.max) == (low, high)
    lo, hi = result.recommended_range
    assert low <= lo <= hi <= high


def test_assess_refuses_bad_facts(domains):
    item = EnforcementItem.objects.get(code="WH-NET-001")
    with pytest.raises(RuleViolation) as err:
        assess_item(item, {"first_violation": "maybe"})
    assert err.value.field


def test_assess_refuses_a_suspended_item(domains):
    item = EnforcementItem.objects.get(code="WH-NET-001")
    item.status = EnforcementItem.Status.SUSPENDED
    with pytest.raises(RuleViolation) as err:
        assess_item(item, {})
    assert err.value.code == "item_not_active"


def test_assess_uses_the_agency_benchmark(tree):
    province, _city, county = tree
    _bench(province, "省基准", date(2026, 1, 1))
    item = EnforcementItem.objects.get(code="WH-NET-003")  # 15000元以下: max_only
    result = assess_item(item, {"party": "organisation"}, agency=county, on=date(2026, 6, 1))
    assert result.outcome == Outcome.GENERAL
    assert result.recommended_range == (Decimal("3000.00"), Decimal("9000.00"))  # 20%–60% of 15000


# --- hearing thresholds and the 法制审核 catalogue (policy) ----------------------------------------------------
def test_hearing_thresholds_defaults_and_agency_values(tree):
    """《行政处罚法》第六十三条: "较大数额" is set per province — a policy value, the nearest agency's wins."""
    province, _city, county = tree
    t = hearing_thresholds(county, date(2026, 6, 1))
    assert t.person_fine == Decimal(PARAMETERS["hearing.fine_person"].default)
    PolicyValue.objects.create(key="hearing.fine_person", agency=province, value=5000, effective_from=date(2026, 1, 1),
                               citation="测试省听证规定")
    assert hearing_thresholds(county, date(2026, 6, 1)).person_fine == Decimal(5000)
    assert hearing_thresholds(county, date(2025, 6, 1)).person_fine == Decimal(10000)


def test_review_catalogue_from_policies(tree):
    """《行政处罚法》第五十八条 and the agency's 重大执法决定目录."""
    county = tree[2]
    cat = review_catalogue(county, date(2026, 6, 1))
    assert cat.kinds == {PenaltyKind.SUSPEND_BUSINESS, PenaltyKind.REVOKE_LICENCE, PenaltyKind.CLOSE}
    assert cat.after_hearing and cat.outside_benchmark
    assert cat.organisation_fine == Decimal(100000)
    PolicyValue.objects.create(key="review.kinds", agency=county, value=["revoke_licence"],
                               effective_from=date(2026, 1, 1), citation="本局重大执法决定目录")
    PolicyValue.objects.create(key="review.after_hearing", agency=county, value=False,
                               effective_from=date(2026, 1, 1), citation="本局重大执法决定目录")
    cat = review_catalogue(county, date(2026, 6, 1))
    assert cat.kinds == {PenaltyKind.REVOKE_LICENCE} and not cat.after_hearing


@pytest.mark.parametrize("key, value, ok", [
    pytest.param("hearing.fine_person", 10000, True, id="Art63-amount"),
    pytest.param("hearing.fine_person", 0, False, id="Art63-zero-refused"),
    pytest.param("hearing.fine_organisation", "100000", False, id="Art63-text-refused"),
    pytest.param("review.kinds", ["close", "revoke_licence"], True, id="Art58-kinds"),
    pytest.param("review.kinds", ["吊销"], False, id="Art58-unknown-kind"),
    pytest.param("review.kinds", ["close", "close"], False, id="Art58-duplicate"),
    pytest.param("review.after_hearing", "yes", False, id="Art58-bool"),
])
def test_policy_checks(key, value, ok):
    check = parameter(key).check
    if ok:
        assert check(value)
    else:
        with pytest.raises(RuleViolation):
            check(value)


def test_review_kinds_are_normalised_in_article_order():
    assert parameter("review.kinds").check(["close", "revoke_licence"]) == ["revoke_licence", "close"]


# --- the regulations' own escalations (法定升格) ------------------------------------------------------------------
def test_item_rule_carries_escalations_and_kind_qualifiers(domains):
    """《娱乐场所管理条例》第五十三条第三款 / 《营业性演出管理条例》第四十七条第一款 as the engine sees them."""
    rule = item_rule(EnforcementItem.objects.get(code="WH-ENT-008"))
    assert [e.code for e in rule.escalations] == ["ent_suspend_after_warnings_or_fines",
                                                  "ent_revoke_after_suspensions"]
    assert rule.escalations[0].kinds == (PenaltyKind.SUSPEND_BUSINESS,)
    assert rule.escalations[1].supersedes == ("ent_suspend_after_warnings_or_fines",)
    assert str(rule.escalations[0].basis).startswith("《娱乐场所管理条例》第五十三条第三款")
    per = item_rule(EnforcementItem.objects.get(code="WH-PER-011"))
    revoke = next(k for k in per.kinds if k.kind is PenaltyKind.REVOKE_LICENCE)
    criticism = next(k for k in per.kinds if k.kind is PenaltyKind.CRITICISM)
    assert revoke.escalation == "perf_revoke_named_again" and criticism.authority
    pub = item_rule(EnforcementItem.objects.get(code="WH-PUB-002"))
    assert next(k for k in pub.kinds if k.kind is PenaltyKind.FINE).mode_below_threshold is KindMode.OPTIONAL


@pytest.mark.parametrize("code, facts, outcome, mandatory", [
    pytest.param("WH-ENT-009", {"prior_penalties_by_kind": {"warning_or_fine": 3, "suspend_business": 0}},
                 Outcome.GENERAL, {PenaltyKind.WARNING, PenaltyKind.SUSPEND_BUSINESS}, id="ENT-Art53.3-suspend"),
    pytest.param("WH-ENT-009", {"prior_penalties_by_kind": {"warning_or_fine": 2, "suspend_business": 0}},
                 Outcome.GENERAL, {PenaltyKind.WARNING}, id="ENT-Art53.3-below-threshold"),
    pytest.param("WH-PER-014", {"act_date": "2026-05-01", "prior_penalties": [
        {"decided_on": "2025-01-10", "kinds": ["warning", "fine"]}, {"decided_on": "2025-09-01", "kinds": ["fine"]}]},
        Outcome.HEAVIER, {PenaltyKind.WARNING, PenaltyKind.FINE}, id="PER-Art53.3-heavier-from-records"),
    pytest.param("WH-PER-011", {"prior_penalties_by_kind": {"any": 0, "named": 1}}, Outcome.GENERAL,
                 {PenaltyKind.FINE, PenaltyKind.REVOKE_LICENCE}, id="PER-Art47-revoke"),
])
def test_assess_item_applies_the_escalations(domains, code, facts, outcome, mandatory):
    result = assess_item(EnforcementItem.objects.get(code=code), facts, on=date(2026, 6, 1))
    assert result.outcome is outcome and set(result.mandatory_kinds) == mandatory
    for esc in result.escalations:
        assert any(esc.basis in s.basis for s in result.steps)


def test_item_rule_refuses_bad_stored_escalations(domains):
    item = EnforcementItem.objects.get(code="WH-PER-005")
    item.escalations = [{"code": "x"}]
    with pytest.raises(RuleViolation) as err:
        item_rule(item)
    assert err.value.code == "item_escalations_invalid" and err.value.field == "escalations"
    assert "WH-PER-005" in err.value.message
