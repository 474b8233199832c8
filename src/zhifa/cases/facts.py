"""The snapshot of a case the procedure table judges: ``procedure.CaseFacts`` built from the rows.

Everything that needs another app is computed here as plain values (procedure.py's module docstring,
"What the caller computes"):

- each handler's ``qualified``: the qualification rule (``org.services.QualificationData.may_enforce``) for
  every domain of the case's items, on the day the step is taken (Art 42 asks whether the officer *acting* holds
  the qualification; see :func:`handlers_of`);
- ``review_required``: ``penalties.review_required`` with the agency's 法制审核目录 (``rules.review_catalogue``),
  or the policy ``case.review_all_penalties`` (default: every penalty is reviewed);
- ``hearing_right``: ``penalties.hearing_required`` with the province's thresholds (``rules.hearing_thresholds``);
- ``recommended_range``: the latest discretion assessment stored on the case (``services.assess_case``);
- ``statement_days`` and ``decision_extensions_allowed``: policies ``case.statement_days`` and
  ``case.decision_extensions``;
- ``calendar``: ``catalog.calendar.work_calendar()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from zhifa.catalog.calendar import work_calendar
from zhifa.catalog.policies import training_rules
from zhifa.catalog.rules import hearing_thresholds, review_catalogue
from zhifa.law import procedure as proc
from zhifa.law.errors import RuleViolation
from zhifa.law.penalties import CONFISCATION_KINDS, ORGANISATION, PERSON, PenaltyKind, hearing_required, review_required
from zhifa.org.models import User
from zhifa.org.services import QualificationData, qualification_data
from zhifa.prepared import Prepared, together

from .files import record_satisfied
from .models import (
    Case,
    CaseApproval,
    CaseClock,
    CaseDocument,
    CaseHandler,
    CaseItem,
    CaseRecord,
    CaseStep,
    ClockPause,
    LegalReview,
)
from .policies import policy

# The day the 2021 《行政处罚法》 came into force: a reviewer doing 法制审核 before it is not one "初次从事" it
# under Art 58(2).
XZCFF_2021_IN_FORCE = date(2021, 7, 15)

# Steps whose actor took part in the investigation (besides the handlers): they may not review the case.
INVESTIGATION_STEPS = frozenset({
    proc.Action.START_INVESTIGATION, proc.Action.INSPECT, proc.Action.INTERVIEW, proc.Action.RECORD_EVIDENCE,
    proc.Action.SAMPLE, proc.Action.PRESERVE, proc.Action.SEIZE, proc.Action.SEIZE_EMERGENCY,
    proc.Action.START_TESTING, proc.Action.END_TESTING, proc.Action.REPORT_CRIME, proc.Action.CLOSE_INVESTIGATION,
})


# --- penalties as JSON ------------------------------------------------------------------------------------

def penalty_to_json(p: proc.Penalty | None) -> dict[str, Any] | None:
    if p is None:
        return None
    order = list(PenaltyKind).index
    out: dict[str, Any] = {"kinds": [k.value for k in sorted(p.kinds, key=order)]}
    if p.fine is not None:
        out["fine"] = f"{p.fine:.2f}"
    if p.confiscation is not None:
        out["confiscation"] = f"{p.confiscation:.2f}"
    return out


def penalty_from_json(data: Mapping[str, Any] | None) -> proc.Penalty | None:
    if not data:
        return None
    fine = data.get("fine")
    confiscation = data.get("confiscation")
    return proc.Penalty(frozenset(data.get("kinds") or ()), Decimal(fine) if fine is not None else None,
                        Decimal(confiscation) if confiscation is not None else None)


def party_kind(case: Case) -> str:
    """公民 or 组织 for the penalty rules. A 个体工商户 is a natural person doing business (民法典第五十四条), so it
    counts as 公民 for the Art 51 and Art 63 amounts (a documented reading)."""
    if case.party is None:
        return ORGANISATION
    return ORGANISATION if case.party.kind == "organisation" else PERSON


# --- people ---------------------------------------------------------------------------------------------

def roles_of(user: User) -> frozenset[str]:
    return frozenset(user.role_codes()) & proc.ROLES


def reviewed_before(user: User) -> bool:
    return user.first_review_on is not None and user.first_review_on < XZCFF_2021_IN_FORCE


def actor_for(user: User) -> proc.Actor:
    """The user taking a step, as the procedure rules see them."""
    return proc.Actor(user_id=user.pk, roles=roles_of(user), name=user.full_name or user.username,
                      has_legal_qualification=user.has_legal_qualification, reviewed_before=reviewed_before(user))


def _person(user: User, roles: frozenset[str] | None = None, **kw: Any) -> proc.Handler:
    """``user`` as the rules see a person; ``roles``: their role codes when already known (else read)."""
    return proc.Handler(user_id=user.pk, name=user.full_name or user.username,
                        roles=roles_of(user) if roles is None else roles & proc.ROLES,
                        has_legal_qualification=user.has_legal_qualification, reviewed_before=reviewed_before(user),
                        **kw)


def handlers_of(case: Case, domains: list, on: date, rows: list[CaseHandler] | None = None, *,
                people: Mapping[int, QualificationData] | None = None) -> tuple[proc.Handler, ...]:
    """The active handlers with ``qualified`` for every domain of the case's items on ``on``.

    ``on`` is the day of the step: Art 42 requires the officers who carry out the act to hold the
    qualification when they act (a certificate that expires after the violation but before the decision does not
    qualify the decision). With no item on the case there is no domain to check, and nobody is qualified yet.
    ``rows``: the case's handler rows already read (``handler_rows``); ``people``: their qualification data
    (``org.services.qualification_data``), read when not given.
    """
    if rows is None:
        rows = handler_rows(case)
    active = [h for h in rows if h.removed_on is None]
    if people is None:
        people = qualification_data(h.user_id for h in active)
    rules_cache: dict[int | None, Any] = {}
    out = []
    for h in active:
        user, data = h.user, people[h.user_id]
        reasons: list[str] = []
        if not domains:
            reasons.append("案件尚未确定执法事项，无法判断执法领域资格")
        else:
            if user.agency_id not in rules_cache:
                rules_cache[user.agency_id] = training_rules(user.agency, on)
            for domain in domains:
                result = data.may_enforce(domain, on, rules_cache[user.agency_id], is_active=user.is_active)
                if not result.allowed:
                    reasons.extend(r.message for r in result.reasons)
        out.append(_person(user, data.roles, qualified=not reasons,
                           qualification_reasons=tuple(dict.fromkeys(reasons)), conflict_declared=h.conflict_declared))
    return tuple(out)


# The rows of one case that every case page and every step reads, compiled once (zhifa.prepared); read without
# ORDER BY (sorted here: a few rows) so no index has to serve an order.
_HANDLERS = Prepared("case.handlers", lambda c: CaseHandler.objects.filter(case_id=c).select_related("user__agency")
                     .order_by(), int)
_ITEMS = Prepared("case.items", lambda c: CaseItem.objects.filter(case_id=c).select_related("item__domain")
                  .order_by(), int)
_INVESTIGATORS = Prepared("case.investigators", lambda c: CaseStep.objects.filter(
    case_id=c, action__in=sorted(INVESTIGATION_STEPS)).order_by().values_list("actor_id", flat=True), int)
_LAST_REVIEW = Prepared("case.last_review", lambda c: LegalReview.objects.filter(case_id=c).select_related("reviewer")
                        .order_by("-id")[:1], int)
_APPROVED = Prepared("case.approved", lambda c: CaseApproval.objects.filter(case_id=c, approved=True)
                     .select_related("decided_by").order_by(), int)
_STEPS = Prepared("case.steps", lambda c: CaseStep.objects.filter(case_id=c).select_related("actor").order_by(), int)
_REVIEWS = Prepared("case.reviews", lambda c: LegalReview.objects.filter(case_id=c).select_related(
    "reviewer", "assigned_to", "submitted_by").order_by(), int)
_APPROVALS = Prepared("case.approvals", lambda c: CaseApproval.objects.filter(case_id=c).select_related("decided_by")
                      .order_by(), int)
_CLOCKS = Prepared("case.clocks", lambda c: CaseClock.objects.filter(case_id=c).order_by(), int)
_DOCUMENTS = Prepared("case.documents", lambda c: CaseDocument.objects.filter(case_id=c).order_by(), int)
_RECORDS = Prepared("case.records", lambda c: CaseRecord.objects.filter(case_id=c).order_by(), int)
_PAUSES = Prepared("case.pauses", lambda c: ClockPause.objects.filter(case_id=c).order_by(), int)


def _rows(query: Prepared, case: Case, key) -> list:
    return sorted(query(case.pk, using=case._state.db or "default", attach={"case": case}), key=key)


def _all_rows(case: Case, *queries: Prepared) -> list[list]:
    """The rows of each of ``queries`` for ``case``, read together (one round trip on PostgreSQL)."""
    return together(*((q, (case.pk,), {"case": case}) for q in queries), using=case._state.db or "default")


def handler_rows(case: Case) -> list[CaseHandler]:
    """Every handler row of the case (removed ones too: they investigated), each with its user and the user's
    agency (whose policies set the training rules); the qualification data comes from ``qualification_data``."""
    return _rows(_HANDLERS, case, lambda h: (not h.is_lead, h.id))


# --- review and hearing -----------------------------------------------------------------------------------

def hearing_right(case: Case, penalty: proc.Penalty | None, on: date) -> bool:
    """Must the party be told of the right to a hearing (Art 63) for ``penalty``?"""
    if penalty is None or not penalty.kinds:
        return False
    try:
        return hearing_required(party_kind(case), penalty.kinds, penalty.fine, _confiscation(penalty),
                                hearing_thresholds(case.agency, on), other_heavy=case.hearing_other_heavy).result
    except RuleViolation:
        return False  # an incomplete penalty: penalty_stated refuses the step


def _confiscation(p: proc.Penalty) -> Decimal | None:
    return p.confiscation if p.kinds & CONFISCATION_KINDS else None


def _fine(p: proc.Penalty) -> Decimal | None:
    return p.fine if PenaltyKind.FINE in p.kinds else None


def outside_benchmark(case: Case, penalty: proc.Penalty | None) -> bool:
    """减轻, or a fine outside the discretion result's recommended range (the 118号 catalogue's ground)."""
    if case.assessment and case.assessment.get("outcome") == "mitigated":
        return True
    if penalty is None or penalty.fine is None or case.recommended_min is None or case.recommended_max is None:
        return False
    return not case.recommended_min <= penalty.fine <= case.recommended_max


def review_required_for(case: Case, penalty: proc.Penalty | None, *, hearing_held: bool, on: date) -> bool:
    """Must the decision pass 法制审核 (Art 58)? The statutory grounds always count; for a penalty, also the
    agency's catalogue, and every penalty when ``case.review_all_penalties`` is on."""
    statutory = case.review_public_interest or case.review_complex or case.review_other_law
    if penalty is None or not penalty.kinds:
        return statutory or hearing_held
    if policy("case.review_all_penalties", case.agency, on):
        return True
    try:
        return review_required(party_kind(case), penalty.kinds, _fine(penalty), _confiscation(penalty),
                               catalogue=review_catalogue(case.agency, on), hearing_held=hearing_held,
                               major_public_interest=case.review_public_interest, complex_case=case.review_complex,
                               other_law=case.review_other_law,
                               outside_benchmark=outside_benchmark(case, penalty)).result
    except RuleViolation:
        return True  # an incomplete penalty: the safe answer; penalty_stated refuses the step anyway


