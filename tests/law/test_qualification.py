"""The qualification rule as legal cases (持证上岗、资格管理): may this person enforce, on this date?

Each row is one case: the facts, the date, the expected reason codes (empty: allowed) and the
article that decides it. For a refusal, the cited article must be among the citations the rule
returns, so a row cannot pass for the wrong reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from zhifa.law.qualification import (
    CertificateFacts,
    CertStatus,
    Quantity,
    StatusChange,
    TrainingFacts,
    TrainingKind,
    TrainingRules,
    Unit,
    may_enforce,
    onboarding_completed_on,
    weekdays_between,
)

ALL_CODES = {
    "not_an_officer", "no_certificate", "domain_not_covered", "certificate_not_yet_valid",
    "certificate_expired", "certificate_suspended", "certificate_revoked", "annual_review_missing",
    "onboarding_incomplete", "refresher_missing",
}

ART_42 = "行政处罚法第四十二条"
ART_55 = "行政处罚法第五十五条"
CERT = "省级行政执法证件管理办法"
OUTLINE = "法治政府建设实施纲要（2021—2025年）（十五）"

D = date
OB, RF, SP = TrainingKind.ONBOARDING, TrainingKind.REFRESHER, TrainingKind.SPECIAL
DEFAULT = TrainingRules()  # onboarding 1 month (22 training days), yearly 1 week (5 training days)
HOURS_60 = TrainingRules(yearly_min=Quantity(60, Unit.HOURS))
REVIEW = TrainingRules(annual_review_required=True)


Y2024, END_2026 = D(2024, 1, 1), D(2026, 12, 31)
ONBOARDED_ON = D(2023, 11, 30)


def cert(number="文旅执 001", domains=("NET",), issued=Y2024, until=END_2026, history=(),
         reviews=()) -> CertificateFacts:
    return CertificateFacts(number, frozenset(domains), issued, until, tuple(history), frozenset(reviews))


def course(kind, start, end=None, hours=8.0, days=None, passed=None) -> TrainingFacts:
    end = end or start
    days = weekdays_between(start, end) if days is None else days
    return TrainingFacts(kind, start, end, hours, days, passed)


def onboarded(end=ONBOARDED_ON, days=22.0, hours=176.0) -> TrainingFacts:
    """An onboarding course that reaches the default minimum (1 month = 22 days) on `end`."""
    return course(OB, end - timedelta(days=30), end, hours=hours, days=days)


def refresher(year=2024, days=5.0, hours=40.0, kind=RF, passed=None, end=None) -> TrainingFacts:
    end = end or D(year, 10, 18)
    return course(kind, end - timedelta(days=4), end, hours=hours, days=days, passed=passed)


# A serving officer: certificate held since 2024, onboarded in 2023, refresher done in 2024.
TRAINED = (onboarded(), refresher())


@dataclass(frozen=True)
class Case:
    id: str
    on: date
    expected: frozenset[str]
    basis: str
    certs: tuple[CertificateFacts, ...] = (cert(),)
    trainings: tuple[TrainingFacts, ...] = TRAINED
    domain: str = "NET"
    rules: TrainingRules = DEFAULT
    active: bool = True
    number: str | None = None  # the certificate that qualifies, when allowed
    extra: dict = field(default_factory=dict)


def case(id, on, expected=(), basis=ART_42, **kw) -> Case:
    return Case(id, on, frozenset(expected), basis, **kw)


SUSP = StatusChange(D(2025, 5, 1), CertStatus.SUSPENDED, "涉嫌违纪，暂扣执法证")
BACK = StatusChange(D(2025, 6, 1), CertStatus.VALID, "调查结束，恢复使用")
REVOKE = StatusChange(D(2025, 5, 1), CertStatus.REVOKED, "调离执法岗位")
# A certificate issued during 2025, valid to the end of September: the boundaries of validity.
SHORT = cert("文旅执 002", issued=D(2025, 3, 10), until=D(2025, 9, 30))

CASES = [
    # --- allowed and who may act at all --------------------------------------------------------
    case("allowed: valid certificate, onboarded, last year's refresher done", D(2025, 6, 1),
         number="文旅执 001"),
    case("not an active officer", D(2025, 6, 1), {"not_an_officer"}, active=False),
    case("inactive and nothing else: every reason at once", D(2025, 6, 1),
         {"not_an_officer", "no_certificate", "onboarding_incomplete"}, certs=(), trainings=(), active=False),
    # --- the certificate (Art 42, 52, 55; provincial certificate rules) -------------------------
    case("no certificate", D(2025, 6, 1), {"no_certificate"}, ART_55, certs=()),
    case("certificate does not cover the domain", D(2025, 6, 1), {"domain_not_covered"}, ART_42,
         domain="ENT"),
    case("certificate covers several domains", D(2025, 6, 1), domain="TRV",
         certs=(cert(domains=("NET", "TRV")),), number="文旅执 001"),
    case("day of issue: valid", D(2025, 3, 10), certs=(SHORT,), number="文旅执 002"),
    case("the day before issue: not yet valid", D(2025, 3, 9), {"certificate_not_yet_valid"}, ART_42,
         certs=(SHORT,)),
    case("last valid day: valid", D(2025, 9, 30), certs=(SHORT,), number="文旅执 002"),
    case("the day after the last valid day: expired", D(2025, 10, 1), {"certificate_expired"}, ART_55,
         certs=(SHORT,)),
    case("expiry recorded early by the issuing authority", D(2025, 6, 1), {"certificate_expired"}, CERT,
         certs=(cert(history=[StatusChange(D(2025, 5, 20), CertStatus.EXPIRED, "提前收回")]),)),
    case("the day before suspension: valid", D(2025, 4, 30), certs=(cert(history=[SUSP]),)),
    case("suspension effective date: suspended", D(2025, 5, 1), {"certificate_suspended"}, ART_42,
         certs=(cert(history=[SUSP]),)),
    case("still suspended the day before reinstatement", D(2025, 5, 31), {"certificate_suspended"}, ART_42,
         certs=(cert(history=[SUSP, BACK]),)),
    case("reinstated after suspension", D(2025, 6, 1), certs=(cert(history=[BACK, SUSP]),),
         number="文旅执 001"),
    case("the day before revocation: valid", D(2025, 4, 30), certs=(cert(history=[REVOKE]),)),
    case("revoked", D(2025, 5, 1), {"certificate_revoked"}, ART_42, certs=(cert(history=[REVOKE]),)),
    case("a suspended certificate is not saved by an expired one", D(2025, 6, 1),
         {"certificate_suspended", "certificate_expired"}, ART_42,
         certs=(cert(history=[SUSP]), cert("文旅执 000", issued=D(2019, 1, 1), until=D(2023, 12, 31)))),
    case("an expired old certificate and a valid new one", D(2025, 6, 1), number="文旅执 003",
         certs=(cert("文旅执 000", issued=D(2019, 1, 1), until=D(2023, 12, 31)),
                cert("文旅执 003", issued=D(2024, 1, 1), until=D(2028, 12, 31)))),
    # --- 年审 where the policy demands it -----------------------------------------------------------
    case("annual review required and missing", D(2025, 6, 1), {"annual_review_missing"}, CERT,
         rules=REVIEW, certs=(cert(issued=D(2023, 6, 1)),)),
    case("annual review required and passed", D(2025, 6, 1), rules=REVIEW,
         certs=(cert(issued=D(2023, 6, 1), reviews=[2024]),)),
    case("annual review of another year does not count", D(2025, 6, 1), {"annual_review_missing"}, CERT,
         rules=REVIEW, certs=(cert(issued=D(2023, 6, 1), reviews=[2023]),)),
    case("issued on 31 December: held through last year, review due", D(2025, 6, 1),
         {"annual_review_missing"}, CERT, rules=REVIEW, certs=(cert(issued=D(2023, 12, 31)),)),
    case("issued two years ago: review due", D(2025, 6, 1), {"annual_review_missing"},
         CERT, rules=REVIEW, certs=(cert(issued=D(2023, 1, 1)),)),
    case("issued on 1 January last year (new that year): no review due", D(2025, 6, 1), rules=REVIEW,
         certs=(cert(issued=D(2024, 1, 1)),)),
    case("issued during last year: no review due yet", D(2025, 6, 1), rules=REVIEW,
         certs=(cert(issued=D(2024, 8, 1)),)),
    case("annual review not required by policy", D(2025, 6, 1), certs=(cert(issued=D(2023, 6, 1)),)),
    # --- onboarding (纲要（十五）: trained on entry) ------------------------------------------------
    case("no training at all", D(2025, 6, 1), {"onboarding_incomplete"}, OUTLINE, trainings=()),
    case("onboarding reached exactly (22 training days = 1 month)", D(2025, 6, 1),
         trainings=(onboarded(D(2025, 5, 30), days=22),)),
    case("onboarding one day short", D(2025, 6, 1), {"onboarding_incomplete"}, OUTLINE,
         trainings=(onboarded(D(2025, 5, 30), days=21),)),
    case("onboarding half a day short", D(2025, 6, 1), {"onboarding_incomplete"}, OUTLINE,
         trainings=(onboarded(D(2025, 5, 30), days=21.5),)),
    case("onboarding in two courses adds up", D(2025, 6, 1),
         trainings=(course(OB, D(2025, 3, 3), D(2025, 3, 14), days=10),
                    course(OB, D(2025, 4, 1), D(2025, 4, 16), days=12))),
    case("onboarding counts on its last day", D(2025, 5, 30), trainings=(onboarded(D(2025, 5, 30)),)),
    case("onboarding not finished until its last day", D(2025, 5, 29), {"onboarding_incomplete"}, OUTLINE,
         trainings=(onboarded(D(2025, 5, 30)),)),
    case("failed onboarding examination not counted", D(2025, 6, 1), {"onboarding_incomplete"}, OUTLINE,
         trainings=(course(OB, D(2025, 4, 1), D(2025, 5, 30), days=22, passed=False),)),
    case("passed onboarding examination counted", D(2025, 6, 1),
         trainings=(course(OB, D(2025, 4, 1), D(2025, 5, 30), days=22, passed=True),)),
    case("refresher courses do not make onboarding", D(2025, 6, 1), {"onboarding_incomplete"}, OUTLINE,
         trainings=(refresher(2025, days=30, end=D(2025, 5, 30)),)),
    case("onboarding in hours: exactly 40 学时", D(2025, 6, 1),
         rules=TrainingRules(onboarding_min=Quantity(40, Unit.HOURS)),
         trainings=(course(OB, D(2025, 5, 5), D(2025, 5, 9), hours=40, days=1),)),
    case("onboarding in hours: one hour short", D(2025, 6, 1), {"onboarding_incomplete"}, OUTLINE,
         rules=TrainingRules(onboarding_min=Quantity(40, Unit.HOURS)),
         trainings=(course(OB, D(2025, 5, 5), D(2025, 5, 9), hours=39, days=30),)),
    case("onboarding in weeks: 2 weeks = 10 training days", D(2025, 6, 1),
         rules=TrainingRules(onboarding_min=Quantity(2, Unit.WEEKS)),
         trainings=(course(OB, D(2025, 5, 5), D(2025, 5, 16), hours=0),)),
    case("onboarding in weeks: 9.5 days short of 2 weeks", D(2025, 6, 1), {"onboarding_incomplete"}, OUTLINE,
         rules=TrainingRules(onboarding_min=Quantity(2, Unit.WEEKS)),
         trainings=(course(OB, D(2025, 5, 5), D(2025, 5, 16), hours=500, days=9.5),)),
    case("onboarding in months with 20 training days a month", D(2025, 6, 1),
         rules=TrainingRules(days_per_month=20), trainings=(onboarded(D(2025, 5, 30), days=20),)),
    case("onboarding in days", D(2025, 6, 1), {"onboarding_incomplete"}, OUTLINE,
         rules=TrainingRules(onboarding_min=Quantity(15, Unit.DAYS)),
         trainings=(onboarded(D(2025, 5, 30), days=14),)),
    # --- yearly training (纲要（十五）; amount is a policy parameter) --------------------------------
    case("last year's refresher missing", D(2025, 6, 1), {"refresher_missing"}, OUTLINE,
         trainings=(onboarded(),)),
    case("refresher exactly at the minimum (1 week = 5 days)", D(2025, 6, 1),
         trainings=(onboarded(), refresher(days=5))),
    case("refresher one day short", D(2025, 6, 1), {"refresher_missing"}, OUTLINE,
         trainings=(onboarded(), refresher(days=4))),
    case("refresher half a day short", D(2025, 6, 1), {"refresher_missing"}, OUTLINE,
         trainings=(onboarded(), refresher(days=4.5))),
    case("special (topical) courses count towards the year", D(2025, 6, 1),
         trainings=(onboarded(), refresher(days=2, kind=SP), refresher(days=3, end=D(2024, 3, 8)))),
    case("onboarding courses do not count towards the year", D(2025, 6, 1), {"refresher_missing"}, OUTLINE,
         trainings=(onboarded(), course(OB, D(2024, 3, 4), D(2024, 3, 8), days=5))),
    case("failed refresher examination not counted", D(2025, 6, 1), {"refresher_missing"}, OUTLINE,
         trainings=(onboarded(), refresher(days=5, passed=False))),
    case("refresher ending on 31 December counts for that year", D(2025, 6, 1),
         trainings=(onboarded(), refresher(days=5, end=D(2024, 12, 31)))),
    case("refresher spanning new year counts for the year it ends", D(2025, 6, 1), {"refresher_missing"},
         OUTLINE, trainings=(onboarded(), course(RF, D(2024, 12, 27), D(2025, 1, 3), days=5))),
    case("this year's training is not last year's", D(2025, 6, 1), {"refresher_missing"}, OUTLINE,
         trainings=(onboarded(), refresher(2025, end=D(2025, 3, 7)))),
    case("onboarded during last year: exempt from last year's refresher", D(2025, 6, 1),
         trainings=(onboarded(D(2024, 3, 29)),)),
    case("onboarded on 1 January last year: exempt", D(2025, 6, 1),
         trainings=(course(OB, D(2023, 12, 1), D(2024, 1, 1), days=22),)),
    case("onboarded on 31 December the year before: refresher due", D(2025, 6, 1), {"refresher_missing"},
         OUTLINE, trainings=(course(OB, D(2023, 12, 1), D(2023, 12, 31), days=22),)),
    case("60 学时 rule: exactly 60 hours", D(2025, 6, 1), rules=HOURS_60,
         trainings=(onboarded(), refresher(hours=60, days=1))),
    case("60 学时 rule: one hour short", D(2025, 6, 1), {"refresher_missing"}, OUTLINE, rules=HOURS_60,
         trainings=(onboarded(), refresher(hours=59, days=20))),
    case("60 学时 rule: half an hour short over two courses", D(2025, 6, 1), {"refresher_missing"}, OUTLINE,
         rules=HOURS_60,
         trainings=(onboarded(), refresher(hours=30), refresher(hours=29.5, end=D(2024, 4, 12)))),
    case("60 学时 rule: two courses add up", D(2025, 6, 1), rules=HOURS_60,
         trainings=(onboarded(), refresher(hours=30), refresher(hours=30, end=D(2024, 4, 12), kind=SP))),
    case("yearly minimum in months: 1 month = 22 days", D(2025, 6, 1),
         rules=TrainingRules(yearly_min=Quantity(1, Unit.MONTHS)),
         trainings=(onboarded(), refresher(days=22))),
    case("yearly minimum in months: 21 days short", D(2025, 6, 1), {"refresher_missing"}, OUTLINE,
         rules=TrainingRules(yearly_min=Quantity(1, Unit.MONTHS)),
         trainings=(onboarded(), refresher(days=21))),
    case("yearly minimum in weeks with 6 training days a week", D(2025, 6, 1), {"refresher_missing"}, OUTLINE,
         rules=TrainingRules(days_per_week=6), trainings=(onboarded(), refresher(days=5))),
    case("yearly minimum in days", D(2025, 6, 1),
         rules=TrainingRules(yearly_min=Quantity(3, Unit.DAYS)), trainings=(onboarded(), refresher(days=3))),
    # --- reasons add up ----------------------------------------------------------------------------
    case("expired certificate and missing refresher together", D(2025, 10, 1),
         {"certificate_expired", "refresher_missing"}, ART_42, certs=(SHORT,), trainings=(onboarded(),)),
]


def _normal(text: str) -> str:
    return text.replace("《", "").replace("》", "").replace("中华人民共和国", "")


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_may_enforce(c: Case):
    res = may_enforce(list(c.certs), list(c.trainings), c.domain, c.on, c.rules, domain_label="网吧",
                      active=c.active)
    codes = {r.code for r in res.reasons}
    assert codes == c.expected, [r.message for r in res.reasons]
    assert res.allowed is (not c.expected)
    assert bool(res) is res.allowed
    if res.allowed:
        assert res.certificate
        if c.number:
            assert res.certificate == c.number
        assert res.reasons == ()
    else:
        assert res.certificate is None
        cited = " ".join(_normal(str(b)) for r in res.reasons for b in r.basis)
        assert c.basis in cited, f"{c.basis!r} not cited in {cited!r}"
        for r in res.reasons:
            assert r.basis, f"{r.code} carries no citation"
            assert r.message and not r.message.isascii(), "reasons are told in Chinese"


def test_every_reason_code_is_covered():
    covered = set().union(*(c.expected for c in CASES))
    assert covered == ALL_CODES
    assert any(not c.expected for c in CASES)


def test_messages_say_what_is_missing():
    res = may_enforce([SHORT], [onboarded()], "ENT", D(2025, 6, 1), DEFAULT, domain_label="娱乐场所")
    assert res.reasons[0].message == "执法证件（文旅执 002）的执法领域不含“娱乐场所”"
    assert "2024 年度复训/轮训不足：已完成 0 个培训日，要求不少于 1周（5 个培训日）" in res.reasons[1].message
    res = may_enforce([cert(history=[SUSP])], list(TRAINED), "NET", D(2025, 5, 2))
    assert res.reasons[0].message == "执法证件 文旅执 001 已被暂扣：涉嫌违纪，暂扣执法证"
    res = may_enforce([SHORT], list(TRAINED), "NET", D(2025, 10, 1))
    assert res.reasons[0].message == "执法证件 文旅执 002 已过期（有效期至 2025-09-30）"
    res = may_enforce([cert()], [], "NET", D(2025, 6, 1), HOURS_60)
    assert res.reasons[0].message == "入职培训未完成：已完成 0 个培训日，要求不少于 1个月（22 个培训日）"
    res = may_enforce([cert()], [onboarded(), refresher(hours=59)], "NET", D(2025, 6, 1), HOURS_60)
    assert "已完成 59 学时，要求不少于 60学时（60 学时）" in res.reasons[0].message


def test_as_dict_carries_citations():
    res = may_enforce([], [], "NET", D(2025, 6, 1), active=False)
    data = res.as_dict()
    assert data["allowed"] is False and data["certificate"] is None
    codes = [r["code"] for r in data["reasons"]]
    assert codes == ["not_an_officer", "no_certificate", "onboarding_incomplete"]
    assert any("第四十二条" in b for b in data["reasons"][0]["basis"])


def test_onboarding_completed_on_is_the_day_the_minimum_is_reached():
    first = course(OB, D(2025, 3, 3), D(2025, 3, 14), days=10)
    second = course(OB, D(2025, 4, 1), D(2025, 4, 16), days=12)
    assert onboarding_completed_on([second, first], DEFAULT) == D(2025, 4, 16)
    assert onboarding_completed_on([first], DEFAULT) is None
    failed = replace(second, passed=False)
    assert onboarding_completed_on([first, failed], DEFAULT) is None


def test_revealing_an_earlier_onboarding_can_make_last_years_refresher_due():
    """Not monotone by design: a record showing the officer was trained before last year began
    means last year's refresher was owed (纲要（十五）: trained every year once in service)."""
    later = onboarded(D(2024, 3, 29))
    assert may_enforce([cert()], [later], "NET", D(2025, 6, 1)).allowed
    earlier = onboarded(D(2023, 6, 30))
    res = may_enforce([cert()], [later, earlier], "NET", D(2025, 6, 1))
    assert {r.code for r in res.reasons} == {"refresher_missing"}


