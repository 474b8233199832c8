"""Services of the `org` app: the only code that changes people, roles, certificates, training.

Every change records an event in the same transaction (DESIGN.md §2).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from zhifa.catalog import fresh
from zhifa.catalog.models import Domain
from zhifa.catalog.policies import training_rules, value_of
from zhifa.law import qualification as q
from zhifa.law.errors import Citation, RuleViolation
from zhifa.prepared import Prepared
from zhifa.records.services import record

from .models import (
    Agency,
    AnnualReview,
    Certificate,
    CertificateStatusChange,
    QualificationStamp,
    Training,
    Unit,
    User,
)
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


@dataclass(frozen=True)
class QualificationData:
    """What the qualification rule reads about one person, as plain values: their certificates (with domains,
    status history and 年审), trainings and role codes."""

    certificates: tuple[q.CertificateFacts, ...]
    trainings: tuple[q.TrainingFacts, ...]
    roles: frozenset[str]

    @classmethod
    def of(cls, person: User) -> QualificationData:
        """From ``person``'s rows (prefetched relations are used when present)."""
        return cls(certificates=tuple(c.facts() for c in person.certificates.all()),
                   trainings=tuple(t.facts() for t in person.trainings.all()), roles=frozenset(person.role_codes()))

    def may_enforce(self, domain: Domain, on_date: date, rules: q.TrainingRules, *, is_active: bool
                    ) -> q.Qualification:
        """As :func:`may_enforce`, for the person whose data this is (``is_active`` from their user row)."""
        return q.may_enforce(list(self.certificates), list(self.trainings), domain.code, on_date, rules,
                             domain_label=domain.name, active=is_active and Role.OFFICER.value in self.roles)


# Each person's QualificationData, kept per process while the qualification stamp (a row changed by database
# triggers with every write to the tables read: models.QualificationStamp) keeps its value; read with the request's
# other fingerprints (catalog.fresh), so a case page asks the database one small question instead of reading
# certificates, domains, status changes, 年审, trainings and roles again.
_QUALIFICATION_CACHE_SIZE = 20_000
# Up to this many people (a county, a city, a small province: about 25 per bureau), the first miss reads them all.
_READ_ALL_UP_TO = 5_000
_qualification_lock = threading.Lock()
_qualification: dict[str, Any] = {"stamp": None, "people": {}}


def qualification_data(user_ids: Iterable[int]) -> dict[int, QualificationData]:
    """The qualification data of each of ``user_ids``, from the process cache when the stamp allows."""
    ids = set(user_ids)
    if not ids:
        return {}
    stamp = fresh.fingerprint("qualification")
    if stamp[-1] == "None":  # no stamp row (a flushed database): nothing to key a cache on
        return _read_qualification(ids)
    with _qualification_lock:
        if _qualification["stamp"] != stamp:
            _qualification.update(stamp=stamp, people={})
        people = _qualification["people"]
        empty = not people
        found = {i: people[i] for i in ids if i in people}
    missing = ids - found.keys()
    if missing:
        read = (empty and _read_everyone()) or _read_qualification(missing)
        found.update((i, read[i]) for i in missing if i in read)
        with _qualification_lock:
            if _qualification["stamp"] == stamp:
                if len(_qualification["people"]) + len(read) > _QUALIFICATION_CACHE_SIZE:
                    _qualification["people"] = {}
                _qualification["people"].update(read)
    return found


def _read_everyone() -> dict[int, QualificationData] | None:
    """Everyone's qualification data, when the platform has at most ``_READ_ALL_UP_TO`` people (None otherwise):
    the first miss after a change fills the cache for every bureau in six queries, instead of six per bureau."""
    if User.objects.count() > _READ_ALL_UP_TO:
        return None
    return _QUALIFICATION_OF_EVERYONE.read(0)


