"""The 法制股 reviewer's workspace (/cases/<pk>/review/): who may open it, passing and failing a review with the
seven checks of law.md §2.3 and their notes, refusals on their field, double and stale submits, and check_notes
through the payload schema and the API."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from zhifa.cases import services
from zhifa.cases.models import CaseStep, LegalReview
from zhifa.cases.payload import REVIEW_CHECKS
from zhifa.law.procedure import Action as A

from .helpers import ALL_CHECKS, AV_REASON, key
from .test_views import open_clue, step


def under_review(zhang, li, head, party, reviewer=None):
    case = open_clue(zhang, party, zhang, li)
    step(case, A.FILE, head, documents=["filing_approval_form"])
    step(case, A.START_INVESTIGATION, zhang)
    step(case, A.RECORD_EVIDENCE, li, evidence=[{"kind": "documentary", "description": "上网登记记录复印件"}])
    step(case, A.CLOSE_INVESTIGATION, zhang, documents=["investigation_report", "investigation_closing_form"],
         penalty={"kinds": ["warning"]})
    extra = {"reviewer": reviewer.pk} if reviewer is not None else {}
    step(case, A.SUBMIT_REVIEW, zhang, documents=["investigation_report"], **extra)
    return case


@pytest.fixture
def case(zhang, li, head, party, reviewer):
    return under_review(zhang, li, head, party, reviewer)


def url(case):
    return reverse("cases:review", args=[case.pk])


def form_data(page, *, decision="pass", checks=None, notes=None, opinion="事实清楚，证据确凿，程序合法，同意") -> dict:
    """What the reviewer submits: every check 符合 unless ``checks`` says otherwise ({code: "ok"/"fail"/""})."""
    form = page.context["form"]
    data = {"idempotency_key": form["idempotency_key"].value(), "expected_version": form["expected_version"].value(),
            "opinion": opinion, "decision": decision, "documents": ["legal_review_opinion"]}
    for code in REVIEW_CHECKS:
        data[f"check_{code}"] = (checks or {}).get(code, "ok")
        data[f"note_{code}"] = (notes or {}).get(code, "")
    return data


# --- who may open it ---------------------------------------------------------------------------------------------

def test_the_workspace_shows_what_the_checks_look_at(case, reviewer, as_user):
    r = as_user(reviewer).get(url(case))
    assert r.status_code == 200
    html = r.content.decode()
    for text in ("平舆县文化广电和旅游局", "张三", "李四", "具备执法资格", "提请法制审核", "平舆县星河网络会所有限公司",
                 "WH-NET-004", "上网登记记录复印件", "调查终结报告", "警告", "尚未进行裁量计算", "本案此前未经法制审核",
                 "未报告涉嫌犯罪", "审核通过", "审核不通过", *REVIEW_CHECKS.values()):
        assert text in html, text


def test_a_handler_may_not_open_it(case, zhang, make_user, bureau, as_user):
    assert as_user(zhang).get(url(case)).status_code == 403
    # a reviewer who is also a handler of the case (separation of duties)
    both = make_user(bureau, roles=("officer", "reviewer"), full_name="兼任审核员", has_legal_qualification=True)
    services.add_handler(case.pk, both, actor=zhang, idempotency_key=key())
    assert as_user(both).get(url(case)).status_code == 403


def test_a_non_reviewer_and_another_reviewer_may_not_open_it(case, head, host, as_user):
    assert as_user(head).get(url(case)).status_code == 403
    # the review is assigned to the fixture's reviewer, not to the hearing host (also a reviewer)
    assert as_user(host).get(url(case)).status_code == 403


def test_an_unassigned_review_is_open_to_any_reviewer(zhang, li, head, party, host, as_user):
    case = under_review(zhang, li, head, party)
    assert as_user(host).get(url(case)).status_code == 200


def test_wrong_state_is_404(zhang, li, head, party, reviewer, as_user):
    case = open_clue(zhang, party, zhang, li)
    assert as_user(reviewer).get(url(case)).status_code == 404
    assert as_user(reviewer).get("/cases/999999/review/").status_code == 404


# --- passing and failing ------------------------------------------------------------------------------------------

def test_pass_with_every_check(case, reviewer, as_user):
    c = as_user(reviewer)
    notes = {"procedure": "立案、调查、告知程序齐备"}
    r = c.post(url(case), form_data(c.get(url(case)), notes=notes))
    assert r.status_code == 302 and r.url == reverse("cases:detail", args=[case.pk])
    review = LegalReview.objects.get(case=case)
    assert review.status == "passed" and review.reviewer == reviewer
    assert review.checks == {code: {"ok": True, "note": ""} for code in REVIEW_CHECKS}
    assert review.check_notes == notes
    case.refresh_from_db()
    assert case.state == "review_passed"
    html = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "立案、调查、告知程序齐备" in html and "已办理：法制审核通过" in html


def test_fail_with_notes(case, reviewer, zhang, as_user):
    c = as_user(reviewer)
    checks = {"facts_and_evidence": "fail", "documents": "fail"}
    notes = {"facts_and_evidence": "未成年人身份证据不足", "documents": "缺少送达回证"}
    r = c.post(url(case), form_data(c.get(url(case)), decision="fail", checks=checks, notes=notes,
                                    opinion="证据不足，建议补充调查"))
    assert r.status_code == 302
    review = LegalReview.objects.get(case=case)
    assert review.status == "failed" and review.opinion == "证据不足，建议补充调查"
    assert review.checks["facts_and_evidence"]["ok"] is False and review.checks["procedure"]["ok"] is True
    assert review.check_notes == notes
    case.refresh_from_db()
    assert case.state == "review_failed"
    # the case page shows each check with its note, to the officer too
    html = as_user(zhang).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "未成年人身份证据不足" in html and "缺少送达回证" in html and "不符合" in html


def test_a_failed_check_without_a_note_is_refused_naming_it(case, reviewer, as_user):
    c = as_user(reviewer)
    data = form_data(c.get(url(case)), decision="fail", checks={"procedure": "fail"}, opinion="程序违法")
    r = c.post(url(case), data)
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert "执法程序合法" in errors["note_procedure"][0]
    assert LegalReview.objects.get(case=case).status == "pending"


def test_a_pass_with_an_unconfirmed_check_is_refused_on_that_check(case, reviewer, as_user):
    c = as_user(reviewer)
    data = form_data(c.get(url(case)), checks={"criminal_transfer": ""}, notes={"procedure": "程序合法"},
                     opinion="同意，请补充")
    r = c.post(url(case), data)
    assert r.status_code == 200
    assert {v.code for v in r.context["violations"]} == {"review_check_open"}
    html = r.content.decode()
    assert "第五十八条" in html
    assert "不涉嫌犯罪或者已依法移送" in r.context["form"].errors["check_criminal_transfer"][0]
    # the values are kept
    form = r.context["form"]
    assert form["opinion"].value() == "同意，请补充" and form["note_procedure"].value() == "程序合法"
    assert form["check_body_and_officers"].value() == "ok"
    assert form["idempotency_key"].value() == data["idempotency_key"]
    assert LegalReview.objects.get(case=case).status == "pending"
    # a 不符合 check cannot pass either
    data = {**data, "check_criminal_transfer": "fail", "note_criminal_transfer": "涉嫌犯罪，未移送"}
    r = c.post(url(case), data)
    assert "check_criminal_transfer" in r.context["form"].errors
    assert LegalReview.objects.get(case=case).status == "pending"


def test_opinion_and_decision_are_required(case, reviewer, as_user):
    c = as_user(reviewer)
    data = form_data(c.get(url(case)), opinion="")
    del data["decision"]
    r = c.post(url(case), data)
    assert r.status_code == 200
    assert set(r.context["form"].errors) >= {"opinion", "decision"}


def test_double_submit_is_taken_once_and_stale_form_is_refused(case, reviewer, as_user):
    c = as_user(reviewer)
    data = form_data(c.get(url(case)))
    assert c.post(url(case), data).status_code == 302
    r = c.post(url(case), data, follow=True)
    assert "已办理过" in r.content.decode()
    assert CaseStep.objects.filter(case=case, action="pass_review").count() == 1


def test_a_stale_form_is_a_conflict(zhang, li, head, party, as_user, host):
    case = under_review(zhang, li, head, party)
    c = as_user(host)
    data = form_data(c.get(url(case)))
    services.record_material(case.pk, [AV_REASON], actor=zhang, idempotency_key=key())
    r = c.post(url(case), data)
    assert r.status_code == 409
    html = r.content.decode()
    assert "已被他人更新" in html and "重新载入" in html
    assert LegalReview.objects.get(case=case).status == "pending"


def test_the_todo_links_to_the_workspace(case, reviewer, as_user):
    r = as_user(reviewer).get(reverse("cases:todo"))
    html = r.content.decode()
    assert url(case) in html and "进入审核" in html
    detail = as_user(reviewer).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert url(case) in detail
    assert reverse("cases:act", args=[case.pk, "pass_review"]) not in detail
    # the generic form still works
    assert as_user(reviewer).get(reverse("cases:act", args=[case.pk, "pass_review"])).status_code == 200


# --- check_notes in the payload and the API -------------------------------------------------------------------

def test_check_notes_are_validated_with_their_field(case, reviewer):
    with pytest.raises(services.StepRefused) as err:
        services.transition(case.pk, A.PASS_REVIEW, actor=reviewer, idempotency_key=key(), payload={
            "opinion": "同意", "checks": ALL_CHECKS, "documents": ["legal_review_opinion"],
            "check_notes": {"nonsense": "x", "procedure": "长" * 1001, "documents": 5}})
    fields = {v.field: v.message for v in err.value.violations}
    assert set(fields) == {"check_notes.nonsense", "check_notes.procedure", "check_notes.documents"}
    assert "未知的审核事项" in fields["check_notes.nonsense"]
    assert "执法程序合法" in fields["check_notes.procedure"] and "1000" in fields["check_notes.procedure"]
    with pytest.raises(services.StepRefused) as err:
        services.transition(case.pk, A.FAIL_REVIEW, actor=reviewer, idempotency_key=key(), payload={
            "opinion": "不同意", "check_notes": ["procedure"]})
    assert err.value.violations[0].field == "check_notes"


def test_a_note_given_with_a_check_is_kept_as_its_note(case, reviewer):
    services.transition(case.pk, A.FAIL_REVIEW, actor=reviewer, idempotency_key=key(), payload={
        "opinion": "证据不足", "documents": ["legal_review_opinion"],
        "checks": {"facts_and_evidence": {"ok": False, "note": "缺少身份证明"}, "procedure": True},
        "check_notes": {"procedure": "程序合法"}})
    review = LegalReview.objects.get(case=case)
    assert review.check_notes == {"facts_and_evidence": "缺少身份证明", "procedure": "程序合法"}


def test_check_notes_through_the_api(case, reviewer, client):
    from zhifa.api import tokens

    _, secret = tokens.issue(reviewer)
    headers = {"Authorization": f"Token {secret}", "Idempotency-Key": key()}
    bad = {"opinion": "同意", "checks": ALL_CHECKS, "check_notes": {"nonsense": "x"}}
    r = client.post(f"/api/v1/cases/{case.pk}/actions/pass_review", json.dumps(bad, ensure_ascii=False),
                    content_type="application/json", headers=headers)
    assert 400 <= r.status_code < 500 and "check_notes.nonsense" in r.content.decode()
    body = {"opinion": "同意", "checks": ALL_CHECKS, "documents": ["legal_review_opinion"],
            "check_notes": {"within_power": "未超越法定权限"}}
    headers["Idempotency-Key"] = key()
    r = client.post(f"/api/v1/cases/{case.pk}/actions/pass_review", json.dumps(body, ensure_ascii=False),
                    content_type="application/json", headers=headers)
    assert r.status_code in (200, 201), r.content.decode()
    assert LegalReview.objects.get(case=case).check_notes == {"within_power": "未超越法定权限"}


def test_a_fail_with_every_check_confirmed_is_refused(case, reviewer, as_user):
    c = as_user(reviewer)
    r = c.post(url(case), form_data(c.get(url(case)), decision="fail", opinion="不同意"))
    assert r.status_code == 200
    assert {v.code for v in r.context["violations"]} == {"review_all_ok"}
    assert "应当审核通过" in r.content.decode()
    assert LegalReview.objects.get(case=case).status == "pending"


def test_garbage_never_gives_a_500(case, reviewer, as_user):
    from .test_views import GARBAGE

    c = as_user(reviewer)
    for g in GARBAGE:
        data = {"idempotency_key": g, "expected_version": g, "opinion": g, "decision": g, "documents": g,
                **{f"check_{code}": g for code in REVIEW_CHECKS}, **{f"note_{code}": g for code in REVIEW_CHECKS}}
        assert c.post(url(case), data).status_code < 500, g
    assert LegalReview.objects.get(case=case).status == "pending"
