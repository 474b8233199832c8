"""The holiday calendar as editable data (DESIGN.md §4 "Time").

:func:`work_calendar` builds a :class:`zhifa.law.calendar.WorkCalendar` from the ``CalendarDay`` and
``CalendarYear`` tables: the covered years are the years marked complete. Rows of other years are
ignored by the computation (``WorkCalendar`` refuses data outside its covered years), so a year
being entered by hand only counts once an administrator marks it complete.

The result is cached per process. Every call checks a fingerprint of both tables (row count and
latest ``updated_at``; one small query, read once per web request — see :mod:`.fresh`), so an edit
made in another process (another web worker, the admin, ``load_reference``) is picked up on the
next call (next request). ``post_save``/``post_delete`` signals
also drop the cache at once in the process that made the change. ``QuerySet.update()`` bypasses
both ``auto_now`` and signals: call :func:`invalidate` after one.

:func:`seed_from_chinese_calendar` loads every year the ``chinese_calendar`` package covers; it is
idempotent and never overwrites a row whose source is ``manual``.
"""

from __future__ import annotations

import threading
from datetime import date

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from zhifa.law.calendar import WorkCalendar

from . import fresh
from .models import CalendarDay, CalendarYear

_lock = threading.Lock()
_cache: tuple[object, WorkCalendar] | None = None


def invalidate() -> None:
    """Drop this process's cached calendar (other processes notice the change by fingerprint)."""
    global _cache
    with _lock:
        _cache = None
    fresh.forget()


@receiver(post_save, sender=CalendarDay, dispatch_uid="zhifa.catalog.calendar.day_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="zhifa.catalog.calendar.day_deleted")
@receiver(post_save, sender=CalendarYear, dispatch_uid="zhifa.catalog.calendar.year_saved")
@receiver(post_delete, sender=CalendarYear, dispatch_uid="zhifa.catalog.calendar.year_deleted")
def _calendar_changed(**kwargs) -> None:
    invalidate()


def _fingerprint() -> tuple:
    return fresh.fingerprint("calendar")


def _build() -> WorkCalendar:
    years = frozenset(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        if day.year not in years or kind == CalendarDay.Kind.NORMAL:
            continue
        (workdays if kind == CalendarDay.Kind.WORKDAY else holidays).add(day)
    return WorkCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays), years=years)


def work_calendar() -> WorkCalendar:
    """The holiday calendar from the database, cached per process and rebuilt when the tables change."""
    global _cache
    fingerprint = _fingerprint()
    cached = _cache
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    calendar = _build()
    with _lock:
        _cache = (fingerprint, calendar)
    return calendar


def missing_years(around: int, span: int = 1) -> list[int]:
    """Years from ``around - span`` to ``around + span`` without complete holiday data.

    For the administrator's screen: with the default span, last year, this year and next year.
    """
    complete = set(
        CalendarYear.objects.filter(complete=True, year__range=(around - span, around + span))
        .values_list("year", flat=True)
    )
    return [y for y in range(around - span, around + span + 1) if y not in complete]


def _chinese_name(english: str | None) -> str:
    if not english:
        return ""
    from chinese_calendar.constants import Holiday

    for holiday in Holiday:
        if holiday.value == english:
            return holiday.chinese
    return english


def seed_from_chinese_calendar() -> dict[str, int]:
    """Load every year ``chinese_calendar`` covers. Idempotent; ``manual`` rows are kept as they are.

    Package rows that differ from the package (e.g. after a package upgrade corrected a day) are
    updated; package rows for a date the package no longer lists are deleted. Returns counts.
    """
    import chinese_calendar

    source = CalendarDay.Source.CHINESE_CALENDAR
    wanted: dict[date, tuple[str, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        wanted[day] = (CalendarDay.Kind.HOLIDAY, _chinese_name(name))
    for day, name in chinese_calendar.workdays.items():
        wanted[day] = (CalendarDay.Kind.WORKDAY, _chinese_name(name))
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year

    created = updated = deleted = 0
    with transaction.atomic():
        existing = {row.date: row for row in CalendarDay.objects.filter(date__year__range=(first, last))}
        new = []
        changed = []
        for day, (kind, name) in sorted(wanted.items()):
            row = existing.get(day)
            if row is None:
                new.append(CalendarDay(date=day, kind=kind, name=name, source=source))
            elif row.source == source and (row.kind, row.name) != (kind, name):
                row.kind, row.name = kind, name
                changed.append(row)
        stale = [row.pk for d, row in existing.items() if row.source == source and d not in wanted]
        if new:
            CalendarDay.objects.bulk_create(new, batch_size=500)
            created = len(new)
        for row in changed:  # rare (a package upgrade); save() keeps updated_at honest
            row.save(update_fields=["kind", "name", "updated_at"])
        updated = len(changed)
        if stale:
            deleted, _ = CalendarDay.objects.filter(pk__in=stale).delete()

        # Existing year rows are left alone: an administrator may have marked a year incomplete.
        years = set(CalendarYear.objects.filter(year__range=(first, last)).values_list("year", flat=True))
        new_years = [
            CalendarYear(year=y, complete=True, source=source, note="chinese_calendar 软件包（国务院办公厅通知）")
            for y in range(first, last + 1)
            if y not in years
        ]
        if new_years:
            CalendarYear.objects.bulk_create(new_years)
    if created or updated or deleted or new_years:
        invalidate()
    return {"created": created, "updated": updated, "deleted": deleted, "years": len(new_years)}


__all__ = ["invalidate", "missing_years", "seed_from_chinese_calendar", "work_calendar"]
