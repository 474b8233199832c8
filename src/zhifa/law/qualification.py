"""The qualification rule: may this person enforce in this domain on this date?

持证上岗、资格管理. 《行政处罚法》 Art 42 lets only officers with enforcement qualification act;
Art 52 and 55 make them show a valid certificate; the 《法治政府建设实施纲要（2021—2025年）》
(十五) and the provincial certificate rules require a passed examination before a certificate, the
certificate to be valid and checked, and the officer to be trained on entry and every year. The
amount of training is not fixed in any text we could verify (law.md §3.6 [U]), so the minimums
arrive here as parameters, never as constants.

Everything is plain values in, plain values out: the Django side turns its rows into these
dataclasses and shows the reasons as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from .citations import ART_42, ART_52, ART_55, CERT_RULES, OUTLINE_15, TRAINING_RULES
from .errors import Citation


class CertStatus(StrEnum):
    VALID = "valid"  # 有效
    SUSPENDED = "suspended"  # 暂扣
    REVOKED = "revoked"  # 注销
    EXPIRED = "expired"  # 过期 (derived from valid_until, or recorded)


CERT_STATUS_LABELS = {
    CertStatus.VALID: "有效",
    CertStatus.SUSPENDED: "暂扣",
    CertStatus.REVOKED: "注销",
    CertStatus.EXPIRED: "过期",
}


class TrainingKind(StrEnum):
    ONBOARDING = "onboarding"  # 入职培训
    REFRESHER = "refresher"  # 复训/轮训
    SPECIAL = "special"  # 专题培训


TRAINING_KIND_LABELS = {
    TrainingKind.ONBOARDING: "入职培训",
    TrainingKind.REFRESHER: "复训/轮训",
    TrainingKind.SPECIAL: "专题培训",
}

# Kinds that count towards the yearly training minimum: the rotation training itself and the
# topical courses that are part of the year's business and legal training (law.md §3.6).
YEARLY_KINDS = frozenset({TrainingKind.REFRESHER, TrainingKind.SPECIAL})


class Unit(StrEnum):
    HOURS = "hours"  # 学时
    DAYS = "days"  # 培训日
    WEEKS = "weeks"  # 周
    MONTHS = "months"  # 月


UNIT_LABELS = {Unit.HOURS: "学时", Unit.DAYS: "天", Unit.WEEKS: "周", Unit.MONTHS: "个月"}


@dataclass(frozen=True)
class Quantity:
    """A training minimum, e.g. 1 month, 1 week or 60 学时."""

    value: float
    unit: Unit

    def __str__(self) -> str:
        v = int(self.value) if float(self.value).is_integer() else self.value
        return f"{v}{UNIT_LABELS[Unit(self.unit)]}"


@dataclass(frozen=True)
class TrainingRules:
    """The training minimums in force (policy parameters, dated; law.md §3.6 [U]).

    Weeks and months are counted in training days: `days_per_week` and `days_per_month` say how
    many training days make one (defaults 5 and 22, i.e. working days).
    """

    onboarding_min: Quantity = Quantity(1, Unit.MONTHS)
    yearly_min: Quantity = Quantity(1, Unit.WEEKS)
    days_per_week: int = 5
    days_per_month: int = 22
    annual_review_required: bool = False
    # The yearly minimum of a calendar year is the one in force on 31 December of that year, so a
    # minimum raised from next January does not reach back to the year just ended.
    yearly_min_by_year: tuple[tuple[int, Quantity], ...] = ()

    def yearly_min_in(self, year: int) -> Quantity:
        for y, quantity in self.yearly_min_by_year:
            if y == year:
                return quantity
        return self.yearly_min

    def required_days(self, q: Quantity) -> float:
        unit = Unit(q.unit)
        if unit is Unit.DAYS:
            return q.value
        if unit is Unit.WEEKS:
            return q.value * self.days_per_week
        if unit is Unit.MONTHS:
            return q.value * self.days_per_month
        raise ValueError(unit)


@dataclass(frozen=True)
class StatusChange:
    effective_on: date
    status: CertStatus
    reason: str = ""


@dataclass(frozen=True)
class CertificateFacts:
    number: str
    domains: frozenset[str]
    issued_on: date
    valid_until: date
    history: tuple[StatusChange, ...] = ()
    # Years (YYYY) whose 年审 was recorded as passed.
    reviews_passed: frozenset[int] = frozenset()

    def status_on(self, on: date) -> CertStatus:
        """Status on a date: the last recorded change in force, then expiry by date."""
        status = CertStatus.VALID
        for change in sorted(self.history, key=lambda c: c.effective_on):
            if change.effective_on <= on:
                status = CertStatus(change.status)
        if status is CertStatus.VALID and on > self.valid_until:
            return CertStatus.EXPIRED
        return status

    def reason_on(self, on: date) -> str:
        for change in sorted(self.history, key=lambda c: c.effective_on, reverse=True):
            if change.effective_on <= on:
                return change.reason
        return ""


@dataclass(frozen=True)
class TrainingFacts:
    kind: TrainingKind
    start: date
    end: date
    hours: float
    days: float
    passed: bool | None = None  # None: no examination recorded
    # The year a course counts for: the year it ends, unless recorded as making up (补训) an earlier year.
    for_year: int | None = None

    @property
    def year(self) -> int:
        return self.for_year or self.end.year

    @property
    def counts(self) -> bool:
        """A course whose examination was failed does not count."""
        return self.passed is not False


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    basis: tuple[Citation, ...] = ()

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "basis": [str(b) for b in self.basis]}


@dataclass(frozen=True)
class Qualification:
    allowed: bool
    reasons: tuple[Reason, ...] = ()
    certificate: str | None = None  # the number of the certificate that qualifies
    notes: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.allowed

    def as_dict(self) -> dict:
        return {
            "allowed": self.allowed,
            "certificate": self.certificate,
            "reasons": [r.as_dict() for r in self.reasons],
            "notes": list(self.notes),
        }


def weekdays_between(start: date, end: date) -> int:
    """Monday–Friday days from start to end inclusive: the default length of a course in days."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for i in range(rest):
        if (start + timedelta(days=full_weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


def _amount(records: list[TrainingFacts], unit: Unit) -> float:
    if unit is Unit.HOURS:
        return sum(r.hours for r in records)
    return sum(r.days for r in records)


def measure(rules: TrainingRules, q: Quantity, records: list[TrainingFacts]) -> tuple[float, float, str]:
    """(done, required, unit label) in the unit the requirement is counted in."""
    unit = Unit(q.unit)
    if unit is Unit.HOURS:
        return _amount(records, unit), float(q.value), "学时"
    return _amount(records, unit), float(rules.required_days(q)), "个培训日"


def onboarding_completed_on(trainings: list[TrainingFacts], rules: TrainingRules) -> date | None:
    """The day the onboarding minimum was reached (the end of the course that reached it)."""
    done = 0.0
    q = rules.onboarding_min
    unit = Unit(q.unit)
    required = float(q.value) if unit is Unit.HOURS else float(rules.required_days(q))
    courses = sorted((t for t in trainings if t.kind is TrainingKind.ONBOARDING and t.counts),
                     key=lambda t: t.end)
    for t in courses:
        done += t.hours if unit is Unit.HOURS else t.days
        if done + 1e-9 >= required:
            return t.end
    return None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def certificate_reasons(certs: list[CertificateFacts], domain: str, domain_label: str,
                        on: date, rules: TrainingRules) -> tuple[str | None, list[Reason]]:
    """Either the number of a certificate that covers the domain on the date, or the reasons."""
    basis = (ART_42, ART_55, ART_52, CERT_RULES)
    if not certs:
        return None, [Reason("no_certificate", "未持有行政执法证件", basis)]
    covering = [c for c in certs if domain in c.domains]
    if not covering:
        numbers = "、".join(c.number for c in certs)
        return None, [Reason("domain_not_covered",
                             f"执法证件（{numbers}）的执法领域不含“{domain_label}”", basis)]
    reasons: list[Reason] = []
    for c in sorted(covering, key=lambda c: c.valid_until, reverse=True):
        if on < c.issued_on:
            reasons.append(Reason("certificate_not_yet_valid",
                                  f"执法证件 {c.number} 于 {c.issued_on:%Y-%m-%d} 才发证，{on:%Y-%m-%d} 尚未生效",
                                  basis))
            continue
        status = c.status_on(on)
        if status is CertStatus.EXPIRED:
            reasons.append(Reason("certificate_expired",
                                  f"执法证件 {c.number} 已过期（有效期至 {c.valid_until:%Y-%m-%d}）", basis))
            continue
        if status is CertStatus.SUSPENDED:
            why = c.reason_on(on)
            reasons.append(Reason("certificate_suspended",
                                  f"执法证件 {c.number} 已被暂扣" + (f"：{why}" if why else ""), basis))
            continue
        if status is CertStatus.REVOKED:
            why = c.reason_on(on)
            reasons.append(Reason("certificate_revoked",
                                  f"执法证件 {c.number} 已注销" + (f"：{why}" if why else ""), basis))
            continue
        if rules.annual_review_required:
            # Last year's review is due from a certificate held through the whole of that year.
            last_year = on.year - 1
            if c.issued_on < date(last_year, 1, 1) and last_year not in c.reviews_passed:
                reasons.append(Reason("annual_review_missing",
                                      f"执法证件 {c.number} 缺少 {last_year} 年度年审合格记录",
                                      (CERT_RULES,)))
                continue
        return c.number, []
    return None, reasons


def training_reasons(trainings: list[TrainingFacts], on: date, rules: TrainingRules) -> list[Reason]:
    reasons: list[Reason] = []
    basis = (OUTLINE_15, TRAINING_RULES)
    past = [t for t in trainings if t.end <= on and t.counts]
    completed = onboarding_completed_on(past, rules)
    if completed is None:
        onboarding = [t for t in past if t.kind is TrainingKind.ONBOARDING]
        done, required, label = measure(rules, rules.onboarding_min, onboarding)
        reasons.append(Reason(
            "onboarding_incomplete",
            f"入职培训未完成：已完成 {_fmt(done)} {label}，要求不少于 {rules.onboarding_min}"
            f"（{_fmt(required)} {label}）",
            basis))
        return reasons
    # Last calendar year's training is due from everyone who was already trained before it began;
    # an officer onboarded during that year has had that year's training.
    last_year = on.year - 1
    if completed < date(last_year, 1, 1):
        yearly = [t for t in past if t.kind in YEARLY_KINDS and t.year == last_year]
        minimum = rules.yearly_min_in(last_year)
        done, required, label = measure(rules, minimum, yearly)
        if done + 1e-9 < required:
            reasons.append(Reason(
                "refresher_missing",
                f"{last_year} 年度复训/轮训不足：已完成 {_fmt(done)} {label}，要求不少于 "
                f"{minimum}（{_fmt(required)} {label}）",
                basis))
    return reasons


def may_enforce(certificates: list[CertificateFacts], trainings: list[TrainingFacts], domain: str,
                on: date, rules: TrainingRules | None = None, *, domain_label: str | None = None,
                active: bool = True) -> Qualification:
    """May a person enforce in `domain` on `on`? (《行政处罚法》第四十二条)

    No when: the person is not an active enforcement officer; no certificate covering the domain
    is valid on that date (missing, not covering the domain, not yet issued, expired, suspended,
    revoked, or — where the policy demands it — last year's 年审 not passed); onboarding training is
    not complete; last calendar year's training is below the minimum. Every reason is returned,
    each with its citation, so a screen can say everything that is missing at once.
    """
    rules = rules or TrainingRules()
    label = domain_label or domain
    reasons: list[Reason] = []
    if not active:
        reasons.append(Reason("not_an_officer", "该人员不是在岗执法人员", (ART_42,)))
    number, cert_reasons = certificate_reasons(certificates, domain, label, on, rules)
    reasons.extend(cert_reasons)
    reasons.extend(training_reasons(trainings, on, rules))
    return Qualification(allowed=not reasons, reasons=tuple(reasons), certificate=number if not reasons else None)