def _read_qualification(ids: set[int]) -> dict[int, QualificationData]:
    """The qualification data of ``ids`` and of everyone else in their agencies: the first case page of a bureau
    reads its whole roster (a few dozen people) in six compiled queries (zhifa.prepared), and its other officers'
    pages then find theirs in the cache. People without an agency (platform accounts) are read one by one."""
    out: dict[int, QualificationData] = {}
    agencies = dict(User.objects.filter(pk__in=ids).order_by().values_list("id", "agency_id"))
    for agency_id in {a for a in agencies.values() if a is not None}:
        out.update(_QUALIFICATION_BY_AGENCY.read(agency_id))
    for person_id in (i for i, a in agencies.items() if a is None):
        out.update(_QUALIFICATION_BY_PERSON.read(person_id))
    return out


class _QualificationReader:
    """The six reads of the qualification data of the people that ``person`` (a lookup from a user row, e.g.
    ``agency_id`` or ``id``) selects, as value rows: no model instance is made for a certificate, a 年审 or a
    training."""

    def __init__(self, name: str, person: str):
        def where(prefix: str):
            return lambda v: {f"{prefix}{person}": v}

        user, member, holder, cert, trainee = (where(""), where("user__"), where("holder__"),
                                               where("certificate__holder__"), where("person__"))
        self.people = Prepared(f"{name}.people", lambda v: User.objects.filter(**user(v)).order_by()
                               .values_list("id", flat=True), int)
        self.roles = Prepared(f"{name}.roles", lambda v: User.groups.through.objects.filter(**member(v)).order_by()
                              .values_list("user_id", "group__name"), int)
        self.certificates = Prepared(f"{name}.certificates", lambda v: Certificate.objects.filter(**holder(v))
                                     .order_by("holder_id", "-valid_until", "id")
                                     .values_list("id", "holder_id", "number", "issued_on", "valid_until"), int)
        self.domains = Prepared(f"{name}.domains", lambda v: Certificate.domains.through.objects.filter(
            **cert(v)).order_by().values_list("certificate_id", "domain__code"), int)
        self.changes = Prepared(f"{name}.changes", lambda v: CertificateStatusChange.objects.filter(**cert(v))
                                .order_by("effective_on", "id")
                                .values_list("certificate_id", "effective_on", "status", "reason"), int)
        self.reviews = Prepared(f"{name}.reviews", lambda v: AnnualReview.objects.filter(**cert(v), passed=True)
                                .order_by().values_list("certificate_id", "year"), int)
        self.trainings = Prepared(f"{name}.trainings", lambda v: Training.objects.filter(**trainee(v))
                                  .order_by("person_id", "-end_on", "id")
                                  .values_list("person_id", "kind", "start_on", "end_on", "hours", "days",
                                               "exam_result", "for_year"), int)

    def read(self, value: int) -> dict[int, QualificationData]:
        roles: dict[int, set[str]] = {}
        for user_id, group in self.roles(value):
            roles.setdefault(user_id, set()).add(group)
        domains: dict[int, set[str]] = {}
        for cert_id, code in self.domains(value):
            domains.setdefault(cert_id, set()).add(code)
        history: dict[int, list[q.StatusChange]] = {}
        for cert_id, effective_on, status, reason in self.changes(value):
            history.setdefault(cert_id, []).append(q.StatusChange(effective_on, q.CertStatus(status), reason))
        passed: dict[int, set[int]] = {}
        for cert_id, year in self.reviews(value):
            passed.setdefault(cert_id, set()).add(year)
        certificates: dict[int, list[q.CertificateFacts]] = {}
        for cert_id, holder_id, number, issued_on, valid_until in self.certificates(value):
            certificates.setdefault(holder_id, []).append(q.CertificateFacts(
                number=number, domains=frozenset(domains.get(cert_id, ())), issued_on=issued_on,
                valid_until=valid_until, history=tuple(history.get(cert_id, ())),
                reviews_passed=frozenset(passed.get(cert_id, ()))))
        trainings: dict[int, list[q.TrainingFacts]] = {}
        for person_id, *row in self.trainings(value):
            trainings.setdefault(person_id, []).append(Training.facts_of(*row))
        return {pk: QualificationData(certificates=tuple(certificates.get(pk, ())),
                                      trainings=tuple(trainings.get(pk, ())), roles=frozenset(roles.get(pk, ())))
                for pk in self.people(value)}


