"""The 权责清单 is adjusted, never silently edited: a change is proposed, checked field by field against the
rules, and applied only when another person (负责人 or 法制审核人员) approves it; every step is recorded.
Benchmarks and 免罚清单 lines are saved through services too."""

import json
from datetime import date

import pytest

from zhifa.catalog import services
from zhifa.catalog.models import (
    Benchmark,
    EnforcementItem,
    ItemChange,
    LegalSource,
    NoPenaltyEntry,
    Provision,
)
from zhifa.catalog.rules import benchmark_row_for
from zhifa.law.discretion import DEFAULT_BENCHMARK, benchmark_to_json
from zhifa.law.errors import RuleViolation
from zhifa.records.models import Event

pytestmark = pytest.mark.django_db

NET = "互联网上网服务营业场所管理条例"


@pytest.fixture
def people(agency, make_user):
    return {r: make_user(agency, roles=(r,)) for r in ("reviewer", "head", "officer", "clerk", "sysadmin")}


@pytest.fixture
def normative(domains):
    src = LegalSource.objects.create(name="某市网吧管理工作通知", level=LegalSource.Level.NORMATIVE)
    return Provision.objects.create(source=src, article="第五条")


def _new_item(**kw):
    data = {"code": "WH-NET-099", "name": "未按规定张贴禁烟标志", "domain": "NET",
            "penalty_provisions": [{"source": NET, "article": "第三十一条第（五）项"}],
            "violated": [{"source": NET, "article": "第二十条"}],
            "kinds": [{"kind": "warning", "mode": "mandatory", "note": "给予警告"}],
            "fine_rule": {"type": "range", "min": None, "max": 15000}}
    data.update(kw)
    return data


def _actions():
    return [e.action for e in Event.objects.filter(action__startswith="catalog.change").order_by("id")]


# --- propose → approve -------------------------------------------------------------------------------------------
def test_update_is_applied_only_on_approval(people):
    item = EnforcementItem.objects.get(code="WH-NET-003")
    old = item.name
    change = services.propose_change(actor=people["reviewer"], item=item, action="update",
                                     proposed={"name": "超出规定营业时间营业", "notes": "按省清单调整"},
                                     reason="与省权责清单名称一致", basis="省文旅厅权责清单（2026年版）")
    item.refresh_from_db()
    assert item.name == old and item.version == 1  # nothing changes yet
    assert change.status == "pending" and change.diff["name"] == [old, "超出规定营业时间营业"]
    assert set(change.diff) == {"name", "notes"}
    approved = services.approve_change(change, actor=people["head"], note="同意")
    assert approved.name == "超出规定营业时间营业" and approved.version == 2
    assert approved.reviewed_on == date.today()
    change.refresh_from_db()
    assert change.status == "approved" and change.version_after == 2 and change.decided_by == people["head"]
    assert _actions() == ["catalog.change_proposed", "catalog.change_approved"]
    payload = json.loads(Event.objects.get(action="catalog.change_approved").payload)
    assert payload["code"] == "WH-NET-003" and payload["version"] == 2


def test_create_then_approve(people):
    change = services.propose_change(actor=people["sysadmin"], action="create", proposed=_new_item(),
                                     reason="本县新增事项")
    assert change.item is None and change.item_code == "WH-NET-099"
    assert not EnforcementItem.objects.filter(code="WH-NET-099").exists()
    item = services.approve_change(change, actor=people["reviewer"])
    assert item.code == "WH-NET-099" and item.version == 1 and item.domain.code == "NET"
    assert [p.article for p in item.penalty_provisions.all()] == ["第三十一条第（五）项"]
    assert item.fine_rule == {"type": "range", "min": None, "max": 15000}


def test_provisions_may_be_given_as_strings_of_kinds_and_wording(people):
    change = services.propose_change(actor=people["reviewer"], action="create",
                                     proposed=_new_item(kinds=["警告", "吊销许可证"]), reason="测试")
    assert [k["kind"] for k in change.proposed["kinds"]] == ["warning", "revoke_licence"]


