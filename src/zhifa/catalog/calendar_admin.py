"""Editing the holiday calendar (DESIGN.md §4 "Time"): the services behind the calendar screen.

The holiday calendar is data every deadline reads (``zhifa.catalog.calendar.work_calendar``), so a
change is made only here: checked, saved with source ``manual`` (seeding never overwrites it),
recorded in the hash-chained log in the same transaction, and the cached calendar dropped.

Who may edit: the 系统管理员, like the other dated parameters of the platform
(``zhifa.org.services.can_set_policy``). Everyone signed in may read the calendar.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from zhifa.law.calendar import ART_85_WORKING_DAYS
from zhifa.law.errors import Citation, RuleViolation
from zhifa.records.services import record

from .calendar import invalidate
from .models import CalendarDay, CalendarYear

# The years a person may enter or mark: wide enough for any case file, narrow enough to catch typos
# (a year 20260 or 206 is a slip of the keyboard, not a holiday).
FIRST_YEAR = 2000
LAST_YEAR = 2100
NAME_MAX = CalendarDay._meta.get_field("name").max_length
NOTE_MAX = CalendarDay._meta.get_field("note").max_length

HOLIDAY_NOTICE = Citation("《全国年节及纪念日放假办法》", "", "国务院办公厅每年公布次年的放假和调休安排")


def can_edit_calendar(user) -> bool:
    """The 系统管理员 keeps the holiday calendar, as they set the other dated parameters."""
    from zhifa.org.services import can_set_policy

    return bool(user is not None and user.is_authenticated and can_set_policy(user))


def _require(user) -> None:
    if not can_edit_calendar(user):
        raise RuleViolation("forbidden", "您没有维护节假日安排的权限（仅系统管理员）")


def _check_year(year, field: str) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise RuleViolation("calendar_year_range", f"年份应在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间", field)
    return year


def _check_day(day, kind, name: str, note: str) -> tuple[date, str, str, str]:
    if not isinstance(day, date):
        raise RuleViolation("calendar_date", "请填写有效日期，例如 2026-10-01", "date")
    _check_year(day.year, "date")
    if kind not in CalendarDay.Kind.values:
        raise RuleViolation("calendar_kind", "类型只能是“法定节假日/休息日”或“调休上班日”", "kind")
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        # Monday to Friday are working days anyway: listing one as 调休上班日 changes nothing and
        # usually means the wrong date was typed.
        raise RuleViolation("calendar_workday_weekday",
                            f"{day.isoformat()} 是周一至周五，本就是工作日；调休上班日应为周六或周日", "kind",
                            [ART_85_WORKING_DAYS])
    name, note = (name or "").strip(), (note or "").strip()
    if len(name) > NAME_MAX:
        raise RuleViolation("calendar_name_long", f"名称不得超过 {NAME_MAX} 个字", "name")
    if len(note) > NOTE_MAX:
        raise RuleViolation("calendar_note_long", f"说明不得超过 {NOTE_MAX} 个字", "note")
    return day, kind, name, note


def _row(day: CalendarDay | None) -> dict | None:
    if day is None:
        return None
    return {"kind": day.kind, "name": day.name, "source": day.source, "note": day.note}


def _year_counts(year: int) -> bool:
    return CalendarYear.objects.filter(year=year, complete=True).exists()


def add_day(*, actor, day: date, kind: str, name: str = "", note: str = "") -> CalendarDay:
    """Add a rest day or an adjusted working day that the calendar does not list yet.

    A date already listed is refused (edit that row instead), so a package day is never replaced
    by accident.
    """
    _require(actor)
    day, kind, name, note = _check_day(day, kind, name, note)
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().filter(date=day).first()
        if existing is not None:
            raise RuleViolation("calendar_day_exists",
                                f"{day.isoformat()} 已有安排（{existing.get_kind_display()}"
                                f"{'：' + existing.name if existing.name else ''}），请在列表中修改该日",
                                "date")
        row = CalendarDay.objects.create(date=day, kind=kind, name=name, note=note,
                                         source=CalendarDay.Source.MANUAL)
        record("calendar.day_saved", actor=actor, subject=f"calendar:{day.isoformat()}",
               payload={"date": day, "before": None, "after": _row(row), "counts": _year_counts(day.year)})
    invalidate()
    return row


def update_day(*, actor, day: date, kind: str, name: str = "", note: str = "") -> CalendarDay:
    """Change the kind, name or note of a listed day; it becomes a ``manual`` row (kept by seeding)."""
    _require(actor)
    day, kind, name, note = _check_day(day, kind, name, note)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise RuleViolation("calendar_day_missing", f"{day.isoformat()} 没有节假日安排可修改", "date")
        before = _row(row)
        row.kind, row.name, row.note, row.source = kind, name, note, CalendarDay.Source.MANUAL
        row.save()
        record("calendar.day_saved", actor=actor, subject=f"calendar:{day.isoformat()}",
               payload={"date": day, "before": before, "after": _row(row), "counts": _year_counts(day.year)})
    invalidate()
    return row


def delete_day(*, actor, day: date) -> dict:
    """Remove a listed day: the date then follows the week (Monday–Friday working).

    A day that came from the ``chinese_calendar`` package is not deleted but kept as a ``manual`` row of
    kind ``normal`` (按平常安排): the calendar ignores it, and reloading the reference data, which never
    overwrites manual rows, does not bring the package's arrangement back. Other rows are deleted.
    """
    _require(actor)
    if not isinstance(day, date):
        raise RuleViolation("calendar_date", "请填写有效日期，例如 2026-10-01", "date")
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise RuleViolation("calendar_day_missing", f"{day.isoformat()} 没有节假日安排可删除", "date")
        if row.kind == CalendarDay.Kind.NORMAL:
            raise RuleViolation("calendar_day_normal", f"{day.isoformat()} 已按平常安排，无须删除", "date")
        before = _row(row)
        if row.source == CalendarDay.Source.CHINESE_CALENDAR or _in_package(day):
            row.kind, row.source = CalendarDay.Kind.NORMAL, CalendarDay.Source.MANUAL
            row.note = "撤销 chinese_calendar 软件包的安排"
            row.save()
        else:
            row.delete()
        record("calendar.day_deleted", actor=actor, subject=f"calendar:{day.isoformat()}",
               payload={"date": day, "before": before, "counts": _year_counts(day.year)})
    invalidate()
    return before


def _in_package(day: date) -> bool:
    """Whether the chinese_calendar package lists the day as a holiday or an adjusted working day."""
    import chinese_calendar

    return day in chinese_calendar.holidays or day in chinese_calendar.workdays


def mark_year(*, actor, year: int, complete: bool, note: str = "") -> CalendarYear:
    """Mark a year's holiday data complete (deadlines then count its holidays) or incomplete.

    A year with no rest day listed cannot be complete: every year has statutory holidays (元旦, 春节 …),
    so an empty year means the 国务院办公厅 notice has not been entered yet, and marking it complete
    would make deadlines silently count weekends only.
    """
    _require(actor)
    year = _check_year(year, "year")
    if not isinstance(complete, bool):
        raise RuleViolation("calendar_complete", "请选择“完整”或“不完整”", "complete")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RuleViolation("calendar_note_long", f"说明不得超过 {NOTE_MAX} 个字", "note")
    with transaction.atomic():
        if complete and not CalendarDay.objects.filter(date__year=year, kind=CalendarDay.Kind.HOLIDAY).exists():
            raise RuleViolation("calendar_year_empty",
                                f"{year}年尚未录入任何节假日，不能标记为数据完整；"
                                "请先按国务院办公厅公布的放假安排录入", "complete", [HOLIDAY_NOTICE])
        row = CalendarYear.objects.select_for_update().filter(year=year).first()
        before = None if row is None else {"complete": row.complete, "source": row.source, "note": row.note}
        if row is None:
            row = CalendarYear(year=year)
        row.complete, row.note, row.source = complete, note, CalendarDay.Source.MANUAL
        row.save()
        record("calendar.year_marked", actor=actor, subject=f"calendar:{year}",
               payload={"year": year, "complete": complete, "note": note, "before": before})
    invalidate()
    return row


__all__ = ["FIRST_YEAR", "LAST_YEAR", "add_day", "can_edit_calendar", "delete_day", "mark_year", "update_day"]
