"""The qualification screens (持证上岗、资格管理): roster, alerts, one person's file and the forms.

Reading is open to every signed-in person of the agency (within `people_visible_to`); entering
certificates, status changes, 年审 and training is for `can_manage_qualifications`. Every change
goes through `org.services`, which checks the rules and records the event; a refusal comes back as
a `RuleViolation` and is shown on its field with everything the user typed (DESIGN.md §6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from zhifa.catalog.models import Domain
from zhifa.catalog.policies import training_rules, value_of
from zhifa.law import qualification as q
from zhifa.law.errors import RuleViolation

from .. import services
from ..forms_qualification import (
    AnnualReviewForm,
    CertificateForm,
    CertificateStatusForm,
    RosterFilterForm,
    TrainingForm,
    parse_date,
)
from ..models import AnnualReview, Certificate, CertificateStatusChange, ExamResult, Training, User
from ..roles import Role
from .labels import cert_status_name, quantity, training_unit, training_unit_name

STATUS_LABELS = {"ok": gettext_lazy("可以执法"), "warn": gettext_lazy("即将到期或培训不足"),
                 "no": gettext_lazy("暂不得执法")}
EXAM_LABELS = dict(ExamResult.choices)


# --- helpers ---------------------------------------------------------------------------------------
def _today() -> date:
    return timezone.localdate()


def _as_of(request) -> tuple[date, str | None]:
    """The `?on=` date, or today with a message saying why the given one was not used."""
    today = _today()
    on, error = parse_date(request.GET.get("on"))
    if error:
        return today, _showing_today(error, today)
    return on or today, None


def _showing_today(error, today: date) -> str:
    return _("%(error)s下面按今天（%(today)s）显示。") % {"error": error, "today": f"{today:%Y-%m-%d}"}


def _with_files(qs: QuerySet[User]) -> QuerySet[User]:
    """People with all the qualification rule and the person file read, in a fixed number of queries."""
    certificates = Certificate.objects.order_by("-valid_until", "-id")
    return qs.select_related("agency", "unit").prefetch_related(
        "groups",
        Prefetch("certificates", queryset=certificates.prefetch_related(
            "domains",
            Prefetch("status_changes",
                     queryset=CertificateStatusChange.objects.select_related("recorded_by")
                     .order_by("effective_on", "id")),
            Prefetch("annual_reviews",
                     queryset=AnnualReview.objects.select_related("recorded_by").order_by("-year")),
        )),
        Prefetch("trainings",
                 queryset=Training.objects.select_related("recorded_by").order_by("-end_on", "-id")),
    )


def _require_manager(request) -> None:
    if not services.can_manage_qualifications(request.user):
        raise PermissionDenied("您没有登记执法证、年审和培训记录的权限。")


def _person_url(person: User) -> str:
    return reverse("org:person", args=[person.pk])


def _save(form, call: Callable[[], Any], *, integrity: tuple[str, str] | None = None) -> Any:
    """Run a service call; a refusal becomes an error on its field and None is returned."""
    try:
        return call()
    except RuleViolation as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    except IntegrityError:
        # Two people saving the same thing at once: the database's constraint is the last word.
        name, message = integrity or (None, _("保存时与他人同时提交的记录冲突，请核对后重新提交。"))
        form.add_error(name, message)
    return None


def cite(basis) -> str:
    """Citations grouped by source: 《行政处罚法》第四十二条、第五十五条；省级行政执法证件管理办法."""
    by_source: dict[str, list[str]] = {}
    for b in basis:
        articles = by_source.setdefault(b.source, [])
        if b.article and b.article not in articles:
            articles.append(b.article)
    return "；".join(source + "、".join(articles) for source, articles in by_source.items())


def told(reasons) -> list[dict]:
    """Reasons as the screens show them: the message and where the rule comes from."""
    return [{"code": r.code, "message": r.message, "cite": cite(r.basis)} for r in reasons]


# --- roster -----------------------------------------------------------------------------------------
def _matches(row: services.RosterRow, text: str) -> bool:
    p = row.person
    text = text.casefold()
    haystack = [p.full_name, p.username, p.employee_no, *(c.number for c in p.certificates.all())]
    return any(text in (h or "").casefold() for h in haystack)


@login_required
@require_http_methods(["GET", "HEAD"])
def roster(request):
    """执法人员名册: every officer the user may see, with status, domains and what is missing."""
    units = services.units_visible_to(request.user).filter(is_active=True)
    form = RosterFilterForm(request.GET, units=units)
    form.is_valid()  # invalid filters are reported on their field and ignored
    data = form.cleaned_data
    today = _today()
    on = data.get("on") or today
    date_error = None
    if "on" in form.errors:
        date_error = _showing_today(form.errors["on"][0], today)

    rows = services.roster(request.user, on)
    counts = {key: sum(1 for r in rows if r.status == key) for key in STATUS_LABELS}
    total = len(rows)
    if data.get("status"):
        rows = [r for r in rows if r.status == data["status"]]
    if data.get("unit"):
        rows = [r for r in rows if r.person.unit_id == data["unit"].pk]
    text = (data.get("q") or "").strip()
    if text:
        rows = [r for r in rows if _matches(r, text)]
    for r in rows:
        r.certificate_status_code = r.certificate.status_on(on) if r.certificate else ""
        r.certificate_status = cert_status_name(r.certificate_status_code) if r.certificate else ""
        r.reasons_told = told(r.missing)
    many_agencies = len({r.person.agency_id for r in rows}) > 1
    filtered = any(data.get(k) for k in ("status", "unit", "q"))
    return render(request, "org/roster.html", {
        "active": "roster", "form": form, "rows": rows, "on": on, "today": today, "date_error": date_error,
        "counts": counts, "total": total, "many_agencies": many_agencies, "filtered": filtered,
    })


# --- alerts -----------------------------------------------------------------------------------------
@dataclass
class AlertGroup:
    key: str
    title: str
    help: str
    items: list[dict] = field(default_factory=list)


def alert_groups(user, on: date) -> list[AlertGroup]:
    """Everything that stops or will soon stop an officer, grouped for the alerts page."""
    groups = {
        "expiring": AlertGroup("expiring", _("执法证即将到期"),
                               _("有效期在本机关提醒期限（政策参数“执法证到期提醒天数”）内届满、且未换发新证的执法证。")),
        "invalid": AlertGroup("invalid", _("执法证已过期、暂扣或注销"),
                              _("持证人没有其他覆盖相同执法领域的有效证件；在此期间不得从事执法活动。")),
        "onboarding": AlertGroup("onboarding", _("入职培训未完成"), _("入职培训达到要求前不得从事执法活动。")),
        "refresher": AlertGroup("refresher", _("上年度复训/轮训不足"),
                                _("上一自然年度的复训、轮训和专题培训未达到要求，暂不得从事执法活动。")),
        "yearly": AlertGroup("yearly", _("本年度培训尚未达到要求"),
                             _("本年度还需完成的培训量；年度结束仍不足的，下一年度将暂不得执法。")),
    }
    people = _with_files(services.people_visible_to(user).filter(groups__name=Role.OFFICER, is_active=True)
                         .distinct()).order_by("agency__path", "unit__sort", "employee_no", "username")
    policy: dict[int | None, tuple[q.TrainingRules, int]] = {}
    for p in people:
        if p.agency_id not in policy:
            policy[p.agency_id] = (training_rules(p.agency, on),
                                   value_of("certificate.expiry_alert_days", p.agency, on))
        for alert in services.person_alerts(p, on, *policy[p.agency_id]):
            groups[alert.key].items.append({"person": p, "sort": alert.sort, "text": alert.text})
    for g in groups.values():
        g.items.sort(key=lambda i: i["sort"])
    return list(groups.values())


@login_required
@require_http_methods(["GET", "HEAD"])
def alerts(request):
    """资格提醒: expiring and invalid certificates, missing onboarding and yearly training."""
    on, date_error = _as_of(request)
    groups = alert_groups(request.user, on)
    return render(request, "org/alerts.html", {
        "active": "roster", "groups": groups, "on": on, "today": _today(), "date_error": date_error,
        "total": sum(len(g.items) for g in groups),
    })


# --- one person's file ------------------------------------------------------------------------------
@dataclass
class YearTotal:
    year: int
    hours: float
    days: float
    failed: int
    onboarding_hours: float
    onboarding_days: float
    done: float
    required: float
    unit_label: str
    verdict: str  # "met" | "short" | "running" (this year, not yet met) | "exempt" | "before"
    note: str


def _training_years(trainings: list[q.TrainingFacts], on: date) -> set[int]:
    """Every year from the first training up to `on`'s year, so a year with nothing shows as such."""
    first = min((t.year for t in trainings if t.end <= on), default=on.year - 1)
    return set(range(min(first, on.year - 1), on.year + 1))


