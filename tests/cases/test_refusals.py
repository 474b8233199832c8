"""Refusals surfaced by the case service, each with its article, on real rows: who may act (Art 42, 43, 58),
what the payload may say, and who may do the bookkeeping acts."""

from __future__ import annotations

from datetime import date

import pytest

from zhifa.cases import services
from zhifa.cases.models import CaseDocument, CaseHandler, CaseRecord
from zhifa.law.errors import RuleViolation
from zhifa.law.procedure import Action as A
from zhifa.law.procedure import State
from zhifa.org.models import CertificateStatusChange

from .helpers import ALL_CHECKS, AV_REASON, cited, codes, key, refused, step
from .test_walks import investigate, open_general

D = date


@pytest.fixture
def closed(zhang, li, head, party):
    """A case at 调查终结 with a proposed fine of 5000 yuan."""
    case = open_general(zhang, party, zhang, li)
    investigate(case, zhang, li, head, penalty={"kinds": ["fine"], "fine": 5000})
    return case


# --- Art 42: two officers qualified for the item's domain, on the day they act ----------------------------------

def test_fewer_than_two_qualified_officers(zhang, make_user, bureau, head, party):
    novice = make_user(bureau, roles=("officer",), full_name="新人甲")  # no certificate, no training
    case = open_general(zhang, party, zhang, novice)
    err = refused(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    assert codes(err) == {"officers_too_few"}
    text = cited(err, "officers_too_few")
    assert "第四十二条" in text and "新人甲" in text and "只有1名" in text


def test_qualification_is_judged_on_the_day_of_the_step(zhang, li, head, clerk, party):
    """李四's certificate is suspended from 04-01: the case filed in March cannot be decided by them in May."""
    case = open_general(zhang, party, zhang, li)
    step(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    cert = li.certificates.get()
    CertificateStatusChange.objects.create(certificate=cert, status="suspended", effective_on=D(2026, 4, 1),
                                           reason="涉嫌违纪，暂扣执法证", recorded_by=clerk)
    step(case, A.START_INVESTIGATION, zhang, D(2026, 3, 31))
    err = refused(case, A.INSPECT, zhang, D(2026, 4, 2), credentials_shown=True, records=[AV_REASON])
    assert codes(err) == {"officers_too_few"} and "李四" in err.message


def test_item_of_a_domain_the_officers_are_not_certified_for(zhang, li, head, party):
    case = open_general(zhang, party, zhang, li, items=("WH-TRV-001",))  # 旅游: not on their certificates
    assert "officers_too_few" in codes(refused(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"]))


# --- Art 43: a handler with a ground for recusal -----------------------------------------------------------------

def test_conflict_of_a_handler_then_replaced(zhang, li, wang, head, party):
    case = open_general(zhang, party, zhang, li)
    step(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    # the officer declares it themselves (the head decides the recusal, Art 43)
    services.declare_conflict(case.pk, li, actor=li, reason="当事人法定代表人系其亲属", idempotency_key=key(),
                              today=D(2026, 3, 5))
    err = refused(case, A.START_INVESTIGATION, zhang, D(2026, 3, 5))
    assert codes(err) == {"handler_conflict"}
    assert "第四十三条" in cited(err, "handler_conflict") and "李四" in err.message
    services.remove_handler(case.pk, li, actor=head, reason="回避", idempotency_key=key(), today=D(2026, 3, 6))
    services.add_handler(case.pk, wang, actor=head, idempotency_key=key(), today=D(2026, 3, 6))
    step(case, A.START_INVESTIGATION, zhang, D(2026, 3, 6))
    assert case.state == State.INVESTIGATING
    assert CaseHandler.objects.filter(case=case, removed_on__isnull=True).count() == 2
    # a removed handler investigated: still counted among the investigators (may not review or host a hearing)
    assert CaseHandler.objects.get(case=case, user=li).removed_on == D(2026, 3, 6)


def test_only_the_head_or_the_officer_declares_a_conflict(zhang, li, wang, head, party):
    case = open_general(zhang, party, zhang, li)
    with pytest.raises(services.StepRefused) as err:
        services.declare_conflict(case.pk, li, actor=zhang, reason="传闻", idempotency_key=key(), today=D(2026, 3, 4))
    assert err.value.code == "role_not_allowed"
    with pytest.raises(services.StepRefused) as err:
        services.remove_handler(case.pk, li, actor=zhang, reason="x", idempotency_key=key(), today=D(2026, 3, 4))
    assert err.value.code == "role_not_allowed"
    with pytest.raises(services.StepRefused) as err:
        services.add_handler(case.pk, zhang, actor=head, idempotency_key=key(), today=D(2026, 3, 4))
    assert err.value.code == "handler_exists"
    # the lead officer may bring a colleague in
    services.add_handler(case.pk, wang, actor=zhang, idempotency_key=key(), today=D(2026, 3, 4))


# --- Art 58: no decision without a passed review; a reviewer who handled the case; Art 58(2) -------------------

def test_missing_review_refused_before_the_head(closed, zhang):
    err = refused(closed, A.SUBMIT_FOR_DECISION, zhang, D(2026, 4, 21))
    assert codes(err) == {"review_not_passed"}
    assert "第五十八条" in cited(err, "review_not_passed") and "未经法制审核" in err.message


def test_failed_review_sends_the_case_back(closed, zhang, reviewer):
    step(closed, A.SUBMIT_REVIEW, zhang, D(2026, 4, 21))
    # a failed review needs its opinion; all checks confirmed means it should pass
    err = refused(closed, A.FAIL_REVIEW, reviewer, D(2026, 4, 22), documents=["legal_review_opinion"],
                  checks=ALL_CHECKS, opinion="不同意")
    assert codes(err) == {"review_all_ok"}
    step(closed, A.FAIL_REVIEW, reviewer, D(2026, 4, 22), documents=["legal_review_opinion"],
         checks={"facts_and_evidence": {"ok": False, "note": "未成年人身份证据不足"}}, opinion="证据不足，建议补充调查")
    assert closed.state == State.REVIEW_FAILED
    assert codes(refused(closed, A.SUBMIT_FOR_DECISION, zhang, D(2026, 4, 23))) == {"action_not_available"}
    step(closed, A.REINVESTIGATE, zhang, D(2026, 4, 23), reason="补充身份证据")
    assert closed.state == State.INVESTIGATING


def test_pass_needs_every_check_confirmed(closed, zhang, reviewer):
    step(closed, A.SUBMIT_REVIEW, zhang, D(2026, 4, 21))
    checks = {**ALL_CHECKS, "documents": {"ok": False, "note": "缺少送达回证"}}
    err = refused(closed, A.PASS_REVIEW, reviewer, D(2026, 4, 22), documents=["legal_review_opinion"], checks=checks,
                  opinion="同意")
    assert codes(err) == {"review_check_open"} and err.field == "checks.documents"


def test_reviewer_who_handled_the_case(make_officer, zhang, head, reviewer, party):
    both = make_officer("王五", roles=("officer", "reviewer"), has_legal_qualification=True,
                        legal_qualification_no="A20180000001")
    case = open_general(zhang, party, zhang, both)
    investigate(case, zhang, both, head, penalty={"kinds": ["fine"], "fine": 5000})
    step(case, A.SUBMIT_REVIEW, zhang, D(2026, 4, 21))
    err = refused(case, A.PASS_REVIEW, both, D(2026, 4, 22), documents=["legal_review_opinion"], checks=ALL_CHECKS,
                  opinion="同意")
    assert codes(err) == {"reviewer_is_handler"}
    assert "王五" in err.message and "法制审核人员不得审核本人承办或者调查的案件" in cited(err, "reviewer_is_handler")
    # nothing of the refused request stays: not even its opinion document
    assert not CaseDocument.objects.filter(case=case, code="legal_review_opinion").exists()
    step(case, A.PASS_REVIEW, reviewer, D(2026, 4, 22), documents=["legal_review_opinion"], checks=ALL_CHECKS,
         opinion="同意")


def test_first_time_reviewer_needs_the_legal_qualification(closed, zhang, make_user, bureau):
    novice = make_user(bureau, roles=("reviewer",), full_name="新审核员")
    veteran = make_user(bureau, roles=("reviewer",), full_name="老审核员", first_review_on=D(2019, 5, 6))
    step(closed, A.SUBMIT_REVIEW, zhang, D(2026, 4, 21))
    payload = {"documents": ["legal_review_opinion"], "checks": ALL_CHECKS, "opinion": "同意"}
    err = refused(closed, A.PASS_REVIEW, novice, D(2026, 4, 22), **payload)
    assert codes(err) == {"reviewer_unqualified"} and "第五十八条第二款" in cited(err, "reviewer_unqualified")
    # reviewing since before the 2021 law came into force: not "初次从事" (Art 58(2))
    step(closed, A.PASS_REVIEW, veteran, D(2026, 4, 22), **payload)


# --- roles, agency, state ------------------------------------------------------------------------------------------

def test_role_and_state_and_agency(zhang, li, head, make_agency, make_user, bureau, party):
    case = open_general(zhang, party, zhang, li)
    err = refused(case, A.FILE, zhang, D(2026, 3, 5), documents=["filing_approval_form"])
    assert "role_not_allowed" in codes(err)
    assert codes(refused(case, A.DECIDE_PENALTY, head, D(2026, 3, 5))) == {"action_not_available"}
    # the head of the agency above sees the case but does not act in this agency's name
    city = make_agency("驻马店市文化广电和旅游局", short_name="驻文旅")
    bureau.parent = city
    bureau.save()
    city_head = make_user(city, roles=("head",))
    assert services.visible_cases(city_head).filter(pk=case.pk).exists()
    with pytest.raises(RuleViolation) as err:
        services.transition(case.pk, A.FILE, actor=city_head, payload={}, idempotency_key=key(), today=D(2026, 3, 5))
    assert err.value.code == "not_case_agency"
    # another county's officer does not even see it
    other = make_user(make_agency("其他县文旅局"), roles=("officer",))
    with pytest.raises(RuleViolation) as err:
        services.transition(case.pk, A.START_INVESTIGATION, actor=other, payload={}, idempotency_key=key())
    assert err.value.code == "case_not_found"


def test_payload_errors_name_their_fields(zhang, li, head, party):
    case = open_general(zhang, party, zhang, li)
    err = refused(case, A.FILE, head, D(2026, 3, 5), filed_on="2026-03-40", color="red")
    assert {(v.code, v.field) for v in err.violations} == {("payload_invalid", "filed_on"),
                                                          ("payload_unknown_field", "color")}
    err = refused(case, A.FILE, head, D(2026, 3, 5), filed_on="2026-03-06")
    assert err.field == "filed_on" and "不能晚于办理当日" in err.message
    step(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    step(case, A.START_INVESTIGATION, zhang, D(2026, 3, 5))
    err = refused(case, A.RECORD_EVIDENCE, zhang, D(2026, 3, 6),
                  evidence=[{"kind": "rumour", "description": "x"}, {"kind": "documentary"}])
    assert {v.field for v in err.violations} == {"evidence[0].kind", "evidence[1].description"}
    assert not CaseRecord.objects.filter(case=case).exists()
    err = refused(case, A.CLOSE_INVESTIGATION, zhang, D(2026, 3, 6), penalty={"kinds": ["fine", "detention"]})
    assert err.field == "penalty.kinds" and "第十八条第三款" in str(err)
    err = refused(case, A.CLOSE_INVESTIGATION, zhang, D(2026, 3, 6), penalty={"kinds": ["fine"], "fine": "12.345"})
    assert err.field == "penalty.fine" and "分" in err.message
    err = refused(case, A.CLOSE_INVESTIGATION, zhang, D(2026, 3, 6),
                  penalty={"kinds": ["warning"], "fine": 100, "confiscation": 5})
    assert err.field == "penalty.fine"
    with pytest.raises(RuleViolation) as bad:
        services.transition(case.pk, "fly", actor=zhang, payload={}, idempotency_key=key())
    assert bad.value.code == "action_unknown"


def test_approval_only_by_the_head(zhang, li, head, party):
    case = open_general(zhang, party, zhang, li)
    with pytest.raises(services.StepRefused) as err:
        services.decide_approval(case.pk, "seizure", actor=zhang, idempotency_key=key(), today=D(2026, 3, 4))
    assert err.value.code == "role_not_allowed" and "第十八条" in str(err.value)
    with pytest.raises(services.StepRefused) as err:
        services.decide_approval(case.pk, "party", actor=head, idempotency_key=key(), today=D(2026, 3, 4))
    assert err.value.field == "kind"


def test_a_refused_approval_does_not_count(zhang, li, head, party):
    case = open_general(zhang, party, zhang, li)
    step(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    step(case, A.START_INVESTIGATION, zhang, D(2026, 3, 5))
    services.decide_approval(case.pk, "preservation", actor=head, approved=False, opinion="证据不存在灭失可能",
                             idempotency_key=key(), today=D(2026, 3, 9))
    err = refused(case, A.PRESERVE, zhang, D(2026, 3, 10), credentials_shown=True,
                  documents=["preservation_notice", "item_list"], records=[AV_REASON])
    assert codes(err) == {"head_approval_missing"} and "第五十六条" in cited(err, "head_approval_missing")