@pytest.mark.parametrize("action, status_after", [("suspend", "suspended"), ("repeal", "repealed")])
def test_status_changes(people, action, status_after):
    item = EnforcementItem.objects.get(code="WH-ENT-009")
    change = services.propose_change(actor=people["reviewer"], item=item, action=action, reason="上位法调整")
    item = services.approve_change(change, actor=people["head"])
    assert item.status == status_after and item.version == 2
    restore = services.propose_change(actor=people["reviewer"], item=item, action="restore", reason="恢复")
    assert services.approve_change(restore, actor=people["head"]).status == "active"


def test_suspending_a_repealed_item_is_refused(people):
    item = EnforcementItem.objects.get(code="WH-ENT-009")
    services.approve_change(services.propose_change(actor=people["reviewer"], item=item, action="repeal",
                                                    reason="废止"), actor=people["head"])
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["reviewer"], item=item, action="suspend", reason="x")
    assert err.value.code == "status_conflict"


# --- refusals, each with its rule ---------------------------------------------------------------------------------
@pytest.mark.parametrize("proposed, code, field, article", [
    pytest.param({"penalty_provisions": [{"source": "某市网吧管理工作通知", "article": "第五条"}]},
                 "penalty_basis_normative", "penalty_provisions", "第十六条", id="Art16-normative-basis"),
    pytest.param({"penalty_provisions": []}, "penalty_basis_missing", "penalty_provisions", "第四条",
                 id="Art4-no-basis"),
    pytest.param({"kinds": [{"kind": "detention", "mode": "mandatory"}]}, "kind_detention", "kinds", "第十八条第三款",
                 id="Art18-detention"),
    pytest.param({"kinds": [{"kind": "责令改正", "mode": "mandatory"}]}, "not_a_penalty", "kinds", "第二十八条",
                 id="Art28-correction-not-a-penalty"),
    pytest.param({"kinds": [{"kind": "罚金", "mode": "mandatory"}]}, "penalty_kind_unknown", "kinds", "第九条",
                 id="Art9-unknown-kind"),
    pytest.param({"kinds": [{"kind": "fine", "mode": "sometimes"}]}, "kind_mode_unknown", "kinds", None,
                 id="mode-unknown"),
    pytest.param({"fine_rule": {"type": "range", "min": 50000, "max": 10000}}, "fine_rule_order", "fine_rule", None,
                 id="fine-min-above-max"),
    pytest.param({"fine_rule": {"type": "multiple", "base": "营业额", "multiple_min": 1, "multiple_max": 3}},
                 "fine_rule_base", "fine_rule", None, id="fine-unknown-base"),
    pytest.param({"domain": "XYZ"}, "domain_unknown", "domain", None, id="domain-unknown"),
    pytest.param({"name": "  "}, "field_required", "name", None, id="name-empty"),
    pytest.param({"violated": [{"source": NET, "article": "第九十九条"}]}, "provision_unknown", "violated", None,
                 id="provision-unknown"),
    pytest.param({"status": "repealed"}, "field_unknown", "status", None, id="status-only-through-actions"),
])
def test_update_refusals(people, normative, proposed, code, field, article):
    item = EnforcementItem.objects.get(code="WH-NET-003")
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["reviewer"], item=item, action="update", proposed=proposed, reason="x")
    assert err.value.code == code and err.value.field == field
    if article:
        assert any(article in b.article for b in err.value.basis)
    assert not ItemChange.objects.exists()


def test_create_refusals(people):
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["reviewer"], action="create", proposed=_new_item(code="WH-NET-001"),
                                reason="x")
    assert err.value.code == "code_taken"
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["reviewer"], action="create", proposed=_new_item(code="网吧1"), reason="x")
    assert err.value.code == "code_invalid"
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["reviewer"], action="update", proposed={"name": "x"}, reason="x")
    assert err.value.code == "item_required"