def _year_totals(trainings: list[q.TrainingFacts], on: date, rules: q.TrainingRules) -> list[YearTotal]:
    completed = q.onboarding_completed_on([t for t in trainings if t.end <= on], rules)
    years = _training_years(trainings, on)
    if completed is None:
        years = {t.year for t in trainings if t.end <= on} or {on.year}
    out = []
    for y in sorted(years, reverse=True):
        in_year = [t for t in trainings if t.year == y and t.end <= on]
        yearly = [t for t in in_year if t.kind in q.YEARLY_KINDS and t.counts]
        onboarding = [t for t in in_year if t.kind is q.TrainingKind.ONBOARDING and t.counts]
        done, required, label = services.year_amount(trainings, y, on, rules)
        label = training_unit_name(label)
        short = {"amount": q._fmt(required - done), "unit": label}
        if completed is None or completed.year > y:
            verdict, note = "before", _("入职培训完成前，不计年度要求")
        elif completed.year == y:
            verdict, note = "exempt", _("入职培训完成当年，免于年度复训要求")
        elif y == on.year and done + 1e-9 < required:
            verdict, note = "running", _("本年度进行中，尚差 %(amount)s %(unit)s") % short
        elif done + 1e-9 >= required:
            verdict, note = "met", _("已达到要求")
        else:
            verdict, note = "short", _("未达到要求，差 %(amount)s %(unit)s") % short
        out.append(YearTotal(
            y, sum(t.hours for t in yearly), sum(t.days for t in yearly),
            sum(1 for t in in_year if not t.counts), sum(t.hours for t in onboarding),
            sum(t.days for t in onboarding), done, required, label, verdict, note))
    return out


