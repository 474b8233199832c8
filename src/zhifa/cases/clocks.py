"""The case's clocks as rows: started, stopped, extended and paused by steps (DESIGN.md §4 "Time").

The dates come from ``zhifa.law.clocks.due`` with the holiday calendar, or from a policy for the two
periods only policy sets (``procedure.POLICY_CLOCKS``: 立案期限, 陈述申辩期限). A due date is never typed in:
extensions and excluded periods are recorded events, and :meth:`CaseClock.recompute` derives the date again.

Documented choices (not in law.md): an excluded period counts ``closed_on - opened_on`` calendar days (the
day it opens is not counted, as 民诉法第八十五条 counts periods); the 90-day extension adds the policy's days
to the date then in force; an approved deferral of payment moves the payment clock to the deferral's end.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhifa.law import procedure as proc
from zhifa.law.calendar import WorkCalendar
from zhifa.law.clocks import CLOCKS, Unit, due

from .models import Case, CaseClock, CaseStep, ClockPause
from .policies import policy

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The case field a clock counts from; clocks not listed count from the day of the step that starts them.
START_FIELDS = {
    "filing": "clue_received_on",
    "decision": "filed_on",
    "statement": "notice_served_on",
    "hearing_request": "notice_served_on",
    "service": "decided_on",
    "publish_penalty": "decided_on",
    "payment": "decision_served_on",
    "reconsideration": "decision_served_on",
    "litigation": "decision_served_on",
    "public_notice_service": "public_notice_on",
    "court_enforcement_earliest": "urge_served_on",
}

POLICY_DAYS = {"filing": "case.filing_days", "statement": "case.statement_days"}


def name_of(code: str) -> str:
    if code in CLOCKS:
        return CLOCKS[code].name
    return proc.POLICY_CLOCKS[code].name


def _basis(code: str) -> str:
    basis = CLOCKS[code].basis if code in CLOCKS else proc.POLICY_CLOCKS[code].basis
    return "；".join(str(c) for c in basis)


def start_date(case: Case, code: str, today: date) -> date:
    field = START_FIELDS.get(code)
    value = getattr(case, field) if field else None
    return value or today


def compute_due(case: Case, code: str, start: date, calendar: WorkCalendar, *, extended: bool = False,
                now: datetime | None = None) -> tuple[date, datetime | None, tuple[str, ...]]:
    """(due date, due moment for an hours clock, warnings) for a clock of ``case`` started on ``start``."""
    if code in POLICY_DAYS:
        result = calendar.add_working_days(start, policy(POLICY_DAYS[code], case.agency, start))
        return result.date, None, result.warnings
    clock = CLOCKS[code]
    if clock.unit is Unit.HOURS:
        moment = now or datetime.combine(start, time(12), SHANGHAI)
        result = due(code, moment, calendar)
        at = result.date  # a datetime for an hours clock
        return timezone.localtime(at, SHANGHAI).date(), at, result.warnings
    flags = {"extended": True} if extended and "extended" in clock.flags else {}
    result = due(code, start, calendar, **flags)
    return result.date, None, result.warnings


def start(case: Case, code: str, *, today: date, calendar: WorkCalendar, step: CaseStep) -> CaseClock:
    """Start ``code`` (a clock already running restarts: e.g. a second 催告)."""
    running = CaseClock.objects.filter(case=case, code=code, stopped_on__isnull=True).first()
    if running is not None:
        running.stopped_on = today
        running.stopped_step = step
        running.save(update_fields=["stopped_on", "stopped_step"])
    began = start_date(case, code, today)
    now = None
    if code in CLOCKS and CLOCKS[code].unit is Unit.HOURS:
        local = timezone.localtime(timezone.now(), SHANGHAI)
        now = local if began == local.date() else datetime.combine(began, local.time(), SHANGHAI)
    due_on, due_at, warnings = compute_due(case, code, began, calendar, now=now)
    clock = CaseClock(case=case, code=code, name=name_of(code), started_on=began, base_due_on=due_on, due_on=due_on,
                      due_at=due_at, basis=_basis(code), warnings=list(warnings), started_step=step)
    clock.recompute()
    clock.save()
    return clock


def stop(case: Case, codes, *, today: date, step: CaseStep) -> list[str]:
    """Stop the running clocks among ``codes``; returns the codes stopped."""
    clocks = list(CaseClock.objects.filter(case=case, code__in=list(codes), stopped_on__isnull=True))
    for c in clocks:
        _settle_pause(c, today)
        c.stopped_on = today
        c.stopped_step = step
        c.save()
    return [c.code for c in clocks]


def stop_all(case: Case, *, today: date, step: CaseStep) -> list[str]:
    codes = CaseClock.objects.filter(case=case, stopped_on__isnull=True).values_list("code", flat=True)
    stopped = stop(case, list(codes), today=today, step=step)
    for pause in ClockPause.objects.filter(case=case, closed_on__isnull=True):
        pause.closed_on = today
        pause.closed_step = step
        pause.save(update_fields=["closed_on", "closed_step"])
    return stopped


def extend(case: Case, code: str, *, today: date, calendar: WorkCalendar, step: CaseStep) -> CaseClock | None:
    """Record an approved extension of the running clock ``code`` (查封扣押: once, to 60 days, 行政强制法第二十五条;
    办案期限: the policy's days, 第六十条)."""
    clock = CaseClock.objects.filter(case=case, code=code, stopped_on__isnull=True).first()
    if clock is None:
        return None
    if code in CLOCKS and "extended" in CLOCKS[code].flags:
        clock.base_due_on, _, warnings = compute_due(case, code, clock.started_on, calendar, extended=True)
        clock.warnings = list(dict.fromkeys([*clock.warnings, *warnings]))
    else:
        clock.extension_days += policy("case.decision_extension_days", case.agency, today)
    clock.extended = True
    clock.extensions += 1
    clock.recompute()
    clock.save()
    return clock


def defer_payment(case: Case, until: date) -> None:
    """An approved 延期/分期 (Art 66) moves the payment period's end to the deferral's end, if later."""
    clock = CaseClock.objects.filter(case=case, code="payment", stopped_on__isnull=True).first()
    if clock is None:
        return
    clock.extended = True
    clock.extensions += 1
    clock.extension_days = max((until - clock.base_due_on).days, 0)
    clock.recompute()
    clock.save()


def open_pause(case: Case, kind: str, *, today: date, step: CaseStep) -> ClockPause:
    pause = ClockPause.objects.create(case=case, kind=kind, opened_on=today, opened_step=step)
    for clock in CaseClock.objects.filter(case=case, code__in=proc.EXCLUSIONS[kind].pauses, stopped_on__isnull=True):
        if clock.paused_since is None:
            clock.paused_since = today
            clock.save(update_fields=["paused_since"])
    return pause


def close_pause(case: Case, kind: str, *, today: date, step: CaseStep) -> ClockPause | None:
    pause = ClockPause.objects.filter(case=case, kind=kind, closed_on__isnull=True).first()
    if pause is None:
        return None
    pause.closed_on = today
    pause.closed_step = step
    pause.save(update_fields=["closed_on", "closed_step"])
    still_open = set(ClockPause.objects.filter(case=case, closed_on__isnull=True).values_list("kind", flat=True))
    for clock in CaseClock.objects.filter(case=case, code__in=proc.EXCLUSIONS[kind].pauses, stopped_on__isnull=True):
        if clock.paused_since is None:
            continue
        if any(clock.code in proc.EXCLUSIONS[k].pauses for k in still_open):
            continue  # another excluded period still holds the clock; its days are counted when that one closes
        _settle_pause(clock, today)
        clock.save()
    return pause


def _settle_pause(clock: CaseClock, today: date) -> None:
    if clock.paused_since is not None:
        clock.paused_days += max((today - clock.paused_since).days, 0)
        clock.paused_since = None
        clock.recompute()


def effective_due(clock: CaseClock, today: date) -> date:
    """The due date as of ``today``: while an excluded period is open the date moves on with each day."""
    if clock.paused_since is None or clock.stopped_on is not None:
        return clock.due_on
    return clock.due_on + timedelta(days=max((today - clock.paused_since).days, 0))
