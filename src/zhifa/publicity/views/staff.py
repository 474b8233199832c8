"""The staff's publication screens, ``/publicity/`` (issue 7 §2): the dashboard of what is due to be published, what
is late, what is live and what came down; publishing a decision (a preview of exactly what the public will see, then
the publication), withdrawing one, and publishing the annual statistics report.

Every signed-in person of an agency may read these pages; publishing, withdrawing and publishing the report are for
the 内勤, the 法制审核人员 and the 负责人 (``can_publish``). Every change goes through ``zhifa.publicity.services``
(and ``zhifa.publicity.reports``); the rules refuse with their citations, shown next to the field or as a message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.cases.models import Case
from zhifa.cases.views.common import DUE_SOON_DAYS, days_badge
from zhifa.catalog.calendar import work_calendar
from zhifa.law import publicity as rules
from zhifa.law.errors import RuleViolation
from zhifa.org.roles import Role

from .. import reports as annual
from .. import services
from ..models import AnnualReport, Publication

PUBLISHER_ROLES = frozenset({Role.CLERK.value, Role.REVIEWER.value, Role.HEAD.value})
LIVE_PER_PAGE = 50
ENDED_LIMIT = 50  # the withdrawn and taken-down publications the dashboard shows, most recent first
FIRST_YEAR = 2000  # the earliest year whose annual report may be asked for
HIDDEN_FIGURES = frozenset({"version"})  # the figures' format, not a figure
Status = Publication.Status


# --- who may do what --------------------------------------------------------------------------------------------

def can_publish(user) -> bool:
    """Publishing, withdrawing and publishing the annual report: the 内勤, 法制审核人员 and 负责人 of an agency."""
    return bool(getattr(user, "is_authenticated", False) and user.agency_id is not None
                and user.role_codes() & PUBLISHER_ROLES)


def _agency_of(user):
    """The user's agency, whose publications the pages show; a person of no agency may not read them."""
    if user.agency_id is None:
        raise PermissionDenied(_("公示工作台只对本机关的人员开放"))
    return user.agency


def _require_publisher(user) -> None:
    if not can_publish(user):
        raise PermissionDenied(_("只有内勤、法制审核人员或者负责人可以公开、撤回执法信息和公开年度报告"))


# --- what the pages share ---------------------------------------------------------------------------------------

def explain(v: RuleViolation) -> str:
    """A violation's message with its citations, for a message or a field error."""
    if not v.basis:
        return v.message
    basis = pgettext("citation separator", "；").join(b.name for b in v.basis)
    return _("%(m)s（依据：%(b)s）") % {"m": v.message, "b": basis}


def _violations(exc: RuleViolation) -> list[RuleViolation]:
    return list(getattr(exc, "violations", None) or [exc])


def _days(due_on: date, today: date) -> dict[str, Any]:
    """The badge of a deadline still running (as the case screens word it: 剩 n 天 / 今日届满 / 已逾期 n 天)."""
    left = (due_on - today).days
    v = {"left": left, "overdue": -left if left < 0 else 0, "tone": "warn" if left <= DUE_SOON_DAYS else "ok"}
    v["badge_class"], v["badge"] = days_badge(v)
    return v


def _case_href(pk: int) -> str:
    return reverse("cases:detail", args=[pk])


# --- the dashboard ----------------------------------------------------------------------------------------------