def test_reason_required_and_no_change_refused(people):
    item = EnforcementItem.objects.get(code="WH-NET-003")
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["reviewer"], item=item, action="update", proposed={"notes": "x"},
                                reason=" ")
    assert err.value.code == "reason_required"
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["reviewer"], item=item, action="update",
                                proposed={"name": item.name}, reason="x")
    assert err.value.code == "no_change"


@pytest.mark.parametrize("role, allowed", [("reviewer", True), ("head", True), ("sysadmin", True),
                                           ("officer", False), ("clerk", False)])
def test_who_may_propose(people, role, allowed):
    assert services.can_propose_changes(people[role]) is allowed
    assert services.can_approve_changes(people[role]) is (role in ("reviewer", "head"))


def test_officer_cannot_propose(people):
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["officer"], item=EnforcementItem.objects.get(code="WH-NET-003"),
                                action="suspend", reason="x")
    assert err.value.code == "forbidden"


def test_the_proposer_cannot_approve_their_own_change(people, agency, make_user):
    both = make_user(agency, roles=("head", "reviewer"))
    change = services.propose_change(actor=both, item=EnforcementItem.objects.get(code="WH-NET-003"),
                                     action="suspend", reason="x")
    with pytest.raises(RuleViolation) as err:
        services.approve_change(change, actor=both)
    assert err.value.code == "self_approval" and err.value.basis
    with pytest.raises(RuleViolation):
        services.approve_change(change, actor=people["sysadmin"])  # not a 负责人 or 法制审核人员
    services.approve_change(change, actor=people["head"])


def test_one_pending_change_per_item(people):
    item = EnforcementItem.objects.get(code="WH-NET-003")
    services.propose_change(actor=people["reviewer"], item=item, action="update", proposed={"notes": "a"}, reason="x")
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["head"], item=item, action="suspend", reason="y")
    assert err.value.code == "change_pending"


def test_a_stale_change_is_refused(people):
    item = EnforcementItem.objects.get(code="WH-NET-003")
    change = services.propose_change(actor=people["reviewer"], item=item, action="update",
                                     proposed={"notes": "新说明"}, reason="x")
    EnforcementItem.objects.filter(pk=item.pk).update(notes="别处改动")  # e.g. the seed reload
    with pytest.raises(RuleViolation) as err:
        services.approve_change(change, actor=people["head"])
    assert err.value.code == "change_stale"


def test_reject_and_withdraw(people):
    item = EnforcementItem.objects.get(code="WH-NET-003")
    change = services.propose_change(actor=people["reviewer"], item=item, action="suspend", reason="x")
    with pytest.raises(RuleViolation) as err:
        services.reject_change(change, actor=people["head"], note="")
    assert err.value.code == "note_required"
    services.reject_change(change, actor=people["head"], note="依据不足")
    change.refresh_from_db()
    assert change.status == "rejected" and change.decision_note == "依据不足"
    with pytest.raises(RuleViolation) as err:
        services.approve_change(change, actor=people["head"])
    assert err.value.code == "change_decided"
    second = services.propose_change(actor=people["reviewer"], item=item, action="suspend", reason="再提")
    with pytest.raises(RuleViolation):
        services.withdraw_change(second, actor=people["head"])  # only the proposer
    services.withdraw_change(second, actor=people["reviewer"])
    assert ItemChange.objects.get(pk=second.pk).status == "withdrawn"
    assert _actions() == ["catalog.change_proposed", "catalog.change_rejected", "catalog.change_proposed",
                          "catalog.change_withdrawn"]
    item.refresh_from_db()
    assert item.status == "active" and item.version == 1


def test_confirm_review(people):
    item = EnforcementItem.objects.get(code="WH-NET-003")
    services.confirm_review(item, actor=people["reviewer"], note="2024年修订未改动本条罚则")
    item.refresh_from_db()
    assert item.reviewed_on == date.today() and item.version == 1
    assert Event.objects.filter(action="catalog.item_reviewed").exists()
    with pytest.raises(RuleViolation):
        services.confirm_review(item, actor=people["sysadmin"], note="x")


