"""The holiday calendar editor (节假日安排): one year at a time, with the years that lack data.

Everyone signed in may read it (a deadline's warning points here); the 系统管理员 adds, changes and
deletes days and marks a year's data complete, through ``zhifa.catalog.calendar_admin``.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.law.calendar import missing_year_warning
from zhifa.law.clocks import CLOCKS, due
from zhifa.law.errors import RuleViolation
from zhifa.org.forms import add_violation

from .. import calendar_admin
from ..calendar import work_calendar
from ..forms import DAY_KINDS, CalendarDayForm, CalendarYearForm, DeadlineTryForm, YearPickForm
from ..models import CalendarDay, CalendarYear

# The years shown in the coverage strip around today: last year to two years ahead (a case filed
# now may have deadlines, limitation or enforcement periods reaching that far).
BEFORE, AFTER = 1, 2


def _parse_day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise Http404 from None
    if not calendar_admin.FIRST_YEAR <= day.year <= calendar_admin.LAST_YEAR:
        raise Http404
    return day


def _year_url(year: int, anchor: str = "") -> str:
    return f"{reverse('catalog:calendar')}?year={year}" + (f"#{anchor}" if anchor else "")


def _kind_label(kind: str) -> str:
    if kind == CalendarDay.Kind.NORMAL:
        return str(_("按平常安排"))
    return str(dict(DAY_KINDS).get(kind, kind))


def _source_label(source: str) -> str:
    return {CalendarDay.Source.CHINESE_CALENDAR: _("chinese_calendar 软件包"),
            CalendarDay.Source.MANUAL: _("人工维护")}.get(source, source)


def _coverage(today: date) -> list[dict]:
    years = range(today.year - BEFORE, today.year + AFTER + 1)
    rows = {r.year: r for r in CalendarYear.objects.filter(year__in=list(years))}
    with_days = set(CalendarDay.objects.filter(date__year__in=list(years))
                    .values_list("date__year", flat=True).distinct())
    out = []
    for y in years:
        row = rows.get(y)
        complete = bool(row and row.complete)
        out.append({"year": y, "complete": complete, "row": row, "has_days": y in with_days,
                    "current": y == today.year, "warning": "" if complete else missing_year_warning(y)})
    return out


def _try_deadline(request) -> tuple[DeadlineTryForm, dict | None]:
    data = request.GET if "clock" in request.GET or "start" in request.GET else None
    form = DeadlineTryForm(data, initial={"start": timezone.localdate()})
    if data is None or not form.is_valid():
        return form, None
    clock = CLOCKS[form.cleaned_data["clock"]]
    try:
        result = due(clock.code, form.cleaned_data["start"], work_calendar())
    except RuleViolation as exc:
        add_violation(form, exc)
        return form, None
    except (ValueError, OverflowError):
        form.add_error("start", _("起算日超出可计算的范围。"))
        return form, None
    return form, {"clock": clock, "due": result}


def _page(request, year: int, *, add_form=None, year_form=None, pick=None, status=200):
    today = timezone.localdate()
    can_edit = calendar_admin.can_edit_calendar(request.user)
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    for d in days:
        d.kind_label = _kind_label(d.kind)
        d.source_label = _source_label(d.source)
        d.weekend = d.date.weekday() >= 5
    year_row = CalendarYear.objects.filter(year=year).first()
    complete_years = list(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    incomplete_rows = list(CalendarYear.objects.filter(complete=False).order_by("year"))
    if can_edit and add_form is None:
        add_form = CalendarDayForm(initial={"kind": "holiday"}, auto_id="add_%s")
    if can_edit and year_form is None:
        complete = bool(year_row and year_row.complete)
        year_form = CalendarYearForm(initial={"year": year, "complete": "1" if complete else "0",
                                              "note": year_row.note if year_row else ""}, auto_id="year_%s")
    try_form, tried = _try_deadline(request)
    return render(request, "catalog/calendar.html", {
        "active": "calendar", "year": year, "today": today, "days": days, "year_row": year_row,
        "complete": bool(year_row and year_row.complete),
        "year_warning": "" if year_row and year_row.complete else missing_year_warning(year),
        "rest_weekdays": sum(1 for d in days if d.kind == CalendarDay.Kind.HOLIDAY and not d.weekend),
        "workdays": sum(1 for d in days if d.kind == CalendarDay.Kind.WORKDAY),
        "coverage": _coverage(today),
        "complete_span": (min(complete_years), max(complete_years)) if complete_years else None,
        "complete_count": len(complete_years), "incomplete_rows": incomplete_rows,
        "prev_year": year - 1 if year > calendar_admin.FIRST_YEAR else None,
        "next_year": year + 1 if year < calendar_admin.LAST_YEAR else None,
        "pick": pick or YearPickForm(initial={"year": year}), "can_edit": can_edit,
        "add_form": add_form, "year_form": year_form, "try_form": try_form, "tried": tried,
    }, status=status)


@login_required
@require_GET
def calendar(request):
    today = timezone.localdate()
    pick = YearPickForm(request.GET if "year" in request.GET else None, initial={"year": today.year})
    year = pick.cleaned_data["year"] if pick.is_bound and pick.is_valid() else today.year
    return _page(request, year, pick=pick)


@login_required
@require_POST
def day_add(request):
    if not calendar_admin.can_edit_calendar(request.user):
        raise PermissionDenied
    form = CalendarDayForm(request.POST, auto_id="add_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = calendar_admin.add_day(actor=request.user, day=data["date"], kind=data["kind"],
                                         name=data["name"], note=data["note"])
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("已添加 %(day)s（%(kind)s）。") % {
                "day": row.date.isoformat(), "kind": _kind_label(row.kind)})
            _warn_if_not_counted(request, row.date.year)
            return redirect(_year_url(row.date.year, f"day-{row.date.isoformat()}"))
    day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
    year = day.year if day and calendar_admin.FIRST_YEAR <= day.year <= calendar_admin.LAST_YEAR else \
        _year_from(request.POST.get("year"))
    return _page(request, year, add_form=form)


def _year_from(text) -> int:
    form = YearPickForm({"year": text})
    return form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year


def _warn_if_not_counted(request, year: int) -> None:
    if not CalendarYear.objects.filter(year=year, complete=True).exists():
        messages.warning(request, _("%(year)s年尚未标记为数据完整：期限计算暂不采用本年的节假日安排，"
                                    "录入完毕后请标记为完整。") % {"year": year})


@login_required
@require_http_methods(["GET", "POST"])
def day_edit(request, day: str):
    if not calendar_admin.can_edit_calendar(request.user):
        raise PermissionDenied
    the_day = _parse_day(day)
    row = CalendarDay.objects.filter(date=the_day).first()
    if row is None:
        raise Http404
    initial = {"kind": row.kind, "name": row.name, "note": row.note}
    form = CalendarDayForm(request.POST or None, fixed_date=the_day, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = calendar_admin.update_day(actor=request.user, day=the_day, kind=data["kind"],
                                            name=data["name"], note=data["note"])
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("已保存 %(day)s（%(kind)s）。") % {
                "day": the_day.isoformat(), "kind": _kind_label(row.kind)})
            _warn_if_not_counted(request, the_day.year)
            return redirect(_year_url(the_day.year, f"day-{the_day.isoformat()}"))
    return render(request, "catalog/calendar_day.html", {
        "active": "calendar", "row": row, "day": the_day, "form": form,
        "kind_label": _kind_label(row.kind), "source_label": _source_label(row.source),
        "from_package": row.source == CalendarDay.Source.CHINESE_CALENDAR})


@login_required
@require_POST
def day_delete(request, day: str):
    if not calendar_admin.can_edit_calendar(request.user):
        raise PermissionDenied
    the_day = _parse_day(day)
    try:
        before = calendar_admin.delete_day(actor=request.user, day=the_day)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已删除 %(day)s 的安排，该日按周一至周五上班、周六周日休息计算。")
                         % {"day": the_day.isoformat()})
        if before["source"] == CalendarDay.Source.CHINESE_CALENDAR:
            messages.info(request, _("该日来自 chinese_calendar 软件包，已记为“按平常安排”，"
                                     "重新载入参考数据时不会恢复。"))
    return redirect(_year_url(the_day.year))


@login_required
@require_POST
def year_mark(request):
    if not calendar_admin.can_edit_calendar(request.user):
        raise PermissionDenied
    form = CalendarYearForm(request.POST, auto_id="year_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = calendar_admin.mark_year(actor=request.user, year=data["year"],
                                           complete=data["complete"] == "1", note=data["note"])
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            if row.complete:
                messages.success(request, _("已将 %(year)s 年标记为数据完整，期限计算将采用本年的节假日安排。")
                                 % {"year": row.year})
            else:
                messages.success(request, _("已将 %(year)s 年标记为数据不完整，"
                                            "涉及本年的期限将按仅排除周末推算并附警告。") % {"year": row.year})
            return redirect(_year_url(row.year))
    year = form.cleaned_data.get("year") if hasattr(form, "cleaned_data") else None
    return _page(request, year or _year_from(request.POST.get("year")), year_form=form)
