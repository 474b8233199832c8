"""The procedure table (zhifa.law.procedure): consistency, every guard's refusal with its article, and walks.

Dates are in 2026 with the holiday calendar of chinese_calendar (Dragon Boat Festival: Fri 06-19 off).
The walks take cases through the table the way the case service will: a snapshot, ``check``, then the new
state, the clocks and the excluded periods from the row.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from zhifa.law.calendar import WorkCalendar
from zhifa.law.clocks import CLOCKS
from zhifa.law.penalties import ORGANISATION, PenaltyKind
from zhifa.law.procedure import (
    ACTION_LABELS,
    ACTOR_GUARDS,
    APPROVAL_LABELS,
    CLOCK_CONDITIONS,
    DOCUMENT_LABELS,
    EXCLUSIONS,
    GUARDS,
    INITIAL,
    MCT_FORMATS,
    POLICY_CLOCKS,
    PRE_DECISION,
    RECORD_LABELS,
    ROLES,
    STATE_LABELS,
    TABLE,
    TERMINAL,
    Action,
    Actor,
    Approval,
    CaseFacts,
    DecisionKind,
    Handler,
    Penalty,
    Procedure,
    State,
    Transition,
    available_actions,
    chart,
    chart_dot,
    check,
    clocks_started,
    missing,
    target_of,
    transition_for,
    transitions_from,
)

CAL = WorkCalendar.from_chinese_calendar([2025, 2026])
G, S = Procedure.GENERAL, Procedure.SUMMARY

ZHANG = Handler(1, "张三")
LI = Handler(2, "李四")
REVIEWER_WANG = Handler(9, "王五", frozenset({"reviewer"}), has_legal_qualification=True)
OFFICER_1 = Actor(1, frozenset({"officer"}), "张三")
OFFICER_2 = Actor(2, frozenset({"officer"}), "李四")
OUTSIDER = Actor(3, frozenset({"officer"}), "赵六")
REVIEWER = Actor(9, frozenset({"reviewer"}), "王五", has_legal_qualification=True)
HEAD = Actor(5, frozenset({"head"}), "局长")
CLERK = Actor(7, frozenset({"clerk"}), "内勤")
HOST_ID = 8


def approval(kind: str, on: date = date(2026, 3, 10)) -> Approval:
    return Approval(kind, HEAD.user_id, HEAD.roles, on)


# A general case on 2026-05-20 with everything in place for the penalty decision: notice served Mon 05-11,
# statement window 3 working days (to 05-14), no hearing right, review passed, all documents and records.
READY = CaseFacts(
    procedure=G, state=State.AWAITING_DECISION, today=date(2026, 5, 20), calendar=CAL,
    clue_source="inspection", filed_on=date(2026, 3, 5), act_date=date(2026, 3, 2), discovered_on=date(2026, 3, 3),
    handlers=(ZHANG, LI), items=("W-001",), domains=frozenset({"internet_cafe"}), party_kind=ORGANISATION,
    credentials_shown=True,
    notified=Penalty(frozenset({PenaltyKind.FINE}), Decimal(5000)),
    proposed=Penalty(frozenset({PenaltyKind.FINE}), Decimal(5000)),
    recommended_range=(Decimal(3000), Decimal(8000)),
    notice_served_on=date(2026, 5, 11), statement_days=3,
    review_required=True, review_status="passed", reviewer=REVIEWER_WANG, reviewed_on=date(2026, 5, 8),
    approvals=(approval("penalty_proposal", date(2026, 5, 9)), approval("preservation"), approval("seizure")),
    hearing_host_id=HOST_ID,
    documents=frozenset(DOCUMENT_LABELS), records=frozenset(RECORD_LABELS),
)


def actor_for(t: Transition) -> Actor:
    for actor in (OFFICER_1, HEAD, REVIEWER, CLERK):
        if actor.roles & t.roles:
            return actor
    raise AssertionError(t)


# --- The table is consistent ---------------------------------------------------------------------------


def _target_procedure(t: Transition) -> Procedure:
    return t.switches_to or t.procedure


def _states(procedure: Procedure) -> set[State]:
    states = {INITIAL[procedure]}
    for t in TABLE:
        if t.procedure is procedure:
            states |= t.sources
        if t.target is not None and _target_procedure(t) is procedure:
            states.add(t.target)
    return states


def test_every_row_names_known_things() -> None:
    for t in TABLE:
        assert isinstance(t.action, Action) and t.action in ACTION_LABELS, t
        assert all(isinstance(s, State) for s in t.sources), t
        assert t.target is None or isinstance(t.target, State), t
        assert t.roles and t.roles <= ROLES, t
        assert t.basis, f"{t.action} has no basis"
        for g in t.guards:
            assert g in GUARDS, (t.action, g)
        for d in t.documents:
            assert d in DOCUMENT_LABELS, (t.action, d)
        for r in t.records:
            assert r in RECORD_LABELS, (t.action, r)
        for c in (*t.starts, *t.stops, *t.extends):
            assert c in CLOCKS or c in POLICY_CLOCKS, (t.action, c)
        for e in (*t.opens, *t.closes):
            assert e in EXCLUSIONS, (t.action, e)
        assert t.approval is None or t.approval in APPROVAL_LABELS, t
        # the requirement checks are wired to the requirements
        assert bool(t.documents) == ("documents_present" in t.guards), t.action
        assert bool(t.records) == ("records_present" in t.guards), t.action
        assert bool(t.approval) == ("head_approval" in t.guards), t.action
        assert not (t.returns and t.target is not None), t.action
    for e in EXCLUSIONS.values():
        assert all(c in CLOCKS for c in e.pauses) and e.basis
    for c in CLOCK_CONDITIONS:
        assert c in CLOCKS or c in POLICY_CLOCKS


def test_one_row_per_procedure_state_action() -> None:
    seen = set()
    for t in TABLE:
        for s in t.sources or {None}:
            key = (t.procedure, s, t.action)
            assert key not in seen, key
            seen.add(key)
            assert transition_for(t.procedure, s, t.action) is t


def test_labels_cover_everything() -> None:
    assert set(STATE_LABELS) == set(State)
    assert set(ACTION_LABELS) == set(Action)
    assert {t.action for t in TABLE} == set(Action), "an action with no row"
    assert {g for t in TABLE for g in t.guards} == set(GUARDS), "a guard no row uses"
    assert len(MCT_FORMATS) == 28  # law.md §3.5
    for label in ("立案审批表", "行政处罚事先告知书", "集体讨论笔录", "行政处罚听证笔录", "送达回证", "结案报告"):
        assert label in DOCUMENT_LABELS.values()


def test_roles_are_the_org_roles() -> None:
    from zhifa.org.roles import Role

    assert {Role.OFFICER.value, Role.REVIEWER.value, Role.HEAD.value, Role.CLERK.value} == ROLES


@pytest.mark.parametrize("procedure", list(Procedure))
def test_every_state_has_a_way_forward(procedure: Procedure) -> None:
    ends = TERMINAL | {State.WITHDRAWN, State.TRANSFERRED}
    for state in _states(procedure) - ends:
        if procedure is S and state is State.CLUE:
            continue  # 转为普通程序: the case continues in the general procedure
        rows = transitions_from(procedure, state)
        assert any(t.target not in (None, state) or t.returns for t in rows), f"{procedure} {state} is a dead end"
    for state in TERMINAL:
        assert not transitions_from(procedure, state)


def _reachable(procedure: Procedure, start: State) -> set[State]:
    seen, queue = {start}, deque([start])
    while queue:
        state = queue.popleft()
        for t in transitions_from(procedure, state):
            nxt = [t.target] if t.target else []
            if t.returns:
                nxt = list(PRE_DECISION)  # back to where it was suspended
            for s in nxt:
                if s not in seen and _target_procedure(t) is procedure:
                    seen.add(s)
                    queue.append(s)
    return seen


def test_archived_reachable_and_every_state_reachable() -> None:
    assert State.ARCHIVED in _reachable(G, State.FILED)
    assert State.ARCHIVED in _reachable(S, State.ON_THE_SPOT)
    assert _reachable(G, State.CLUE) == _states(G)
    assert _reachable(S, State.ON_THE_SPOT) == _states(S) - {State.CLUE}


def test_creation_rows() -> None:
    assert [t.action for t in transitions_from(G, None)] == [Action.REGISTER_CLUE]
    assert [t.action for t in transitions_from(S, None)] == [Action.START_SUMMARY]
    for t in TABLE:
        if t.creates:
            assert t.target is INITIAL[t.procedure]


def test_decision_carries_the_issue_guards() -> None:
    t = transition_for(G, State.AWAITING_DECISION, Action.DECIDE_PENALTY)
    assert t is not None
    assert {"two_qualified_officers", "no_conflict", "within_limitation", "notified_before_decision",
            "statement_window_over_or_waived", "not_heavier_than_notified", "review_passed_if_required",
            "one_fine_per_act", "fine_within_discretion_or_reason", "hearing_held_or_window_closed",
            "collective_discussion_if_major", "documents_present"} <= set(t.guards)
    assert "decision" in t.stops


def test_clocks_of_the_issue() -> None:
    def row(action: Action, state: State, procedure: Procedure = G) -> Transition:
        t = transition_for(procedure, state, action)
        assert t is not None
        return t

    assert "decision" in row(Action.FILE, State.CLUE).starts
    assert "preservation_handling" in row(Action.PRESERVE, State.INVESTIGATING).starts
    assert "seizure" in row(Action.SEIZE, State.INVESTIGATING).starts
    assert row(Action.EXTEND_SEIZURE, State.INVESTIGATING).extends == ("seizure",)
    assert row(Action.EXTEND_DEADLINE, State.NOTIFIED).extends == ("decision",)
    assert "hearing_request" in row(Action.NOTIFY, State.AWAITING_DECISION).starts
    assert "payment" in row(Action.SERVE, State.DECIDED).starts
    assert row(Action.START_TESTING, State.INVESTIGATING).opens == ("testing",)
    assert row(Action.REQUEST_HEARING, State.NOTIFIED).opens == ("hearing",)
    assert row(Action.SUSPEND, State.INVESTIGATING).opens == ("suspension",)


# --- Guards: one row per refusal, with its article; each also passes when the fact is put right ---------------

N, RQ = State.NOTIFIED, State.HEARING_REQUESTED
FINE_5000 = Penalty(frozenset({PenaltyKind.FINE}), Decimal(5000))
UNQUALIFIED = Handler(2, "李四", qualified=False, qualification_reasons=("执法证件已过期",))
SUMMARY_SPOT = {"procedure": S, "state": State.ON_THE_SPOT, "party_kind": "person", "statement_heard": True,
                "proposed": Penalty(frozenset({PenaltyKind.FINE}), Decimal(100)), "notified": None,
                "recommended_range": None}

GUARD_ROWS = [
    # (article, guard, action, state/extra facts, bad, good, code)
    ("第四十二条", "two_qualified_officers", Action.DECIDE_PENALTY, {}, {"handlers": (ZHANG, UNQUALIFIED)}, {},
     "officers_too_few"),
    ("第四十三条", "no_conflict", Action.DECIDE_PENALTY, {}, {"handlers": (ZHANG, replace(LI, conflict_declared=True))},
     {}, "handler_conflict"),
    ("第三十六条", "within_limitation", Action.DECIDE_PENALTY, {"act_date": date(2023, 1, 10)}, {},
     {"serious_limitation": True}, "limitation_expired"),
    ("第三十六条", "within_limitation", Action.FILE, {"state": State.CLUE}, {"discovered_on": None}, {},
     "discovered_on_missing"),
    ("第四十四条", "penalty_stated", Action.NOTIFY, {}, {"proposed": None}, {}, "penalty_missing"),
    ("第四十四条", "notified_before_decision", Action.DECIDE_PENALTY, {}, {"notice_served_on": None}, {},
     "notice_missing"),
    ("第六十二条", "statement_window_over_or_waived", Action.DECIDE_PENALTY, {"today": date(2026, 5, 14)}, {},
     {"statement_waived": True}, "statement_window_open"),
    ("第四十五条", "statement_window_over_or_waived", Action.CONCLUDE_STATEMENTS, {"state": N},
     {"today": date(2026, 5, 14)}, {"today": date(2026, 5, 15)}, "statement_window_open"),
    ("第四十五条", "not_heavier_than_notified", Action.DECIDE_PENALTY, {},
     {"proposed": Penalty(frozenset({PenaltyKind.FINE}), Decimal(6000))},
     {"proposed": Penalty(frozenset({PenaltyKind.FINE}), Decimal(4000))}, "heavier_fine"),
    ("第四十五条", "not_heavier_than_notified", Action.DECIDE_PENALTY, {},
     {"proposed": Penalty(frozenset({PenaltyKind.FINE, PenaltyKind.WARNING}), Decimal(5000))},
     {"proposed": Penalty(frozenset({PenaltyKind.WARNING}))}, "heavier_kind"),
    ("第四十五条", "not_heavier_than_notified", Action.DECIDE_PENALTY,
     {"notified": Penalty(frozenset({PenaltyKind.SUSPEND_BUSINESS}))},
     {"proposed": Penalty(frozenset({PenaltyKind.REVOKE_LICENCE}))}, {"proposed": FINE_5000}, "heavier_kind"),
    ("第五十八条", "review_passed_if_required", Action.DECIDE_PENALTY, {}, {"review_status": "failed"},
     {"review_required": False, "review_status": None}, "review_not_passed"),
    ("第五十八条", "review_passed_if_required", Action.SUBMIT_FOR_DECISION, {"state": State.INVESTIGATION_CLOSED},
     {"review_status": None}, {"review_status": "passed"}, "review_not_passed"),
    ("第五十八条第二款", "review_passed_if_required", Action.DECIDE_PENALTY, {},
     {"reviewer": replace(REVIEWER_WANG, has_legal_qualification=False)},
     {"reviewer": replace(REVIEWER_WANG, has_legal_qualification=False, reviewed_before=True)}, "reviewer_unqualified"),
    ("DESIGN.md §4", "review_passed_if_required", Action.DECIDE_PENALTY, {},
     {"reviewer": replace(LI, has_legal_qualification=True)}, {}, "reviewer_is_handler"),
    ("第六十五条", "review_passed_if_required", Action.DECIDE_PENALTY, {"hearing_held_on": date(2026, 5, 15)},
     {"reviewed_on": date(2026, 5, 8)}, {"reviewed_on": date(2026, 5, 18)}, "review_before_hearing"),
    ("第五十八条第二款", "reviewer_eligible", Action.PASS_REVIEW, {"state": State.UNDER_REVIEW},
     {"_actor": replace(REVIEWER, has_legal_qualification=False)}, {}, "reviewer_unqualified"),
    ("DESIGN.md §4", "reviewer_eligible", Action.FAIL_REVIEW, {"state": State.UNDER_REVIEW},
     {"investigator_ids": frozenset({9})}, {}, "reviewer_is_handler"),
    ("第二十九条", "one_fine_per_act", Action.DECIDE_PENALTY, {}, {"prior_fines_same_act": 1}, {}, "second_fine"),
    ("第三十四条", "fine_within_discretion_or_reason", Action.DECIDE_PENALTY,
     {"recommended_range": (Decimal(1000), Decimal(3000))}, {}, {"outside_range_reason": "多次违法，情节较重"},
     "outside_discretion"),
    ("第六十四条第一项", "hearing_not_refused_in_window", Action.DECLINE_HEARING,
     {"state": RQ, "hearing_right": True}, {"hearing_requested_on": date(2026, 5, 13)},
     {"hearing_requested_on": date(2026, 5, 19)}, "hearing_refused_in_window"),
    ("第六十四条第一项", "hearing_held_or_window_closed", Action.DECIDE_PENALTY,
     {"hearing_right": True, "statement_waived": True}, {"today": date(2026, 5, 18)},
     {"today": date(2026, 5, 19)}, "hearing_window_open"),
    ("第六十三条", "hearing_held_or_window_closed", Action.DECIDE_PENALTY,
     {"hearing_right": True, "hearing_requested_on": date(2026, 5, 13)}, {}, {"hearing_waived": True},
     "hearing_pending"),
    ("第六十五条", "hearing_record_if_held", Action.DECIDE_PENALTY, {"hearing_held_on": date(2026, 5, 15),
                                                                  "reviewed_on": date(2026, 5, 18)},
     {"documents": frozenset(DOCUMENT_LABELS) - {"hearing_record"}}, {}, "hearing_record_missing"),
    ("第六十四条第二项", "hearing_notice_seven_days", Action.SCHEDULE_HEARING,
     {"state": RQ, "hearing_date": date(2026, 6, 1)}, {"hearing_notice_on": date(2026, 5, 21)},
     {"hearing_notice_on": date(2026, 5, 20)}, "hearing_notice_late"),
    ("第六十四条第二项", "hearing_notice_seven_days", Action.HOLD_HEARING,
     {"state": State.HEARING_SCHEDULED, "hearing_notice_on": date(2026, 5, 20)}, {"hearing_date": None},
     {"hearing_date": date(2026, 6, 1)}, "hearing_date_missing"),
    ("第六十四条第四项", "host_not_investigator", Action.SCHEDULE_HEARING,
     {"state": RQ, "hearing_date": date(2026, 6, 1), "hearing_notice_on": date(2026, 5, 20)},
     {"hearing_host_id": 1}, {"hearing_host_id": HOST_ID}, "host_is_investigator"),
    ("第六十四条第四项", "host_not_investigator", Action.HOLD_HEARING,
     {"state": State.HEARING_SCHEDULED, "hearing_date": date(2026, 6, 1), "hearing_notice_on": date(2026, 5, 20)},
     {"hearing_host_id": None}, {}, "hearing_host_missing"),
    ("第五十九条", "documents_present", Action.DECIDE_PENALTY, {},
     {"documents": frozenset(DOCUMENT_LABELS) - {"penalty_decision"}}, {}, "document_missing"),
    ("第三十三条第三款", "records_present", Action.DECIDE_NO_PENALTY, {},
     {"records": frozenset(RECORD_LABELS) - {"education_record"}}, {}, "record_missing"),
    ("第十八条", "records_present", Action.SEIZE, {"state": State.INVESTIGATING},
     {"records": frozenset(RECORD_LABELS) - {"av_record"}}, {}, "record_missing"),
    ("第五十一条", "summary_eligible", Action.DECIDE_ON_THE_SPOT, SUMMARY_SPOT,
     {"proposed": Penalty(frozenset({PenaltyKind.FINE}), Decimal(500))},
     {"proposed": Penalty(frozenset({PenaltyKind.FINE}), Decimal(200))}, "summary_not_eligible"),
    ("第五十一条", "summary_eligible", Action.DECIDE_ON_THE_SPOT, SUMMARY_SPOT,
     {"proposed": Penalty(frozenset({PenaltyKind.WARNING})), "facts_established": False},
     {"proposed": Penalty(frozenset({PenaltyKind.WARNING}))}, "summary_not_eligible"),
    ("第五十二条", "credentials_shown", Action.DECIDE_ON_THE_SPOT, SUMMARY_SPOT, {"credentials_shown": False}, {},
     "credentials_not_shown"),
    ("第五十五条", "credentials_shown", Action.INSPECT, {"state": State.INVESTIGATING}, {"credentials_shown": False},
     {}, "credentials_not_shown"),
    ("第六十二条", "summary_statement_heard", Action.DECIDE_ON_THE_SPOT, SUMMARY_SPOT, {"statement_heard": False},
     {"statement_heard": False, "statement_waived": True}, "statement_not_heard"),
    ("第五十六条", "head_approval", Action.PRESERVE, {"state": State.INVESTIGATING}, {"approvals": ()}, {},
     "head_approval_missing"),
    ("第十八条", "head_approval", Action.SEIZE, {"state": State.INVESTIGATING},
     {"approvals": (Approval("seizure", 1, frozenset({"officer"}), date(2026, 3, 10)),)}, {},
     "approval_not_by_head"),
    ("第五十七条", "head_approval", Action.NOTIFY, {}, {"approvals": (approval("penalty_proposal", date(2026, 6, 1)),)},
     {}, "approval_after_step"),
    ("第五十七条第二款", "collective_discussion_if_major", Action.DECIDE_PENALTY,
     {"collective_discussion_needed": True}, {}, {"collective_discussion_held": True}, "collective_discussion_missing"),
    ("第四十二条", "actor_is_handler", Action.INSPECT, {"state": State.INVESTIGATING}, {"_actor": OUTSIDER}, {},
     "actor_not_handler"),
    ("第六十八条", "spot_collection_allowed", Action.COLLECT_ON_THE_SPOT, {**SUMMARY_SPOT, "state": State.DECIDED},
     {"proposed": Penalty(frozenset({PenaltyKind.FINE}), Decimal(150))}, {}, "spot_collection_not_allowed"),
    ("第六十九条", "spot_collection_allowed", Action.COLLECT_ON_THE_SPOT, {**SUMMARY_SPOT, "state": State.DECIDED,
                                                                        "remote_area": True,
                                                                        "proposed": Penalty({PenaltyKind.FINE}, 150)},
     {}, {"party_requests_collection": True}, "spot_collection_not_allowed"),
    ("第六十七条", "nothing_to_perform", Action.CLOSE, {"state": State.SERVED, "decision": DecisionKind.PENALTY}, {},
     {"decision": DecisionKind.NO_PENALTY}, "performance_outstanding"),
    ("第二十七条", "no_open_measures", Action.CLOSE, {"state": State.PAID}, {"running_clocks": frozenset({"seizure"})},
     {}, "seizure_open"),
    ("第五十六条", "no_open_measures", Action.WITHDRAW, {"state": State.INVESTIGATING},
     {"running_clocks": frozenset({"preservation_handling"})}, {}, "preservation_open"),
    ("第七十二条", "payment_overdue", Action.MARK_OVERDUE,
     {"state": State.SERVED, "decision_served_on": date(2026, 5, 21)}, {"today": date(2026, 6, 5)},
     {"today": date(2026, 6, 8)}, "payment_not_overdue"),
    ("第六十六条", "payment_overdue", Action.IMPOSE_SURCHARGE,
     {"state": State.PERFORMING, "decision_served_on": date(2026, 5, 21), "today": date(2026, 6, 10)},
     {"deferred_until": date(2026, 7, 31)}, {}, "payment_not_overdue"),
    ("第五十四条", "court_application_window", Action.APPLY_COURT_ENFORCEMENT,
     {"state": State.PERFORMING, "remedies_expired_on": date(2026, 11, 23), "today": date(2026, 11, 30)},
     {"urge_served_on": None}, {"urge_served_on": date(2026, 11, 2)}, "urge_missing"),
    ("第五十四条", "court_application_window", Action.APPLY_COURT_ENFORCEMENT,
     {"state": State.PERFORMING, "remedies_expired_on": date(2026, 11, 23), "urge_served_on": date(2026, 11, 2)},
     {"today": date(2026, 11, 16)}, {"today": date(2026, 11, 30)}, "urge_period_running"),
    ("第五十三条", "court_application_window", Action.APPLY_COURT_ENFORCEMENT,
     {"state": State.PERFORMING, "urge_served_on": date(2026, 6, 1), "today": date(2026, 6, 30)},
     {"remedies_expired_on": date(2026, 7, 1)}, {"remedies_expired_on": date(2026, 6, 20)}, "remedies_running"),
    ("第九十五条", "public_notice_elapsed", Action.DEEM_SERVED,
     {"state": State.DECIDED, "public_notice_on": date(2026, 5, 21)}, {"today": date(2026, 6, 19)},
     {"today": date(2026, 6, 22)}, "public_notice_running"),
    ("第六十条", "decision_extension_allowed", Action.EXTEND_DEADLINE, {"state": State.INVESTIGATING}, {},
     {"decision_extensions_allowed": 1}, "extension_not_allowed"),
    ("第二十五条", "seizure_extension_once", Action.EXTEND_SEIZURE,
     {"state": State.INVESTIGATING, "running_clocks": frozenset({"seizure"})}, {"seizure_extended": True}, {},
     "seizure_already_extended"),
    ("第五十六条", "clocks_running", Action.HANDLE_PRESERVATION, {"state": State.INVESTIGATING}, {},
     {"running_clocks": frozenset({"preservation_handling"})}, "clock_not_running"),
    ("第十九条", "clocks_running", Action.CONFIRM_EMERGENCY_SEIZURE, {"state": State.INVESTIGATING}, {},
     {"running_clocks": frozenset({"emergency_measure_report", "seizure"})}, "clock_not_running"),
    ("第二十五条", "exclusion_not_open", Action.START_TESTING, {"state": State.INVESTIGATING},
     {"open_exclusions": frozenset({"testing"})}, {}, "exclusion_already_open"),
    ("第六十条", "exclusion_open", Action.RESUME, {"state": State.SUSPENDED, "prior_state": State.INVESTIGATING}, {},
     {"open_exclusions": frozenset({"suspension"})}, "exclusion_not_open"),
    ("第五十四条", "clue_source_recorded", Action.REGISTER_CLUE, {"state": None, "clue_source": "complaint"},
     {"documents": frozenset()}, {"documents": frozenset({"complaint_form"})}, "document_missing"),
    ("第五十四条", "clue_source_recorded", Action.REGISTER_CLUE, {"state": None}, {"clue_source": None}, {},
     "clue_source_missing"),
    ("118号", "penalty_decided", Action.RECORD_PUBLICATION, {"state": State.SERVED},
     {"decision": DecisionKind.NO_PENALTY}, {"decision": DecisionKind.PENALTY}, "no_penalty_decision"),
    ("第十一条", "crime_report_decided", Action.DECIDE_PENALTY, {},
     {"running_clocks": frozenset({"decision", "criminal_transfer_decision"})},
     {"running_clocks": frozenset({"decision"})}, "crime_report_pending"),
]


def _facts(extra: dict, more: dict) -> tuple[CaseFacts, Actor | None]:
    values = {**extra, **more}
    actor = values.pop("_actor", None)
    return replace(READY, **values), actor


@pytest.mark.parametrize(
    ("article", "guard", "action", "extra", "bad", "good", "code"), GUARD_ROWS,
    ids=[f"{r[1]}-{r[6]}-{r[2].value}" for r in GUARD_ROWS],
)
def test_guard_refuses_with_its_article(article: str, guard: str, action: Action, extra: dict, bad: dict,
                                        good: dict, code: str) -> None:
    bad_facts, bad_actor = _facts(extra, bad)
    t = transition_for(bad_facts.procedure, bad_facts.state, action)
    assert t is not None and guard in t.guards, (action, guard)
    actor = bad_actor or actor_for(t)

    refusals = GUARDS[guard](bad_facts, actor, t)
    assert code in [v.code for v in refusals]
    hit = next(v for v in refusals if v.code == code)
    assert hit.message and hit.basis
    assert any(article in str(c) for c in hit.basis), [str(c) for c in hit.basis]
    assert article in str(hit)  # the message people see names the article
    assert code in [v.code for v in check(bad_facts, action, actor)]  # the row runs the guard

    good_facts, good_actor = _facts(extra, good)
    assert GUARDS[guard](good_facts, good_actor or actor_for(t), t) == []


def test_every_guard_has_a_refusal_row() -> None:
    assert {r[1] for r in GUARD_ROWS} == set(GUARDS)


def test_ready_case_may_be_decided() -> None:
    assert check(READY, Action.DECIDE_PENALTY, HEAD) == []
    assert missing(READY, Action.DECIDE_PENALTY) == []


def test_check_returns_every_failure_at_once() -> None:
    facts = replace(READY, notice_served_on=None, prior_fines_same_act=1, review_status="pending",
                    handlers=(ZHANG,), documents=frozenset())
    codes = {v.code for v in check(facts, Action.DECIDE_PENALTY, OFFICER_1)}
    assert {"role_not_allowed", "notice_missing", "second_fine", "review_not_passed", "officers_too_few",
            "document_missing"} <= codes


def test_action_not_available_in_state() -> None:
    facts = replace(READY, state=State.CLUE)
    [v] = check(facts, Action.DECIDE_PENALTY, HEAD)
    assert v.code == "action_not_available" and "案源登记" in v.message
    assert check(facts, "no_such_action", HEAD)[0].code == "action_not_available"
    with pytest.raises(Exception, match="不能执行"):
        target_of(facts, Action.DECIDE_PENALTY)


def test_missing_names_what_is_missing_without_judging_the_person() -> None:
    facts = replace(READY, notice_served_on=None, documents=frozenset(DOCUMENT_LABELS) - {"penalty_decision"},
                    collective_discussion_needed=True)
    items = missing(facts, Action.DECIDE_PENALTY)
    assert any("事先告知书" in i and "第四十四条" in i for i in items)
    assert any("缺少文书：行政处罚决定书" in i for i in items)
    assert any("集体讨论" in i for i in items)
    # officer steps: who acts is for check(), not for the panel
    inspecting = replace(READY, state=State.INVESTIGATING)
    assert missing(inspecting, Action.INSPECT) == []
    assert "actor_is_handler" in ACTOR_GUARDS
    assert missing(READY, Action.SERVE)[0].startswith("普通程序“负责人审批/集体讨论”阶段不能执行")


def test_available_actions_by_role() -> None:
    officer = available_actions(READY, OFFICER_1.roles)
    head = available_actions(READY, HEAD.roles)
    assert Action.NOTIFY in officer and Action.DECIDE_PENALTY not in officer
    assert {Action.DECIDE_PENALTY, Action.DECIDE_NO_PENALTY, Action.TRANSFER_CRIMINAL, Action.SUSPEND,
            Action.HOLD_COLLECTIVE_DISCUSSION} <= set(head)
    assert available_actions(READY, REVIEWER.roles) == []
    assert available_actions(replace(READY, state=State.UNDER_REVIEW), REVIEWER.roles) == [
        Action.PASS_REVIEW, Action.FAIL_REVIEW]
    assert available_actions(replace(READY, state=None), OFFICER_1.roles) == [Action.REGISTER_CLUE]


def test_not_heavier_allows_a_lighter_replacement_only() -> None:
    t = transition_for(G, State.AWAITING_DECISION, Action.DECIDE_PENALTY)
    assert t is not None
    guard = GUARDS["not_heavier_than_notified"]
    notified = Penalty(frozenset({PenaltyKind.FINE, PenaltyKind.CONFISCATE_GAINS}), Decimal(5000), Decimal(800))
    same = replace(READY, notified=notified, proposed=notified)
    assert guard(same, HEAD, t) == []
    more_confiscated = replace(same, proposed=replace(notified, confiscation=Decimal(900)))
    assert [v.code for v in guard(more_confiscated, HEAD, t)] == ["heavier_confiscation"]
    dropped = replace(same, proposed=Penalty(frozenset({PenaltyKind.FINE}), Decimal(3000)))
    assert guard(dropped, HEAD, t) == []


def test_clocks_started_follow_the_case() -> None:
    served = replace(READY, state=State.DECIDED, decision=DecisionKind.PENALTY)
    assert clocks_started(served, Action.SERVE) == ("payment", "reconsideration", "litigation")
    warned = replace(served, proposed=Penalty(frozenset({PenaltyKind.WARNING})))
    assert clocks_started(warned, Action.SERVE) == ("reconsideration", "litigation")
    notifying = replace(READY, hearing_right=False)
    assert clocks_started(notifying, Action.NOTIFY) == ("statement",)
    assert clocks_started(replace(notifying, hearing_right=True), Action.NOTIFY) == ("statement", "hearing_request")
    assert clocks_started(READY, Action.SERVE) == ()


# --- Walks ---------------------------------------------------------------------------------------------------


def step(facts: CaseFacts, action: Action, actor: Actor, *, docs: tuple[str, ...] = (),
         records: tuple[str, ...] = (), **now: object) -> CaseFacts:
    """Take ``action`` as the case service will: the snapshot at the request (``now``, new documents and
    records), the check, then the new state, clocks and excluded periods from the row."""
    facts = replace(facts, documents=facts.documents | set(docs), records=facts.records | set(records),
                    **now)  # type: ignore[arg-type]
    assert action in available_actions(facts, actor.roles), (action, facts.state, available_actions(facts, actor.roles))
    problems = check(facts, action, actor)
    assert problems == [], [str(p) for p in problems]
    t = transition_for(facts.procedure, facts.state, action)
    assert t is not None
    running = set() if t.stops_all else (set(facts.running_clocks) | set(clocks_started(facts, action))) - set(t.stops)
    opened = (set(facts.open_exclusions) | set(t.opens)) - set(t.closes)
    new = target_of(facts, action)
    return replace(
        facts, state=new, procedure=t.switches_to or facts.procedure,
        prior_state=facts.state if new is State.SUSPENDED and facts.state is not new else facts.prior_state,
        decision=t.decision or facts.decision, running_clocks=frozenset(running), open_exclusions=frozenset(opened),
    )


def refused(facts: CaseFacts, action: Action, actor: Actor, **now: object) -> set[str]:
    return {v.code for v in check(replace(facts, **now), action, actor)}  # type: ignore[arg-type]


NEW_GENERAL = CaseFacts(
    procedure=G, state=None, today=date(2026, 3, 3), calendar=CAL, handlers=(ZHANG, LI), items=("W-001",),
    domains=frozenset({"internet_cafe"}), party_kind=ORGANISATION, act_date=date(2026, 3, 2),
    discovered_on=date(2026, 3, 3), statement_days=3, recommended_range=(Decimal(3000), Decimal(8000)),
)


def _investigate(f: CaseFacts) -> CaseFacts:
    f = step(f, Action.REGISTER_CLUE, OFFICER_1, clue_source="inspection", docs=("inspection_record",))
    assert f.state is State.CLUE and f.running_clocks == {"filing"}
    assert refused(f, Action.FILE, HEAD) == {"document_missing"}
    f = step(f, Action.FILE, HEAD, today=date(2026, 3, 5), filed_on=date(2026, 3, 5), docs=("filing_approval_form",))
    assert f.running_clocks == {"decision"}
    f = step(f, Action.START_INVESTIGATION, OFFICER_1)
    f = step(f, Action.INSPECT, OFFICER_1, credentials_shown=True, records=("av_record_or_reason",))
    f = step(f, Action.INTERVIEW, OFFICER_2, docs=("interview_record",))
    f = step(f, Action.RECORD_EVIDENCE, OFFICER_2, records=("evidence",))
    # 先行登记保存 needs the head's approval first (Art 56), then its 7-working-day handling clock runs
    assert "head_approval_missing" in refused(f, Action.PRESERVE, OFFICER_1,
                                              documents=f.documents | {"preservation_notice", "item_list"})
    f = step(f, Action.PRESERVE, OFFICER_1, approvals=(approval("preservation", date(2026, 3, 9)),),
             today=date(2026, 3, 10), docs=("preservation_notice", "item_list"))
    assert "preservation_handling" in f.running_clocks
    assert "preservation_open" in refused(f, Action.WITHDRAW, HEAD, documents=f.documents | {"approval_form"})
    f = step(f, Action.HANDLE_PRESERVATION, HEAD, today=date(2026, 3, 16), docs=("preservation_handling_notice",))
    assert "preservation_handling" not in f.running_clocks
    # 检测 does not count towards the 90 days: opened and closed as events
    f = step(f, Action.START_TESTING, OFFICER_1, records=("testing_notice",))
    assert f.open_exclusions == {"testing"}
    f = step(f, Action.END_TESTING, OFFICER_1, today=date(2026, 3, 25), docs=("appraisal_report",))
    assert f.open_exclusions == frozenset()
    return step(f, Action.CLOSE_INVESTIGATION, OFFICER_1, today=date(2026, 4, 20),
                docs=("investigation_report", "investigation_closing_form"),
                proposed=Penalty(frozenset({PenaltyKind.FINE}), Decimal(5000)))


def test_walk_general_case_from_clue_to_archive() -> None:
    f = _investigate(NEW_GENERAL)
    assert f.state is State.INVESTIGATION_CLOSED
    # the agency's catalogue requires review: the case cannot go straight to the head (Art 58)
    f = replace(f, review_required=True)
    assert "review_not_passed" in refused(f, Action.SUBMIT_FOR_DECISION, OFFICER_1)
    f = step(f, Action.SUBMIT_REVIEW, OFFICER_1, review_status="pending")
    # a reviewer who investigated the case may not review it
    assert "reviewer_is_handler" in refused(f, Action.PASS_REVIEW, REVIEWER, investigator_ids=frozenset({9}),
                                            documents=f.documents | {"legal_review_opinion"})
    f = step(f, Action.PASS_REVIEW, REVIEWER, today=date(2026, 4, 28), docs=("legal_review_opinion",))
    f = replace(f, review_status="passed", reviewer=REVIEWER_WANG, reviewed_on=date(2026, 4, 28))
    f = step(f, Action.SUBMIT_FOR_DECISION, OFFICER_1)
    # major case: collective discussion before the decision (Art 57(2))
    f = replace(f, collective_discussion_needed=True)
    f = step(f, Action.HOLD_COLLECTIVE_DISCUSSION, HEAD, docs=("collective_discussion_record",),
             records=("collective_attendance",))
    f = replace(f, collective_discussion_held=True)
    # no decision before the notice (Art 44, 62)
    assert "notice_missing" in refused(f, Action.DECIDE_PENALTY, HEAD, documents=f.documents | {"penalty_decision"})
    f = step(f, Action.NOTIFY, OFFICER_1, today=date(2026, 5, 11), approvals=(approval("penalty_proposal",
                                                                                        date(2026, 5, 8)),),
             docs=("penalty_notice", "service_receipt"))
    f = replace(f, notice_served_on=date(2026, 5, 11), notified=f.proposed)
    assert f.state is State.NOTIFIED and "statement" in f.running_clocks
    f = step(f, Action.RECORD_STATEMENT, OFFICER_1, today=date(2026, 5, 13), docs=("statement_record",))
    assert "statement_window_open" in refused(f, Action.CONCLUDE_STATEMENTS, OFFICER_1,
                                              documents=f.documents | {"statement_review_form"})
    f = step(f, Action.CONCLUDE_STATEMENTS, OFFICER_1, today=date(2026, 5, 15), docs=("statement_review_form",))
    assert f.state is State.AWAITING_DECISION and "statement" not in f.running_clocks
    # after the statement, no heavier fine (Art 45)
    heavier = Penalty(frozenset({PenaltyKind.FINE}), Decimal(6000))
    assert "heavier_fine" in refused(f, Action.DECIDE_PENALTY, HEAD, proposed=heavier,
                                     documents=f.documents | {"penalty_decision"})
    f = step(f, Action.DECIDE_PENALTY, HEAD, today=date(2026, 5, 18), docs=("penalty_decision",))
    assert f.state is State.DECIDED and f.decision is DecisionKind.PENALTY
    assert "decision" not in f.running_clocks and {"service", "publish_penalty"} <= f.running_clocks
    f = step(f, Action.SERVE, CLERK, today=date(2026, 5, 19))
    f = replace(f, decision_served_on=date(2026, 5, 19))
    assert {"payment", "reconsideration", "litigation"} <= f.running_clocks and "service" not in f.running_clocks
    # nothing to close while the fine is unpaid
    assert "performance_outstanding" in refused(f, Action.CLOSE, HEAD, documents=f.documents | {"case_closing_report"})
    assert "payment_not_overdue" in refused(f, Action.MARK_OVERDUE, CLERK, today=date(2026, 6, 3))
    f = step(f, Action.MARK_OVERDUE, CLERK, today=date(2026, 6, 4))
    f = step(f, Action.APPROVE_DEFERRAL, HEAD, docs=("deferral_application", "deferral_approval_form",
                                                     "deferral_notice"), deferred_until=date(2026, 7, 31))
    assert f.state is State.PERFORMING
    assert "payment_not_overdue" in refused(f, Action.URGE, OFFICER_1, today=date(2026, 7, 20))
    f = step(f, Action.PAY, CLERK, today=date(2026, 7, 30), records=("payment_proof",))
    assert f.state is State.PAID and "payment" not in f.running_clocks
    f = step(f, Action.CLOSE, HEAD, docs=("case_closing_report",))
    assert f.running_clocks == frozenset()
    f = step(f, Action.ARCHIVE, CLERK, docs=("case_file_index",))
    assert f.state is State.ARCHIVED
    assert available_actions(f, ROLES) == []


def test_walk_hearing_then_review_after_hearing_then_court_enforcement() -> None:
    f = _investigate(NEW_GENERAL)
    f = step(f, Action.SUBMIT_FOR_DECISION, OFFICER_1)
    f = step(f, Action.NOTIFY, OFFICER_1, today=date(2026, 5, 11), hearing_right=True,
             approvals=(approval("penalty_proposal", date(2026, 5, 8)),), docs=("penalty_notice", "service_receipt"))
    f = replace(f, notice_served_on=date(2026, 5, 11), notified=f.proposed)
    assert {"statement", "hearing_request"} <= f.running_clocks
    f = step(f, Action.REQUEST_HEARING, CLERK, today=date(2026, 5, 13), hearing_requested_on=date(2026, 5, 13))
    assert f.open_exclusions == {"hearing"}
    # requested in time: may not be refused (Art 64(1))
    assert "hearing_refused_in_window" in refused(f, Action.DECLINE_HEARING, HEAD,
                                                  documents=f.documents | {"hearing_refusal_notice"})
    # the host may not be an investigator, and the notice must come 7 working days ahead
    f = replace(f, hearing_date=date(2026, 6, 1), hearing_notice_on=date(2026, 5, 21), hearing_host_id=1)
    assert {"host_is_investigator", "hearing_notice_late"} <= refused(
        f, Action.SCHEDULE_HEARING, HEAD, documents=f.documents | {"hearing_notice"})
    f = step(f, Action.SCHEDULE_HEARING, HEAD, hearing_notice_on=date(2026, 5, 20), hearing_host_id=HOST_ID,
             today=date(2026, 5, 20), docs=("hearing_notice",))
    f = step(f, Action.HOLD_HEARING, OFFICER_1, today=date(2026, 6, 1), docs=("hearing_record",),
             records=("av_record_or_reason",))
    f = replace(f, hearing_held_on=date(2026, 6, 1), review_required=True, review_status="passed",
                reviewer=REVIEWER_WANG, reviewed_on=date(2026, 4, 28))
    assert f.open_exclusions == frozenset()
    # a review passed before the hearing does not count (Art 58(1)(2))
    assert "review_before_hearing" in refused(f, Action.SUBMIT_FOR_DECISION, OFFICER_1,
                                              documents=f.documents | {"hearing_report"})
    f = step(f, Action.SUBMIT_REVIEW, OFFICER_1, docs=("hearing_report",), review_status="pending")
    f = step(f, Action.PASS_REVIEW, REVIEWER, today=date(2026, 6, 3), docs=("legal_review_opinion",))
    f = replace(f, review_status="passed", reviewed_on=date(2026, 6, 3))
    f = step(f, Action.SUBMIT_FOR_DECISION, OFFICER_1)
    f = step(f, Action.DECIDE_PENALTY, HEAD, today=date(2026, 6, 4), docs=("penalty_decision",))
    f = step(f, Action.SERVE_ELECTRONIC, CLERK, today=date(2026, 6, 4), docs=("electronic_service_consent",),
             records=("electronic_delivery_proof",))
    f = replace(f, decision_served_on=date(2026, 6, 4))
    # 15 days end on Fri 06-19, the Dragon Boat Festival: the last day rolls to Mon 06-22
    assert "payment_not_overdue" in refused(f, Action.MARK_OVERDUE, CLERK, today=date(2026, 6, 22))
    f = step(f, Action.MARK_OVERDUE, CLERK, today=date(2026, 6, 23))
    f = step(f, Action.IMPOSE_SURCHARGE, OFFICER_1)
    f = step(f, Action.URGE, OFFICER_1, today=date(2026, 11, 2), docs=("performance_reminder",))
    f = replace(f, urge_served_on=date(2026, 11, 2), remedies_expired_on=date(2026, 12, 4))
    assert "remedies_running" in refused(f, Action.APPLY_COURT_ENFORCEMENT, HEAD, today=date(2026, 12, 1),
                                         documents=f.documents | {"enforcement_application"})
    f = step(f, Action.APPLY_COURT_ENFORCEMENT, HEAD, today=date(2026, 12, 7), docs=("enforcement_application",))
    f = step(f, Action.RECORD_ENFORCED, CLERK, records=("enforcement_result",))
    f = step(f, Action.CLOSE, HEAD, docs=("case_closing_report",))
    f = step(f, Action.ARCHIVE, CLERK, docs=("case_file_index",))
    assert f.state is State.ARCHIVED


def test_walk_suspend_resume_extend_and_withdraw() -> None:
    f = step(NEW_GENERAL, Action.REGISTER_CLUE, OFFICER_1, clue_source="other")
    f = step(f, Action.FILE, HEAD, docs=("filing_approval_form",), today=date(2026, 3, 5))
    f = step(f, Action.START_INVESTIGATION, OFFICER_1)
    f = step(f, Action.SUSPEND, HEAD, docs=("approval_form",))
    assert f.state is State.SUSPENDED and f.prior_state is State.INVESTIGATING and f.open_exclusions == {"suspension"}
    assert "extension_not_allowed" in refused(f, Action.EXTEND_DEADLINE, HEAD)
    f = step(f, Action.EXTEND_DEADLINE, HEAD, decision_extensions_allowed=1)
    f = step(f, Action.RESUME, HEAD)
    assert f.state is State.INVESTIGATING and f.open_exclusions == frozenset()
    f = step(f, Action.WITHDRAW, HEAD)
    assert f.state is State.WITHDRAWN and f.running_clocks == frozenset()
    f = step(f, Action.ARCHIVE, CLERK, docs=("case_file_index",))
    assert f.state is State.ARCHIVED


def test_walk_no_penalty_with_education_record() -> None:
    f = _investigate(NEW_GENERAL)
    f = step(f, Action.SUBMIT_FOR_DECISION, OFFICER_1)
    assert "record_missing" in refused(f, Action.DECIDE_NO_PENALTY, HEAD,
                                       documents=f.documents | {"no_penalty_decision"})
    f = step(f, Action.DECIDE_NO_PENALTY, HEAD, docs=("no_penalty_decision",), records=("education_record",),
             proposed=None)
    assert f.decision is DecisionKind.NO_PENALTY
    f = step(f, Action.SERVE, OFFICER_1, docs=("service_receipt",))
    assert "payment" not in f.running_clocks
    f = step(f, Action.CLOSE, HEAD, docs=("case_closing_report",))
    assert f.state is State.CLOSED


def test_walk_seizure_and_transfer_to_the_police() -> None:
    f = _investigate(NEW_GENERAL)
    f = replace(f, state=State.INVESTIGATING)
    f = step(f, Action.SEIZE_EMERGENCY, OFFICER_1, docs=("seizure_decision",), records=("av_record",))
    assert {"seizure", "emergency_measure_report"} <= f.running_clocks
    f = step(f, Action.CONFIRM_EMERGENCY_SEIZURE, HEAD, records=("emergency_report",))
    f = step(f, Action.EXTEND_SEIZURE, HEAD, docs=("seizure_extension_notice",))
    f = replace(f, seizure_extended=True)
    assert "seizure_already_extended" in refused(f, Action.EXTEND_SEIZURE, HEAD)
    f = step(f, Action.REPORT_CRIME, OFFICER_1)
    f = step(f, Action.TRANSFER_CRIMINAL, HEAD, docs=("criminal_transfer_letter", "case_transfer_form"))
    assert f.state is State.TRANSFERRED and "decision" not in f.running_clocks
    f = step(f, Action.RECORD_POLICE_FILING, CLERK, records=("police_filing_notice",))
    f = step(f, Action.HAND_OVER, OFFICER_1, records=("handover_list",))
    assert "seizure_open" in refused(f, Action.CLOSE, HEAD, documents=f.documents | {"case_closing_report"})
    f = step(f, Action.RELEASE_SEIZURE, HEAD, docs=("seizure_release_decision",))
    f = step(f, Action.CLOSE, HEAD, docs=("case_closing_report",))
    f = step(f, Action.ARCHIVE, CLERK, docs=("case_file_index",))
    assert f.state is State.ARCHIVED


NEW_SUMMARY = CaseFacts(
    procedure=S, state=None, today=date(2026, 5, 20), calendar=CAL, handlers=(ZHANG, LI), party_kind="person",
    act_date=date(2026, 5, 20), discovered_on=date(2026, 5, 20),
)


def test_walk_summary_case() -> None:
    f = step(NEW_SUMMARY, Action.START_SUMMARY, OFFICER_1)
    assert f.state is State.ON_THE_SPOT
    f = replace(f, proposed=Penalty(frozenset({PenaltyKind.FINE}), Decimal(300)))
    # 300 yuan for a citizen is over the Art 51 limit; credentials and the statement are missing too
    assert {"summary_not_eligible", "credentials_not_shown", "statement_not_heard", "document_missing",
            "record_missing"} <= refused(f, Action.DECIDE_ON_THE_SPOT, OFFICER_1)
    f = step(f, Action.DECIDE_ON_THE_SPOT, OFFICER_1, proposed=Penalty(frozenset({PenaltyKind.FINE}), Decimal(100)),
             credentials_shown=True, statement_heard=True, docs=("on_the_spot_decision",),
             records=("av_record_or_reason",))
    assert f.state is State.DECIDED and "payment" in f.running_clocks
    f = step(f, Action.COLLECT_ON_THE_SPOT, OFFICER_1, records=("fiscal_receipt",))
    assert "cash_to_agency" in f.running_clocks
    f = step(f, Action.FILE_WITH_AGENCY, CLERK)
    assert f.state is State.FILED_WITH_AGENCY
    assert "performance_outstanding" in refused(f, Action.CLOSE, CLERK)
    f = step(f, Action.PAY, CLERK, records=("payment_proof",))
    assert "cash_not_deposited" in refused(f, Action.CLOSE, CLERK)  # Art 71
    f = step(f, Action.DEPOSIT_CASH, OFFICER_1, today=date(2026, 5, 21), records=("deposit_proof",))
    f = step(f, Action.CLOSE, CLERK)
    f = step(f, Action.ARCHIVE, CLERK)
    assert f.state is State.ARCHIVED


def test_summary_case_turns_into_a_general_case() -> None:
    f = step(NEW_SUMMARY, Action.START_SUMMARY, OFFICER_1)
    f = step(f, Action.TO_GENERAL, OFFICER_1)
    assert f.procedure is G and f.state is State.CLUE and f.running_clocks == {"filing"}
    assert Action.FILE in available_actions(f, HEAD.roles)


# --- Clocks end with their purpose -----------------------------------------------------------------------------

MEASURE_CLOCKS = frozenset({"preservation_handling", "seizure", "emergency_measure_report"})
_PRE = MEASURE_CLOCKS | {"decision", "criminal_transfer_decision"}
_AFTER = MEASURE_CLOCKS | {"publish_penalty"}
# The clocks that may still run in each state, whatever path led there (every conditional clock started).
MAY_RUN: dict[tuple[Procedure, State], frozenset[str]] = {
    **{(G, s): _PRE for s in PRE_DECISION},
    (G, State.CLUE): frozenset({"filing"}),
    (G, State.FILED): _PRE - {"criminal_transfer_decision"},
    (G, State.NOTIFIED): _PRE | {"statement", "hearing_request"},
    (G, State.SUSPENDED): _PRE | {"statement", "hearing_request"},  # suspended while the party had time
    (G, State.TRANSFERRED): MEASURE_CLOCKS | {"criminal_transfer_handover"},
    (G, State.DECIDED): _AFTER | {"service", "public_notice_service"},
    (G, State.SERVED): _AFTER | {"payment", "reconsideration", "litigation"},
    (G, State.PERFORMING): _AFTER | {"payment", "reconsideration", "litigation", "court_enforcement_earliest"},
    (G, State.PAID): _AFTER | {"reconsideration", "litigation"},
    (G, State.ENFORCED): _AFTER,  # the remedy periods were over before the court was asked (强制法第五十三条)
    **{(p, s): frozenset() for p in Procedure for s in (State.CLOSED, State.ARCHIVED, State.WITHDRAWN,
                                                          State.NOT_FILED)},
    (S, State.ON_THE_SPOT): frozenset(),
    (S, State.DECIDED): frozenset({"payment", "reconsideration", "litigation", "cash_to_agency"}),
    (S, State.FILED_WITH_AGENCY): frozenset({"payment", "reconsideration", "litigation", "cash_to_agency"}),
    (S, State.PAID): frozenset({"reconsideration", "litigation", "cash_to_agency"}),
    (S, State.ENFORCED): frozenset({"cash_to_agency"}),  # only on a path collected on the spot yet enforced
    (S, State.PERFORMING): frozenset({"payment", "reconsideration", "litigation", "court_enforcement_earliest",
                                      "cash_to_agency"}),
}


def _after(procedure: Procedure, state: State | None, prior: State | None, running: frozenset[str],
           t: Transition) -> tuple[Procedure, State, State | None, frozenset[str]]:
    """The table's effect of ``t`` on the running clocks, as the case service applies it (stop, then start)."""
    stopped = frozenset() if t.stops_all else running - set(t.stops)
    new = prior if t.returns else (t.target or state)
    assert new is not None
    if new is State.SUSPENDED and state is not State.SUSPENDED:
        prior = state
    return t.switches_to or procedure, new, prior, stopped | set(t.starts)