# --- search ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("q, kw, expect_in, expect_out", [
    ("WH-NET-004", {}, "WH-NET-004", "WH-NET-003"),
    ("未成年人", {}, "WH-NET-004", "WH-TRV-001"),
    ("旅游法", {}, "WH-TRV-001", "WH-NET-001"),
    ("第一百零二条", {}, "WH-TRV-011", "WH-TRV-001"),
    ("", {"domain": "ENT"}, "WH-ENT-001", "WH-NET-001"),
    ("", {"status": "active"}, "WH-NET-001", None),
])
def test_search_items(domains, q, kw, expect_in, expect_out):
    codes = list(services.search_items(q, **kw).values_list("code", flat=True))
    assert expect_in in codes and codes == sorted(codes) and len(codes) == len(set(codes))
    if expect_out:
        assert expect_out not in codes


def test_search_by_provision(domains):
    p = Provision.objects.get(source__name="营业性演出管理条例", article="第四十六条第二款")
    assert list(services.search_items(provision=p).values_list("code", flat=True)) == ["WH-PER-009", "WH-PER-010"]


# --- benchmarks and 免罚清单 ----------------------------------------------------------------------------------------
def _bands(lighter=("0", "0.3"), general=("0.3", "0.7"), heavier=("0.7", "1")):
    per = {"lighter": {"low": lighter[0], "high": lighter[1]}, "general": {"low": general[0], "high": general[1]},
           "heavier": {"low": heavier[0], "high": heavier[1]}}
    return dict.fromkeys(("range", "max_only", "multiple"), per)


def _save(actor, agency, **kw):
    data = benchmark_to_json(DEFAULT_BENCHMARK)
    args = {"name": "测试基准", "effective_from": date(2026, 1, 1), "bands": data["bands"],
            "aggravating": data["aggravating"], "mitigating": data["mitigating"], "params": data["params"],
            "source": "测文旅〔2026〕1号"}
    args.update(kw)
    return services.save_benchmark(actor=actor, agency=agency, **args)


def test_save_and_publish_a_benchmark(people, agency):
    row = _save(people["reviewer"], agency)
    assert not row.published and benchmark_row_for(agency, date(2026, 6, 1)).agency is None  # a draft
    with pytest.raises(RuleViolation):
        services.publish_benchmark(row, actor=people["sysadmin"])
    services.publish_benchmark(row, actor=people["head"], on=date(2025, 12, 20))
    assert benchmark_row_for(agency, date(2026, 6, 1)) == row
    with pytest.raises(RuleViolation) as err:
        _save(people["reviewer"], agency, row=row, name="改名")
    assert err.value.code == "benchmark_published"  # 《行政处罚法》第三十四条: published, so never edited
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"catalog.benchmark_saved", "catalog.benchmark_published"} <= actions


@pytest.mark.parametrize("kw, code", [
    pytest.param({"bands": {"range": {}}}, "benchmark_band_missing", id="Art34-bands-incomplete"),
    pytest.param({"bands": _bands(lighter=("0.5", "0.3"))}, "benchmark_band_order", id="Art34-band-order"),
    pytest.param({"source": ""}, "benchmark_source", id="Art34-source-required"),
    pytest.param({"params": {"repeat_count": 0}}, "benchmark_params", id="params"),
])
def test_benchmark_refusals(people, agency, kw, code):
    with pytest.raises(RuleViolation) as err:
        _save(people["reviewer"], agency, **kw)
    assert err.value.code == code
    assert not Benchmark.objects.filter(agency=agency).exists()