_QUALIFICATION_BY_AGENCY = _QualificationReader("qualification.agency", "agency_id")
_QUALIFICATION_BY_PERSON = _QualificationReader("qualification.person", "id")
_QUALIFICATION_OF_EVERYONE = _QualificationReader("qualification.everyone", "id__gte")  # read with 0


def _stamp_expressions(connection) -> list[str]:
    t = connection.ops.quote_name(QualificationStamp._meta.db_table)
    if connection.vendor == "postgresql":  # bumped once per transaction: inside the changing one, no cache (NULL)
        return [f"(SELECT CASE WHEN changed_in = txid_current_if_assigned() THEN NULL ELSE value END FROM {t} "
                f"WHERE id = 1)"]
    return [f"(SELECT value FROM {t} WHERE id = 1)"]


fresh.register("qualification", _stamp_expressions)


def may_enforce(person: User, domain, on_date: date, rules: q.TrainingRules | None = None) -> q.Qualification:
    """May `person` enforce in `domain` on `on_date`? (《行政处罚法》第四十二条)

    The one qualification rule every later step calls. `domain` is a `Domain` or its code. The
    answer carries every reason, each with its citation (zhifa.law.qualification.may_enforce).
    """
    if isinstance(domain, str):
        domain = Domain.objects.get(code=domain)
    rules = rules or training_rules(person.agency, on_date)
    return QualificationData.of(person).may_enforce(domain, on_date, rules, is_active=person.is_active)


@dataclass
class RosterRow:
    person: User
    status: str  # "ok" | "warn" | "no"
    missing: list[q.Reason]
    alerts: list[str]
    domains_ok: list[str]
    domains_no: list[str]
    certificate: Certificate | None
    alert_count: int = 0  # every alert of the alerts page, including those that stop the officer


def roster(user, on: date | None = None, *, agency: Agency | None = None) -> list[RosterRow]:
    """The officers a user may see, each with qualification status, what is missing, and alerts."""
    on = on or timezone.localdate()
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
        every = person_alerts(p, on, rules, alert_days)
        alerts = [a.text for a in every if a.key in WARNING_ALERTS]
        current = max(p.certificates.all(), key=lambda c: c.valid_until, default=None)
        status = "no" if not ok else ("warn" if alerts else "ok")
        rows.append(RosterRow(p, status, list(missing.values()) if not ok else [], alerts, ok, no, current,
                              len(every) if p.is_active else 0))
    return rows


@dataclass
class Alert:
    """Something that stops, or will soon stop, an officer. `key` groups it on the alerts page."""

    key: str  # expiring | invalid | onboarding | refresher | yearly
    text: str
    sort: object


# Alert kinds that leave the officer able to act today ("warn"), as opposed to those that stop them.
WARNING_ALERTS = frozenset({"expiring", "yearly"})


def _superseded(mine: q.CertificateFacts, others: list[q.CertificateFacts], on: date) -> bool:
    """Another certificate of the same person, valid on `on`, covers every domain of this one."""
    return any(f is not mine and f.issued_on <= on and f.status_on(on) is q.CertStatus.VALID
               and mine.domains <= f.domains for f in others)


def _renewed(mine: q.CertificateFacts, others: list[q.CertificateFacts]) -> bool:
    """Another certificate takes over when this one expires, for every domain it covers."""
    day_after = mine.valid_until + timedelta(days=1)
    return any(f is not mine and f.issued_on <= day_after and f.status_on(day_after) is q.CertStatus.VALID
               and mine.domains <= f.domains for f in others)


def year_amount(trainings: list[q.TrainingFacts], year: int, on: date,
                rules: q.TrainingRules) -> tuple[float, float, str]:
    """(done, required, unit label) of one calendar year's counted training, up to `on`."""
    counted = [t for t in trainings
               if t.kind in q.YEARLY_KINDS and t.year == year and t.end <= on and t.counts]
    return q.measure(rules, rules.yearly_min_in(year), counted)