def test_no_clock_outlives_its_purpose_on_any_path() -> None:
    """Every path through the table (guards aside, every conditional clock started): in each state only the clocks
    that still have a purpose there run — nothing is left for 结案 to stop."""
    starts = [(t.procedure, None, None, frozenset(), t) for t in TABLE if t.creates]
    seen: set[tuple] = set()
    queue = deque(_after(p, s, prior, r, t) for p, s, prior, r, t in starts)
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        procedure, state, prior, running = node
        allowed = MAY_RUN[(procedure, state)]
        assert running <= allowed, (procedure.value, state.value, sorted(running - allowed))
        for t in transitions_from(procedure, state):
            if t.returns and prior is None:
                continue
            if "crime_report_decided" in t.guards and "criminal_transfer_decision" in running:
                continue  # the one guard about a clock: a crime report is decided on before the case
            queue.append(_after(procedure, state, prior, running, t))
    assert {(p, s) for p, s, _, _ in seen} >= {(G, State.CLOSED), (S, State.CLOSED), (G, State.ENFORCED)}


def _walk(procedure: Procedure, actions: tuple[Action, ...], **facts: object) -> tuple[State, frozenset[str]]:
    """Walk ``actions`` through the table (guards aside) with the case's conditional clocks."""
    f = replace(NEW_GENERAL if procedure is G else NEW_SUMMARY, **facts)  # type: ignore[arg-type]
    for action in actions:
        t = transition_for(f.procedure, f.state, action)
        assert t is not None, (action, f.state)
        started = clocks_started(f, action)
        running = frozenset() if t.stops_all else f.running_clocks - set(t.stops)
        f = replace(f, state=target_of(f, action) if f.state is not None else t.target,
                    procedure=t.switches_to or f.procedure, decision=t.decision or f.decision,
                    running_clocks=running | set(started))
    assert f.state is not None
    return f.state, f.running_clocks


