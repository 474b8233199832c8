"""The holiday calendar editor: everyone signed in reads it, the 系统管理员 edits it; each edit is
checked, recorded, and the very next deadline computed through zhifa.catalog.calendar uses it
(DESIGN.md §4 "Time"; 《行政处罚法》第八十五条 working days exclude statutory holidays)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from zhifa.catalog import calendar_admin
from zhifa.catalog.calendar import work_calendar
from zhifa.catalog.models import CalendarDay, CalendarYear
from zhifa.law.clocks import due
from zhifa.law.errors import RuleViolation
from zhifa.records.models import Event

URL = reverse("catalog:calendar")


@pytest.fixture
def sysadmin(make_user, agency):
    return make_user(agency, roles=("sysadmin",))


@pytest.fixture
def admin_client(client, verified_login, sysadmin):
    return verified_login(client, sysadmin)


@pytest.fixture
def officer_client(client, verified_login, make_user, agency):
    return verified_login(client, make_user(agency, roles=("officer",)))


def _payload(action: str) -> dict:
    return json.loads(Event.objects.filter(action=action).latest("id").payload)


# --- reading ----------------------------------------------------------------------------------------
def test_year_view_lists_national_day_2026(officer_client):
    r = officer_client.get(URL, {"year": "2026"})
    assert r.status_code == 200
    html = r.content.decode()
    days = {d.date: d for d in r.context["days"]}
    assert days[date(2026, 10, 1)].name == "国庆节" and days[date(2026, 10, 1)].kind == "holiday"
    assert days[date(2026, 10, 10)].kind == "workday"  # Saturday worked (调休)
    assert 'id="day-2026-10-01"' in html and "国庆节" in html and "调休上班日" in html
    assert r.context["complete"] is True
    assert "chinese_calendar 软件包" in html


def test_reader_sees_no_edit_forms(officer_client):
    html = officer_client.get(URL, {"year": "2026"}).content.decode()
    assert reverse("catalog:calendar_day_add") not in html
    assert reverse("catalog:calendar_year") not in html
    assert "由系统管理员维护" in html


def test_missing_years_are_shown_with_the_warning_deadlines_carry(officer_client):
    # chinese_calendar 1.11 covers 2004–2026: 2027 has no data.
    r = officer_client.get(URL, {"year": "2027"})
    html = r.content.decode()
    assert r.context["complete"] is False
    assert "2027年无节假日数据，已按仅排除周末推算，结果须人工核对" in html
    coverage = {c["year"]: c for c in r.context["coverage"]}
    today = timezone.localdate()
    assert set(coverage) == set(range(today.year - 1, today.year + 3))
    for y, c in coverage.items():
        assert c["complete"] == (2004 <= y <= 2026)
        assert bool(c["warning"]) == (not c["complete"])
    assert r.context["complete_span"] == (2004, 2026)
    # the same warning a deadline reaching that year carries
    result = due("payment", date(2026, 12, 25), work_calendar())
    assert "2027年无节假日数据，已按仅排除周末推算，结果须人工核对" in result.warnings


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "-3", "99999999999999999999", "\x00"])
def test_bad_year_falls_back_to_this_year_with_the_field_message(officer_client, year):
    r = officer_client.get(URL, {"year": year})
    assert r.status_code == 200
    assert r.context["year"] == timezone.localdate().year
    assert "年份应为 2000 至 2100 之间的四位数字" in r.content.decode()


def test_anonymous_is_sent_to_login(client, db):
    r = client.get(URL)
    assert r.status_code == 302 and "/login/" in r["Location"]


# --- the deadline trial -----------------------------------------------------------------------------
def test_trial_deadline_crosses_national_day(officer_client):
    # 先行登记保存 handling: 7 working days (《行政处罚法》第五十六条、第八十五条); from 2026-09-29 the
    # count skips 10-01…10-07 and counts Saturday 10-10 (调休).
    r = officer_client.get(URL, {"year": "2026", "clock": "preservation_handling", "start": "2026-09-29"})
    tried = r.context["tried"]
    assert tried["due"].date == due("preservation_handling", date(2026, 9, 29), work_calendar()).date
    assert tried["due"].date == date(2026, 10, 14)
    assert "2026-10-14" in r.content.decode()


@pytest.mark.parametrize("params,field", [
    ({"clock": "nope", "start": "2026-01-01"}, "clock"),
    ({"clock": "payment", "start": "2026-02-30"}, "start"),
    ({"clock": "payment", "start": "1800-01-01"}, "start"),
    ({"clock": "emergency_measure_report", "start": "2026-01-01"}, "clock"),  # hours: not offered
])
def test_trial_bad_input_named_by_field(officer_client, params, field):
    r = officer_client.get(URL, params)
    assert r.status_code == 200 and r.context["tried"] is None
    assert field in r.context["try_form"].errors


# --- editing ------------------------------------------------------------------------------------------
def test_adding_a_holiday_is_recorded_and_changes_the_next_deadline(admin_client, sysadmin):
    # 2026-11-02 is a Monday: 7 working days from Friday 10-30 end on 11-10; with 11-02 off, on 11-11.
    before = due("preservation_handling", date(2026, 10, 30), work_calendar())
    assert before.date == date(2026, 11, 10)
    r = admin_client.post(reverse("catalog:calendar_day_add"),
                          {"date": "2026-11-02", "kind": "holiday", "name": "地方假日", "note": "县政府通知"})
    assert r.status_code == 302 and r["Location"].endswith("?year=2026#day-2026-11-02")
    row = CalendarDay.objects.get(date=date(2026, 11, 2))
    assert (row.kind, row.name, row.source, row.note) == ("holiday", "地方假日", "manual", "县政府通知")
    after = due("preservation_handling", date(2026, 10, 30), work_calendar())
    assert after.date == date(2026, 11, 11)
    ev = Event.objects.get(action="calendar.day_saved")
    assert ev.actor_id == sysadmin.pk and ev.subject == "calendar:2026-11-02"
    payload = json.loads(ev.payload)
    assert payload["before"] is None and payload["after"]["kind"] == "holiday" and payload["counts"] is True


def test_cache_is_dropped_even_when_the_fingerprint_would_not_change(admin_client, monkeypatch):
    """The service invalidates the cached calendar itself (not only through signals or fingerprints)."""
    from zhifa.catalog import calendar as cal

    work_calendar()
    monkeypatch.setattr(cal, "_fingerprint", lambda: ("frozen",))
    cal.invalidate()
    assert date(2026, 11, 2) not in work_calendar().holidays
    stale = work_calendar()
    admin_client.post(reverse("catalog:calendar_day_add"), {"date": "2026-11-02", "kind": "holiday"})
    fresh = work_calendar()
    assert fresh is not stale and date(2026, 11, 2) in fresh.holidays


def test_editing_a_package_day_makes_it_manual(admin_client):
    url = reverse("catalog:calendar_day", args=["2026-10-07"])
    r = admin_client.get(url)
    assert r.status_code == 200 and "chinese_calendar 软件包" in r.content.decode()
    assert due("hearing_request", date(2026, 9, 30), work_calendar()).date == date(2026, 10, 13)
    r = admin_client.post(url, {"kind": "holiday", "name": "国庆节", "note": "核对无误"})
    assert r.status_code == 302
    row = CalendarDay.objects.get(date=date(2026, 10, 7))
    assert (row.source, row.note) == ("manual", "核对无误")
    payload = _payload("calendar.day_saved")
    assert payload["before"]["source"] == "chinese_calendar" and payload["after"]["source"] == "manual"


def test_deleting_a_day_is_recorded_and_counted_again_as_a_working_day(admin_client):
    # 10-07 is a Wednesday: once deleted it is a working day.
    cal = work_calendar()
    assert not cal.is_working_day(date(2026, 10, 7))
    r = admin_client.post(reverse("catalog:calendar_day_delete", args=["2026-10-07"]), follow=True)
    assert r.status_code == 200
    # a package day is kept as a manual "normal" row, so that reloading the reference data keeps the change
    row = CalendarDay.objects.get(date=date(2026, 10, 7))
    assert (row.kind, row.source) == ("normal", "manual")
    assert work_calendar().is_working_day(date(2026, 10, 7))
    payload = _payload("calendar.day_deleted")
    assert payload["date"] == "2026-10-07" and payload["before"]["name"] == "国庆节"
    html = r.content.decode()
    assert "已删除 2026-10-07 的安排" in html and "重新载入参考数据时不会恢复" in html
    call_command("load_reference", stdout=io.StringIO())
    assert work_calendar().is_working_day(date(2026, 10, 7))
    assert CalendarDay.objects.get(date=date(2026, 10, 7)).kind == "normal"
    # deleting it again is refused with the reason; editing it back restores a rest day
    r = admin_client.post(reverse("catalog:calendar_day_delete", args=["2026-10-07"]), follow=True)
    assert "已按平常安排" in r.content.decode()


def test_deleting_a_manual_day_removes_it(admin_client, sysadmin):
    calendar_admin.add_day(actor=sysadmin, day=date(2026, 11, 2), kind="holiday", name="本地节日")
    admin_client.post(reverse("catalog:calendar_day_delete", args=["2026-11-02"]))
    assert not CalendarDay.objects.filter(date=date(2026, 11, 2)).exists()


@pytest.mark.parametrize("data,field,message", [
    ({"date": "2026-02-30"}, "date", "请输入有效日期"),
    ({"date": ""}, "date", "请填写日期"),
    ({"date": "1999-05-01"}, "date", "年份应在 2000 年至 2100 年之间"),
    ({"kind": "festival"}, "kind", "类型只能是"),
    ({"kind": ""}, "kind", "请选择类型"),
    ({"date": "2026-11-04", "kind": "workday"}, "kind", "调休上班日应为周六或周日"),  # a Wednesday
    ({"date": "2026-10-01"}, "date", "已有安排"),
    ({"name": "节" * 65}, "name", "名称不得超过 64 个字"),
    ({"note": "注" * 256}, "note", "说明不得超过 255 个字"),
])
def test_bad_day_refused_on_the_field(admin_client, data, field, message):
    posted = {"date": "2026-11-02", "kind": "holiday", "name": "地方假日", "note": "", **data}
    r = admin_client.post(reverse("catalog:calendar_day_add"), posted)
    assert r.status_code == 200
    errors = r.context["add_form"].errors
    assert field in errors and message in errors[field][0], errors
    html = r.content.decode()
    assert message in html
    if field not in ("name",):
        assert "地方假日" in html  # what was typed is kept
    assert not Event.objects.filter(action="calendar.day_saved").exists()


def test_mark_year_complete_needs_its_holidays_first(admin_client):
    url = reverse("catalog:calendar_year")
    r = admin_client.post(url, {"year": "2027", "complete": "1", "note": ""})
    assert r.status_code == 200
    assert "尚未录入任何节假日" in r.context["year_form"].errors["complete"][0]
    assert not CalendarYear.objects.filter(year=2027).exists()

    # The 2027 New Year holiday is entered; deadlines do not count it until the year is complete.
    admin_client.post(reverse("catalog:calendar_day_add"), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    result = due("payment", date(2026, 12, 17), work_calendar())  # 15 days → 2027-01-01, a Friday
    assert result.date == date(2027, 1, 1) and result.warnings
    r = admin_client.post(url, {"year": "2027", "complete": "1", "note": "国办发明电〔2026〕X号"})
    assert r.status_code == 302
    row = CalendarYear.objects.get(year=2027)
    assert row.complete and row.source == "manual" and row.note == "国办发明电〔2026〕X号"
    result = due("payment", date(2026, 12, 17), work_calendar())
    assert result.date == date(2027, 1, 4) and not result.warnings  # rolled over the holiday and weekend
    payload = _payload("calendar.year_marked")
    assert payload == {"year": 2027, "complete": True, "note": "国办发明电〔2026〕X号", "before": None}


def test_mark_year_incomplete_brings_the_warning_back(admin_client):
    r = admin_client.post(reverse("catalog:calendar_year"), {"year": "2026", "complete": "0", "note": "待核对"})
    assert r.status_code == 302
    result = due("payment", date(2026, 9, 20), work_calendar())
    assert "2026年无节假日数据，已按仅排除周末推算，结果须人工核对" in result.warnings
    assert _payload("calendar.year_marked")["before"]["complete"] is True


@pytest.mark.parametrize("data,field", [
    ({"year": "1800", "complete": "1"}, "year"),
    ({"year": "x", "complete": "1"}, "year"),
    ({"year": "2026", "complete": "maybe"}, "complete"),
    ({"year": "2026", "complete": "1", "note": "注" * 256}, "note"),
])
def test_bad_year_mark_named_by_field(admin_client, data, field):
    r = admin_client.post(reverse("catalog:calendar_year"), data)
    assert r.status_code == 200 and field in r.context["year_form"].errors
    assert not Event.objects.filter(action="calendar.year_marked").exists()


@pytest.mark.parametrize("role", ["officer", "head", "reviewer", "secadmin", "auditadmin", "clerk"])
def test_only_sysadmin_edits(client, verified_login, make_user, agency, role):
    verified_login(client, make_user(agency, roles=(role,)))
    assert client.get(URL).status_code == 200
    assert client.post(reverse("catalog:calendar_day_add"), {"date": "2026-11-02", "kind": "holiday"}).status_code \
        == 403
    assert client.get(reverse("catalog:calendar_day", args=["2026-10-01"])).status_code == 403
    assert client.post(reverse("catalog:calendar_day_delete", args=["2026-10-01"])).status_code == 403
    assert client.post(reverse("catalog:calendar_year"), {"year": "2026", "complete": "0"}).status_code == 403
    assert CalendarDay.objects.filter(date=date(2026, 10, 1)).exists()
    assert not CalendarDay.objects.filter(date=date(2026, 11, 2)).exists()
    assert not Event.objects.filter(action__startswith="calendar.").exists()


@pytest.mark.parametrize("day", ["2026-13-01", "abc", "2026-11-02", "1999-01-01", "9" * 30])
def test_unknown_or_malformed_day_is_404(admin_client, day):
    assert admin_client.get(reverse("catalog:calendar_day", args=[day])).status_code == 404
    assert admin_client.post(reverse("catalog:calendar_day", args=[day]), {"kind": "holiday"}).status_code == 404
    r = admin_client.post(reverse("catalog:calendar_day_delete", args=[day]))
    assert r.status_code in (302, 404)
    assert not Event.objects.filter(action__startswith="calendar.").exists()


def test_services_check_too(sysadmin, make_user, agency):
    officer = make_user(agency, roles=("officer",))
    with pytest.raises(RuleViolation) as exc:
        calendar_admin.add_day(actor=officer, day=date(2026, 11, 2), kind="holiday")
    assert exc.value.code == "forbidden"
    with pytest.raises(RuleViolation) as exc:
        calendar_admin.mark_year(actor=sysadmin, year=20260, complete=True)
    assert exc.value.field == "year"
    with pytest.raises(RuleViolation) as exc:
        calendar_admin.update_day(actor=sysadmin, day=date(2026, 11, 2), kind="holiday")
    assert exc.value.code == "calendar_day_missing"
    with pytest.raises(RuleViolation) as exc:
        calendar_admin.delete_day(actor=sysadmin, day="2026-10-01")
    assert exc.value.field == "date"
