"""Catalog lint: each finding names the item, the rule and its article; errors and warnings apart; fixed order."""

from datetime import date, timedelta

import pytest

from zhifa.catalog import services
from zhifa.catalog.lint import NAME_SIMILARITY, Finding, has_errors, lint
from zhifa.catalog.models import EnforcementItem, LegalSource, Provision, ProvisionVersion

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def _find(code: str, item: str) -> list[Finding]:
    return [f for f in lint(TODAY) if f.code == code and f.item_code == item]


def _item(code, name, *, penalty=(), violated=(), kinds=(), fine_rule=None, verified=True, domain=None):
    from zhifa.catalog.models import Domain

    item = EnforcementItem.objects.create(code=code, name=name, domain=domain or Domain.objects.get(code="NET"),
                                          kinds=[{"kind": k, "mode": "mandatory", "note": ""} for k in kinds],
                                          fine_rule=fine_rule, verified=verified)
    item.penalty_provisions.set(penalty)
    item.violated.set(violated)
    return item


def _provision(source: str, level: str, article: str) -> Provision:
    src, _ = LegalSource.objects.get_or_create(name=source, defaults={"level": level})
    return Provision.objects.get_or_create(source=src, article=article)[0]


def test_the_seed_catalog_has_no_errors(domains):
    findings = lint(TODAY)
    assert not has_errors(findings)
    assert findings == sorted(findings, key=lambda f: (f.item_code, f.code, f.message))
    assert lint(TODAY) == findings  # deterministic


def test_seed_findings_we_expect(domains):
    codes = {(f.code, f.item_code) for f in lint(TODAY)}
    assert ("amounts_unverified", "WH-ART-001") in codes  # law.md §7: 艺术品 amounts unverified
    assert ("duplicate_item", "WH-PER-010") in codes  # same provisions as WH-PER-009
    assert ("source_cannot_set_kind", "WH-NCL-002") in codes  # 部门规章 with 吊销 (Art 13)


@pytest.mark.parametrize("level, kinds, code, severity, article", [
    pytest.param("normative", ["warning"], "penalty_basis_normative", "error", "第十六条", id="Art16-normative"),
    pytest.param("department_rule", ["revoke_licence"], "source_cannot_set_kind", "warning", "第十三条",
                 id="Art13-department-rule-revokes"),
    pytest.param("department_rule", ["warning", "fine"], None, None, None, id="Art13-department-rule-fine-ok"),
    pytest.param("local_rule", ["suspend_business"], "source_cannot_set_kind", "warning", "第十四条",
                 id="Art14-local-rule-suspends"),
    pytest.param("local_regulation", ["revoke_licence"], None, None, None, id="Art12-local-regulation-ok"),
    pytest.param("admin_regulation", ["detention"], "kind_detention", "error", "第十八条第三款", id="Art18-detention"),
    pytest.param("law", ["close"], None, None, None, id="Art10-law-anything"),
])
def test_source_level_rules(domains, level, kinds, code, severity, article):
    p = _provision(f"测试{level}", level, "第十条")
    _item("WH-TST-001", "测试事项", penalty=[p], kinds=kinds)
    found = [f for f in lint(TODAY) if f.item_code == "WH-TST-001" and f.code in
             {"penalty_basis_normative", "source_cannot_set_kind", "kind_detention"}]
    if code is None:
        assert found == []
    else:
        assert [(f.code, f.severity) for f in found] == [(code, severity)]
        assert any(article in b for b in found[0].basis)


def test_missing_penalty_basis_is_an_error(domains):
    """《行政处罚法》第四条: penalties are set by 法律、法规、规章."""
    _item("WH-TST-001", "无依据事项", kinds=["warning"])
    (f,) = _find("penalty_basis_missing", "WH-TST-001")
    assert f.severity == "error" and any("第四条" in b for b in f.basis)


def test_duplicate_overlap_and_similar_names(domains):
    """Duplicates risk punishing one act twice (《行政处罚法》第二十九条)."""
    a = _provision("测试条例", "admin_regulation", "第四十九条第（二）项")
    b = _provision("测试条例", "admin_regulation", "第二十八条")
    c = _provision("测试条例", "admin_regulation", "第五十条")
    _item("WH-TST-001", "甲事项", penalty=[a], violated=[b], kinds=["warning"])
    _item("WH-TST-002", "乙事项", penalty=[a], violated=[b], kinds=["warning"])
    _item("WH-TST-003", "丙事项", penalty=[a, c], violated=[b], kinds=["warning"])
    (dup,) = _find("duplicate_item", "WH-TST-002")
    assert "WH-TST-001" in dup.message and any("第二十九条" in x for x in dup.basis)
    assert _find("overlapping_item", "WH-TST-003")
    name = "歌舞娱乐场所接纳未成年人进入营业场所"
    _item("WH-TST-004", name, penalty=[c], kinds=["warning"])
    _item("WH-TST-005", name + "的", penalty=[b], kinds=["warning"])
    (sim,) = _find("similar_name", "WH-TST-005")
    assert "WH-TST-004" in sim.message and NAME_SIMILARITY == 0.9