FINE = {"proposed": Penalty(frozenset({PenaltyKind.FINE}), Decimal(5000))}
_TO_NOTICE = (Action.REGISTER_CLUE, Action.FILE, Action.START_INVESTIGATION, Action.CLOSE_INVESTIGATION,
              Action.SUBMIT_REVIEW, Action.PASS_REVIEW, Action.SUBMIT_FOR_DECISION, Action.NOTIFY)
_HEARING = (*_TO_NOTICE, Action.REQUEST_HEARING, Action.SCHEDULE_HEARING, Action.HOLD_HEARING, Action.SUBMIT_REVIEW,
            Action.PASS_REVIEW, Action.SUBMIT_FOR_DECISION)
_DECIDED = (*_TO_NOTICE, Action.CONCLUDE_STATEMENTS, Action.DECIDE_PENALTY)
_SERVED = (*_DECIDED, Action.SERVE)
_PUBLISHED = (*_SERVED, Action.RECORD_PUBLICATION)
_OVERDUE = (*_PUBLISHED, Action.MARK_OVERDUE, Action.IMPOSE_SURCHARGE, Action.URGE)
REMEDIES = {"reconsideration", "litigation"}

# (id, procedure, facts, path, end state, the clocks running at the end): the demo's paths.
CLOCK_ROWS = [
    ("notified-with-hearing-right", G, {**FINE, "hearing_right": True}, _TO_NOTICE, State.NOTIFIED,
     {"decision", "statement", "hearing_request"}),
    ("hearing-requested", G, {**FINE, "hearing_right": True}, (*_TO_NOTICE, Action.REQUEST_HEARING),
     State.HEARING_REQUESTED, {"decision"}),
    ("hearing-held", G, {**FINE, "hearing_right": True}, _HEARING[:-3], State.HEARING_HELD, {"decision"}),
    ("decided-after-hearing", G, {**FINE, "hearing_right": True}, (*_HEARING, Action.DECIDE_PENALTY), State.DECIDED,
     {"service", "publish_penalty"}),
    ("statement-waived", G, FINE, (*_TO_NOTICE, Action.WAIVE_STATEMENT), State.NOTIFIED, {"decision"}),
    ("decided", G, FINE, _DECIDED, State.DECIDED, {"service", "publish_penalty"}),
    ("served", G, FINE, _SERVED, State.SERVED, {"publish_penalty", "payment", *REMEDIES}),
    ("published", G, FINE, _PUBLISHED, State.SERVED, {"payment", *REMEDIES}),
    ("published-when-decided", G, FINE, (*_DECIDED, Action.RECORD_PUBLICATION), State.DECIDED, {"service"}),
    ("paid", G, FINE, (*_PUBLISHED, Action.PAY), State.PAID, REMEDIES),
    ("performing-urged", G, FINE, _OVERDUE, State.PERFORMING, {"payment", "court_enforcement_earliest", *REMEDIES}),
    ("paid-after-urge", G, FINE, (*_OVERDUE, Action.PAY), State.PAID, REMEDIES),
    ("court-applied", G, FINE, (*_OVERDUE, Action.APPLY_COURT_ENFORCEMENT), State.PERFORMING, {"payment"}),
    ("enforced", G, FINE, (*_OVERDUE, Action.APPLY_COURT_ENFORCEMENT, Action.RECORD_ENFORCED), State.ENFORCED,
     set()),
    ("enforced-unpublished", G, FINE, (*_SERVED, Action.MARK_OVERDUE, Action.URGE, Action.APPLY_COURT_ENFORCEMENT,
                                       Action.RECORD_ENFORCED), State.ENFORCED, {"publish_penalty"}),
    ("closed", G, FINE, (*_PUBLISHED, Action.PAY, Action.CLOSE), State.CLOSED, set()),
    ("published-after-closing", G, FINE, (*_SERVED, Action.PAY, Action.CLOSE, Action.RECORD_PUBLICATION),
     State.CLOSED, set()),
    ("no-penalty-served", G, {}, (*_TO_NOTICE[:4], Action.SUBMIT_FOR_DECISION, Action.DECIDE_NO_PENALTY,
                                  Action.SERVE), State.SERVED, REMEDIES),
    ("crime-reported-then-jurisdiction-transferred", G, {},
     (*_TO_NOTICE[:3], Action.REPORT_CRIME, Action.TRANSFER_JURISDICTION), State.TRANSFERRED, set()),
    ("crime-transferred", G, {}, (*_TO_NOTICE[:3], Action.REPORT_CRIME, Action.TRANSFER_CRIMINAL,
                                  Action.RECORD_POLICE_FILING, Action.HAND_OVER), State.TRANSFERRED, set()),
    ("summary-collected", S, {"proposed": Penalty(frozenset({PenaltyKind.FINE}), Decimal(100))},
     (Action.START_SUMMARY, Action.DECIDE_ON_THE_SPOT, Action.COLLECT_ON_THE_SPOT, Action.DEPOSIT_CASH,
      Action.FILE_WITH_AGENCY), State.FILED_WITH_AGENCY, REMEDIES),
    ("summary-enforced", S, {"proposed": Penalty(frozenset({PenaltyKind.FINE}), Decimal(100))},
     (Action.START_SUMMARY, Action.DECIDE_ON_THE_SPOT, Action.FILE_WITH_AGENCY, Action.MARK_OVERDUE, Action.URGE,
      Action.APPLY_COURT_ENFORCEMENT, Action.RECORD_ENFORCED), State.ENFORCED, set()),
]


