"""The catalog screens: the browser, the item page with its benchmark and discretion calculator, the lint
report and the adjustment of the 权责清单 (proposed, then approved by another person).

The seed catalog is loaded by the `domains` fixture (load_reference). Expected figures come from the
statute and the platform default benchmark (law.md §3.3: 从轻 0–30%, 一般 30–70%, 从重 70–100%).
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from zhifa.catalog.models import EnforcementItem, ItemChange, LegalSource, Provision
from zhifa.records.models import Event

LIST = reverse("catalog:items")
NET4 = reverse("catalog:item", args=["WH-NET-004"])


@pytest.fixture
def officer(make_user, agency):
    return make_user(agency, roles=("officer",), full_name="执法队员甲")


@pytest.fixture
def officer_client(client, verified_login, officer):
    return verified_login(client, officer)


def _login(client, verified_login, make_user, agency, *roles, **kw):
    user = make_user(agency, roles=roles, **kw)
    client.logout()
    verified_login(client, user)
    return user


# --- the browser -------------------------------------------------------------------------------------
def test_list_shows_the_seed_catalog_paginated(officer_client):
    r = officer_client.get(LIST)
    assert r.status_code == 200
    page = r.context["page"]
    assert page.paginator.count == 61 and len(page.object_list) == 25
    html = r.content.decode()
    assert "共 61 项" in html and "WH-NET-001" in html
    assert reverse("catalog:item", args=["WH-NET-001"]) in html
    assert officer_client.get(LIST, {"page": "3"}).context["page"].number == 3


def test_search_finds_items_by_name_and_provision(officer_client):
    r = officer_client.get(LIST, {"q": "未成年人"})
    codes = [i.code for i in r.context["page"]]
    assert {"WH-NET-004", "WH-MIN-001"} <= set(codes)
    assert all("未成年人" in i.name or "未成年人" in i.basis_penalty_text + i.basis_violated_text for i in
               EnforcementItem.objects.filter(code__in=codes))
    # by the name of the source and the article (处罚依据 of WH-NET-004: 第三十一条第（二）项)
    codes = [i.code for i in officer_client.get(LIST, {"q": "互联网上网服务营业场所管理条例 第三十一条"})
             .context["page"]]
    assert "WH-NET-004" in codes and "WH-NET-007" in codes and "WH-NET-001" not in codes


def test_row_shows_kinds_with_mode_fine_and_marks(officer_client):
    r = officer_client.get(LIST, {"q": "WH-NET-004"})
    html = r.content.decode()
    row = html[html.index('id="item-WH-NET-004"'):]
    row = row[:row.index("</tr>")]
    for text in ("接纳未成年人进入营业场所", "互联网上网服务", "警告", "罚款（可以并处）", "责令停产停业（情节严重时）",
                 "≤15000元", "已核对", "在用"):
        assert text in row, text
    r = officer_client.get(LIST, {"q": "WH-NET-001"})
    assert r.context["page"][0].fine_text == "违法经营额5–10倍 / 1万–5万元"


def test_filters_by_domain_status_and_provision(officer_client):
    r = officer_client.get(LIST, {"domain": "NET"})
    assert r.context["page"].paginator.count == EnforcementItem.objects.filter(domain__code="NET").count() > 0
    assert {i.domain.code for i in r.context["page"]} == {"NET"}
    EnforcementItem.objects.filter(code="WH-NET-002").update(status="suspended")
    r = officer_client.get(LIST, {"status": "suspended"})
    assert [i.code for i in r.context["page"]] == ["WH-NET-002"]
    provision = EnforcementItem.objects.get(code="WH-NET-004").penalty_provisions.get()
    r = officer_client.get(LIST, {"provision": str(provision.pk)})
    assert "WH-NET-004" in {i.code for i in r.context["page"]}
    assert all(provision in i.penalty_provisions.all() or provision in i.violated.all() for i in r.context["page"])


@pytest.mark.parametrize("params", [{"domain": "zzz"}, {"status": "zzz"}, {"provision": "abc"},
                                    {"provision": "99999999999999999999"}, {"page": "-3"}, {"q": "丁" * 300},
                                    {"q": "\x00"}])
def test_bad_filters_are_ignored(officer_client, params):
    assert officer_client.get(LIST, params).status_code == 200


def test_anonymous_goes_to_login(client, db):
    for url in (LIST, NET4, reverse("catalog:lint"), reverse("catalog:changes")):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]


def test_navigation_has_the_catalog_and_the_calendar(officer_client):
    html = officer_client.get(reverse("home")).content.decode()
    nav = html[html.index("<nav"):html.index("</nav>")]
    assert f'href="{LIST}"' in nav and ">执法事项目录<" in nav
    assert f'href="{reverse("catalog:calendar")}"' in nav and ">节假日<" in nav
    assert 'aria-current="page">执法事项目录<' in officer_client.get(LIST).content.decode()


# --- the item page -----------------------------------------------------------------------------------
def test_item_page_shows_every_field(officer_client):
    r = officer_client.get(NET4)
    assert r.status_code == 200
    html = r.content.decode()
    for text in ("WH-NET-004", "接纳未成年人进入营业场所", "《互联网上网服务营业场所管理条例》", "第三十一条第（二）项",
                 "第二十一条第一款", "行政法规", "应当给予", "可以并处", "情节严重时", "可以并处15000元以下的罚款",
                 "处15000元以下罚款", "县级以上文化和旅游行政部门", "第 1 版", "尚无调整记录"):
        assert text in html, text
    assert [k["label"] for k in r.context["kinds"]] == ["警告", "罚款", "责令停产停业", "吊销许可证件"]


def test_item_page_benchmark_bands_with_amounts(officer_client):
    r = officer_client.get(NET4)
    bench = r.context["bench"]
    rows = {b["shape"]: b for b in bench["bands"]}
    assert rows["max_only"]["applies"] and not rows["range"]["applies"]
    cells = {c["outcome"]: c for c in rows["max_only"]["cells"]}
    # "15000元以下" split 30/70 (law.md §3.3): 0–4500, 4500–10500, 10500–15000
    assert cells["从轻处罚"]["amounts"] == "0元–4500元"
    assert cells["一般处罚"]["amounts"] == "4500元–10500元"
    assert cells["从重处罚"]["share"] == "70%–100%" and cells["从重处罚"]["amounts"] == "10500元–15000元"
    html = r.content.decode()
    assert "10500元–15000元" in html and "未公开" in html
    assert "以未成年人为对象或者侵害未成年人权益" in html  # an aggravating factor of the benchmark


def test_item_page_shows_the_no_penalty_list(officer_client):
    html = officer_client.get(reverse("catalog:item", args=["WH-NET-007"])).content.decode()
    assert "免处罚清单" in html and "初次违法" in html and "不予行政处罚" in html
    assert "本事项不在现行免罚清单中" in officer_client.get(NET4).content.decode()


def test_normative_source_is_flagged(officer_client):
    source = LegalSource.objects.create(name="某县网吧管理办法", level=LegalSource.Level.NORMATIVE)
    provision = Provision.objects.create(source=source, article="第九条")
    EnforcementItem.objects.get(code="WH-NET-004").penalty_provisions.add(provision)
    html = officer_client.get(NET4).content.decode()
    assert "《某县网吧管理办法》是规范性文件，规范性文件不得设定行政处罚（《行政处罚法》第十六条）" in html


def test_item_page_shows_its_lint_findings(officer_client):
    item = EnforcementItem.objects.filter(verified=False).order_by("code").first()
    html = officer_client.get(reverse("catalog:item", args=[item.code])).content.decode()
    assert 'id="findings"' in html and "尚未对照官方文本核对" in html
    assert 'id="review"' not in html  # an officer does not confirm reviews


def test_head_confirms_a_review(client, verified_login, make_user, agency):
    from django.utils import timezone

    _login(client, verified_login, make_user, agency, "head")
    url = reverse("catalog:item_review", args=["WH-NET-004"])
    assert 'id="review"' in client.get(NET4).content.decode()
    r = client.post(url, {"note": ""})
    assert r.status_code == 200 and "请写明审查意见" in r.context["review_form"].errors["note"][0]
    assert EnforcementItem.objects.get(code="WH-NET-004").reviewed_on is None
    r = client.post(url, {"note": "2024年修订未改动本条罚则"})
    assert r.status_code == 302
    assert EnforcementItem.objects.get(code="WH-NET-004").reviewed_on == timezone.localdate()
    assert Event.objects.filter(action="catalog.item_reviewed").exists()


@pytest.mark.parametrize("role", ["officer", "sysadmin", "clerk"])
def test_only_head_or_reviewer_confirms_a_review(client, verified_login, make_user, agency, role):
    _login(client, verified_login, make_user, agency, role)
    r = client.post(reverse("catalog:item_review", args=["WH-NET-004"]), {"note": "已核对"})
    assert r.status_code == 403
    assert EnforcementItem.objects.get(code="WH-NET-004").reviewed_on is None


@pytest.mark.parametrize("code", ["WH-NOPE-999", "x" * 40, "%00"])
def test_unknown_item_is_404(officer_client, code):
    assert officer_client.get(f"/catalog/items/{code}/").status_code == 404


# --- the discretion calculator -------------------------------------------------------------------------
def _facts(**kw) -> dict:
    data = {"party": "organisation", "act_date": "2026-03-01", "harm": "ordinary", "mental_state": "normal",
            "prior_penalties_in_window": "0"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_calculator_minors_aggravating_is_heavier(officer_client):
    r = officer_client.post(NET4, _facts(aggravating=["minors"]))
    assert r.status_code == 200 and not r.context["form"].errors
    result = r.context["result"]
    assert result["outcome_label"] == "从重处罚"
    assert result["statutory"] == "0元–15000元"
    assert result["recommended"] == "10500元–15000元"
    assert result["mandatory"] == ["警告"] and result["optional"] == ["罚款"]
    assert not result["education"]
    html = r.content.decode()
    assert 'id="assessment"' in html and "从重处罚" in html
    steps = r.context["result"]["steps"]
    assert any("以未成年人为对象" in s["text"] for s in steps)
    assert all(s["basis"] for s in steps)  # every step cites its article
    assert '<ol class="steps" id="steps">' in html and "依据：" in html
    # the typed values stay in the form
    assert re.search(r'value="minors"[^>]*checked', html)


def test_calculator_no_penalty_requires_education(officer_client):
    # 《行政处罚法》第三十三条第一款: 违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚.
    r = officer_client.post(NET4, _facts(minor_violation="on", corrected_promptly="on", harm="none"))
    result = r.context["result"]
    assert result["outcome_label"] == "不予处罚" and result["education"]
    assert result["recommended"] == "" and result["mandatory"] == []
    assert "须对当事人进行教育" in r.content.decode()


def test_calculator_first_violation_alternative(officer_client):
    # 首违 + 危害后果轻微 + 及时改正: 可以不予处罚 (第三十三条第一款第二句).
    r = officer_client.post(NET4, _facts(first_violation="on", corrected_promptly="on", harm="minor"))
    assert "不予处罚" in r.context["result"]["alternatives"]


def test_calculator_tiered_rule_on_both_sides_of_the_threshold(officer_client):
    url = reverse("catalog:item", args=["WH-NET-001"])
    # 网吧条例第二十七条: 违法经营额1万元以上 5–10倍; 不足1万元 1万–5万元.
    r = officer_client.post(url, _facts(turnover="20000"))
    assert r.context["result"]["statutory"] == "100000元–200000元"
    assert r.context["result"]["recommended"] == "130000元–170000元"  # 一般: 30–70%
    r = officer_client.post(url, _facts(turnover="9999.99"))
    assert r.context["result"]["statutory"] == "10000元–50000元"
    r = officer_client.post(url, _facts())
    assert r.context["result"]["statutory"] == "10000元–50000元"


@pytest.mark.parametrize("data,field,message", [
    # age and mental state concern persons only (《行政处罚法》第三十条、第三十一条)
    ({"birth_date": "2010-05-01"}, "birth_date", "当事人为法人或者其他组织时不适用"),
    ({"first_violation": "on", "prior_penalties_in_window": "2"}, "first_violation", "相矛盾"),
    ({"party": "person", "birth_date": "2027-01-01"}, "birth_date", "晚于"),
    ({"party": "person", "birth_date": "2010-05-01", "act_date": ""}, "act_date", "须同时给出"),
    ({"turnover": "abc"}, "turnover", "请输入以元为单位的金额"),
    ({"turnover": "-5"}, "turnover", "金额不能为负数"),
    ({"gains": "1.234"}, "gains", "两位小数"),
    ({"act_date": "2026-02-30"}, "act_date", "请输入有效日期"),
    ({"prior_penalties_in_window": "x"}, "prior_penalties_in_window", "0 至 99"),
    ({"aggravating": ["no-such-factor"]}, "aggravating", "不在本裁量基准中"),
    ({"harm": "catastrophic"}, "harm", "请选择危害后果"),
    ({"party": "robot"}, "party", "请选择当事人类型"),
])
def test_calculator_bad_facts_named_by_field(officer_client, data, field, message):
    r = officer_client.post(NET4, _facts(**data))
    assert r.status_code == 200 and r.context["result"] is None
    errors = r.context["form"].errors
    assert field in errors and message in errors[field][0], errors
    html = r.content.decode()
    assert message in html
    for key, value in data.items():  # what was typed is kept
        if key in ("birth_date", "act_date", "turnover", "gains", "prior_penalties_in_window") and value:
            assert f'value="{value}"' in html, key


def test_calculator_multiple_rule_needs_its_amount(officer_client):
    # e.g. "违法所得1倍以上3倍以下" cannot be computed without the 违法所得
    EnforcementItem.objects.filter(code="WH-NET-004").update(
        fine_rule={"type": "multiple", "base": "违法所得", "multiple_min": 1, "multiple_max": 3, "min": None,
                   "max": None})
    r = officer_client.post(NET4, _facts())
    assert "gains" in r.context["form"].errors and "违法所得" in r.context["form"].errors["gains"][0]
    r = officer_client.post(NET4, _facts(gains="5000"))
    assert r.context["result"]["statutory"] == "5000元–15000元"


def test_calculator_refuses_a_suspended_item(officer_client):
    EnforcementItem.objects.filter(code="WH-NET-004").update(status="suspended")
    r = officer_client.post(NET4, _facts())
    assert r.context["result"] is None
    assert "暂停适用，不得适用" in r.context["form"].non_field_errors()[0]


def test_calculator_changes_nothing(officer_client):
    before = (Event.objects.count(), ItemChange.objects.count())
    officer_client.post(NET4, _facts(aggravating=["minors"]))
    assert (Event.objects.count(), ItemChange.objects.count()) == before


# --- the lint report -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("role,allowed", [("officer", False), ("clerk", False), ("auditadmin", False),
                                          ("secadmin", False), ("reviewer", True), ("head", True),
                                          ("sysadmin", True)])
def test_lint_is_for_those_who_keep_the_catalog(client, verified_login, make_user, agency, role, allowed):
    _login(client, verified_login, make_user, agency, role)
    r = client.get(reverse("catalog:lint"))
    assert r.status_code == (200 if allowed else 403)
    assert (reverse("catalog:lint") in client.get(LIST).content.decode()) == allowed


def test_lint_groups_findings_by_severity_with_item_links(client, verified_login, make_user, agency):
    _login(client, verified_login, make_user, agency, "reviewer")
    source = LegalSource.objects.create(name="某县网吧管理办法", level=LegalSource.Level.NORMATIVE)
    EnforcementItem.objects.get(code="WH-NET-004").penalty_provisions.add(
        Provision.objects.create(source=source, article="第九条"))
    r = client.get(reverse("catalog:lint"))
    groups = {g["code"]: g for g in r.context["groups"]}
    errors = [row["f"] for row in groups["error"]["findings"]]
    assert any(f.code == "penalty_basis_normative" and f.item_code == "WH-NET-004" for f in errors)
    assert groups["warning"]["count"] > 0
    html = r.content.decode()
    assert reverse("catalog:item", args=["WH-NET-004"]) in html
    assert "第十六条" in html  # the basis of the finding
    only = client.get(reverse("catalog:lint"), {"severity": "error"}).context["groups"]
    assert not next(g for g in only if g["code"] == "warning")["findings"]


# --- adjusting the 权责清单 ------------------------------------------------------------------------------------
def _propose(client, code="WH-NET-004", **kw):
    item = EnforcementItem.objects.get(code=code)
    data = {"action": "update", "name": item.name, "notes": item.notes,
            "fine_rule": json.dumps(item.fine_rule, ensure_ascii=False) if item.fine_rule else "",
            "kinds_mandatory": [k["kind"] for k in item.kinds if k["mode"] == "mandatory"],
            "kinds_optional": [k["kind"] for k in item.kinds if k["mode"] == "optional"],
            "kinds_serious": [k["kind"] for k in item.kinds if k["mode"] == "serious"],
            "reason": "条例修订，罚款上限调整", "basis": "国务院令第X号"}
    data.update(kw)
    return client.post(reverse("catalog:change_propose", args=[code]), {k: v for k, v in data.items() if v is not None})


def test_propose_then_another_person_approves(client, verified_login, make_user, agency):
    reviewer = _login(client, verified_login, make_user, agency, "reviewer", full_name="法制员甲")
    r = client.get(reverse("catalog:change_propose", args=["WH-NET-004"]))
    assert r.status_code == 200 and "调整理由" in r.content.decode()
    r = _propose(client, fine_rule='{"type": "range", "min": null, "max": 20000}')
    change = ItemChange.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("catalog:change", args=[change.pk])
    assert change.status == "pending" and change.proposed_by == reviewer
    assert set(change.diff) == {"fine_rule"}
    assert Event.objects.filter(action="catalog.change_proposed").exists()
    item = EnforcementItem.objects.get(code="WH-NET-004")
    assert item.fine_rule["max"] == 15000  # nothing changes before approval

    # The proposer sees the difference but cannot approve their own change.
    r = client.get(reverse("catalog:change", args=[change.pk]))
    html = r.content.decode()
    assert "处15000元以下罚款" in html and "处20000元以下罚款" in html
    assert r.context["own_pending"] and not r.context["may_decide"]
    r = client.post(reverse("catalog:change_decide", args=[change.pk]), {"decision": "approve"})
    assert r.status_code == 200 and "提出人不得审批本人提出的调整" in r.content.decode()
    assert ItemChange.objects.get().status == "pending"

    head = _login(client, verified_login, make_user, agency, "head", full_name="局长乙")
    r = client.get(reverse("catalog:change", args=[change.pk]))
    assert r.context["may_decide"] and "批准" in r.content.decode()
    r = client.post(reverse("catalog:change_decide", args=[change.pk]), {"decision": "approve", "note": "同意"})
    assert r.status_code == 302
    item.refresh_from_db()
    change.refresh_from_db()
    assert item.fine_rule["max"] == 20000 and item.version == 2
    assert change.status == "approved" and change.decided_by == head and change.version_after == 2
    html = client.get(NET4).content.decode()
    assert "处20000元以下罚款" in html and "第 2 版" in html and "已批准" in html


def test_reject_needs_a_reason_and_proposer_may_withdraw(client, verified_login, make_user, agency):
    reviewer = _login(client, verified_login, make_user, agency, "reviewer")
    _propose(client, action="suspend", reason="上位法修订，暂停适用")
    change = ItemChange.objects.get()
    assert change.diff == {"status": ["active", "suspended"]}
    _login(client, verified_login, make_user, agency, "head")
    r = client.post(reverse("catalog:change_decide", args=[change.pk]), {"decision": "reject", "note": ""})
    assert r.status_code == 200
    assert "请写明驳回理由" in r.context["form"].errors["note"][0]
    assert ItemChange.objects.get().status == "pending"
    # only the proposer withdraws
    r = client.post(reverse("catalog:change_decide", args=[change.pk]), {"decision": "withdraw"})
    assert r.status_code == 403
    client.logout()
    verified_login(client, reviewer)
    r = client.post(reverse("catalog:change_decide", args=[change.pk]), {"decision": "withdraw"})
    assert r.status_code == 302 and ItemChange.objects.get().status == "withdrawn"
    assert EnforcementItem.objects.get(code="WH-NET-004").status == "active"


@pytest.mark.parametrize("data,field,message", [
    ({"fine_rule": "{not json"}, "fine_rule", "不是有效的 JSON"),
    ({"fine_rule": "[1, 2]"}, "fine_rule", "JSON 对象"),
    ({"fine_rule": '{"type": "range", "min": 50000, "max": 10000}'}, "fine_rule", "罚款规则"),
    ({"reason": ""}, "reason", "请写明调整理由"),
    ({"name": ""}, "name", "事项名称"),
    ({"action": "explode"}, "action", "请选择调整类型"),
    ({"action": "restore"}, "action", "不能恢复适用"),
    ({"kinds_mandatory": ["detention"]}, "kinds_mandatory", "所选处罚种类无法识别"),
    ({"basis": "依" * 256}, "basis", "不得超过 255 个字"),
])
def test_propose_refusals_named_by_field(client, verified_login, make_user, agency, data, field, message):
    _login(client, verified_login, make_user, agency, "reviewer")
    r = _propose(client, **data)
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert field in errors and message in errors[field][0], errors
    assert message in r.content.decode()
    assert not ItemChange.objects.exists()


def test_propose_without_any_change_is_refused(client, verified_login, make_user, agency):
    _login(client, verified_login, make_user, agency, "reviewer")
    r = _propose(client)
    assert r.status_code == 200 and "调整内容与现行内容相同" in r.context["form"].non_field_errors()[0]


@pytest.mark.parametrize("role", ["officer", "clerk", "secadmin", "auditadmin"])
def test_who_may_not_propose_or_decide(client, verified_login, make_user, agency, role):
    proposer = make_user(agency, roles=("reviewer",))
    from zhifa.catalog import services

    change = services.propose_change(actor=proposer, item=EnforcementItem.objects.get(code="WH-NET-004"),
                                     action="suspend", proposed={}, reason="测试")
    _login(client, verified_login, make_user, agency, role)
    assert client.get(reverse("catalog:changes")).status_code == 200  # everyone reads
    r = client.get(reverse("catalog:change", args=[change.pk]))
    assert r.status_code == 200 and not r.context["may_decide"]
    assert client.get(reverse("catalog:change_propose", args=["WH-NET-004"])).status_code == 403
    assert _propose(client).status_code == 403
    for decision in ("approve", "reject"):
        r = client.post(reverse("catalog:change_decide", args=[change.pk]), {"decision": decision, "note": "x"})
        assert r.status_code == 403
    assert ItemChange.objects.get().status == "pending"


def test_change_list_filters_by_status(client, verified_login, make_user, agency):
    from zhifa.catalog import services

    proposer = make_user(agency, roles=("reviewer",))
    services.propose_change(actor=proposer, item=EnforcementItem.objects.get(code="WH-NET-004"), action="suspend",
                            proposed={}, reason="测试")
    _login(client, verified_login, make_user, agency, "officer")
    r = client.get(reverse("catalog:changes"))
    assert r.context["page"].paginator.count == 1 and r.context["pending_count"] == 1
    assert "暂停适用" in r.content.decode()
    assert client.get(reverse("catalog:changes"), {"status": "approved"}).context["page"].paginator.count == 0
    assert client.get(reverse("catalog:changes"), {"status": "zzz"}).context["page"].paginator.count == 1
    assert client.get(reverse("catalog:change", args=[10**20])).status_code == 404
    assert client.get(reverse("catalog:change", args=[999999])).status_code == 404


# --- garbage everywhere (tests/web/test_no_server_errors.py does this for org/ and parties/) -----------------
GARBAGE_VALUES = ["", "2026-13-45", "abc", "99999999999999999999", "\x00<script>", "丁" * 500, "-1", "1e999"]
GARBAGE_QUERY = {"q": "丁" * 300, "domain": "\x00", "status": "zzz", "page": "-3", "provision": "x", "year": "2026-1",
                 "clock": "???", "start": "2026-02-30", "severity": "all"}
OK = {200, 302, 400, 403, 404, 405}


def _routes():
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    return [r for r in walk(get_resolver().url_patterns) if r.startswith("catalog/")]


def test_every_catalog_page_survives_garbage(client, verified_login, make_user, agency):
    from zhifa.catalog import services

    reviewer = make_user(agency, roles=("reviewer",))
    change = services.propose_change(actor=reviewer, item=EnforcementItem.objects.get(code="WH-NET-001"),
                                     action="suspend", proposed={}, reason="测试")
    users = [make_user(agency, roles=(r,)) for r in ("officer", "sysadmin", "head", "auditadmin")] + [reviewer]
    ids = {"<str:code>": ["WH-NET-004", "WH-NOPE"], "<int:pk>": [str(change.pk), str(10**20)],
           "<str:day>": ["2026-10-01", "2026-02-30"]}
    routes = _routes()
    assert len(routes) >= 12
    checked = 0
    for user in users:
        client.logout()
        verified_login(client, user)
        for route in routes:
            variants = [route]
            for token, values in ids.items():
                if token in route:
                    variants = [v.replace(token, value) for v in variants for value in values]
            for path in variants:
                url = "/" + path
                r = client.get(url, GARBAGE_QUERY)
                assert r.status_code in OK, (user, url, r.status_code)
                html = r.content.decode("utf-8", "replace") if r.status_code == 200 else ""
                fields = set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html))
                fields -= {"csrfmiddlewaretoken", "next", "language"}
                for value in GARBAGE_VALUES:
                    data = dict.fromkeys(fields, value) or {"x": value}
                    data.setdefault("decision", "approve")
                    r = client.post(url, data)
                    assert r.status_code in OK, (user, url, value[:20], r.status_code)
                    checked += 1
    assert checked > 300
    assert EnforcementItem.objects.get(code="WH-NET-004").status == "active"


def test_item_page_shows_the_statutory_escalations(officer_client):
    # 《娱乐场所管理条例》第五十三条第三款: the item page lists the escalation and the calculator asks for the counts
    r = officer_client.get(reverse("catalog:item", args=["WH-ENT-002"]))
    html = r.content.decode()
    assert 'id="escalations"' in html and "第五十三条第三款" in html
    form = r.context["form"]
    assert {"prior_warning_or_fine", "prior_suspend_business"} <= set(form.fields)
    # an item without escalations asks for none of them
    assert not any(n.startswith("prior_") and n != "prior_penalties_in_window"
                   for n in officer_client.get(NET4).context["form"].fields)


@pytest.mark.parametrize("warnings_or_fines, suspensions, kind", [
    pytest.param("3", "0", "责令停产停业", id="ENT-Art53-3-three-warnings-or-fines"),
    pytest.param("0", "2", "吊销许可证件", id="ENT-Art53-3-two-suspensions"),
])
def test_calculator_applies_the_entertainment_escalation(officer_client, warnings_or_fines, suspensions, kind):
    r = officer_client.post(reverse("catalog:item", args=["WH-ENT-002"]),
                            _facts(gains="20000", prior_warning_or_fine=warnings_or_fines,
                                   prior_suspend_business=suspensions))
    assert not r.context["form"].errors, r.context["form"].errors
    result = r.context["result"]
    assert kind in result["mandatory"]
    assert any("第五十三条第三款" in b for s in result["steps"] for b in s["basis"])


def test_calculator_escalation_below_the_count_does_not_apply(officer_client):
    r = officer_client.post(reverse("catalog:item", args=["WH-ENT-002"]),
                            _facts(gains="20000", prior_warning_or_fine="2", prior_suspend_business="1"))
    result = r.context["result"]
    assert "责令停产停业" not in result["mandatory"] and "吊销许可证件" not in result["mandatory"]


def test_calculator_escalation_count_must_be_a_number(officer_client):
    r = officer_client.post(reverse("catalog:item", args=["WH-ENT-002"]), _facts(prior_warning_or_fine="x"))
    assert "prior_warning_or_fine" in r.context["form"].errors