@login_required
@require_GET
def dashboard(request):
    """What is due to be published (and by when, late or not, or why not at all), what is live, what came down, and
    the annual report."""
    user = request.user
    agency = _agency_of(user)
    today = timezone.localdate()
    due_rows = []
    # the decisions to publish first (by their due date), then those not to be published with their reasons
    for row in sorted(services.due(agency, today), key=lambda r: bool(r["reasons"])):
        case = row["case"]
        due_rows.append({**row, "href": _case_href(case.pk), "days": None if row["reasons"] else
                         _days(row["due_on"], today),
                         "reason_texts": [explain(v) for v in row["reasons"]]})
    publishable = [r for r in due_rows if not r["reasons"]]
    live_qs = Publication.objects.filter(agency=agency, status=Status.PUBLISHED).select_related("case") \
        .order_by("-published_on", "-pk")
    live = Paginator(live_qs, LIVE_PER_PAGE).get_page(request.GET.get("page"))
    for pub in live.object_list:
        pub.late = pub.published_on > pub.due_on
        pub.public_href = services.portal_path(pub)
        pub.case_href = _case_href(pub.case_id)
    ended = list(Publication.objects.filter(agency=agency).exclude(status=Status.PUBLISHED)
                 .annotate(ended_on=Coalesce("withdrawn_on", "taken_down_on"))
                 .order_by("-ended_on", "-pk")[:ENDED_LIMIT])
    for pub in ended:
        pub.late = bool(pub.withdrawn_on and pub.withdraw_due_on and pub.withdrawn_on > pub.withdraw_due_on)
        pub.case_href = _case_href(pub.case_id)
    totals = Publication.objects.filter(agency=agency).aggregate(
        live=Count("pk", filter=Q(status=Status.PUBLISHED)), withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
        taken_down=Count("pk", filter=Q(status=Status.TAKEN_DOWN)))
    changed = services.to_withdraw(agency, today)
    for row in changed:
        row["public_href"] = services.portal_path(row["publication"])
    counts = {"due": len(publishable), "late": sum(1 for r in publishable if r["late"]), **totals,
              "to_withdraw": len(changed),
              "not_published": len(due_rows) - len(publishable)}
    return render(request, "publicity/staff/dashboard.html", {
        "active": "publicity", "agency": agency, "today": today, "due_rows": due_rows, "live": live,
        "ended": ended, "ended_limit": ENDED_LIMIT, "counts": counts, "may_publish": can_publish(user),
        "annual": annual.status(agency, today=today), "changed": changed,
    })


# --- publishing a decision --------------------------------------------------------------------------------------

def _agency_case(agency, pk: int) -> Case:
    return get_object_or_404(Case.objects.select_related("party", "agency"), pk=pk, agency=agency)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk: int):
    """GET: a preview of exactly what the public will see (masked); POST: publish it."""
    user = request.user
    agency = _agency_of(user)
    case = _agency_case(agency, pk)
    today = timezone.localdate()
    if request.method == "POST":
        _require_publisher(user)
        try:
            pub = services.publish(case, actor=user, on=today, hidden=request.POST.get("hidden", ""))
        except RuleViolation as exc:
            for v in _violations(exc):
                messages.error(request, explain(v))
            return redirect("publicity:dashboard")
        text = _("已公开：%(n)s。") % {"n": pub.content.get("number") or case.reference or case.title}
        if pub.published_on > pub.due_on:
            text += " " + _("应于 %(d)s 前公开，已逾期。") % {"d": pub.due_on.isoformat()}
        messages.success(request, format_html('{} <a href="{}">{}</a>', text, services.portal_path(pub),
                                              _("查看公示页面")))
        return redirect("publicity:dashboard")
    live = Publication.objects.filter(case=case, status=Status.PUBLISHED).first()
    reasons = services.reasons_not_to_publish(case, on=today)
    decided = not any(v.code == "publicity_no_penalty" for v in reasons)
    hidden_text = request.GET.get("hidden", "")[:500]
    hidden_error, content = "", None
    if decided and live is None:
        try:
            content = services.content_of(case, on=today, hidden=services.clean_names(hidden_text))
        except RuleViolation as exc:
            hidden_error = explain(exc)
            content = services.content_of(case, on=today)
    due_on = rules.publish_by(case.decided_on, work_calendar()) if case.decided_on else None
    return render(request, "publicity/staff/preview.html", {
        "active": "publicity", "case": case, "case_href": _case_href(case.pk), "content": content,
        "reasons": reasons, "live": live, "live_href": services.portal_path(live) if live else "",
        "due_on": due_on, "days": _days(due_on, today) if due_on and live is None and not reasons else None,
        "may_publish": can_publish(user), "hidden": hidden_text, "hidden_error": hidden_error,
    })