@login_required
@require_http_methods(["GET", "HEAD"])
def person_detail(request, pk: int):
    """人员资格档案: qualification per domain, certificates, status history, 年审, training."""
    person = get_object_or_404(_with_files(services.people_visible_to(request.user)), pk=pk)
    on, date_error = _as_of(request)
    active = person.is_active and person.has_role(Role.OFFICER)
    certs = list(person.certificates.all())
    cert_facts = {c.pk: c.facts() for c in certs}
    trainings = list(person.trainings.all())
    t_facts = [t.facts() for t in trainings]
    rules = training_rules(person.agency, on, years=_training_years(t_facts, on))
    domains = list(Domain.objects.all())
    covered_codes = set().union(*(f.domains for f in cert_facts.values()))
    covered, uncovered, common = [], [], []
    for d in domains:
        res = q.may_enforce(list(cert_facts.values()), t_facts, d.code, on, rules, domain_label=d.name,
                            active=active)
        if d.code in covered_codes:
            covered.append((d, res, told(res.reasons)))
        else:
            uncovered.append(d)
            if not common:
                common = told(r for r in res.reasons if r.code != "domain_not_covered")
    allowed = [d for d, res, _ in covered if res.allowed]
    completed = q.onboarding_completed_on([t for t in t_facts if t.end <= on], rules)
    onboarding = [t for t in t_facts if t.kind is q.TrainingKind.ONBOARDING and t.end <= on and t.counts]
    ob_unit = q.Unit(rules.onboarding_min.unit)
    ob_done, ob_required, _label = q.measure(rules, rules.onboarding_min, onboarding)
    this_year_min = rules.yearly_min_in(on.year)
    cert_rows = [{
        "cert": c, "facts": cert_facts[c.pk],
        "status": cert_facts[c.pk].status_on(on).value,
        "status_label": cert_status_name(cert_facts[c.pk].status_on(on)),
        "not_yet": c.issued_on > on,
        "domains": [d.name for d in sorted(c.domains.all(), key=lambda d: (d.sort, d.code))],
    } for c in certs]
    training_rows = [{"t": t, "facts": f, "exam": EXAM_LABELS.get(t.exam_result, t.exam_result)}
                     for t, f in zip(trainings, t_facts, strict=True)]
    return render(request, "org/person_detail.html", {
        "active": "roster", "person": person, "on": on, "today": _today(), "date_error": date_error,
        "is_officer": active, "rules": rules, "covered": covered, "uncovered": uncovered, "common": common,
        "allowed": allowed, "cert_rows": cert_rows, "training_rows": training_rows,
        "year_totals": _year_totals(t_facts, on, rules),
        "onboarding": {"completed": completed, "done": q._fmt(ob_done), "required": q._fmt(ob_required),
                       "unit": training_unit(ob_unit),
                       "min": quantity(rules.onboarding_min.value, rules.onboarding_min.unit)},
        "yearly_min": quantity(this_year_min.value, this_year_min.unit),
        "yearly_required_days": None if q.Unit(this_year_min.unit) is q.Unit.HOURS
        else q._fmt(rules.required_days(this_year_min)),
        "can_manage": services.can_manage_qualifications(request.user),
    })