def test_a_county_stays_within_the_city_bands(make_agency, make_user, domains):
    """国办发〔2022〕27号: a subordinate refines the superior's benchmark without leaving its bands."""
    city = make_agency("测试市文化广电和旅游局")
    county = make_agency("测试县文化广电和旅游局", parent=city)
    city_reviewer, city_head = make_user(city, roles=("reviewer",)), make_user(city, roles=("head",))
    services.publish_benchmark(_save(city_reviewer, city, bands=_bands()), actor=city_head)
    county_reviewer = make_user(county, roles=("reviewer",))
    ok = _save(county_reviewer, county, bands=_bands(("0", "0.2"), ("0.3", "0.6"), ("0.7", "0.9")))
    assert ok.pk
    with pytest.raises(RuleViolation) as err:
        _save(county_reviewer, county, bands=_bands(heavier=("0.6", "1")))
    assert err.value.code == "benchmark_exceeds_superior" and "27号" in err.value.basis[0].source
    with pytest.raises(RuleViolation) as err:
        _save(county_reviewer, city)  # not the county's own agency
    assert err.value.code == "forbidden"


def test_save_no_penalty_entry(people, agency):
    item = EnforcementItem.objects.get(code="WH-ENT-009")
    entry = services.save_no_penalty_entry(
        actor=people["reviewer"], agency=agency, item=item, list_name="本县首违不罚清单",
        conditions=["first_violation", "corrected_promptly", "no_harm"],
        description="从业人员未统一着装，首次被发现并当场改正",
        source="测文旅〔2026〕2号", effective_from=date(2026, 1, 1))
    assert NoPenaltyEntry.objects.get(pk=entry.pk).agency == agency
    assert Event.objects.filter(action="catalog.no_penalty_saved").exists()


@pytest.mark.parametrize("kw, code", [
    pytest.param({"conditions": []}, "conditions_required", id="Art33-conditions-required"),
    pytest.param({"conditions": ["lucky"]}, "condition_unknown", id="Art33-unknown-condition"),
    pytest.param({"source": ""}, "entry_source", id="Art33-source-required"),
    pytest.param({"effective_to": date(2025, 1, 1)}, "entry_dates", id="dates"),
])
def test_no_penalty_entry_refusals(people, agency, kw, code):
    args = {"list_name": "本县清单", "conditions": ["first_violation"], "description": "",
            "source": "测文旅〔2026〕2号", "effective_from": date(2026, 1, 1)}
    args.update(kw)
    with pytest.raises(RuleViolation) as err:
        services.save_no_penalty_entry(actor=people["reviewer"], agency=agency,
                                       item=EnforcementItem.objects.get(code="WH-ENT-009"), **args)
    assert err.value.code == code


def test_sources_provisions_and_versions_are_saved_and_recorded(people):
    src = services.save_source(actor=people["reviewer"], name="《某省文化市场管理条例》", level="local_regulation",
                               issuer="某省人大常委会")
    assert src.name == "某省文化市场管理条例"
    p = services.save_provision(actor=people["reviewer"], source=src, article="第三十条")
    v = services.save_provision_version(actor=people["reviewer"], provision=p, effective_from=date(2026, 1, 1),
                                        label="2025年修订", kinds=[{"kind": "warning", "mode": "mandatory"}],
                                        fine_rule={"min": 1000, "max": 5000})
    assert v.fine_rule == {"type": "range", "min": 1000, "max": 5000}
    again = services.save_provision_version(actor=people["reviewer"], provision=p, effective_from=date(2026, 1, 1),
                                            label="2025年修订", kinds=[{"kind": "warning", "mode": "mandatory"}],
                                            fine_rule={"min": 1000, "max": 5000})
    assert again.pk == v.pk
    saved = ["catalog.source_saved", "catalog.provision_saved", "catalog.provision_version_saved"]
    actions = list(Event.objects.filter(action__in=saved).values_list("action", flat=True))
    assert actions == ["catalog.source_saved", "catalog.provision_saved", "catalog.provision_version_saved"]
    with pytest.raises(RuleViolation) as err:
        services.save_source(actor=people["reviewer"], name="x", level="rumour")
    assert err.value.code == "source_level"


# --- the platform admin site only reads the catalog ------------------------------------------------------------------
@pytest.mark.parametrize("model", ["legalsource", "provision", "provisionversion", "enforcementitem", "itemchange",
                                   "benchmark", "itembenchmark", "nopenaltyentry"])
