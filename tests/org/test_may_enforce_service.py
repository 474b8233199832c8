"""`org.services.may_enforce` with real rows: certificates, status changes, 年审, training, policies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhifa.catalog.models import PolicyValue
from zhifa.org import services
from zhifa.org.models import Training
from zhifa.records.models import Event

D = date


@pytest.fixture
def clerk(make_user, agency):
    return make_user(agency, roles=("clerk",), full_name="内勤甲")


def _codes(res) -> set[str]:
    return {r.code for r in res.reasons}



ISSUED, UNTIL = D(2024, 1, 1), D(2028, 12, 31)


def _certificate(person, clerk, domains, number="豫文旅执 0001", issued=ISSUED, until=UNTIL, codes=("NET",)):
    return services.add_certificate(holder=person, number=number, issuing_authority="某某省人民政府",
                                    domains=[domains[c] for c in codes], issued_on=issued, valid_until=until,
                                    actor=clerk)


def _training(person, clerk, kind, start, end, hours, days=None, exam="none"):
    return services.add_training(person=person, kind=kind, title=f"{kind} {start:%Y}", organiser="市文旅局",
                                 start_on=start, end_on=end, hours=Decimal(hours),
                                 days=None if days is None else Decimal(days), exam_result=exam,
                                 exam_score=None, actor=clerk)


@pytest.fixture
def officer(make_user, agency, clerk, domains):
    """Certificate for 网吧 and 娱乐场所 since 2024; onboarded in 2023 (1 month); 2024: 5 days, 40 hours."""
    p = make_user(agency, roles=("officer",), full_name="执法员乙")
    _certificate(p, clerk, domains, codes=("NET", "ENT"))
    _training(p, clerk, "onboarding", D(2023, 10, 9), D(2023, 11, 7), 176)  # 22 weekdays
    _training(p, clerk, "refresher", D(2024, 10, 14), D(2024, 10, 18), 40)  # 5 weekdays
    return p


def test_allowed_with_real_rows(officer, domains):
    res = services.may_enforce(officer, domains["NET"], D(2025, 6, 1))
    assert res.allowed and res.certificate == "豫文旅执 0001"
    # The domain may be given by its code, and the model's shortcut asks the same question.
    assert services.may_enforce(officer, "ENT", D(2025, 6, 1)).allowed
    assert officer.qualification(domains["ENT"], D(2025, 6, 1)).allowed


def test_domain_not_on_certificate(officer, domains):
    res = services.may_enforce(officer, domains["TRV"], D(2025, 6, 1))
    assert _codes(res) == {"domain_not_covered"}
    assert f"不含“{domains['TRV'].name}”" in res.reasons[0].message


def test_training_days_default_to_weekdays_in_the_span(officer):
    days = sorted(Training.objects.filter(person=officer).values_list("days", flat=True))
    assert days == [Decimal(5), Decimal(22)]


def test_only_an_active_officer_may_enforce(make_user, agency, clerk, domains):
    p = make_user(agency, roles=("reviewer",))
    _certificate(p, clerk, domains, number="豫文旅执 0100")
    _training(p, clerk, "onboarding", D(2025, 3, 3), D(2025, 4, 1), 176)
    assert _codes(services.may_enforce(p, "NET", D(2025, 6, 1))) == {"not_an_officer"}
    services.set_roles(p, ["officer"], actor=clerk)
    assert services.may_enforce(p, "NET", D(2025, 6, 1)).allowed
    p.is_active = False
    p.save()
    assert _codes(services.may_enforce(p, "NET", D(2025, 6, 1))) == {"not_an_officer"}


def test_certificate_dates_bound_the_qualification(make_user, agency, clerk, domains):
    p = make_user(agency)
    _certificate(p, clerk, domains, number="豫文旅执 0200", issued=D(2025, 3, 10), until=D(2025, 9, 30))
    _training(p, clerk, "onboarding", D(2025, 1, 6), D(2025, 2, 4), 176)
    assert _codes(services.may_enforce(p, "NET", D(2025, 3, 9))) == {"certificate_not_yet_valid"}
    assert services.may_enforce(p, "NET", D(2025, 3, 10)).allowed
    assert services.may_enforce(p, "NET", D(2025, 9, 30)).allowed
    assert _codes(services.may_enforce(p, "NET", D(2025, 10, 1))) == {"certificate_expired"}


def test_suspension_and_reinstatement_are_dated(officer, clerk):
    cert = officer.certificates.get()
    services.change_certificate_status(cert, status="suspended", effective_on=D(2025, 5, 1),
                                       reason="涉嫌违纪，暂扣执法证", actor=clerk)
    services.change_certificate_status(cert, status="valid", effective_on=D(2025, 6, 1),
                                       reason="调查结束，恢复使用", actor=clerk)
    assert services.may_enforce(officer, "NET", D(2025, 4, 30)).allowed
    res = services.may_enforce(officer, "NET", D(2025, 5, 1))
    assert _codes(res) == {"certificate_suspended"}
    assert "涉嫌违纪" in res.reasons[0].message
    assert _codes(services.may_enforce(officer, "NET", D(2025, 5, 31))) == {"certificate_suspended"}
    assert services.may_enforce(officer, "NET", D(2025, 6, 1)).allowed
    assert list(Event.objects.filter(action="org.certificate_status").values_list("action", flat=True)) == \
        ["org.certificate_status"] * 2


def test_revoked_certificate_is_final(officer, clerk):
    cert = officer.certificates.get()
    services.change_certificate_status(cert, status="revoked", effective_on=D(2025, 5, 1),
                                       reason="调离执法岗位", actor=clerk)
    assert _codes(services.may_enforce(officer, "NET", D(2025, 5, 1))) == {"certificate_revoked"}
    cert.refresh_from_db()
    from zhifa.law.errors import RuleViolation

    with pytest.raises(RuleViolation) as exc:
        services.change_certificate_status(cert, status="valid", effective_on=D(2025, 6, 1), reason="恢复",
                                           actor=clerk)
    assert exc.value.field == "status"


def test_failed_exam_does_not_count(make_user, agency, clerk, domains):
    p = make_user(agency)
    _certificate(p, clerk, domains, number="豫文旅执 0300")
    _training(p, clerk, "onboarding", D(2025, 3, 3), D(2025, 4, 1), 176, exam="failed")
    assert _codes(services.may_enforce(p, "NET", D(2025, 6, 1))) == {"onboarding_incomplete"}
    _training(p, clerk, "onboarding", D(2025, 4, 7), D(2025, 5, 6), 176, exam="passed")
    assert services.may_enforce(p, "NET", D(2025, 6, 1)).allowed


def test_policy_override_of_yearly_minimum_is_dated(officer, agency, make_agency, make_user, clerk, domains):
    """A year's minimum is the one in force on 31 December of that year.

    From 2024-06-01 the agency counts the year in 学时: 60 hours, and the 40 hours of 2024 fall short.
    """
    assert services.may_enforce(officer, "NET", D(2025, 3, 1)).allowed  # default: 1 week = 5 days
    PolicyValue.objects.create(key="training.yearly_min", agency=agency, value={"value": 60, "unit": "hours"},
                               effective_from=D(2024, 6, 1), citation="本局培训管理办法")
    res = services.may_enforce(officer, "NET", D(2025, 3, 1))
    assert _codes(res) == {"refresher_missing"}
    assert "已完成 40 学时，要求不少于 60学时" in res.reasons[0].message
    # 20 more hours in 2024 meet it.
    _training(officer, clerk, "special", D(2024, 6, 3), D(2024, 6, 5), 20)
    assert services.may_enforce(officer, "NET", D(2025, 3, 1)).allowed

    # Another agency keeps the default; an agency below inherits its parent's value.
    other = make_agency("另一县文化广电和旅游局")
    child = make_agency("某乡文化站", parent=agency)
    for a, number in ((other, "豫文旅执 0400"), (child, "豫文旅执 0500")):
        p = make_user(a)
        _certificate(p, clerk, domains, number=number)
        _training(p, clerk, "onboarding", D(2023, 10, 9), D(2023, 11, 7), 176)
        _training(p, clerk, "refresher", D(2024, 10, 14), D(2024, 10, 18), 40)
        res = services.may_enforce(p, "NET", D(2025, 6, 1))
        assert res.allowed is (a == other), (a, res.reasons)


def test_a_raised_minimum_does_not_reach_back(officer, agency, clerk):
    """60 hours from 2025-03-01 is the minimum of 2025, not of 2024 (already judged by its own rule)."""
    PolicyValue.objects.create(key="training.yearly_min", agency=agency, value={"value": 60, "unit": "hours"},
                               effective_from=D(2025, 3, 1), citation="本局培训管理办法")
    assert services.may_enforce(officer, "NET", D(2025, 6, 1)).allowed  # 2024: 5 days under the old rule
    _training(officer, clerk, "refresher", D(2025, 10, 13), D(2025, 10, 17), 40)
    res = services.may_enforce(officer, "NET", D(2026, 1, 5))
    assert _codes(res) == {"refresher_missing"}
    assert "2025 年度复训/轮训不足：已完成 40 学时，要求不少于 60学时" in res.reasons[0].message


def test_make_up_training_counts_for_the_year_it_makes_up(officer, clerk):
    """补训: a course recorded for last year counts for that year, wherever its dates fall."""
    res = services.may_enforce(officer, "NET", D(2026, 2, 2))
    assert _codes(res) == {"refresher_missing"}  # nothing in 2025
    _training(officer, clerk, "refresher", D(2026, 1, 12), D(2026, 1, 16), 40)  # counts for 2026
    assert _codes(services.may_enforce(officer, "NET", D(2026, 2, 2))) == {"refresher_missing"}
    t = services.add_training(person=officer, kind="refresher", title="2025 年度补训", organiser="市文旅局",
                              start_on=D(2026, 1, 19), end_on=D(2026, 1, 23), hours=Decimal(40), days=None,
                              exam_result="passed", exam_score=None, for_year=2025, actor=clerk)
    assert t.for_year == 2025
    assert services.may_enforce(officer, "NET", D(2026, 2, 2)).allowed
    assert '"for_year":2025' in Event.objects.filter(action="org.training_added").last().payload


@pytest.mark.parametrize(("kind", "for_year", "code"), [
    ("onboarding", 2025, "for_year_onboarding"),  # onboarding never counts for a year
    ("refresher", 2024, "for_year_range"),  # only the year before the course's end may be made up
    ("refresher", 2027, "for_year_range"),
])
def test_make_up_year_is_checked(officer, clerk, kind, for_year, code):
    from zhifa.law.errors import RuleViolation

    with pytest.raises(RuleViolation) as exc:
        services.add_training(person=officer, kind=kind, title="补训", organiser="", start_on=D(2026, 1, 5),
                              end_on=D(2026, 1, 9), hours=Decimal(40), days=None, exam_result="none",
                              exam_score=None, for_year=for_year, actor=clerk)
    assert (exc.value.code, exc.value.field) == (code, "for_year")
    assert not Training.objects.filter(title="补训").exists()


def test_agency_value_wins_over_the_all_agency_value(officer, agency):
    PolicyValue.objects.create(key="training.yearly_min", agency=None, value={"value": 60, "unit": "hours"},
                               effective_from=D(2024, 1, 1))
    assert _codes(services.may_enforce(officer, "NET", D(2025, 6, 1))) == {"refresher_missing"}
    PolicyValue.objects.create(key="training.yearly_min", agency=agency, value={"value": 40, "unit": "hours"},
                               effective_from=D(2024, 1, 1))
    assert services.may_enforce(officer, "NET", D(2025, 6, 1)).allowed


def test_annual_review_policy(officer, agency, clerk, make_user, domains):
    p = make_user(agency)
    cert = _certificate(p, clerk, domains, number="豫文旅执 0600", issued=D(2023, 6, 1))
    _training(p, clerk, "onboarding", D(2023, 3, 6), D(2023, 4, 4), 176)
    _training(p, clerk, "refresher", D(2024, 10, 14), D(2024, 10, 18), 40)
    assert services.may_enforce(p, "NET", D(2025, 6, 1)).allowed
    PolicyValue.objects.create(key="certificate.annual_review_required", agency=agency, value=True,
                               effective_from=D(2025, 1, 1))
    assert _codes(services.may_enforce(p, "NET", D(2025, 6, 1))) == {"annual_review_missing"}
    assert services.may_enforce(p, "NET", D(2024, 12, 31)).allowed  # before the policy
    services.add_annual_review(cert, year=2024, reviewed_on=D(2025, 1, 15), passed=False, note="培训不足",
                               actor=clerk)
    assert _codes(services.may_enforce(p, "NET", D(2025, 6, 1))) == {"annual_review_missing"}
    # A certificate issued in 2024 has no 2024 review due yet.
    assert services.may_enforce(officer, "NET", D(2025, 6, 1)).allowed


def test_annual_review_passed(agency, clerk, make_user, domains):
    p = make_user(agency)
    cert = _certificate(p, clerk, domains, number="豫文旅执 0700", issued=D(2023, 6, 1))
    _training(p, clerk, "onboarding", D(2023, 3, 6), D(2023, 4, 4), 176)
    _training(p, clerk, "refresher", D(2024, 10, 14), D(2024, 10, 18), 40)
    PolicyValue.objects.create(key="certificate.annual_review_required", agency=None, value=True,
                               effective_from=D(2020, 1, 1))
    services.add_annual_review(cert, year=2024, reviewed_on=D(2025, 1, 15), passed=True, note="",
                               actor=clerk)
    assert services.may_enforce(p, "NET", D(2025, 6, 1)).allowed
    assert Event.objects.filter(action="org.annual_review").count() == 1


def test_roster_uses_the_same_answer(officer, make_user, agency, clerk, domains):
    blocked = make_user(agency, full_name="执法员丙")
    rows = {r.person.pk: r for r in services.roster(clerk, D(2025, 6, 1))}
    assert set(rows) == {officer.pk, blocked.pk}  # officers only: the clerk is not listed
    assert rows[officer.pk].status in {"ok", "warn"}
    assert set(rows[officer.pk].domains_ok) == {domains["NET"].name, domains["ENT"].name}
    assert rows[blocked.pk].status == "no"
    assert {r.code for r in rows[blocked.pk].missing} == {"no_certificate", "onboarding_incomplete"}


def test_events_are_recorded_for_each_change(officer):
    actions = list(Event.objects.values_list("action", flat=True))
    assert actions.count("org.certificate_added") == 1
    assert actions.count("org.training_added") == 2
