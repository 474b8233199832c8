"""The holiday calendar as database data: seeding, manual edits, the cached WorkCalendar."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from zhifa.catalog.calendar import invalidate, missing_years, work_calendar
from zhifa.catalog.models import CalendarDay, CalendarYear
from zhifa.law.clocks import due

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    _load()


def test_seed_national_day_2026(seeded):
    days = {d.date: d for d in CalendarDay.objects.filter(date__range=(date(2026, 9, 1), date(2026, 10, 31)))}
    for n in range(1, 8):
        day = days[date(2026, 10, n)]
        assert (day.kind, day.name, day.source) == ("holiday", "国庆节", "chinese_calendar")
    assert days[date(2026, 9, 20)].kind == CalendarDay.Kind.WORKDAY
    assert days[date(2026, 10, 10)].kind == CalendarDay.Kind.WORKDAY
    assert CalendarYear.objects.get(year=2026).complete
    assert CalendarYear.objects.filter(complete=True).count() == 2026 - 2004 + 1


def test_seed_is_idempotent(seeded):
    before = (CalendarDay.objects.count(), CalendarYear.objects.count())
    assert "节假日新增 0 天" in _load()
    assert (CalendarDay.objects.count(), CalendarYear.objects.count()) == before


def test_seed_keeps_manual_rows(seeded):
    # An administrator corrects a package day and adds a local one; reseeding keeps both.
    CalendarDay.objects.filter(date=date(2026, 10, 7)).delete()
    CalendarDay.objects.create(date=date(2026, 10, 7), kind="workday", name="测试更正", source="manual")
    CalendarDay.objects.create(date=date(2026, 11, 2), kind="holiday", name="地方假日", source="manual")
    CalendarYear.objects.filter(year=2025).update(complete=False, source="manual")
    _load()
    kept = CalendarDay.objects.get(date=date(2026, 10, 7))
    assert (kept.kind, kept.name, kept.source) == ("workday", "测试更正", "manual")
    assert CalendarDay.objects.get(date=date(2026, 11, 2)).source == "manual"
    assert not CalendarYear.objects.get(year=2025).complete


def test_seed_restores_package_row_changed(seeded):
    day = CalendarDay.objects.get(date=date(2026, 10, 1))
    day.name = "被改动"
    day.save()
    _load()
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"


def test_work_calendar_matches_package(seeded):
    from zhifa.law.calendar import WorkCalendar

    assert work_calendar() == WorkCalendar.from_chinese_calendar()


def test_work_calendar_is_cached(seeded):
    assert work_calendar() is work_calendar()


def test_work_calendar_reflects_edit(seeded):
    start = date(2026, 11, 2)  # Monday
    assert due("publish_penalty", start, work_calendar()).date == date(2026, 11, 11)
    CalendarDay.objects.create(date=date(2026, 11, 4), kind="holiday", name="地方假日", source="manual")
    assert due("publish_penalty", start, work_calendar()).date == date(2026, 11, 12)
    CalendarDay.objects.filter(date=date(2026, 11, 4)).delete()
    assert due("publish_penalty", start, work_calendar()).date == date(2026, 11, 11)


def test_work_calendar_sees_edits_made_without_signals(seeded):
    """Another process's edit fires no signal here: the fingerprint check still notices it."""
    start = date(2026, 11, 2)
    work_calendar()
    CalendarDay.objects.bulk_create([CalendarDay(date=date(2026, 11, 4), kind="holiday", source="manual")])
    assert due("publish_penalty", start, work_calendar()).date == date(2026, 11, 12)


def test_incomplete_year_is_not_covered(seeded):
    year = CalendarYear.objects.get(year=2026)
    year.complete = False
    year.save()
    calendar = work_calendar()
    assert not calendar.covers(2026)
    result = due("publish_penalty", date(2026, 9, 29), calendar)
    assert result.date == date(2026, 10, 8)  # weekends only
    assert any("2026年" in w for w in result.warnings)


def test_empty_tables_give_warnings(db):
    invalidate()
    result = due("publish_penalty", date(2026, 9, 29), work_calendar())
    assert result.warnings


def test_missing_years(seeded):
    assert missing_years(2026) == [2027]
    assert missing_years(2010) == []
    assert missing_years(2030, span=0) == [2030]
    CalendarYear.objects.create(year=2027, complete=True, source="manual")
    assert missing_years(2026) == []