# --- properties ---------------------------------------------------------------------------------------
dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2035, 12, 31))


@given(dates, st.integers(min_value=-10, max_value=800))
@settings(max_examples=300, deadline=None)
def test_weekdays_between_agrees_with_counting(start, length):
    end = start + timedelta(days=length)
    brute = sum(1 for i in range(length + 1) if (start + timedelta(days=i)).weekday() < 5)
    assert weekdays_between(start, end) == brute


@given(dates)
def test_weekdays_of_one_day(day):
    assert weekdays_between(day, day) == (1 if day.weekday() < 5 else 0)


RULES = [DEFAULT, HOURS_60, REVIEW, TrainingRules(onboarding_min=Quantity(40, Unit.HOURS)),
         TrainingRules(onboarding_min=Quantity(2, Unit.WEEKS), yearly_min=Quantity(1, Unit.MONTHS))]


@st.composite
def trainings(draw, kinds=(OB, RF, SP)):
    start = draw(st.dates(min_value=D(2021, 1, 1), max_value=D(2026, 12, 31)))
    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=45)))
    span = (end - start).days + 1
    return TrainingFacts(
        draw(st.sampled_from(kinds)), start, end,
        draw(st.integers(min_value=0, max_value=400)) / 2,
        draw(st.integers(min_value=0, max_value=span * 2)) / 2,
        draw(st.sampled_from([None, True, False])))


