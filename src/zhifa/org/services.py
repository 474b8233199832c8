"""Services of the `org` app: the only code that changes people, roles, certificates, training.

Every change records an event in the same transaction (DESIGN.md §2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from zhifa.catalog.models import Domain
from zhifa.catalog.policies import training_rules, value_of
from zhifa.law import qualification as q
from zhifa.law.errors import Citation, RuleViolation
from zhifa.records.services import record

from .models import Agency, AnnualReview, Certificate, CertificateStatusChange, Training, Unit, User
from .roles import ADMIN_ROLES, ROLE_LABELS, Role

DENGBAO_815 = Citation("GB/T 22239-2019《网络安全等级保护基本要求》", "安全管理中心",
                       "系统管理员、安全管理员、审计管理员三员分立")


# --- scoping --------------------------------------------------------------------------------
def visible_agencies(user) -> QuerySet[Agency]:
    """The agencies a user may see: their own and those under it (a platform superuser: all)."""
    if not user.is_authenticated:
        return Agency.objects.none()
    if user.is_superuser and user.agency_id is None:
        return Agency.objects.all()
    if user.agency_id is None:
        return Agency.objects.none()
    return Agency.objects.filter(path__startswith=user.agency.path)


def people_visible_to(user) -> QuerySet[User]:
    if not user.is_authenticated:
        return User.objects.none()
    if user.is_superuser and user.agency_id is None:
        return User.objects.all()
    if user.agency_id is None:
        return User.objects.none()
    return User.objects.filter(agency__path__startswith=user.agency.path)


def units_visible_to(user) -> QuerySet[Unit]:
    return Unit.objects.filter(agency__in=visible_agencies(user))


def certificates_visible_to(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(holder__in=people_visible_to(user))


def trainings_visible_to(user) -> QuerySet[Training]:
    return Training.objects.filter(person__in=people_visible_to(user))


# --- permissions ------------------------------------------------------------------------------
def can_manage_people(user) -> bool:
    """系统管理员 creates and edits accounts and the organisation."""
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.SYSADMIN))


def can_assign_roles(user) -> bool:
    """安全管理员 grants roles, unlocks accounts and resets second factors."""
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.SECADMIN))


def can_manage_qualifications(user) -> bool:
    """Certificates and training are entered by the 系统管理员 or the 内勤 who keeps personnel files."""
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.SYSADMIN, Role.CLERK))


def can_view_audit(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.AUDITADMIN))


def can_set_policy(user) -> bool:
    return can_manage_people(user)


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise RuleViolation("forbidden", f"您没有{what}的权限")


# --- roles ----------------------------------------------------------------------------------
def check_role_set(roles: Iterable[str]) -> set[str]:
    chosen = {str(r) for r in roles}
    unknown = chosen - {r.value for r in Role}
    if unknown:
        raise RuleViolation("role_unknown", f"未知角色：{'、'.join(sorted(unknown))}", "roles")
    admins = sorted(chosen & {r.value for r in ADMIN_ROLES})
    if len(admins) > 1:
        labels = "、".join(str(ROLE_LABELS[Role(a)]) for a in admins)
        raise RuleViolation("admin_roles_exclusive",
                            f"{labels}不得由同一人兼任（三员分立）", "roles", [DENGBAO_815])
    return chosen


def set_roles(person: User, roles: Iterable[str], *, actor: User | None) -> None:
    """Replace a person's roles. The three administrator roles are mutually exclusive."""
    chosen = check_role_set(roles)
    with transaction.atomic():
        before = sorted(person.role_codes()) if person.pk else []
        groups = [Group.objects.get_or_create(name=code)[0] for code in sorted(chosen)]
        person.groups.set(groups)
        person._role_cache = None
        record("org.roles_changed", actor=actor, agency=person.agency, subject=f"user:{person.pk}",
               payload={"user": person.username, "before": before, "after": sorted(chosen)})


def ensure_role_groups() -> None:
    for r in Role:
        Group.objects.get_or_create(name=r.value)


# --- qualification --------------------------------------------------------------------------
def _with_qualification_data(qs: QuerySet[User]) -> QuerySet[User]:
    return qs.prefetch_related(
        "groups",
        Prefetch("certificates", queryset=Certificate.objects.prefetch_related(
            "domains", "status_changes", "annual_reviews")),
        "trainings",
    )


