"""The demo bureau's cases (zhifa.cases.demo): loaded by `zhifa load_demo` through the case service, in every state,
each step recorded, and loading again adds nothing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhifa.law import procedure as proc
from zhifa.org import demo

S = proc.State


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _demo_cases():
    from zhifa.cases.models import Case

    return Case.objects.filter(agency__code=demo.AGENCY["code"], creation_key__contains=":demo:")


def _counts() -> dict[str, int]:
    from zhifa.cases.models import Case, CaseClock, CaseDocument, CaseRecord, CaseStep, Payment
    from zhifa.records.models import Event

    return {m.__name__: m.objects.count() for m in (Case, CaseStep, CaseClock, CaseDocument, CaseRecord, Payment,
                                                     Event)}


def _check_cases(today: date) -> None:
    from zhifa.cases.models import CaseClock, CaseHandler, CaseRecord, CaseStep, LegalReview, Payment
    from zhifa.records.models import Event
    from zhifa.records.services import verify_chain

    cases = list(_demo_cases())
    assert len(cases) >= 25
    states = {c.state for c in cases}
    # every state of the procedure table has a case
    assert states == {s.value for s in S}, {s.value for s in S} - states

    by_state = {}
    for c in cases:
        by_state.setdefault(c.state, []).append(c)
    # awaiting legal review: a pending review assigned to the 法制股
    pending = LegalReview.objects.get(case__in=by_state[S.UNDER_REVIEW], status="pending")
    assert pending.assigned_to.username in ("fazhi1", "fazhi2")
    # in a hearing: the notice served at least 7 working days ahead, the hearing still to come, a host from 法制股
    hearing = by_state[S.HEARING_SCHEDULED][0]
    assert hearing.hearing_date > today and hearing.hearing_notice_on < hearing.hearing_date
    assert hearing.hearing_host.username.startswith("fazhi")
    # several summary cases, one with the fine collected on the spot and handed in
    summary = [c for c in cases if c.procedure == "summary"]
    assert len(summary) >= 3
    spot = Payment.objects.get(case__in=summary, method="on_the_spot")
    assert spot.amount <= 100 and spot.deposited_on is not None
    # 不予处罚 with an education record
    no_penalty = [c for c in cases if c.decision_kind == "no_penalty"]
    assert no_penalty and CaseRecord.objects.filter(case=no_penalty[0], code="education_record").exists()
    # transferred to the police
    assert by_state[S.TRANSFERRED][0].steps.filter(action="transfer_criminal").exists()
    # performance with the surcharge running
    performing = by_state[S.PERFORMING][0]
    assert performing.surcharge_amount and performing.surcharge_amount > 0
    # an overdue running clock as of the demo's today: the 90-day decision period of a stalled investigation
    overdue = CaseClock.objects.filter(case__in=cases, stopped_on__isnull=True, code="decision", due_on__lt=today)
    assert overdue.exists()
    # no agency deadline is overdue but that one: every clock ended with its step (陈述申辩 at the hearing request,
    # 公示 by 记录公示, 缴纳 at 强制执行完毕); the party's lapsed periods (the surcharge case's payment) are not overdue
    _check_no_overdue_agency_clock(cases, today)
    # penalties proposed with a stored discretion calculation, the fine within its range
    for c in cases:
        if c.decided_penalty and c.decided_penalty.get("fine") and c.recommended_max is not None:
            assert c.recommended_min <= Decimal(c.decided_penalty["fine"]) <= c.recommended_max, c.title
    # handlers: only officers the roster allows
    blocked = set(demo.EXPECTED_BLOCKED)
    assert not CaseHandler.objects.filter(case__in=cases, user__username__in=blocked).exists()
    # every step is one event with its case, in order (besides the events of its files, of its decision's number and
    # of the decision's publication, which have their own); the chain verifies
    for c in cases:
        steps = list(CaseStep.objects.filter(case=c).order_by("version"))
        events = list(Event.objects.filter(case_id=c.pk).exclude(subject__startswith="file:")
                      .exclude(subject__startswith="number:").exclude(subject__startswith="publication:")
                      .order_by("id"))
        assert [s.event_id for s in steps] == [e.id for e in events], c.title
        assert [s.version for s in steps] == list(range(1, c.version + 1))
        assert [s.on for s in steps] == sorted(s.on for s in steps) and steps[-1].on <= today
    assert verify_chain()[1] is None


def _slug(case) -> str:
    return case.creation_key.split(":demo:", 1)[1]


def _check_no_overdue_agency_clock(cases, today: date) -> None:
    from zhifa.cases.models import CaseClock
    from zhifa.cases.views.common import by_urgency, decorate

    running = CaseClock.objects.filter(case__in=cases, stopped_on__isnull=True).select_related("case")
    late = {(_slug(c.case), c.code) for c in running if c.due_on < today and c.code not in proc.PARTY_CLOCKS}
    assert late == {("net-overdue", "decision")}, late
    # the party's periods may have lapsed (缴纳罚款 in the surcharge case): shown, but not as overdue
    lapsed = {(_slug(c.case), c.code) for c in running if c.due_on < today and c.code in proc.PARTY_CLOCKS}
    assert ("trv-performing", "payment") in lapsed
    # the case screens agree: one red row
    rows = decorate(by_urgency(_demo_cases()), today)
    assert [_slug(r) for r in rows if r.row_tone == "no"] == ["net-overdue"]
    assert [_slug(r) for r in rows if r.next_clock and r.next_clock["overdue"]] == ["net-overdue"]
    # closed and archived cases have no running clock; publication is recorded but for the case decided last
    ended = {S.CLOSED.value, S.ARCHIVED.value, S.WITHDRAWN.value, S.NOT_FILED.value}
    assert not running.filter(case__state__in=ended).exists()
    assert {_slug(c.case) for c in running if c.code == "publish_penalty"} == {"trv-decided"}
    assert not running.filter(code="statement", case__state__in=[S.HEARING_REQUESTED, S.HEARING_SCHEDULED,
                                                                  S.HEARING_HELD]).exists()


@pytest.mark.django_db(transaction=False)
def test_load_demo_loads_the_cases_once(monkeypatch):
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    first = _load()
    assert "演示案件未载入" not in first
    assert "演示案件" in first and "归档" in first
    _check_cases(timezone.localdate())
    counts = _counts()
    second = _load()
    assert _counts() == counts
    assert "本次新增 0 件" in second


@pytest.mark.parametrize("today", [date(2026, 2, 24)])
def test_the_demo_cases_load_on_other_days(db, today):
    """Right after the Spring Festival holidays, the oldest cases in the year before: every step lands in order,
    on a working day, and every guard passes."""
    from django.core.management import call_command as cc

    from zhifa.cases.demo import load_demo_cases
    from zhifa.org.models import Agency

    cc("load_reference", verbosity=0, stdout=io.StringIO())
    demo.load(today=today)
    result = load_demo_cases(Agency.objects.get(code=demo.AGENCY["code"]), today=today)
    assert result.refused == []
    _check_cases(today)