def person_alerts(p: User, on: date, rules: q.TrainingRules, alert_days: int) -> list[Alert]:
    """Everything that stops or will soon stop one officer (uses prefetched certificates/trainings)."""
    out: list[Alert] = []
    facts = [c.facts() for c in p.certificates.all()]
    for f in facts:
        if f.issued_on > on:
            continue
        status = f.status_on(on)
        if status is q.CertStatus.VALID:
            left = (f.valid_until - on).days
            if left <= alert_days and not _renewed(f, facts):
                when = "今天" if left == 0 else f"{left} 天后"
                out.append(Alert("expiring", f"执法证 {f.number} 将于 {f.valid_until:%Y-%m-%d} 到期（{when}）",
                                 f.valid_until))
        elif not _superseded(f, facts, on):
            label = q.CERT_STATUS_LABELS[status]
            why = f.reason_on(on)
            since = f"有效期至 {f.valid_until:%Y-%m-%d}" if status is q.CertStatus.EXPIRED and not why else why
            out.append(Alert("invalid", f"执法证 {f.number} {label}" + (f"（{since}）" if since else ""),
                             f.valid_until))
    trainings = [t.facts() for t in p.trainings.all()]
    for reason in q.training_reasons(trainings, on, rules):
        key = "onboarding" if reason.code == "onboarding_incomplete" else "refresher"
        out.append(Alert(key, reason.message, p.full_name))
    completed = q.onboarding_completed_on([t for t in trainings if t.end <= on], rules)
    # This year's training is owed by those trained before the year began (as the rule checks it).
    if completed is not None and completed < date(on.year, 1, 1):
        done, required, label = year_amount(trainings, on.year, on, rules)
        if done + 1e-9 < required:
            minimum = rules.yearly_min_in(on.year)
            out.append(Alert("yearly", f"{on.year} 年度已完成 {q._fmt(done)} {label}，"
                                       f"尚差 {q._fmt(required - done)} {label}（要求不少于 {minimum}）",
                             done - required))
    return out


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
                 for_year: int | None = None,
                 actor: User) -> Training:
    if end_on < start_on:
        raise RuleViolation("training_dates", "结束日期不能早于开始日期", "end_on")
    if hours is None or hours < 0:
        raise RuleViolation("training_hours", "学时不能为负数", "hours")
    if days is None:
        days = Decimal(q.weekdays_between(start_on, end_on))
    elif days < 0 or days > (end_on - start_on).days + 1:
        span = (end_on - start_on).days + 1
        raise RuleViolation("training_days", f"培训天数应在 0 到 {span} 之间（不超过起止日期跨度）",
                            "days")
    if for_year is not None:
        if kind == "onboarding":
            raise RuleViolation("for_year_onboarding", "入职培训不计入年度培训，无须填写计入年度", "for_year")
        if not (end_on.year - 1 <= for_year <= end_on.year):
            raise RuleViolation("for_year_range",
                                f"计入年度只能是结束日期所在年度（{end_on.year}）或其上一年度（补训）", "for_year")
        if for_year == end_on.year:
            for_year = None
    with transaction.atomic():
        t = Training.objects.create(person=person, kind=kind, title=title.strip(), organiser=organiser.strip(),
                                    start_on=start_on, end_on=end_on, hours=hours, days=days,
                                    exam_result=exam_result, exam_score=exam_score, for_year=for_year,
                                    recorded_by=actor)
        record("org.training_added", actor=actor, agency=person.agency, subject=f"training:{t.pk}",
               payload={"person": person.username, "kind": kind, "title": t.title, "start_on": start_on,
                        "end_on": end_on, "hours": hours, "days": days, "exam": exam_result,
                        "for_year": for_year})
    return t


# --- accounts (系统管理员), roles, lockout and second factor (安全管理员) -------------------------
# The fields of a person an administrator maintains; the password is handled on its own.
PERSON_FIELDS = ("username", "full_name", "agency", "unit", "position", "phone", "employee_no", "joined_on",
                 "has_legal_qualification", "legal_qualification_no", "first_review_on", "is_active")


def _person_value(name: str, value):
    """A field value as it goes into the record: related rows by id and name, phone numbers masked."""
    if name in ("agency", "unit"):
        return {"id": value.pk, "name": value.name} if value is not None else None
    if name == "phone":  # personal data: the record says that it changed, not what it is
        return "***" if value else ""
    return value