certificate_sets = st.sampled_from([
    (cert(),),
    (cert(issued=D(2022, 1, 1), until=D(2025, 12, 31), reviews=[2022, 2023, 2024]),),
    (cert(history=[SUSP, BACK]),),
    (SHORT, cert("文旅执 009", issued=D(2021, 5, 1), until=D(2027, 4, 30))),
])
on_dates = st.dates(min_value=D(2022, 1, 1), max_value=D(2027, 12, 31))


@given(certificate_sets, st.lists(trainings(), max_size=6), trainings(kinds=(RF, SP)), on_dates,
       st.sampled_from(RULES))
@settings(max_examples=300, deadline=None)
def test_more_yearly_training_never_takes_qualification_away(certs, base, extra, on, rules):
    before = may_enforce(list(certs), base, "NET", on, rules)
    after = may_enforce(list(certs), [*base, extra], "NET", on, rules)
    if before.allowed:
        assert after.allowed, [r.message for r in after.reasons]


@given(certificate_sets, st.lists(trainings(), max_size=6), trainings(), on_dates, st.sampled_from(RULES))
@settings(max_examples=300, deadline=None)
def test_more_training_never_takes_qualification_away(certs, base, extra, on, rules):
    """Monotone whenever the new record does not move the day onboarding was completed (see the
    case above for why revealing an earlier onboarding may rightly make last year's training due)."""
    past = [t for t in base if t.end <= on]
    assume(onboarding_completed_on(past, rules) == onboarding_completed_on([*past, extra] if extra.end <= on
                                                                             else past, rules))
    before = may_enforce(list(certs), base, "NET", on, rules)
    after = may_enforce(list(certs), [*base, extra], "NET", on, rules)
    if before.allowed:
        assert after.allowed, [r.message for r in after.reasons]
    # Training never touches the certificate reasons.
    cert_codes = {"no_certificate", "domain_not_covered", "certificate_not_yet_valid", "certificate_expired",
                  "certificate_suspended", "certificate_revoked", "annual_review_missing"}
    assert {r.code for r in before.reasons} & cert_codes == {r.code for r in after.reasons} & cert_codes
