"""The daily ``tick``: in-app reminders of the agency's deadlines that are due soon or past due (期限提醒).

Only the agency's running clocks count (``procedure.clock_binds``; the party's periods — 陈述申辩, 听证申请,
缴纳罚款, 复议, 诉讼 … — are not the agency's deadlines), and neither a stopped clock nor one held by an open
excluded period (``paused_since``: its due date moves on each day). A clock is due soon from
``case.alert_days`` working days (the agency's policy) before its due date, and overdue once the due date has
passed (as the case screens count it, ``views.common.clock_view``).

Who is told: the case's current handlers (not removed); while the case is under 法制审核, the reviewer it was
assigned to; and for an overdue clock also the heads (负责人) of the case's agency. Each recipient hears of a
clock once per kind (the unique constraint on :class:`Notification`), so running ``tick`` again the same day —
or every day — adds nothing new. Each run records one event ``cases.notifications_raised`` with its counts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from zhifa.catalog.calendar import work_calendar
from zhifa.law import procedure as proc
from zhifa.law.calendar import cn_date
from zhifa.records.services import record

from .models import CaseClock, CaseHandler, LegalReview, Notification
from .policies import policy
from .views.common import clock_view

# A generous bound on how far ahead ``case.alert_days`` working days can reach (at most 15, plus holidays).
_LOOKAHEAD = timedelta(days=60)
REVIEW_STATES = frozenset({proc.State.UNDER_REVIEW.value})



def message_for(clock: CaseClock, kind: str, today: date) -> str:
    """The reminder's text: the case (its reference, or the clue before filing), the clock and its due date."""
    case = clock.case
    if kind == Notification.Kind.OVERDUE:
        days = (today - clock.due_on).days
        return f"{case}：{clock.name}已于{cn_date(clock.due_on)}届满，已逾期 {days} 天。"
    left = (clock.due_on - today).days
    when = "今日届满" if left == 0 else f"将于{cn_date(clock.due_on)}届满（剩 {left} 天）"
    return f"{case}：{clock.name}{when}。"


def _kind(clock: CaseClock, today: date, horizons: dict[int, date], calendar) -> str | None:
    if clock_view(clock, today)["overdue"]:
        return Notification.Kind.OVERDUE
    agency_id = clock.case.agency_id
    if agency_id not in horizons:
        days = policy("case.alert_days", clock.case.agency, today)
        horizons[agency_id] = calendar.add_working_days(today, days).date
    return Notification.Kind.DUE_SOON if clock.due_on <= horizons[agency_id] else None


def tick(today: date | None = None) -> dict:
    """Raise the reminders due on ``today`` (default: today in Shanghai); returns the counts recorded."""
    today = today or timezone.localdate()
    calendar = work_calendar()
    clocks = list(CaseClock.objects.filter(stopped_on__isnull=True, paused_since__isnull=True,
                                           due_on__lte=today + _LOOKAHEAD)
                  .exclude(code__in=proc.PARTY_CLOCKS)
                  .select_related("case", "case__agency").order_by("due_on", "id"))
    horizons: dict[int, date] = {}
    alerts = [(c, k) for c in clocks if (k := _kind(c, today, horizons, calendar))]
    case_ids = {c.case_id for c, _ in alerts}

    handlers: dict[int, set[int]] = defaultdict(set)
    for case_id, user_id in CaseHandler.objects.filter(case_id__in=case_ids, removed_on__isnull=True,
                                                       user__is_active=True).values_list("case_id", "user_id"):
        handlers[case_id].add(user_id)
    reviewers: dict[int, set[int]] = defaultdict(set)
    in_review = {c.case_id for c, _ in alerts if c.case.state in REVIEW_STATES}
    for case_id, assigned, reviewer in LegalReview.objects.filter(
            case_id__in=in_review, status=LegalReview.Status.PENDING).values_list("case_id", "assigned_to_id",
                                                                                  "reviewer_id"):
        if assigned or reviewer:
            reviewers[case_id].add(assigned or reviewer)
    heads: dict[int, set[int]] = defaultdict(set)
    overdue_agencies = {c.case.agency_id for c, k in alerts if k == Notification.Kind.OVERDUE}
    for agency_id, user_id in get_user_model().objects.filter(
            agency_id__in=overdue_agencies, groups__name=proc.HEAD, is_active=True).values_list("agency_id", "id"):
        heads[agency_id].add(user_id)

    existing = set(Notification.objects.filter(clock__in=[c for c, _ in alerts])
                   .values_list("recipient_id", "clock_id", "kind"))
    new: list[Notification] = []
    for clock, kind in alerts:
        people = handlers[clock.case_id] | reviewers[clock.case_id]
        if kind == Notification.Kind.OVERDUE:
            people |= heads[clock.case.agency_id]
        text = message_for(clock, kind, today)
        for user_id in sorted(people):
            if (user_id, clock.id, kind) not in existing:
                new.append(Notification(recipient_id=user_id, case_id=clock.case_id, clock=clock, kind=kind,
                                        message=text))
    counts = {
        "date": today.isoformat(),
        "clocks_due_soon": sum(1 for _, k in alerts if k == Notification.Kind.DUE_SOON),
        "clocks_overdue": sum(1 for _, k in alerts if k == Notification.Kind.OVERDUE),
        "notifications": len(new),
        "due_soon": sum(1 for n in new if n.kind == Notification.Kind.DUE_SOON),
        "overdue": sum(1 for n in new if n.kind == Notification.Kind.OVERDUE),
        "recipients": len({n.recipient_id for n in new}),
    }
    with transaction.atomic():
        Notification.objects.bulk_create(new, ignore_conflicts=True)  # a tick running at once adds nothing twice
        record("cases.notifications_raised", subject=f"期限提醒 {today.isoformat()}", payload=counts)
    return counts


def summary(counts: dict) -> str:
    """The one-line Chinese summary the command prints."""
    return (f"{counts['date']} 期限提醒：即将届满的期限 {counts['clocks_due_soon']} 个，"
            f"已逾期的期限 {counts['clocks_overdue']} 个；新发出提醒 {counts['notifications']} 条"
            f"（即将届满 {counts['due_soon']} 条，已逾期 {counts['overdue']} 条），接收人 {counts['recipients']} 人。")