def _check_person(fields: dict, *, actor, person: User | None = None) -> dict:
    fields = dict(fields)
    for name in ("username", "full_name", "position", "phone", "employee_no", "legal_qualification_no"):
        fields[name] = (fields.get(name) or "").strip()
    exclude_pk = person.pk if person is not None else None
    agency = fields.get("agency")
    if agency is None or not visible_agencies(actor).filter(pk=agency.pk).exists():
        raise RuleViolation("agency_out_of_scope", "只能在本机关或下级机关中登记人员", "agency")
    if person is not None and person.agency_id is not None \
            and not visible_agencies(actor).filter(pk=person.agency_id).exists():
        raise RuleViolation("person_out_of_scope", "该人员不在您的管理范围内", None)
    unit = fields.get("unit")
    if unit is not None and unit.agency_id != agency.pk:
        raise RuleViolation("unit_agency", f"内设机构“{unit.name}”不属于{agency.name}", "unit")
    if not fields["username"]:
        raise RuleViolation("username_required", "请填写用户名", "username")
    if User.objects.filter(username__iexact=fields["username"]).exclude(pk=exclude_pk).exists():
        raise RuleViolation("username_taken", f"用户名“{fields['username']}”已被使用", "username")
    if not fields["full_name"]:
        raise RuleViolation("full_name_required", "请填写姓名", "full_name")
    if fields["employee_no"] and User.objects.filter(agency=agency, employee_no=fields["employee_no"]) \
            .exclude(pk=exclude_pk).exists():
        raise RuleViolation("employee_no_taken", f"工号 {fields['employee_no']} 在{agency.name}已被使用",
                            "employee_no")
    if fields.get("has_legal_qualification") and not fields["legal_qualification_no"]:
        raise RuleViolation("qualification_no_required", "具有法律职业资格的，请填写法律职业资格证书编号",
                            "legal_qualification_no")
    if fields["legal_qualification_no"] and not fields.get("has_legal_qualification"):
        raise RuleViolation("qualification_flag", "填写了证书编号的，请勾选“具有法律职业资格”",
                            "has_legal_qualification")
    return fields


def check_password(password: str, user: User) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS); every message on `password`."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise RuleViolation("password_weak", "；".join(exc.messages), "password") from None


def create_person(*, actor: User, password: str, **fields) -> User:
    """Register a person with an initial password. Roles are granted separately by the 安全管理员."""
    require(can_manage_people(actor), "登记人员")
    fields = _check_person({k: fields.get(k) for k in PERSON_FIELDS}, actor=actor)
    if fields.get("is_active") is None:
        fields["is_active"] = True
    if fields.get("has_legal_qualification") is None:
        fields["has_legal_qualification"] = False
    person = User(**fields)
    check_password(password or "", person)
    person.set_password(password)
    # A password someone else chose is changed by its owner at first sign-in (等保: no default passwords).
    person.must_change_password = True
    with transaction.atomic():
        person.save(force_insert=True)
        record("org.person_created", actor=actor, agency=person.agency, subject=f"user:{person.pk}",
               payload={name: _person_value(name, getattr(person, name)) for name in PERSON_FIELDS})
    return person


def update_person(person: User, *, actor: User, **fields) -> list[str]:
    """Change a person's particulars; returns the names of the fields that changed (none: no event)."""
    require(can_manage_people(actor), "修改人员信息")
    merged = {name: fields.get(name, getattr(person, name)) for name in PERSON_FIELDS}
    merged = _check_person(merged, actor=actor, person=person)
    if person.pk == actor.pk and not merged["is_active"]:
        raise RuleViolation("self_deactivate", "不能停用自己的账户", "is_active")
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=person.pk)
        changed = [name for name in PERSON_FIELDS if getattr(current, name) != merged[name]]
        if not changed:
            return []
        before = {name: _person_value(name, getattr(current, name)) for name in changed}
        for name in changed:
            setattr(current, name, merged[name])
        current.save(update_fields=[f"{n}_id" if n in ("agency", "unit") else n for n in changed])
        record("org.person_updated", actor=actor, agency=current.agency, subject=f"user:{current.pk}",
               payload={"user": current.username, "before": before,
                        "after": {name: _person_value(name, merged[name]) for name in changed}})
    for name in changed:
        setattr(person, name, merged[name])
    return changed