# --- forms ------------------------------------------------------------------------------------------
def _form_page(request, form, *, title: str, person: User, submit: str,
               certificate: Certificate | None = None, intro: str = ""):
    return render(request, "org/qualification_form.html", {
        "active": "roster", "form": form, "title": title, "person": person, "certificate": certificate,
        "submit": submit, "intro": intro, "cancel_url": _person_url(person),
        "today": _today(),
    })


def _visible_person(request, pk: int) -> User:
    return get_object_or_404(services.people_visible_to(request.user).select_related("agency", "unit"), pk=pk)


def _visible_certificate(request, pk: int) -> Certificate:
    qs = services.certificates_visible_to(request.user).select_related("holder__agency", "holder__unit") \
        .prefetch_related("domains", "status_changes", "annual_reviews")
    return get_object_or_404(qs, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def certificate_add(request, pk: int):
    """登记执法证."""
    _require_manager(request)
    person = _visible_person(request, pk)
    if request.method == "POST":
        form = CertificateForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            cert = _save(form, lambda: services.add_certificate(
                holder=person, number=d["number"], issuing_authority=d["issuing_authority"],
                domains=list(d["domains"]), issued_on=d["issued_on"], valid_until=d["valid_until"],
                actor=request.user),
                integrity=("number", _("证号 %(number)s 已登记") % {"number": d["number"].strip()}))
            if cert is not None:
                messages.success(request, _("已登记执法证 %(number)s。") % {"number": cert.number})
                return redirect(_person_url(person))
    else:
        form = CertificateForm()
    return _form_page(request, form, title=_("登记执法证 · %(name)s") % {"name": person}, person=person,
                      submit=_("登记执法证"), intro=_("按执法证上载明的内容填写。执法领域以证件载明的执法类别为准。"))


@login_required
@require_http_methods(["GET", "POST"])
def certificate_status(request, pk: int):
    """变更执法证状态: 暂扣、恢复、注销 — always dated, always with a reason."""
    _require_manager(request)
    cert = _visible_certificate(request, pk)
    if request.method == "POST":
        form = CertificateStatusForm(request.POST, certificate=cert)
        if form.is_valid():
            d = form.cleaned_data
            change = _save(form, lambda: services.change_certificate_status(
                cert, status=d["status"], effective_on=d["effective_on"], reason=d["reason"],
                actor=request.user))
            if change is not None:
                messages.success(request, _("执法证 %(number)s 自 %(day)s 起变更为“%(status)s”。") % {
                    "number": cert.number, "day": f"{change.effective_on:%Y-%m-%d}",
                    "status": cert_status_name(change.status)})
                return redirect(_person_url(cert.holder))
    else:
        form = CertificateStatusForm(certificate=cert, initial={"effective_on": _today()})
    today = _today()
    return _form_page(request, form, title=_("变更执法证状态 · %(number)s") % {"number": cert.number},
                      person=cert.holder, certificate=cert, submit=_("保存状态变更"),
                      intro=_("当前状态（%(day)s）：%(status)s。暂扣、注销须写明原因；"
                              "恢复使用请选择“有效（恢复使用）”。") % {
                          "day": f"{today:%Y-%m-%d}", "status": cert_status_name(cert.status_on(today))})


@login_required
@require_http_methods(["GET", "POST"])
def annual_review_add(request, pk: int):
    """登记年审."""
    _require_manager(request)
    cert = _visible_certificate(request, pk)
    if request.method == "POST":
        form = AnnualReviewForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            review = _save(form, lambda: services.add_annual_review(
                cert, year=d["year"], reviewed_on=d["reviewed_on"], passed=d["passed"], note=d["note"],
                actor=request.user),
                integrity=("year", _("执法证 %(number)s 的 %(year)s 年度年审已登记")
                           % {"number": cert.number, "year": d["year"]}))
            if review is not None:
                messages.success(request, _("已登记执法证 %(number)s 的 %(year)s 年度年审。")
                                 % {"number": cert.number, "year": review.year})
                return redirect(_person_url(cert.holder))
    else:
        today = _today()
        form = AnnualReviewForm(initial={"year": today.year - 1, "reviewed_on": today, "passed": "1"})
    return _form_page(request, form, title=_("登记年审 · %(number)s") % {"number": cert.number},
                      person=cert.holder, certificate=cert, submit=_("登记年审"))


@login_required
@require_http_methods(["GET", "POST"])
def training_add(request, pk: int):
    """登记培训记录."""
    _require_manager(request)
    person = _visible_person(request, pk)
    if request.method == "POST":
        form = TrainingForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            training = _save(form, lambda: services.add_training(
                person=person, kind=d["kind"], title=d["title"], organiser=d["organiser"],
                start_on=d["start_on"], end_on=d["end_on"], hours=d["hours"], days=d["days"],
                exam_result=d["exam_result"], exam_score=d["exam_score"], for_year=d["for_year"],
                actor=request.user))
            if training is not None:
                hours, days = q._fmt(float(training.hours)), q._fmt(float(training.days))
                messages.success(request, _("已登记培训“%(title)s”（%(hours)s 学时，%(days)s 天）。")
                                 % {"title": training.title, "hours": hours, "days": days})
                return redirect(_person_url(person))
    else:
        form = TrainingForm(initial={"kind": "refresher", "exam_result": ExamResult.NONE})
    return _form_page(request, form, title=_("登记培训 · %(name)s") % {"name": person}, person=person,
                      submit=_("登记培训"), intro=_("考试不合格的培训不计入入职培训和年度培训要求。"))