def test_admin_site_reads_but_never_edits(client, verified_login, people, model):
    from django.apps import apps

    services.propose_change(actor=people["reviewer"], item=EnforcementItem.objects.get(code="WH-NET-003"),
                            action="suspend", reason="x")
    from zhifa.org.models import User

    verified_login(client, User.objects.create_superuser("root", "", "Root-Pass-7734!", full_name="平台管理员"))
    assert client.get(f"/platform-admin/catalog/{model}/").status_code == 200
    assert client.get(f"/platform-admin/catalog/{model}/add/").status_code == 403
    obj = apps.get_model("catalog", model).objects.first()
    if obj is not None:
        assert client.get(f"/platform-admin/catalog/{model}/{obj.pk}/change/").status_code == 200
        assert client.post(f"/platform-admin/catalog/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403


# --- the regulation's own escalations (法定升格) as an adjustable field ----------------------------------------------
PER_53_3 = {"code": "perf_heavier_after_two_penalties", "label": "2年内2次受到行政处罚，又有应受本条例处罚的违法行为",
            "window_years": 2, "prior_count": 2, "prior_kind": "any", "effect": "heavier",
            "basis": "《营业性演出管理条例》第五十三条第三款", "verified": True}


def test_escalations_are_proposed_checked_and_applied(people):
    """《营业性演出管理条例》第五十三条第三款 added to a 本县 item through the 权责清单 adjustment."""
    create = services.propose_change(actor=people["reviewer"], action="create", reason="本县新增事项",
                                     proposed=_new_item(code="WH-PER-099", domain="PER", escalations=[PER_53_3]))
    stored = create.proposed["escalations"]
    assert stored[0]["basis"] == {"source": "《营业性演出管理条例》", "article": "第五十三条第三款", "note": ""}
    assert stored[0]["kinds"] == [] and stored[0]["supersedes"] == []
    item = services.approve_change(create, actor=people["head"])
    assert item.escalations == stored and services.item_values(item)["escalations"] == stored
    change = services.propose_change(actor=people["reviewer"], item=item, action="update", proposed={"escalations": []},
                                     reason="撤销测试")
    assert change.diff == {"escalations": [stored, []]}
    assert services.approve_change(change, actor=people["head"]).escalations == []


@pytest.mark.parametrize("proposed, code, field", [
    pytest.param({"escalations": [{**PER_53_3, "prior_kind": "repeat"}]}, "escalation_invalid", "escalations",
                 id="PER-Art53.3-prior-kind-unknown"),
    pytest.param({"escalations": [{**PER_53_3, "effect": "kinds", "kinds": ["detention"]}]}, "escalation_invalid",
                 "escalations", id="Art18.3-no-detention"),
    pytest.param({"escalations": {"code": "x"}}, "escalation_invalid", "escalations", id="not-a-list"),
    pytest.param({"kinds": [{"kind": "revoke_licence", "mode": "serious", "note": "再次被公布的，吊销",
                             "escalation": "perf_revoke_named_again"}]}, "kind_escalation_unknown", "kinds",
                 id="PER-Art47-kind-names-a-missing-escalation"),
])
def test_escalation_refusals(people, proposed, code, field):
    item = EnforcementItem.objects.get(code="WH-NET-003")
    with pytest.raises(RuleViolation) as err:
        services.propose_change(actor=people["reviewer"], item=item, action="update", proposed=proposed, reason="x")
    assert err.value.code == code and err.value.field == field
    assert err.value.message.startswith("法定升格处罚：") or err.value.message.startswith("处罚种类：")
    assert not ItemChange.objects.exists()


def test_only_the_head_publishes_a_benchmark(people, agency):
    # 《行政处罚法》第三十四条: publishing the benchmark is the agency's decision, taken by its 负责人;
    # the 法制审核人员 drafts it but does not publish it
    row = _save(people["reviewer"], agency)
    with pytest.raises(RuleViolation) as err:
        services.publish_benchmark(row, actor=people["reviewer"])
    assert err.value.code == "forbidden"
    assert services.publish_benchmark(row, actor=people["head"]).published