# --- withdrawing a publication ----------------------------------------------------------------------------------

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WithdrawForm(forms.Form):
    """A published decision changed, revoked, or held illegal or void: when, and why (shown publicly)."""

    changed_on = forms.DateField(
        label=gettext_lazy("决定被变更、撤销或确认违法、无效的日期"), widget=_DATE,
        help_text=gettext_lazy("自该日起 3 个工作日内撤回（行政处罚法第四十八条）"),
        error_messages={"invalid": gettext_lazy("请输入有效日期，例如 2026-03-05。")})
    reason = forms.CharField(label=gettext_lazy("撤回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=gettext_lazy("将在公示页面公开说明"))

    def __init__(self, *args, pub: Publication, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.pub, self.today = pub, today
        self.fields["changed_on"].error_messages["required"] = explain(RuleViolation(
            "payload_required", _("请填写决定被变更、撤销或者确认违法、无效的日期"), "changed_on", [rules.ART_48]))
        self.fields["reason"].error_messages["required"] = explain(RuleViolation(
            "payload_required", _("请写明撤回的理由（将公开说明）"), "reason", [rules.ART_48]))

    def clean_changed_on(self):
        on = self.cleaned_data["changed_on"]
        if on > self.today:
            raise forms.ValidationError(explain(RuleViolation(
                "date_in_future", _("该日期不能晚于今天"), "changed_on", [rules.ART_48])))
        if on < self.pub.decided_on:
            raise forms.ValidationError(explain(RuleViolation(
                "date_before_decision", _("该日期不能早于决定日期 %(d)s") % {"d": self.pub.decided_on.isoformat()},
                "changed_on", [rules.ART_48])))
        return on


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    user = request.user
    agency = _agency_of(user)
    pub = get_object_or_404(Publication.objects.select_related("case"), pk=pk, agency=agency)
    _require_publisher(user)
    today = timezone.localdate()
    initial = {}
    if request.method != "POST":  # a corrected decision: the change and its reason are known, offered to confirm
        known = next((r for r in services.to_withdraw(agency, today) if r["publication"].pk == pub.pk), None)
        if known is not None:
            initial = {"changed_on": known["changed_on"], "reason": known["reason"]}
    form = WithdrawForm(request.POST if request.method == "POST" else None, pub=pub, today=today, initial=initial)
    violations: list[RuleViolation] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                done = services.withdraw(pub, actor=user, reason=form.cleaned_data["reason"],
                                         changed_on=form.cleaned_data["changed_on"], on=today)
            except RuleViolation as exc:
                for v in _violations(exc):
                    if v.field in form.fields:
                        form.add_error(v.field, explain(v))
                    else:
                        violations.append(v)
            else:
                text = _("已撤回：%(n)s。") % {"n": done.content.get("number") or done.case.title}
                late = done.withdrawn_on > done.withdraw_due_on
                text += " " + (_("已逾期：应于 %(d)s 前撤回（行政处罚法第四十八条：三个工作日内）。") if late else
                               _("在期限内：应于 %(d)s 前撤回（行政处罚法第四十八条：三个工作日内）。")) % {
                    "d": done.withdraw_due_on.isoformat()}
                messages.success(request, text)
                return redirect("publicity:dashboard")
        status = 400
    return render(request, "publicity/staff/withdraw.html", {
        "active": "publicity", "pub": pub, "form": form, "violations": violations, "live": pub.status ==
        Status.PUBLISHED, "public_href": services.portal_path(pub), "case_href": _case_href(pub.case_id),
        "basis": rules.ART_48,
    }, status=status)


# --- the annual statistics report -------------------------------------------------------------------------------

@login_required
@require_GET
def reports(request):
    """The agency's published annual reports, and where the last year's stands."""
    user = request.user
    agency = _agency_of(user)
    today = timezone.localdate()
    rows = list(AnnualReport.objects.filter(agency=agency).select_related("published_by").order_by("-year"))
    for r in rows:
        r.public_href = reverse("portal:report", args=[agency.code, r.year])
    return render(request, "publicity/staff/reports.html", {
        "active": "publicity", "agency": agency, "rows": rows, "status": annual.status(agency, today=today),
        "may_publish": can_publish(user),
    })


class ReportForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("随报告公开，例如数据口径的说明"))


@login_required
@require_http_methods(["GET", "POST"])
def report(request, year: int):
    """GET: the figures of ``year`` as they would be published (or as they were); POST: publish the report."""
    user = request.user
    agency = _agency_of(user)
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise Http404
    published = AnnualReport.objects.filter(agency=agency, year=year).select_related("published_by").first()
    form = ReportForm(request.POST if request.method == "POST" else None)
    violations: list[RuleViolation] = []
    status = 200
    if request.method == "POST":
        _require_publisher(user)
        if form.is_valid():
            try:
                annual.publish_report(agency, year, actor=user, note=form.cleaned_data["note"], on=today)
            except RuleViolation as exc:
                for v in _violations(exc):
                    if v.field in form.fields:
                        form.add_error(v.field, explain(v))
                    else:
                        violations.append(v)
            else:
                messages.success(request, _("已公开 %(y)s 年度行政执法数据报告。") % {"y": year})
                return redirect(reverse("portal:report", args=[agency.code, year]))
        status = 400
        published = AnnualReport.objects.filter(agency=agency, year=year).select_related("published_by").first()
    figures = published.figures if published is not None else annual.figures(agency, year)
    return render(request, "publicity/staff/report.html", {
        "active": "publicity", "agency": agency, "year": year, "due_on": annual.due_on(year), "published": published,
        "public_href": reverse("portal:report", args=[agency.code, year]), "form": form, "violations": violations,
        "figures": figure_tables(figures, getattr(annual, "LABELS", None) or {}),
        "may_publish": can_publish(user),
    }, status=status)


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict):
        return _("；").join(f"{k}：{_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return _("、").join(_text(v) for v in value) or "—"
    return str(value)


def _columns(rows: list[dict]) -> list[str]:
    """The keys of the rows, in their order; a row's code is left out when it has a label to show instead."""
    cols = list(dict.fromkeys(k for r in rows for k in r))
    return [c for c in cols if c != "code"] if "label" in cols else cols


def figure_tables(figures: dict, labels: dict) -> dict[str, list]:
    """The figures of a report, whatever their shape, as what a page shows: the top-level numbers (label, value),
    and a table for each list of rows or mapping (a title, column labels, rows of texts)."""
    def label(key) -> str:
        return str(labels.get(key, key))

    numbers: list[tuple[str, str]] = []
    tables: list[dict] = []
    for key, value in (figures or {}).items():
        if key in HIDDEN_FIGURES:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            cols = _columns(value)
            tables.append({"title": label(key), "columns": [label(c) for c in cols],
                           "rows": [[_text(r.get(c)) for c in cols] for r in value]})
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            cols = _columns(list(value.values()))
            tables.append({"title": label(key), "columns": ["", *(label(c) for c in cols)],
                           "rows": [[label(k), *(_text(r.get(c)) for c in cols)] for k, r in value.items()]})
        elif isinstance(value, dict) and value:
            tables.append({"title": label(key), "columns": [_("项目"), _("数值")],
                           "rows": [[label(k), _text(v)] for k, v in value.items()]})
        else:
            numbers.append((label(key), _text(value)))
    return {"numbers": numbers, "tables": tables}
