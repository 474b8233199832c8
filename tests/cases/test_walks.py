"""Complete cases walked through the case service on the real database: real catalog items, officers with
certificates, real approvals, reviews and clocks; every step writes exactly one record event with its case.

Dates are in 2026 (Dragon Boat Festival: Fri 06-19 off). Each refusal on the way is shown with its article.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case, CaseClock, CaseDocument, CaseStep, ClockPause, LegalReview, Payment
from zhifa.law.errors import RuleViolation
from zhifa.law.procedure import Action as A
from zhifa.law.procedure import State
from zhifa.records.models import Event
from zhifa.records.services import verify_chain

from .helpers import ALL_CHECKS, AV_REASON, av_file, av_record, cited, codes, key, refused, step

D = date


def running(case: Case) -> dict[str, date]:
    return {c.code: c.due_on for c in CaseClock.objects.filter(case=case, stopped_on__isnull=True)}


def assert_fully_recorded(case: Case) -> None:
    """One event per step, with the case's id, the step's action, in the same order (the events of the case's files
    apart); the chain verifies."""
    case.refresh_from_db()
    steps = list(CaseStep.objects.filter(case=case).select_related("event").order_by("version"))
    events = list(Event.objects.filter(case_id=case.pk).exclude(subject__startswith="file:").order_by("id"))
    assert [s.event_id for s in steps] == [e.id for e in events]
    assert [e.action for e in events] == [f"cases.{s.action}" for s in steps]
    assert [s.version for s in steps] == list(range(1, case.version + 1))
    assert verify_chain()[1] is None


CLUE_DAY = D(2026, 3, 3)


def open_general(actor, party, *handlers, on=CLUE_DAY, items=("WH-NET-004",), **extra) -> Case:
    payload = {"title": "接纳未成年人进入营业场所", "clue_source": "inspection", "documents": ["inspection_record"],
               "party": party.pk, "items": list(items), "act_date": "2026-03-02", "discovered_on": "2026-03-03",
               "handlers": [h.pk for h in handlers], **extra}
    created = services.open_case(agency=actor.agency, procedure="general", actor=actor, payload=payload,
                                 idempotency_key=key(), today=on)
    return created.case


def investigate(case: Case, zhang, li, head, *, penalty=None) -> None:
    """立案 to 调查终结, with 先行登记保存 (head's approval first) and a 检测 period excluded from the 90 days."""
    step(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    step(case, A.START_INVESTIGATION, zhang, D(2026, 3, 5))
    step(case, A.INSPECT, zhang, D(2026, 3, 6), credentials_shown=True, records=[AV_REASON],
         place="星河网络会所")
    step(case, A.INTERVIEW, li, D(2026, 3, 6), credentials_shown=True, documents=["interview_record"],
         interviewee="孙某（法定代表人）")
    step(case, A.RECORD_EVIDENCE, li, D(2026, 3, 6), evidence=[
        {"kind": "audio_visual", "description": "执法记录仪视频：未成年人在场上网",
         "file_hash": av_file(case, li).digest},
        {"kind": "documentary", "description": "上网登记记录复印件"}])
    services.decide_approval(case.pk, "preservation", actor=head, idempotency_key=key(), today=D(2026, 3, 9))
    # each step its own 音像记录 (the inspection's recording does not stand for the preservation's)
    step(case, A.PRESERVE, zhang, D(2026, 3, 10), credentials_shown=True,
         documents=["preservation_notice", "item_list"], records=[av_record(case, zhang, "av_record_or_reason")])
    assert running(case)["preservation_handling"] == D(2026, 3, 19)  # 7 working days (Art 56, Art 85)
    step(case, A.HANDLE_PRESERVATION, head, D(2026, 3, 16), outcome="解除先行登记保存，退还当事人",
         documents=["preservation_handling_notice"])
    step(case, A.START_TESTING, zhang, D(2026, 3, 16), records=["testing_notice"], subject="电脑主机鉴定")
    step(case, A.END_TESTING, zhang, D(2026, 3, 25), documents=["appraisal_report"])
    extra = {"penalty": penalty} if penalty else {}
    step(case, A.CLOSE_INVESTIGATION, zhang, D(2026, 4, 20),
         documents=["investigation_report", "investigation_closing_form"], **extra)


def review(case: Case, zhang, reviewer, submitted: date, passed: date, **submit) -> None:
    step(case, A.SUBMIT_REVIEW, zhang, submitted, reviewer=reviewer.pk, **submit)
    step(case, A.PASS_REVIEW, reviewer, passed, documents=["legal_review_opinion"], checks=ALL_CHECKS,
         opinion="事实清楚，证据确凿，适用依据正确，程序合法，同意拟处罚意见")


# --- the general procedure, from 案源登记 to 归档 -------------------------------------------------------------

def test_general_case_from_clue_to_archive(zhang, li, head, reviewer, clerk, party):
    case = open_general(zhang, party, zhang, li)
    assert case.state == State.CLUE and case.reference == ""
    assert running(case) == {"filing": D(2026, 3, 24)}  # policy case.filing_days: 15 working days
    # 立案 needs its 立案审批表 (law.md §3.5)
    assert codes(refused(case, A.FILE, head, D(2026, 3, 5))) == {"document_missing"}
    investigate(case, zhang, li, head)
    case.refresh_from_db()
    assert case.reference == "平文旅案〔2026〕1号" and case.filed_on == D(2026, 3, 5)
    # 90 days from 立案 (Art 60), plus the 9 days of 检测 that do not count
    decision = CaseClock.objects.get(case=case, code="decision")
    assert decision.base_due_on == D(2026, 6, 3) and decision.paused_days == 9 and decision.due_on == D(2026, 6, 12)
    assert ClockPause.objects.get(case=case, kind="testing").days == 9

    # the officer runs the discretion calculation; the fine must fall in its range or give a reason
    services.assess_case(case.pk, {"harm": "ordinary"}, actor=zhang, idempotency_key=key(), today=D(2026, 4, 20))
    case.refresh_from_db()
    low, high = case.recommended_min, case.recommended_max
    assert low is not None and low <= Decimal(5000) <= high
    # the penalty is not one of the case's particulars: an unknown field is refused by its name
    err = refused(case, "update_particulars", zhang, D(2026, 4, 20), penalty={"kinds": ["fine"], "fine": 5000})
    assert err.code == "payload_unknown_field" and err.field == "penalty"
    step(case, "update_particulars", head, D(2026, 4, 21), major_case=True)

    # the investigation closed without a proposal; it comes with the submission. The bureau reviews every penalty
    # (policy case.review_all_penalties): no shortcut to the head (Art 58)
    penalty = {"kinds": ["warning", "fine"], "fine": "5000"}
    err = refused(case, A.SUBMIT_FOR_DECISION, zhang, D(2026, 4, 21), penalty=penalty)
    assert "review_not_passed" in codes(err) and "第五十八条" in cited(err, "review_not_passed")
    review(case, zhang, reviewer, D(2026, 4, 21), D(2026, 4, 28))
    rv = LegalReview.objects.get(case=case)
    assert rv.status == "passed" and rv.reviewer == reviewer and rv.reviewed_on == D(2026, 4, 28)
    step(case, A.SUBMIT_FOR_DECISION, zhang, D(2026, 4, 29), penalty=penalty)
    assert case.state == State.AWAITING_DECISION

    # a major case is decided collectively (Art 57(2))
    step(case, A.HOLD_COLLECTIVE_DISCUSSION, head, D(2026, 5, 6), documents=["collective_discussion_record"],
         records=["collective_attendance"], attendees=["局长赵", "副局长钱", "副局长孙"], conclusion="同意拟处罚意见")
    # no decision before the 事先告知 (Art 44, 62); the refused request leaves no document behind
    err = refused(case, A.DECIDE_PENALTY, head, D(2026, 5, 7), documents=["penalty_decision"])
    assert "notice_missing" in codes(err)
    assert "第四十四条" in cited(err, "notice_missing") and "第六十二条" in cited(err, "notice_missing")
    assert not CaseDocument.objects.filter(case=case, code="penalty_decision").exists()

    # the head approves the 拟处罚意见 before the notice (Art 57)
    assert "head_approval_missing" in codes(refused(case, A.NOTIFY, zhang, D(2026, 5, 11),
                                                    documents=["penalty_notice", "service_receipt"]))
    services.decide_approval(case.pk, "penalty_proposal", actor=head, idempotency_key=key(), today=D(2026, 5, 8),
                             opinion="同意给予警告并处罚款五千元")
    step(case, A.NOTIFY, zhang, D(2026, 5, 11), documents=["penalty_notice", "service_receipt"],
         notice_served_on="2026-05-11")
    assert case.state == State.NOTIFIED and case.notified_penalty == {"kinds": ["warning", "fine"], "fine": "5000.00"}
    # 5 working days to state a defence (policy case.statement_days); no hearing right for 5000 yuan
    assert running(case) == {"decision": D(2026, 6, 12), "statement": D(2026, 5, 18)}
    step(case, A.RECORD_STATEMENT, zhang, D(2026, 5, 13), documents=["statement_record"],
         statement="当事人称系初次违法，已整改")
    err = refused(case, A.CONCLUDE_STATEMENTS, zhang, D(2026, 5, 18), documents=["statement_review_form"],
                  conclusion="不予采纳")
    assert "statement_window_open" in codes(err)
    step(case, A.CONCLUDE_STATEMENTS, zhang, D(2026, 5, 19), documents=["statement_review_form"],
         conclusion="陈述理由不成立，不予采纳", adopted=False)
    assert case.state == State.AWAITING_DECISION and "statement" not in running(case)

    # no heavier fine after the defence (Art 45)
    err = refused(case, A.DECIDE_PENALTY, head, D(2026, 5, 20), documents=["penalty_decision"],
                  penalty={"kinds": ["warning", "fine"], "fine": 6000})
    assert "heavier_fine" in codes(err) and "第四十五条" in cited(err, "heavier_fine")
    step(case, A.DECIDE_PENALTY, head, D(2026, 5, 20), documents=["penalty_decision"])
    assert case.state == State.DECIDED and case.decision_kind == "penalty" and case.decided_on == D(2026, 5, 20)
    assert case.decided_penalty == case.notified_penalty
    assert {"service", "publish_penalty"} <= set(running(case)) and "decision" not in running(case)

    step(case, A.SERVE, clerk, D(2026, 5, 21), served_on="2026-05-21", method="direct")
    assert running(case)["payment"] == D(2026, 6, 5)  # 15 days (Art 67)
    assert "performance_outstanding" in codes(refused(case, A.CLOSE, head, D(2026, 5, 22),
                                                      documents=["case_closing_report"]))
    step(case, A.PAY, clerk, D(2026, 6, 1), records=["payment_proof"], amount="5000", receipt_no="豫财 0012345")
    assert case.state == State.PAID and Payment.objects.get(case=case).amount == Decimal(5000)
    step(case, A.CLOSE, head, D(2026, 6, 2), documents=["case_closing_report"])
    assert running(case) == {} and case.closed_on == D(2026, 6, 2)
    step(case, A.ARCHIVE, clerk, D(2026, 6, 3), documents=["case_file_index"], archive_no="2026-永久-001")
    assert case.state == State.ARCHIVED and case.archive_no == "2026-永久-001"
    assert_fully_recorded(case)


# --- a hearing, then review after the hearing, then court enforcement -------------------------------------------

def test_hearing_case_with_review_after_hearing_and_court_enforcement(zhang, li, head, reviewer, host, clerk, party):
    penalty = {"kinds": ["fine", "suspend_business"], "fine": 10000}  # 责令停业整顿: a hearing right (Art 63(1)(4))
    case = open_general(zhang, party, zhang, li)
    investigate(case, zhang, li, head, penalty=penalty)
    review(case, zhang, reviewer, D(2026, 4, 21), D(2026, 4, 28))
    step(case, A.SUBMIT_FOR_DECISION, zhang, D(2026, 4, 29))
    services.decide_approval(case.pk, "penalty_proposal", actor=head, idempotency_key=key(), today=D(2026, 5, 8))
    step(case, A.NOTIFY, zhang, D(2026, 5, 11), documents=["penalty_notice", "service_receipt"])
    assert running(case)["hearing_request"] == D(2026, 5, 18)  # 5 working days (Art 64(1))

    step(case, A.REQUEST_HEARING, clerk, D(2026, 5, 13))
    assert case.state == State.HEARING_REQUESTED and "hearing_request" not in running(case)
    # the statement and defence are heard at the hearing (Art 64, 65): the 陈述申辩 period ends with the request
    assert set(running(case)) == {"decision"}
    # requested in time: may not be refused (Art 64(1))
    err = refused(case, A.DECLINE_HEARING, head, D(2026, 5, 14), documents=["hearing_refusal_notice"], reason="无")
    assert "hearing_refused_in_window" in codes(err) and "第六十四条第一项" in cited(err, "hearing_refused_in_window")
    # the host may not be an investigator; the notice reaches the party 7 working days ahead (Art 64)
    err = refused(case, A.SCHEDULE_HEARING, head, D(2026, 5, 21), documents=["hearing_notice"],
                  hearing_date="2026-06-01", hearing_notice_on="2026-05-21", hearing_host=zhang.pk)
    assert {"host_is_investigator", "hearing_notice_late"} <= codes(err)
    step(case, A.SCHEDULE_HEARING, head, D(2026, 5, 20), documents=["hearing_notice"], hearing_date="2026-06-01",
         hearing_notice_on="2026-05-20", hearing_host=host.pk, hearing_place="局三楼听证室")
    assert case.state == State.HEARING_SCHEDULED and case.hearing_host == host
    step(case, A.HOLD_HEARING, head, D(2026, 6, 1), documents=["hearing_record"], records=[AV_REASON])
    case.refresh_from_db()
    assert case.state == State.HEARING_HELD and case.hearing_held_on == D(2026, 6, 1)
    # the hearing (05-13 to 06-01) does not count towards the 90 days, nor does the 检测 (9 days)
    decision = CaseClock.objects.get(case=case, code="decision", stopped_on__isnull=True)
    assert decision.paused_days == 9 + 19 and decision.due_on == D(2026, 6, 3) + timedelta(days=28)

    # a review passed before the hearing does not count (Art 58(1)(2), 65)
    err = refused(case, A.SUBMIT_FOR_DECISION, zhang, D(2026, 6, 2), documents=["hearing_report"])
    assert "review_before_hearing" in codes(err)
    review(case, zhang, reviewer, D(2026, 6, 2), D(2026, 6, 3), documents=["hearing_report"])
    step(case, A.SUBMIT_FOR_DECISION, zhang, D(2026, 6, 3))
    step(case, A.DECIDE_PENALTY, head, D(2026, 6, 4), documents=["penalty_decision"])
    step(case, A.SERVE_ELECTRONIC, clerk, D(2026, 6, 4), documents=["electronic_service_consent"],
         records=["electronic_delivery_proof"], address="xinghe@example.cn")
    # 记录公示 (国办发〔2018〕118号) ends the 7-working-day publication clock; not before the decision
    assert "publish_penalty" in running(case)
    err = refused(case, A.RECORD_PUBLICATION, clerk, D(2026, 6, 5), published_on="2026-06-03", where="县政府网站")
    assert codes(err) == {"published_before_decision"}
    assert codes(refused(case, A.RECORD_PUBLICATION, clerk, D(2026, 6, 5))) == {"payload_required"}  # where
    step(case, A.RECORD_PUBLICATION, clerk, D(2026, 6, 5), published_on="2026-06-05",
         where="https://www.pingyu.gov.cn/zfgs/2026-001", note="已隐去个人信息")
    assert case.state == State.SERVED and "publish_penalty" not in running(case)
    assert set(running(case)) == {"payment", "reconsideration", "litigation"}
    # 15 days end on Fri 06-19, the Dragon Boat Festival: the last day rolls to Mon 06-22
    assert running(case)["payment"] == D(2026, 6, 22)
    assert "payment_not_overdue" in codes(refused(case, A.MARK_OVERDUE, clerk, D(2026, 6, 22)))
    step(case, A.MARK_OVERDUE, clerk, D(2026, 6, 23))
    step(case, A.IMPOSE_SURCHARGE, zhang, D(2026, 6, 24))
    case.refresh_from_db()
    assert case.surcharge_amount == Decimal("600.00")  # 2 days × 3% × 10000 (Art 72)
    step(case, A.URGE, zhang, D(2026, 11, 2), documents=["performance_reminder"])
    # the remedy periods end 12-04 (6 months for litigation); only then may the court be asked (行政强制法 Art 53)
    err = refused(case, A.APPLY_COURT_ENFORCEMENT, head, D(2026, 12, 1), documents=["enforcement_application"],
                  court="平舆县人民法院")
    assert "remedies_running" in codes(err)
    step(case, A.APPLY_COURT_ENFORCEMENT, head, D(2026, 12, 7), documents=["enforcement_application"],
         court="平舆县人民法院")
    step(case, A.RECORD_ENFORCED, clerk, D(2026, 12, 28), records=["enforcement_result"], result="已执行完毕")
    assert running(case) == {}  # the payment period ends with the enforcement, the remedies were over before
    step(case, A.CLOSE, head, D(2026, 12, 29), documents=["case_closing_report"])
    step(case, A.ARCHIVE, clerk, D(2026, 12, 30), documents=["case_file_index"])
    assert case.state == State.ARCHIVED
    assert_fully_recorded(case)


# --- summary procedure ----------------------------------------------------------------------------------------

def test_summary_case_on_the_spot(zhang, li, clerk, head, person_party):
    created = services.open_case(agency=zhang.agency, procedure="summary", actor=zhang, idempotency_key=key(),
                                 today=D(2026, 5, 20),
                                 payload={"title": "未悬挂网络文化经营许可证", "party": person_party.pk,
                                          "items": ["WH-NET-007"], "handlers": [zhang.pk, li.pk]})
    case = created.case
    assert case.state == State.ON_THE_SPOT and case.act_date == D(2026, 5, 20)
    # 300 yuan for a citizen is over the Art 51 limit; credentials, the statement, the decision form, the video
    err = refused(case, A.DECIDE_ON_THE_SPOT, zhang, D(2026, 5, 20), penalty={"kinds": ["fine"], "fine": 300})
    assert {"summary_not_eligible", "credentials_not_shown", "statement_not_heard", "document_missing",
            "record_missing"} <= codes(err)
    assert "第五十一条" in cited(err, "summary_not_eligible")
    step(case, A.DECIDE_ON_THE_SPOT, zhang, D(2026, 5, 20), penalty={"kinds": ["fine"], "fine": 100},
         credentials_shown=True, statement_heard=True, documents=["on_the_spot_decision"],
         records=[AV_REASON])
    assert case.state == State.DECIDED and case.reference == "平文旅简〔2026〕1号"
    assert case.decision_served_on == D(2026, 5, 20) and "payment" in running(case)
    step(case, A.COLLECT_ON_THE_SPOT, zhang, D(2026, 5, 20), records=["fiscal_receipt"], receipt_no="豫财 0099")
    assert running(case)["cash_to_agency"] == D(2026, 5, 22)  # 2 working days (Art 71)
    step(case, A.FILE_WITH_AGENCY, clerk, D(2026, 5, 21))
    step(case, A.PAY, clerk, D(2026, 5, 21), records=["payment_proof"])
    err = refused(case, A.CLOSE, clerk, D(2026, 5, 21))
    assert "cash_not_deposited" in codes(err) and "第七十一条" in cited(err, "cash_not_deposited")
    step(case, A.DEPOSIT_CASH, zhang, D(2026, 5, 21), records=["deposit_proof"])
    assert Payment.objects.get(case=case).deposited_on == D(2026, 5, 21)
    step(case, A.CLOSE, clerk, D(2026, 5, 22))
    step(case, A.ARCHIVE, clerk, D(2026, 5, 25))
    assert case.state == State.ARCHIVED and case.procedure == "summary"
    assert_fully_recorded(case)


# --- no penalty, with an education record --------------------------------------------------------------------

def test_no_penalty_case_with_education_record(zhang, li, head, clerk, party):
    case = open_general(zhang, party, zhang, li, items=("WH-NET-007",))
    investigate(case, zhang, li, head)
    # first violation, corrected at once, no harm: the 免罚清单 says no penalty, with education (Art 33)
    services.assess_case(case.pk, {"first_violation": True, "corrected_promptly": True, "harm": "none"},
                         actor=zhang, idempotency_key=key(), today=D(2026, 4, 20))
    case.refresh_from_db()
    assert case.assessment["outcome"] == "no_penalty" and case.assessment["requires_education"]
    # no penalty proposed: 法制审核 is not required, the case goes to the head
    step(case, A.SUBMIT_FOR_DECISION, zhang, D(2026, 4, 21))
    err = refused(case, A.DECIDE_NO_PENALTY, head, D(2026, 4, 22), documents=["no_penalty_decision"],
                  reason="初次违法且及时改正，没有造成危害后果")
    assert codes(err) == {"record_missing"}
    step(case, A.DECIDE_NO_PENALTY, head, D(2026, 4, 22), documents=["no_penalty_decision"],
         records=[{"code": "education_record", "description": "对法定代表人孙某进行了批评教育"}],
         reason="初次违法且及时改正，没有造成危害后果")
    assert case.state == State.DECIDED and case.decision_kind == "no_penalty" and case.decided_penalty is None
    step(case, A.SERVE, clerk, D(2026, 4, 23), documents=["service_receipt"])
    assert "payment" not in running(case) and {"reconsideration", "litigation"} <= set(running(case))
    step(case, A.CLOSE, head, D(2026, 4, 24), documents=["case_closing_report"])
    step(case, A.ARCHIVE, clerk, D(2026, 4, 27), documents=["case_file_index"])
    assert case.state == State.ARCHIVED
    assert_fully_recorded(case)


def test_suspend_extend_resume_and_withdraw(zhang, li, head, clerk, party):
    case = open_general(zhang, party, zhang, li)
    step(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    step(case, A.START_INVESTIGATION, zhang, D(2026, 3, 5))
    step(case, A.SUSPEND, head, D(2026, 3, 10), documents=["approval_form"], reason="当事人下落不明")
    assert case.state == State.SUSPENDED and case.prior_state == State.INVESTIGATING
    # the policy allows one extension of the 90 days (case.decision_extensions), by 30 days
    step(case, A.EXTEND_DEADLINE, head, D(2026, 3, 11), documents=["approval_form"], reason="案情复杂")
    err = refused(case, A.EXTEND_DEADLINE, head, D(2026, 3, 12), reason="再次延长")
    assert "extension_not_allowed" in codes(err) and "第六十条" in cited(err, "extension_not_allowed")
    step(case, A.RESUME, head, D(2026, 3, 20), reason="当事人已到案")
    assert case.state == State.INVESTIGATING and case.prior_state == ""
    decision = CaseClock.objects.get(case=case, code="decision")
    assert (decision.extension_days, decision.paused_days) == (30, 10)
    assert decision.due_on == D(2026, 6, 3) + timedelta(days=40)
    step(case, A.WITHDRAW, head, D(2026, 3, 23), documents=["approval_form"], reason="违法事实不存在")
    assert case.state == State.WITHDRAWN and running(case) == {}
    step(case, A.ARCHIVE, clerk, D(2026, 3, 24), documents=["case_file_index"])
    assert_fully_recorded(case)


# --- 查封扣押 on the spot, then transfer to the police ----------------------------------------------------------

def test_emergency_seizure_and_transfer_to_the_police(zhang, li, head, clerk, party):
    case = open_general(zhang, party, zhang, li, items=("WH-NET-001",))  # 无证经营: 查封、扣押 and possibly a crime
    step(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    step(case, A.START_INVESTIGATION, zhang, D(2026, 3, 5))
    # an emergency seizure without prior approval: reported within 24 hours (行政强制法 Art 19), 30 days (Art 25)
    step(case, A.SEIZE_EMERGENCY, zhang, D(2026, 3, 6), credentials_shown=True, reason="当事人正在转移电脑主机",
         documents=["seizure_decision", "item_list", "inspection_record"], records=[av_record(case, zhang)])
    clocks = {c.code: c for c in CaseClock.objects.filter(case=case, stopped_on__isnull=True)}
    report = clocks["emergency_measure_report"]
    assert report.due_at is not None and report.due_on == D(2026, 3, 7)
    assert clocks["seizure"].due_on == D(2026, 4, 5)
    step(case, A.CONFIRM_EMERGENCY_SEIZURE, head, D(2026, 3, 6), records=["emergency_report"])
    assert "emergency_measure_report" not in running(case)
    step(case, A.EXTEND_SEIZURE, head, D(2026, 4, 1), documents=["seizure_extension_notice"], reason="需鉴定")
    assert running(case)["seizure"] == D(2026, 5, 5)  # extended once, 60 days in all
    err = refused(case, A.EXTEND_SEIZURE, head, D(2026, 4, 2), reason="再次延长")
    assert "seizure_already_extended" in codes(err) and "第二十五条" in cited(err, "seizure_already_extended")
    step(case, A.REPORT_CRIME, zhang, D(2026, 4, 2), reason="违法经营额逾五万元，涉嫌非法经营罪")
    step(case, A.TRANSFER_CRIMINAL, head, D(2026, 4, 3), documents=["criminal_transfer_letter", "case_transfer_form"],
         receiving_authority="平舆县公安局")
    assert case.state == State.TRANSFERRED and "decision" not in running(case)
    step(case, A.RECORD_POLICE_FILING, clerk, D(2026, 4, 10), records=["police_filing_notice"])
    step(case, A.HAND_OVER, zhang, D(2026, 4, 11), records=["handover_list"])
    err = refused(case, A.CLOSE, head, D(2026, 4, 13), documents=["case_closing_report"])
    assert "seizure_open" in codes(err)
    step(case, A.RELEASE_SEIZURE, head, D(2026, 4, 13), documents=["seizure_release_decision"],
         reason="随案移交公安机关")
    step(case, A.CLOSE, head, D(2026, 4, 14), documents=["case_closing_report"])
    step(case, A.ARCHIVE, clerk, D(2026, 4, 15), documents=["case_file_index"])
    assert case.state == State.ARCHIVED
    assert_fully_recorded(case)


def test_summary_case_turns_general_and_is_filed(zhang, li, head, person_party):
    created = services.open_case(agency=zhang.agency, procedure="summary", actor=zhang, idempotency_key=key(),
                                 today=D(2026, 5, 20),
                                 payload={"title": "接纳未成年人进入营业场所", "party": person_party.pk,
                                          "items": ["WH-NET-004"], "handlers": [zhang.pk, li.pk]})
    case = created.case
    step(case, A.TO_GENERAL, zhang, D(2026, 5, 20), reason="拟罚款超过当场处罚限额")
    assert (case.procedure, case.state) == ("general", State.CLUE) and running(case) == {"filing": D(2026, 6, 10)}
    step(case, A.FILE, head, D(2026, 5, 21), documents=["filing_approval_form"])
    assert case.reference == "平文旅案〔2026〕1号" and set(running(case)) == {"decision"}


def test_records_and_documents_registered_ahead_of_their_step(zhang, li, head, clerk, party):
    case = open_general(zhang, party, zhang, li)
    # the clerk registers the 立案审批表 once the head has signed it; the head then files
    services.record_document(case.pk, [{"code": "filing_approval_form", "number": "平文旅立审〔2026〕3号"}],
                             actor=clerk, idempotency_key=key(), today=D(2026, 3, 4))
    step(case, A.FILE, head, D(2026, 3, 5))
    assert case.state == State.FILED
    doc = CaseDocument.objects.get(case=case, code="filing_approval_form")
    assert doc.title == "立案审批表" and doc.number == "平文旅立审〔2026〕3号" and doc.step.action == "record_document"
    # a record outside the investigation (the education record made at the scene)
    services.record_material(case.pk, [{"code": "education_record", "description": "现场批评教育",
                                        "made_on": "2026-03-05"}], actor=zhang, idempotency_key=key(),
                             today=D(2026, 3, 5))
    assert case.records.get().code == "education_record"
    # a step dated before the case's last step is refused
    with pytest.raises(RuleViolation) as err:
        services.transition(case.pk, A.START_INVESTIGATION, actor=zhang, payload={}, idempotency_key=key(),
                            today=D(2026, 3, 4))
    assert err.value.code == "date_before_last_step"
    assert_fully_recorded(case)
