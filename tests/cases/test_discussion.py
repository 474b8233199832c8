"""The structured 集体讨论 (Art 57(2)): host, recorder, the heads present with their opinions, the absent with their
reasons, the others who attend, the conclusion; the quorum of the policy ``case.collective_quorum``; the case's
handlers do not count. Through the service, the screen and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases import services
from zhifa.cases.models import Case, CaseRecord, CaseStep
from zhifa.law.procedure import Action as A
from zhifa.org.services import set_roles

from .helpers import ALL_CHECKS, key

D = A.HOLD_COLLECTIVE_DISCUSSION.value


def today():
    return timezone.localdate()


def open_clue(actor, party, *handlers, title="接纳未成年人进入营业场所", agency=None) -> Case:
    payload = {"title": title, "clue_source": "inspection", "documents": ["inspection_record"],
               "party": party.pk, "items": ["WH-NET-004"], "act_date": (today() - timedelta(days=3)).isoformat(),
               "discovered_on": (today() - timedelta(days=1)).isoformat(), "handlers": [h.pk for h in handlers]}
    return services.open_case(agency=agency or actor.agency, procedure="general", actor=actor, payload=payload,
                              idempotency_key=key()).case


def step(case, action, actor, **payload):
    taken = services.transition(case.pk, str(action), actor=actor, payload=payload, idempotency_key=key())
    case.refresh_from_db()
    return taken


def to_awaiting_decision(case, zhang, li, head, reviewer, *, major=False, penalty=None):
    step(case, A.FILE, head, documents=["filing_approval_form"])
    step(case, A.START_INVESTIGATION, zhang)
    step(case, A.RECORD_EVIDENCE, li, evidence=[{"kind": "documentary", "description": "上网登记记录"}])
    step(case, A.CLOSE_INVESTIGATION, zhang, documents=["investigation_report", "investigation_closing_form"],
         penalty=penalty or {"kinds": ["warning"]}, major_case=major)
    step(case, A.SUBMIT_REVIEW, zhang, documents=["investigation_report"], reviewer=reviewer.pk)
    step(case, A.PASS_REVIEW, reviewer, documents=["legal_review_opinion"], checks=ALL_CHECKS, opinion="同意")
    step(case, A.SUBMIT_FOR_DECISION, zhang)
    return case


def notify_and_conclude(case, zhang, head):
    """The head approves the proposal; the notice is served, the party waives, the statements are concluded."""
    services.decide_approval(case.pk, "penalty_proposal", actor=head, idempotency_key=key())
    step(case, A.NOTIFY, zhang, documents=["penalty_notice", "service_receipt"])
    step(case, A.WAIVE_STATEMENT, zhang, records=["waiver_statement"])
    step(case, A.CONCLUDE_STATEMENTS, zhang, documents=["statement_review_form"], conclusion="当事人放弃陈述申辩")
    return case


@pytest.fixture
def qian(make_user, bureau):
    return make_user(bureau, roles=("head",), full_name="副局长钱")


@pytest.fixture
def sun(make_user, bureau):
    return make_user(bureau, roles=("head",), full_name="副局长孙")


@pytest.fixture
def major(zhang, li, head, reviewer, party, qian, sun):
    """A major case awaiting its decision, in a bureau with three heads (more than half: two must attend)."""
    return to_awaiting_decision(open_clue(zhang, party, zhang, li), zhang, li, head, reviewer, major=True)


def structured(head, qian, sun, clerk, **over):
    payload = {"held_on": today().isoformat(), "place": "局三楼会议室", "host": head.pk, "recorder": clerk.pk,
               "leaders": [head.pk, qian.pk], "absentees": {str(sun.pk): "外出学习"},
               "others": ["张三（承办人）"],
               "opinions": {str(head.pk): "同意拟处罚意见", str(qian.pk): "同意",
                            "张三（承办人）": "汇报了案件事实和证据"},
               "conclusion": "同意给予警告", "documents": ["collective_discussion_record"]}
    payload.update(over)
    return {k: v for k, v in payload.items() if v is not None}


def refused(case, actor, payload) -> services.StepRefused:
    before = case.version
    with pytest.raises(services.StepRefused) as err:
        services.transition(case.pk, D, actor=actor, payload=payload, idempotency_key=key())
    case.refresh_from_db()
    assert case.version == before and not case.collective_discussion_held
    return err.value


def by_code(err, code):
    return next(v for v in err.violations if v.code == code)


# --- the service ------------------------------------------------------------------------------------------------

def test_recorded_with_quorum(major, head, qian, sun, clerk):
    taken = step(major, D, head, **structured(head, qian, sun, clerk))
    assert major.collective_discussion_held
    p = taken.payload
    assert p["host"] == {"id": head.pk, "name": "局长赵"} and p["recorder"]["name"] == "内勤丁"
    assert p["place"] == "局三楼会议室" and p["held_on"] == today().isoformat()
    assert [(x["name"], x["opinion"]) for x in p["leaders"]] == [("局长赵", "同意拟处罚意见"), ("副局长钱", "同意")]
    assert p["others"] == [{"name": "张三（承办人）", "opinion": "汇报了案件事实和证据"}]
    assert p["absentees"] == [{"id": sun.pk, "name": "副局长孙", "reason": "外出学习"}]
    assert p["attendees"] == ["局长赵", "副局长钱", "张三（承办人）"]  # built for the callers that read names
    assert p["quorum"] == {"heads": 3, "present": 2, "counted": 2, "needed": 2, "rule": {"more_than": "1/2"}}
    assert p["conclusion"] == "同意给予警告"
    # the attendance record the table asks for is registered with the step, with its text
    rec = CaseRecord.objects.get(case=major, code="collective_attendance")
    assert rec.step_id == taken.pk and "主持人：局长赵" in rec.description and "副局长孙（外出学习）" in rec.description
    assert "应到负责人 3 人，实到 2 人" in rec.description
    # the record event carries the same record
    assert taken.event.payload and "局三楼会议室" in str(taken.event.payload)


def test_below_quorum_is_refused_naming_the_field(major, head, qian, sun, clerk):
    err = refused(major, head, structured(head, qian, sun, clerk, leaders=[head.pk], opinions={str(head.pk): "同意"},
                                          absentees={str(qian.pk): "出差", str(sun.pk): "病假"}, others=None))
    v = by_code(err, "discussion_quorum")
    assert v.field == "leaders" and v.message.startswith("出席的负责人")
    assert "共 3 人" in v.message and "超过半数" in v.message and "至少 2 人" in v.message
    assert any("第五十七条第二款" in str(b) for b in v.basis) and any("collective_quorum" in str(b) for b in v.basis)
    assert not CaseRecord.objects.filter(case=major, code="collective_attendance").exists()


def test_quorum_is_a_policy(major, head, qian, sun, clerk):
    from zhifa.catalog.models import PolicyValue

    PolicyValue.objects.create(key="case.collective_quorum", agency=major.agency, value={"at_least": "1/3"},
                               effective_from=today() - timedelta(days=1))
    step(major, D, head, **structured(head, qian, sun, clerk, leaders=[head.pk], opinions={str(head.pk): "同意"},
                                      absentees={str(qian.pk): "出差", str(sun.pk): "病假"}, others=None))
    assert major.collective_discussion_held


def test_host_must_be_a_head_and_attend(major, head, qian, sun, clerk):
    err = refused(major, head, structured(head, qian, sun, clerk, host=clerk.pk))
    v = by_code(err, "discussion_host_not_head")
    assert v.field == "host" and v.message.startswith("主持人") and "内勤丁" in v.message
    err = refused(major, head, structured(head, qian, sun, clerk, host=sun.pk))
    v = by_code(err, "discussion_host_absent")
    assert v.field == "host" and "副局长孙" in v.message


def test_handlers_attend_but_do_not_count(major, zhang, head, qian, sun, clerk):
    set_roles(zhang, ("officer", "head"), actor=None)  # a head who handles the case
    opinions = {str(head.pk): "同意", str(zhang.pk): "汇报案情"}
    err = refused(major, head, structured(head, qian, sun, clerk, leaders=[head.pk, zhang.pk], opinions=opinions,
                                          absentees={str(qian.pk): "出差", str(sun.pk): "病假"}, others=None))
    v = by_code(err, "discussion_quorum")
    assert "共 4 人" in v.message and "计入的出席负责人只有 1 人" in v.message and "张三承办本案，不计入" in v.message
    # with the other two heads the quorum (3 of 4) is there; the handler still attends to report
    taken = step(major, D, head, **structured(head, qian, sun, clerk, leaders=[head.pk, qian.pk, sun.pk, zhang.pk],
                                              opinions={**opinions, str(qian.pk): "同意", str(sun.pk): "同意"},
                                              absentees=None, others=None))
    assert taken.payload["quorum"]["counted"] == 3 and taken.payload["quorum"]["present"] == 4
    assert [x["handler"] for x in taken.payload["leaders"]] == [False, False, False, True]


def test_every_head_present_gives_an_opinion_and_every_absent_one_a_reason(major, head, qian, sun, clerk):
    err = refused(major, head, structured(head, qian, sun, clerk, opinions={str(head.pk): "同意"}, absentees={}))
    fields = {v.field: v for v in err.violations}
    assert fields[f"opinions.{qian.pk}"].message == "出席人员的意见：请填写副局长钱的意见"
    assert fields[f"absentees.{sun.pk}"].message.startswith("缺席的负责人：副局长孙未出席")
    err = refused(major, head, structured(head, qian, sun, clerk, leaders=[head.pk, clerk.pk],
                                          opinions={str(head.pk): "同意", str(clerk.pk): "同意", "路人": "?"}))
    fields = {v.field: v for v in err.violations}
    assert "内勤丁不是本机关负责人" in fields["leaders[1]"].message
    assert fields["opinions.路人"].code == "discussion_not_attendee"


def test_structured_fields_are_required_together_and_names_alone_still_work(major, head, qian, sun, clerk):
    err = refused(major, head, {"leaders": [head.pk, qian.pk], "conclusion": "同意",
                                "documents": ["collective_discussion_record"], "records": ["collective_attendance"]})
    assert {"place", "host", "recorder"} <= {v.field for v in err.violations if v.code == "payload_required"}
    err = refused(major, head, structured(head, qian, sun, clerk, attendees=["局长赵"]))
    assert by_code(err, "payload_conflict").field == "attendees"
    err = refused(major, head, {"conclusion": "同意", "documents": ["collective_discussion_record"]})
    assert by_code(err, "payload_required").field == "attendees"
    # the names-only form of existing callers
    taken = step(major, D, head, attendees=["局长赵", "副局长钱"], conclusion="同意",
                 documents=["collective_discussion_record"], records=["collective_attendance"])
    assert taken.payload["attendees"] == ["局长赵", "副局长钱"] and "host" not in taken.payload
    assert major.collective_discussion_held


def test_quorum_policy_checks_its_value():
    from zhifa.cases.policies import register
    from zhifa.catalog.policies import parameter
    from zhifa.law.errors import RuleViolation

    register()
    p = parameter("case.collective_quorum")
    assert p.default == {"more_than": "1/2"} and "[U]" in p.help and "[U]" in p.citation
    assert p.check({"at_least": "4/6"}) == {"at_least": "2/3"}
    for bad in ({"more_than": "1"}, {"most": "1/2"}, "1/2", {"at_least": "0"}, {"at_least": "x"}):
        with pytest.raises(RuleViolation):
            p.check(bad)


# --- the screen -------------------------------------------------------------------------------------------------

def _form_data(page, head, qian, sun, clerk, **over):
    form = page.context["form"]
    data = {"idempotency_key": form["idempotency_key"].value(), "expected_version": form["expected_version"].value(),
            "held_on": today().isoformat(), "place": "局三楼会议室", "host": head.pk, "recorder": clerk.pk,
            "leaders": [head.pk, qian.pk], f"opinion_{head.pk}": "同意拟处罚意见", f"opinion_{qian.pk}": "同意",
            f"absence_{sun.pk}": "外出学习", "other_name_0": "张三（承办人）", "other_opinion_0": "汇报案情",
            "conclusion": "同意给予警告", "documents": ["collective_discussion_record"]}
    data.update(over)
    return data


def test_screen_records_the_discussion_and_the_case_page_shows_it(major, head, qian, sun, clerk, as_user):
    c = as_user(head)
    url = reverse("cases:discussion", args=[major.pk])
    page = c.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "副局长钱" in html and "副局长孙" in html
    assert "本机关负责人共 3 人" in html and "至少 2 人" in html
    detail = c.get(reverse("cases:detail", args=[major.pk])).content.decode()
    assert url in detail  # the case page offers the structured screen for 集体讨论
    r = c.post(url, _form_data(page, head, qian, sun, clerk))
    assert r.status_code == 302 and r.url == reverse("cases:detail", args=[major.pk]) + "#discussion"
    major.refresh_from_db()
    assert major.collective_discussion_held
    p = CaseStep.objects.get(case=major, action=D).payload
    assert p["host"]["name"] == "局长赵" and p["absentees"][0]["reason"] == "外出学习"
    section = c.get(r.url).content.decode().split('id="discussion"')[1].split("</section>")[0]
    for text in ("局三楼会议室", "局长赵", "内勤丁", "同意拟处罚意见", "张三（承办人）", "汇报案情",
                 "副局长孙（外出学习）", "同意给予警告"):
        assert text in section, text


def test_screen_below_quorum_keeps_the_values_and_names_the_field(major, head, qian, sun, clerk, as_user):
    c = as_user(head)
    url = reverse("cases:discussion", args=[major.pk])
    page = c.get(url)
    data = _form_data(page, head, qian, sun, clerk, leaders=[head.pk], **{f"absence_{qian.pk}": "出差"})
    r = c.post(url, data)
    assert r.status_code == 200
    html = r.content.decode()
    assert "出席的负责人：本机关负责人共 3 人" in html
    assert r.context["form"].errors["leaders"]
    for kept in ("局三楼会议室", "同意拟处罚意见", "张三（承办人）", "汇报案情", "出差", "同意给予警告"):
        assert kept in html, kept
    box = html.split(f'id="id_leaders_{head.pk}"')[1].split(">")[0]
    assert " checked" in box and f'id="id_leaders_{qian.pk}"' in html
    assert " checked" not in html.split(f'id="id_leaders_{qian.pk}"')[1].split(">")[0]
    # no host chosen: the error sits at the host field
    r = c.post(url, _form_data(page, head, qian, sun, clerk, host=""))
    assert r.status_code == 200 and r.context["form"].errors["host"]
    major.refresh_from_db()
    assert not major.collective_discussion_held and not CaseStep.objects.filter(case=major, action=D).exists()
    # the same form once more, now complete: taken once
    ok = c.post(url, _form_data(page, head, qian, sun, clerk))
    assert ok.status_code == 302
    c.post(url, _form_data(page, head, qian, sun, clerk))
    assert CaseStep.objects.filter(case=major, action=D).count() == 1


def test_screen_is_for_heads_of_the_agency(major, zhang, reviewer, as_user):
    url = reverse("cases:discussion", args=[major.pk])
    assert as_user(zhang).get(url).status_code == 403
    assert as_user(reviewer).get(url).status_code == 403


def test_generic_form_still_records_names(major, head, as_user):
    c = as_user(head)
    url = reverse("cases:act", args=[major.pk, D])
    page = c.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    r = c.post(url, {"idempotency_key": form["idempotency_key"].value(), "attendees": "局长赵\n副局长钱",
                     "conclusion": "同意", "documents": ["collective_discussion_record"],
                     "records": ["collective_attendance"]})
    assert r.status_code == 302
    assert CaseStep.objects.get(case=major, action=D).payload["attendees"] == ["局长赵", "副局长钱"]


# --- the API ----------------------------------------------------------------------------------------------------

def test_api_accepts_the_structured_payload(major, head, qian, sun, clerk, client):
    import json

    from zhifa.api import tokens

    _, secret = tokens.issue(head)
    headers = {"Authorization": f"Token {secret}"}
    path = f"/api/v1/cases/{major.pk}/actions/{D}"

    def post(body):
        return client.post(path, data=json.dumps(body, ensure_ascii=False), content_type="application/json",
                           headers={**headers, "Idempotency-Key": key()})

    low = post(structured(head, qian, sun, clerk, leaders=[head.pk], opinions={str(head.pk): "同意"},
                          absentees={str(qian.pk): "出差", str(sun.pk): "病假"}, others=None))
    assert low.status_code == 422
    assert ("discussion_quorum", "leaders") in {(v["code"], v["field"]) for v in low.json()["violations"]}
    ok = post(structured(head, qian, sun, clerk))
    assert ok.status_code == 201, ok.json()
    step_id = ok.json()["step"]["version"]
    p = CaseStep.objects.get(case=major, version=step_id).payload
    assert p["attendees"] == ["局长赵", "副局长钱", "张三（承办人）"] and p["quorum"]["counted"] == 2