def may_enforce(person: User, domain, on_date: date, rules: q.TrainingRules | None = None) -> q.Qualification:
    """May `person` enforce in `domain` on `on_date`? (《行政处罚法》第四十二条)

    The one qualification rule every later step calls. `domain` is a `Domain` or its code. The
    answer carries every reason, each with its citation (zhifa.law.qualification.may_enforce).
    """
    if isinstance(domain, str):
        domain = Domain.objects.get(code=domain)
    rules = rules or training_rules(person.agency, on_date)
    certs = [c.facts() for c in person.certificates.all()]
    trainings = [t.facts() for t in person.trainings.all()]
    return q.may_enforce(certs, trainings, domain.code, on_date, rules, domain_label=domain.name,
                         active=person.is_active and person.has_role(Role.OFFICER))


@dataclass
class RosterRow:
    person: User
    status: str  # "ok" | "warn" | "no"
    missing: list[q.Reason]
    alerts: list[str]
    domains_ok: list[str]
    domains_no: list[str]
    certificate: Certificate | None


def roster(user, on: date | None = None, *, agency: Agency | None = None) -> list[RosterRow]:
    """The officers a user may see, each with qualification status, what is missing, and alerts."""
    on = on or date.today()
    qs = people_visible_to(user).filter(groups__name=Role.OFFICER).distinct()
    if agency is not None:
        qs = qs.filter(agency=agency)
    people = list(_with_qualification_data(qs.select_related("agency", "unit")).order_by(
        "agency__path", "unit__sort", "employee_no", "username"))
    domains = list(Domain.objects.all())
    rules_cache: dict[int | None, tuple[q.TrainingRules, int]] = {}
    rows = []
    for p in people:
        if p.agency_id not in rules_cache:
            rules_cache[p.agency_id] = (training_rules(p.agency, on),
                                        value_of("certificate.expiry_alert_days", p.agency, on))
        rules, alert_days = rules_cache[p.agency_id]
        certs = [c.facts() for c in p.certificates.all()]
        trainings = [t.facts() for t in p.trainings.all()]
        ok, no, missing = [], [], {}
        for d in domains:
            res = q.may_enforce(certs, trainings, d.code, on, rules, domain_label=d.name,
                                active=p.is_active)
            if res.allowed:
                ok.append(d.name)
            else:
                no.append(d.name)
                for r in res.reasons:
                    if r.code != "domain_not_covered":
                        missing.setdefault(r.message, r)
        if not ok and not missing:  # nothing but domains not covered
            missing = {"未持有覆盖任何执法领域的有效证件": q.Reason("no_domain", "未持有覆盖任何执法领域的有效证件")}
        alerts = qualification_alerts(p, on, rules, alert_days)
        current = max(p.certificates.all(), key=lambda c: c.valid_until, default=None)
        status = "no" if not ok else ("warn" if alerts else "ok")
        rows.append(RosterRow(p, status, list(missing.values()) if not ok else [], alerts, ok, no, current))
    return rows


def qualification_alerts(p: User, on: date, rules: q.TrainingRules, alert_days: int) -> list[str]:
    """What will soon stop an officer: a certificate expiring in the window, this year's training."""
    alerts = []
    for c in p.certificates.all():
        status = c.facts().status_on(on)
        if status is q.CertStatus.VALID and c.valid_until <= on + timedelta(days=alert_days):
            alerts.append(f"执法证 {c.number} 将于 {c.valid_until:%Y-%m-%d} 到期（{(c.valid_until - on).days} 天后）")
    trainings = [t.facts() for t in p.trainings.all()]
    completed = q.onboarding_completed_on([t for t in trainings if t.end <= on], rules)
    if completed is not None:
        this_year = [t for t in trainings if t.kind in q.YEARLY_KINDS and t.end.year == on.year and t.counts]
        unit = q.Unit(rules.yearly_min.unit)
        done = sum(t.hours for t in this_year) if unit is q.Unit.HOURS else sum(t.days for t in this_year)
        required = rules.yearly_min.value if unit is q.Unit.HOURS else rules.required_days(rules.yearly_min)
        if done + 1e-9 < required:
            label = "学时" if unit is q.Unit.HOURS else "个培训日"
            alerts.append(f"{on.year} 年度培训尚差 {q._fmt(required - done)} {label}（要求 {rules.yearly_min}）")
    return alerts