# --- the snapshot -----------------------------------------------------------------------------------------

def case_facts(case: Case, *, today: date, declared: Mapping[str, bool] | None = None,
               keep: dict | None = None) -> proc.CaseFacts:
    """The snapshot of ``case`` on ``today`` for ``procedure.check`` (``declared``: the flags the officer declares
    with the request, ``credentials_shown`` and ``statement_heard``).

    Reads the case instance as it is in memory (the service has applied the request's fields to it) and its
    related rows from the database, all nine reads sent together (``prepared.together``; the request's documents
    and records are already written, in the same transaction). ``keep``, when given, receives the rows read on
    the way (``items``, ``clocks``, ``documents``, ``records``, ``pauses``, ``handlers`` — removed ones too —, and
    ``steps`` newest first, ``reviews``, ``approvals`` with their people) so a page showing them need not read
    them again.
    """
    declared = declared or {}
    # every read at once; a page shows every step, review and approval: it reads them whole
    middle = (_INVESTIGATORS, _LAST_REVIEW, _APPROVED) if keep is None else (_STEPS, _REVIEWS, _APPROVALS)
    items, all_handlers, first, second, third, clocks, documents, records, pauses = _all_rows(
        case, _ITEMS, _HANDLERS, *middle, _CLOCKS, _DOCUMENTS, _RECORDS, _PAUSES)
    items.sort(key=lambda i: (not i.is_primary, i.id))
    all_handlers.sort(key=lambda h: (not h.is_lead, h.id))
    domains = list({ci.item.domain.code: ci.item.domain for ci in items}.values())

    investigators = {h.user_id for h in all_handlers}
    investigation = {a.value for a in INVESTIGATION_STEPS}
    if keep is None:
        investigators |= set(first)
        review = second[0] if second else None
        approval_rows = sorted(third, key=lambda a: a.id)
    else:
        steps = sorted(first, key=lambda st: -st.version)
        investigators |= {st.actor_id for st in steps if st.action in investigation}
        reviews = sorted(second, key=lambda r: r.id)
        review = reviews[-1] if reviews else None
        all_approvals = sorted(third, key=lambda a: (a.decided_on, a.id))
        approval_rows = [a for a in all_approvals if a.approved]
        keep.update(steps=steps, reviews=reviews, approvals=all_approvals, handlers=all_handlers)
    # the people whose roles or qualification the rules read, in one look-up (cached: org.services)
    people = qualification_data({h.user_id for h in all_handlers if h.removed_on is None}
                                | {a.decided_by_id for a in approval_rows}
                                | ({review.reviewer_id} if review is not None and review.reviewer_id else set()))
    handlers = handlers_of(case, domains, today, all_handlers, people=people)
    reviewer = (_person(review.reviewer, people[review.reviewer_id].roles)
                if review is not None and review.reviewer is not None else None)

    approvals = tuple(proc.Approval(a.kind, a.decided_by_id, people[a.decided_by_id].roles & proc.ROLES,
                                    a.decided_on)
                      for a in approval_rows)

    clocks.sort(key=lambda c: c.id)
    documents.sort(key=lambda d: (d.issued_on, d.id))
    records.sort(key=lambda r: (r.made_on, r.id))
    pauses.sort(key=lambda p: (p.opened_on, p.id))
    if keep is not None:
        keep.update(items=items, clocks=clocks, documents=documents, records=records, pauses=pauses)
    running = frozenset(c.code for c in clocks if c.stopped_on is None)
    remedy_ends = [c.due_on for c in clocks if c.code in ("reconsideration", "litigation")]
    notified = penalty_from_json(case.notified_penalty)
    proposed = penalty_from_json(case.proposed_penalty)
    hearing_held = case.hearing_held_on is not None

    return proc.CaseFacts(
        procedure=proc.Procedure(case.procedure),
        state=proc.State(case.state) if case.state else None,
        today=today,
        calendar=work_calendar(),
        prior_state=proc.State(case.prior_state) if case.prior_state else None,
        clue_source=case.clue_source or None,
        filed_on=case.filed_on,
        act_date=case.act_date,
        act_end_date=case.act_end_date,
        discovered_on=case.discovered_on,
        serious_limitation=case.serious_limitation,
        handlers=handlers,
        investigator_ids=frozenset(investigators),
        items=tuple(ci.item.code for ci in items),
        domains=frozenset(d.code for d in domains),
        party_kind=party_kind(case),
        credentials_shown=bool(declared.get("credentials_shown")),
        facts_established=case.facts_established,
        notified=notified,
        proposed=proposed,
        decision=proc.DecisionKind(case.decision_kind) if case.decision_kind else None,
        prior_fines_same_act=case.prior_fines_same_act,
        recommended_range=((case.recommended_min, case.recommended_max)
                           if case.recommended_min is not None and case.recommended_max is not None else None),
        outside_range_reason=case.outside_range_reason,
        notice_served_on=case.notice_served_on,
        statement_days=policy("case.statement_days", case.agency, case.notice_served_on or today),
        statement_waived=case.statement_waived,
        statement_heard=bool(declared.get("statement_heard")),
        hearing_right=hearing_right(case, notified or proposed, today),
        hearing_requested_on=case.hearing_requested_on,
        hearing_waived=case.hearing_waived,
        hearing_declined=case.hearing_declined,
        hearing_notice_on=case.hearing_notice_on,
        hearing_date=case.hearing_date,
        hearing_held_on=case.hearing_held_on,
        hearing_host_id=case.hearing_host_id,
        review_required=review_required_for(case, proposed, hearing_held=hearing_held, on=today),
        review_status=review.status if review is not None else None,
        reviewer=reviewer,
        reviewed_on=review.reviewed_on if review is not None else None,
        collective_discussion_needed=case.major_case,
        collective_discussion_held=case.collective_discussion_held,
        approvals=approvals,
        decision_extensions_allowed=policy("case.decision_extensions", case.agency, today),
        av_steps=frozenset(policy("record.av_steps", case.agency, today)),
        decision_extensions_used=sum(c.extensions for c in clocks if c.code == "decision"),
        seizure_extended=any(c.extended for c in clocks if c.code == "seizure" and c.stopped_on is None),
        decision_served_on=case.decision_served_on,
        public_notice_on=case.public_notice_on,
        deferred_until=case.deferred_until,
        urge_served_on=case.urge_served_on,
        remedies_expired_on=max(remedy_ends) if remedy_ends else None,
        hard_to_enforce=case.hard_to_enforce,
        remote_area=case.remote_area,
        party_requests_collection=case.party_requests_collection,
        documents=frozenset(d.code for d in documents),
        # a 音像记录 counts only with its file or reason (law.md §2.2; files.check_entries checked it when registered)
        records=frozenset(r.code for r in records if record_satisfied(r.code, r.description, r.file_hash)),
        running_clocks=running,
        open_exclusions=frozenset(p.kind for p in pauses if p.closed_on is None),
    )