def assign_roles(person: User, roles: Iterable[str], *, actor: User) -> bool:
    """The 安全管理员 grants roles; never their own (separation of duties). True when something changed."""
    require(can_assign_roles(actor), "分配角色")
    if person.pk == actor.pk:
        raise RuleViolation("roles_self", "不能修改自己的角色：角色须由另一名安全管理员分配（职责分离）",
                            "roles", [DENGBAO_815])
    if not people_visible_to(actor).filter(pk=person.pk).exists():
        raise RuleViolation("person_out_of_scope", "该人员不在您的管理范围内", None)
    chosen = check_role_set(roles)
    if chosen == set(User.objects.get(pk=person.pk).groups.values_list("name", flat=True)):
        return False
    set_roles(person, chosen, actor=actor)
    return True


def login_failures(usernames: Iterable[str] | None = None) -> dict[str, int]:
    """Failed sign-ins per username inside the lockout cool-off (django-axes' own count)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.utils import timezone

    cool_off = get_cool_off()
    qs = AccessAttempt.objects.all()
    if cool_off is not None:  # None: failures never expire (AXES_COOLOFF_TIME unset)
        qs = qs.filter(attempt_time__gte=timezone.now() - cool_off)
    if usernames is not None:
        qs = qs.filter(username__in=list(usernames))
    return {r["username"]: r["n"] or 0
            for r in qs.values("username").annotate(n=Sum("failures_since_start")).order_by()}


def is_locked(username: str, failures: dict[str, int] | None = None) -> bool:
    from django.conf import settings

    failures = login_failures([username]) if failures is None else failures
    return failures.get(username, 0) >= settings.AXES_FAILURE_LIMIT


def unlock_account(person: User, *, actor: User) -> int:
    """Clear a lockout (the 安全管理员's act); returns how many attempt rows were cleared."""
    from axes.utils import reset

    require(can_assign_roles(actor), "解锁账户")
    if not people_visible_to(actor).filter(pk=person.pk).exists():
        raise RuleViolation("person_out_of_scope", "该人员不在您的管理范围内", None)
    with transaction.atomic():
        was_locked = is_locked(person.username)
        cleared = reset(username=person.username)
        record("auth.unlocked", actor=actor, agency=person.agency, subject=f"user:{person.pk}",
               payload={"username": person.username, "was_locked": was_locked, "attempts_cleared": cleared})
    return cleared


def reset_second_factor(person: User, *, actor: User) -> int:
    """Remove a person's second-factor devices; they enrol again at their next sign-in."""
    from django_otp import devices_for_user

    require(can_assign_roles(actor), "重置动态验证码")
    if person.pk == actor.pk:
        raise RuleViolation("otp_reset_self", "不能重置自己的动态验证码，请由另一名安全管理员办理", None)
    if not people_visible_to(actor).filter(pk=person.pk).exists():
        raise RuleViolation("person_out_of_scope", "该人员不在您的管理范围内", None)
    with transaction.atomic():
        devices = list(devices_for_user(person, confirmed=None))
        for device in devices:
            device.delete()
        record("auth.otp_reset", actor=actor, agency=person.agency, subject=f"user:{person.pk}",
               payload={"username": person.username, "devices_removed": len(devices)})
    return len(devices)


# --- units ----------------------------------------------------------------------------------
def save_unit(*, actor: User, agency: Agency | None = None, unit: Unit | None = None, name: str, kind: str,
              domains: Iterable[Domain] = (), sort: int = 0, is_active: bool = True) -> Unit:
    """Create or change a unit (内设机构). A unit stays in the agency it was created in."""
    from django.db import IntegrityError

    from .models import UnitKind

    require(can_manage_people(actor), "维护内设机构")
    if unit is not None:
        if not units_visible_to(actor).filter(pk=unit.pk).exists():
            raise RuleViolation("unit_out_of_scope", "该内设机构不在您的管理范围内", None)
        agency = unit.agency
    elif agency is None or not visible_agencies(actor).filter(pk=agency.pk).exists():
        raise RuleViolation("agency_out_of_scope", "只能在本机关或下级机关中设立内设机构", "agency")
    name = (name or "").strip()
    if not name:
        raise RuleViolation("unit_name_required", "请填写名称", "name")
    if kind not in UnitKind.values:
        raise RuleViolation("unit_kind", "请选择类别", "kind")
    if Unit.objects.filter(agency=agency, name=name).exclude(pk=unit.pk if unit else None).exists():
        raise RuleViolation("unit_duplicate", f"{agency.name}已有名为“{name}”的内设机构", "name")
    domains = list(domains)
    created = unit is None
    try:
        with transaction.atomic():
            if created:
                unit = Unit(agency=agency)
                before = None
            else:
                unit = Unit.objects.select_for_update().get(pk=unit.pk)
                before = {"name": unit.name, "kind": unit.kind, "sort": unit.sort,
                          "is_active": unit.is_active, "domains": sorted(d.code for d in unit.domains.all())}
            unit.name, unit.kind, unit.sort, unit.is_active = name, kind, sort, is_active
            unit.save()
            unit.domains.set(domains)
            record("org.unit_saved", actor=actor, agency=agency, subject=f"unit:{unit.pk}",
                   payload={"created": created, "before": before,
                            "after": {"name": name, "kind": kind, "sort": sort, "is_active": is_active,
                                      "domains": sorted(d.code for d in domains)}})
    except IntegrityError:  # a concurrent save took the name first
        raise RuleViolation("unit_duplicate", f"{agency.name}已有名为“{name}”的内设机构", "name") from None
    return unit


# --- policy parameters ----------------------------------------------------------------------
def set_policy_value(*, actor: User, key: str, value, effective_from: date, citation: str,
                     note: str = ""):
    """Add a dated value of a policy parameter for the actor's agency (and those under it).

    Values are never edited in place: each setting is a new row from its date, so what a rule read
    on any past date can always be reconstructed (DESIGN.md §4 "Policies are dated data").
    """
    from zhifa.catalog.models import PolicyValue
    from zhifa.catalog.policies import parameter

    require(can_set_policy(actor), "设置政策参数")
    param = parameter(key)
    normalised = param.check(value)
    if effective_from is None or not 2000 <= effective_from.year <= 2100:
        raise RuleViolation("policy_date", "请填写 2000 年至 2100 年之间的生效日期", "effective_from")
    citation, note = (citation or "").strip(), (note or "").strip()
    if not citation:
        raise RuleViolation("citation_required", "请写明依据（文件名称、文号或条款）", "citation")
    agency = actor.agency  # a platform superuser without an agency sets the all-agency value
    with transaction.atomic():
        previous = value_of(key, agency, effective_from)
        row = PolicyValue.objects.create(key=key, agency=agency, value=normalised,
                                         effective_from=effective_from, citation=citation[:255],
                                         note=note[:255], set_by=actor)
        record("catalog.policy_set", actor=actor, agency=agency, subject=f"policy:{key}",
               payload={"key": key, "value": normalised, "previous": previous,
                        "effective_from": effective_from, "citation": citation, "note": note, "row": row.pk})
    return row


# --- passwords --------------------------------------------------------------------------------
def reset_password(person: User, password: str, *, actor: User) -> None:
    """The 安全管理员 sets a new password; its owner must change it at the next sign-in."""
    require(can_assign_roles(actor), "重置密码")
    if person.pk == actor.pk:
        raise RuleViolation("self_reset", "不能在此重置自己的密码，请使用“修改密码”", "password")
    check_password(password or "", person)
    from django.utils import timezone

    with transaction.atomic():
        person.set_password(password)
        person.must_change_password = True
        person.password_changed_at = timezone.now()
        person.save(update_fields=["password", "must_change_password", "password_changed_at"])
        record("auth.password_reset", actor=actor, agency=person.agency, subject=f"user:{person.pk}",
               payload={"user": person.username})


def change_own_password(user: User, password: str) -> None:
    """A person changes their own password (the form has checked the old one and the validators)."""
    check_password(password or "", user)
    from django.utils import timezone

    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        record("auth.password_changed", actor=user, subject=f"user:{user.pk}", payload={})