# --- certificates and training ----------------------------------------------------------------
def add_certificate(*, holder: User, number: str, issuing_authority: str, domains, issued_on: date,
                    valid_until: date, actor: User) -> Certificate:
    number = number.strip()
    if valid_until < issued_on:
        raise RuleViolation("certificate_dates", "有效期至不能早于发证日期", "valid_until")
    if Certificate.objects.filter(number=number).exists():
        raise RuleViolation("certificate_duplicate", f"证号 {number} 已登记", "number")
    with transaction.atomic():
        cert = Certificate.objects.create(holder=holder, number=number, issuing_authority=issuing_authority,
                                          issued_on=issued_on, valid_until=valid_until)
        cert.domains.set(domains)
        record("org.certificate_added", actor=actor, agency=holder.agency, subject=f"certificate:{cert.pk}",
               payload={"holder": holder.username, "number": number, "issued_on": issued_on,
                        "valid_until": valid_until, "domains": sorted(d.code for d in cert.domains.all())})
    return cert


def change_certificate_status(cert: Certificate, *, status: str, effective_on: date, reason: str,
                              actor: User) -> CertificateStatusChange:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("reason_required", "变更执法证状态须写明原因", "reason")
    if status not in {s.value for s in q.CertStatus}:
        raise RuleViolation("status_unknown", "未知的证件状态", "status")
    current = cert.facts().status_on(effective_on)
    if current is q.CertStatus.REVOKED:
        raise RuleViolation("certificate_revoked", f"执法证 {cert.number} 已注销，不能再变更状态，请登记新证", "status")
    with transaction.atomic():
        change = CertificateStatusChange.objects.create(certificate=cert, status=status, effective_on=effective_on,
                                                        reason=reason, recorded_by=actor)
        record("org.certificate_status", actor=actor, agency=cert.holder.agency, subject=f"certificate:{cert.pk}",
               payload={"number": cert.number, "from": current.value, "to": status,
                        "effective_on": effective_on, "reason": reason})
    return change


def add_annual_review(cert: Certificate, *, year: int, reviewed_on: date, passed: bool, note: str,
                      actor: User) -> AnnualReview:
    if AnnualReview.objects.filter(certificate=cert, year=year).exists():
        raise RuleViolation("review_duplicate", f"执法证 {cert.number} 的 {year} 年度年审已登记", "year")
    if reviewed_on < cert.issued_on:
        raise RuleViolation("review_dates", "审验日期不能早于发证日期", "reviewed_on")
    with transaction.atomic():
        review = AnnualReview.objects.create(certificate=cert, year=year, reviewed_on=reviewed_on, passed=passed,
                                             note=note, recorded_by=actor)
        record("org.annual_review", actor=actor, agency=cert.holder.agency, subject=f"certificate:{cert.pk}",
               payload={"number": cert.number, "year": year, "passed": passed, "reviewed_on": reviewed_on})
    return review


def add_training(*, person: User, kind: str, title: str, organiser: str, start_on: date, end_on: date,
                 hours: Decimal, days: Decimal | None, exam_result: str, exam_score: Decimal | None,
                 actor: User) -> Training:
    if end_on < start_on:
        raise RuleViolation("training_dates", "结束日期不能早于开始日期", "end_on")
    if hours is None or hours < 0:
        raise RuleViolation("training_hours", "学时不能为负数", "hours")
    if days is None:
        days = Decimal(q.weekdays_between(start_on, end_on))
    elif days < 0 or days > (end_on - start_on).days + 1:
        raise RuleViolation("training_days", f"培训天数应在 0 到 {(end_on - start_on).days + 1} 之间（不超过起止日期跨度）",
                            "days")
    with transaction.atomic():
        t = Training.objects.create(person=person, kind=kind, title=title.strip(), organiser=organiser.strip(),
                                    start_on=start_on, end_on=end_on, hours=hours, days=days,
                                    exam_result=exam_result, exam_score=exam_score, recorded_by=actor)
        record("org.training_added", actor=actor, agency=person.agency, subject=f"training:{t.pk}",
               payload={"person": person.username, "kind": kind, "title": t.title, "start_on": start_on,
                        "end_on": end_on, "hours": hours, "days": days, "exam": exam_result})
    return t