def test_names_just_below_the_threshold_are_not_flagged(domains):
    p = _provision("娱乐场所管理条例", "admin_regulation", "第五十条")
    _item("WH-TST-001", "甲乙丙丁戊己庚辛壬癸", penalty=[p], kinds=["warning"])
    _item("WH-TST-002", "甲乙丙丁戊己庚辛子丑", penalty=[p], kinds=["warning"])  # ratio 0.8
    assert not _find("similar_name", "WH-TST-002")


def test_new_version_after_review_until_the_item_is_reviewed(domains, agency, make_user):
    """A provision amended after the item was reviewed: check the penalty (《行政处罚法》第三十七条)."""
    today = date.today()
    item = EnforcementItem.objects.get(code="WH-NET-003")
    (p,) = item.penalty_provisions.all()
    assert not [f for f in lint(today) if f.code == "provision_superseded" and f.item_code == "WH-NET-003"]
    ProvisionVersion.objects.create(provision=p, label="新修订", effective_from=today - timedelta(days=10))
    (f,) = [f for f in lint(today) if f.code == "provision_superseded" and f.item_code == "WH-NET-003"]
    assert "新修订" in f.message and "录入后未经审查" in f.message and any("第三十七条" in b for b in f.basis)
    services.confirm_review(item, actor=make_user(agency, roles=("reviewer",)), note="未改动本条罚则")
    assert not [f for f in lint(today) if f.code == "provision_superseded" and f.item_code == "WH-NET-003"]
    ProvisionVersion.objects.create(provision=p, label="将施行的修订", effective_from=today + timedelta(days=30))
    (f,) = [f for f in lint(today) if f.code == "provision_superseded" and f.item_code == "WH-NET-003"]
    assert "起将施行" in f.message and "最近审查于" in f.message


def test_expired_provision(domains):
    item = EnforcementItem.objects.get(code="WH-ENT-011")
    (p,) = item.penalty_provisions.all()
    p.versions.update(effective_to=TODAY - timedelta(days=1))
    (f,) = _find("provision_expired", "WH-ENT-011")
    assert f.severity == "warning"


@pytest.mark.parametrize("kinds, fine_rule, code", [
    pytest.param(["fine"], None, "fine_kind_without_rule", id="Art9-fine-without-rule"),
    pytest.param(["warning"], {"type": "range", "min": None, "max": 5000}, "fine_rule_without_kind",
                 id="Art9-rule-without-fine"),
    pytest.param([], None, "no_penalty_kinds", id="Art9-no-kinds"),
])
def test_kind_and_rule_consistency(domains, kinds, fine_rule, code):
    p = _provision("娱乐场所管理条例", "admin_regulation", "第五十条")
    _item("WH-TST-001", "测试事项", penalty=[p], kinds=kinds, fine_rule=fine_rule)
    assert _find(code, "WH-TST-001")


def test_unverified_and_unreadable_data(domains):
    p = _provision("娱乐场所管理条例", "admin_regulation", "第五十条")
    item = _item("WH-TST-001", "测试事项", penalty=[p], kinds=["fine"], verified=False,
                 fine_rule={"type": "range", "min": 5, "max": 1})
    assert _find("amounts_unverified", "WH-TST-001")
    (f,) = _find("fine_rule_invalid", "WH-TST-001")
    assert f.severity == "error"
    item.kinds = [{"kind": "jail"}]
    item.save()
    assert _find("kinds_invalid", "WH-TST-001")


def test_repealed_items_are_left_out(domains):
    EnforcementItem.objects.filter(code="WH-ART-001").update(status="repealed")
    assert not [f for f in lint(TODAY) if f.item_code == "WH-ART-001"]


def test_lint_for_one_item_is_the_full_lint_filtered(db):
    # the item page asks for one item's findings; they must be exactly those of the whole-catalog lint
    import io

    from django.core.management import call_command

    from zhifa.catalog import lint as catalog_lint

    call_command("load_reference", stdout=io.StringIO())
    full = catalog_lint.lint()
    for code in ("WH-PER-010", "WH-ART-002", "WH-NET-004"):
        assert catalog_lint.lint(only=code) == [f for f in full if f.item_code == code]