@pytest.mark.parametrize(("procedure", "facts", "path", "state", "running"), [r[1:] for r in CLOCK_ROWS],
                         ids=[r[0] for r in CLOCK_ROWS])
def test_running_clocks_at_the_end_of_each_path(procedure: Procedure, facts: dict, path: tuple[Action, ...],
                                                state: State, running: set[str]) -> None:
    assert _walk(procedure, path, **facts) == (state, frozenset(running))


def test_record_publication_row() -> None:
    """记录公示: after a penalty decision in every later state up to 结案, state unchanged, by officer, clerk or head;
    it ends the publication clocks."""
    rows = [t for t in TABLE if t.action is Action.RECORD_PUBLICATION]
    assert len(rows) == 1
    t = rows[0]
    assert t.sources == {State.DECIDED, State.SERVED, State.PERFORMING, State.PAID, State.ENFORCED, State.CLOSED}
    assert t.target is None and t.roles == {"officer", "clerk", "head"}
    assert set(t.stops) == {"publish_penalty", "publish_other"} and "penalty_decided" in t.guards
    f = replace(READY, state=State.CLOSED, decision=DecisionKind.PENALTY)
    assert check(f, Action.RECORD_PUBLICATION, CLERK) == [] and target_of(f, Action.RECORD_PUBLICATION) is State.CLOSED


def test_party_clocks() -> None:
    from zhifa.law.procedure import PARTY_CLOCKS, clock_binds

    party = {"statement", "hearing_request", "payment", "court_enforcement_earliest", "reconsideration", "litigation",
             "litigation_after_reconsideration"}
    assert party == PARTY_CLOCKS
    for code in ("decision", "service", "publish_penalty", "filing", "seizure", "cash_to_agency"):
        assert clock_binds(code) == "agency"


# --- Charts ----------------------------------------------------------------------------------------------------


def test_chart_mentions_every_state_label() -> None:
    text = chart()
    assert text.startswith("stateDiagram-v2\n")
    for label in STATE_LABELS.values():
        assert f'"{label}"' in text, label
    assert "general_clue --> general_filed: 立案" in text
    assert "summary_on_the_spot --> summary_decided: 当场作出处罚决定" in text
    assert "恢复：回到中止前的阶段" in text
    dot = chart_dot()
    assert dot.startswith("digraph procedure {")
    for label in STATE_LABELS.values():
        assert f'"{label}"' in dot, label
    only_summary = chart(Procedure.SUMMARY)
    assert "general_filed" not in only_summary and "当场处罚" in only_summary
    assert 'state "普通程序：案源登记" as general_clue' in only_summary  # where 转为普通程序 leads
    assert "summary_on_the_spot --> general_clue: 转为普通程序" in text
    assert "立案后各办案阶段均可" in text and "延长办案期限" in text
