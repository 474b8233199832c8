"""`zhifa load_demo`: the demo bureau loads, repeats without change, and shows what it should."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from zhifa.law import qualification as q
from zhifa.law.identifiers import check_resident_id, check_uscc
from zhifa.org import demo


def _load(*args) -> str:
    """The bureau without its cases (those take a while to walk; tests/cases/test_demo_cases.py loads them)."""
    out = io.StringIO()
    call_command("load_demo", *args, "--without-cases", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    from django.contrib.auth.models import Group

    from zhifa.catalog.models import Domain
    from zhifa.org.models import (
        Agency,
        AnnualReview,
        Certificate,
        CertificateStatusChange,
        Training,
        Unit,
        User,
    )
    from zhifa.parties.models import Licence, Party, Premises
    from zhifa.records.models import Event

    models = (Agency, Unit, User, Group, Domain, Certificate, CertificateStatusChange, AnnualReview, Training,
              Party, Premises, Licence, Event)
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def loaded(db, monkeypatch):
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    return _load()


def test_load_demo_twice_changes_nothing(loaded):
    first = _counts()
    assert first["User"] == len(demo.PEOPLE)
    assert first["Party"] >= 40
    assert first["Agency"] == 2
    second = _load()
    assert _counts() == first
    assert "未新增数据" in second
    # Both runs print the logins table.
    for out in (loaded, second):
        for p in demo.PEOPLE:
            assert p.username in out
        assert demo.DEFAULT_PASSWORD in out
        assert "TOTP" in out and "首次登录" in out


def test_loads_reference_data_first(loaded):
    from django.contrib.auth.models import Group

    from zhifa.catalog.models import Domain

    assert "参考数据已载入" in loaded
    assert Domain.objects.filter(code__in=demo.ALL_DOMAINS).count() == len(demo.ALL_DOMAINS)
    assert set(Group.objects.values_list("name", flat=True)) >= {"officer", "reviewer", "head", "clerk",
                                                                 "sysadmin", "secadmin", "auditadmin"}


def test_the_bureau_and_its_units(loaded):
    from zhifa.org.models import Agency, Unit, UnitKind

    county = Agency.objects.get(name="平舆县文化广电和旅游局")
    assert county.region_code == "411723"
    assert county.short_name == "平文旅"
    assert county.brigade_name == "平舆县文化市场综合执法大队"
    assert county.merged_brigade
    assert county.parent.name == "驻马店市文化广电和旅游局"
    assert county.parent.region_code == "411700"
    assert not county.parent.people.exists()
    units = {u.name: u for u in Unit.objects.filter(agency=county)}
    assert set(units) == {"局领导", "办公室", "法制股", "执法一中队", "执法二中队"}
    assert units["法制股"].kind == UnitKind.LEGAL
    assert {d.code for d in units["执法一中队"].domains.all()} == {"NET", "ENT", "PER"}
    assert {d.code for d in units["执法二中队"].domains.all()} == set(demo.SQUAD2_DOMAINS)


def test_roster_for_the_director_shows_the_blocked_officers(loaded):
    from zhifa.org.models import User
    from zhifa.org.services import roster

    director = User.objects.get(username="juzhang")
    assert director.has_role("head") and director.position == "局长"
    rows = {r.person.username: r for r in roster(director, date.today())}
    officers = [p.username for p in demo.PEOPLE if p.is_officer]
    assert sorted(rows) == sorted(officers)
    assert len(officers) >= 12

    for username, code in demo.EXPECTED_BLOCKED.items():
        row = rows[username]
        assert row.status == "no", username
        assert code in {m.code for m in row.missing}, (username, [m.code for m in row.missing])
    assert "暂扣" in next(m.message for m in rows["zhifa05"].missing if m.code == "certificate_suspended")

    # The expiry alert: may still enforce, with the certificate's end date in the alert.
    row = rows["zhifa09"]
    assert row.status == "warn"
    assert any("将于" in a and "到期" in a for a in row.alerts)
    assert row.certificate.valid_until == date.today() + timedelta(days=demo.EXPIRING_IN_DAYS)

    # Everyone else may enforce in every domain of their squad today.
    fine = [u for u in officers if u not in demo.EXPECTED_BLOCKED]
    assert len(fine) > len(demo.EXPECTED_BLOCKED)
    for username in fine:
        assert rows[username].status in {"ok", "warn"}, (username, rows[username].missing)
    assert set(rows["zhifa01"].domains_ok) == {"互联网上网服务", "娱乐场所", "营业性演出"}
    assert len(rows["fazhi2"].domains_ok) == len(demo.ALL_DOMAINS)


def test_certificates_and_training_look_real(loaded):
    from zhifa.org.models import Certificate, Training, User

    cert = Certificate.objects.filter(holder__username="zhifa03").get()
    assert cert.number.startswith("豫ZMD-")
    assert cert.issuing_authority == "河南省人民政府"
    assert cert.valid_until == demo.cert_valid_until(cert.issued_on)
    assert {d.code for d in cert.domains.all()} == {"NET", "ENT", "PER"}
    onboarding = Training.objects.get(person__username="zhifa03", kind="onboarding")
    assert onboarding.days == 22 and onboarding.hours >= 160
    assert onboarding.start_on.year - User.objects.get(username="zhifa03").joined_on.year <= 1
    refresher = Training.objects.filter(person__username="zhifa01", kind="refresher",
                                        end_on__year=date.today().year - 1).get()
    assert refresher.days == 5 and refresher.hours >= 40
    assert Training.objects.filter(kind="special").exists()
    reviewer = User.objects.get(username="fazhi1")
    assert reviewer.has_legal_qualification and reviewer.legal_qualification_no and reviewer.first_review_on
    assert reviewer.unit.name == "法制股" and reviewer.has_role("reviewer")
    assert User.objects.get(username="fazhi2").has_role("reviewer", "officer")
    assert User.objects.get(username="fazhi2").role_codes() == {"reviewer", "officer"}
    assert User.objects.get(username="neiqin").role_codes() == {"clerk"}
    heads = User.objects.filter(groups__name="head")
    assert sorted(h.position[:3] for h in heads) == ["副局长", "副局长", "局长"]


def test_three_admin_roles_are_three_people(loaded):
    from zhifa.org.models import User
    from zhifa.org.roles import ADMIN_ROLES

    holders = {}
    for role in ADMIN_ROLES:
        people = list(User.objects.filter(groups__name=role))
        assert len(people) == 1, role
        holders[role] = people[0]
        assert people[0].role_codes() == {str(role)}
        assert people[0].needs_second_factor
    assert len({u.pk for u in holders.values()}) == 3


def test_every_party_identifier_is_valid(loaded):
    from zhifa.parties.models import Licence, Party

    parties = list(Party.objects.all())
    assert len(parties) >= 40
    kinds = {p.kind for p in parties}
    assert kinds == {"organisation", "individual", "person"}
    for p in parties:
        if p.kind == "person":
            check = check_resident_id(p.id_number)
            assert check.valid, (p.name, check.reason)
            assert not check.warnings, (p.name, check.warnings)
            assert p.id_type == "resident_id" and p.id_number[:6] == demo.resident_region(p.birth_date)
            assert p.birth_date == check.birth_date
            assert not p.credit_code
        else:
            check = check_uscc(p.credit_code)
            assert check.valid, (p.name, check.reason)
            assert not check.warnings, (p.name, check.warnings)
            assert p.credit_code[2:8] == "411723"
            assert p.credit_code.startswith("92" if p.kind == "individual" else "91")
            assert p.address.startswith("平舆县")
            assert p.premises.exists()
        if p.kind == "individual":
            check = check_resident_id(p.representative_id_number)
            assert p.representative and check.valid and not check.warnings, (p.name, check.warnings)
    assert len({p.credit_code for p in parties if p.credit_code}) == sum(1 for p in parties if p.credit_code)
    types = set(Party.objects.values_list("premises__business_type", flat=True))
    assert {"internet_cafe", "song_dance", "games", "performance_venue", "travel_agency", "publications",
            "printing", "relics", "art", "script_games"} <= types
    today = date.today()
    statuses = [lic.status_on(today) for lic in Licence.objects.all()]
    assert "expired" in statuses
    soon = Licence.objects.filter(valid_until__gte=today, valid_until__lte=today + timedelta(days=60))
    assert soon.count() >= 2
    assert Licence.objects.filter(kind="network_culture", scope="互联网上网服务").count() >= 5
    assert Licence.objects.filter(kind="travel", valid_until__isnull=True).exists()
    assert not Licence.objects.filter(valid_from__gt=today).exists()


def test_parties_are_registered_through_the_services(loaded):
    """Each party, premises and licence was entered by the 内勤 through the parties services."""
    from zhifa.org.models import User
    from zhifa.parties.models import Licence, Party, Premises
    from zhifa.records.models import Event

    clerk = User.objects.get(username="neiqin")
    created = {e.subject: e for e in Event.objects.filter(action="parties.created")}
    parties = list(Party.objects.all())
    assert len(created) == len(parties) == len(demo.BUSINESSES) + len(demo.PERSONS)
    for p in parties:
        event = created[f"party:{p.pk}"]
        assert event.actor_id == clerk.pk and event.agency_id == p.agency_id, p.name
        payload = json.loads(event.payload)
        assert payload["name"] == p.name and "similar_confirmed" not in payload
        assert p.created_by_id == clerk.pk
    for action, key, model in (("parties.premises_added", "premises", Premises),
                               ("parties.licence_added", "licence", Licence)):
        recorded = [json.loads(e.payload)[key] for e in Event.objects.filter(action=action, actor=clerk)]
        assert sorted(recorded) == sorted(model.objects.values_list("pk", flat=True)), action
    assert Licence.objects.count() == sum(1 for b in demo.BUSINESSES if b.licence)


def test_the_only_service_warnings_are_the_deliberate_ones(db, monkeypatch):
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    out = io.StringIO()
    call_command("load_demo", "--without-cases", verbosity=2, stdout=out)
    warnings = [line.removeprefix("登记提示：") for line in out.getvalue().splitlines()
                if line.startswith("登记提示：")]
    expired = [b.name for b in demo.BUSINESSES if b.licence_state == "expired"]
    assert len(warnings) == len(expired)
    for name, warning in zip(expired, warnings, strict=True):
        assert warning.startswith(f"{name}：") and "到期" in warning
    assert "未载入" not in out.getvalue()


def test_similar_names_and_taken_licence_numbers(db, monkeypatch):
    """A similar name in the register is confirmed (and recorded); a licence number someone else holds
    is left out and reported; the next run still changes nothing."""
    from zhifa.parties.models import Licence, Party
    from zhifa.parties.services import add_licence, create_party
    from zhifa.records.models import Event

    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    agency = demo._load_agencies(demo.LoadResult())
    similar = create_party(agency=agency, actor=None, data={
        "kind": "individual", "name": "阳光网吧", "representative": "别人",
        "credit_code": demo.make_uscc("另一家阳光网吧", individual=True), "address": "平舆县某路1号"}).obj
    first = demo.BUSINESSES[0]
    taken = demo.plan_licence(first, 0, date.today())
    holder = create_party(agency=agency, actor=None, data={
        "kind": "organisation", "name": "驻马店飞鱼信息技术有限公司", "representative": "别人",
        "credit_code": demo.make_uscc("飞鱼"), "address": "驻马店市某路2号"}).obj
    add_licence(holder, actor=None, data={"kind": taken.kind, "number": taken.number,
                                          "valid_from": taken.valid_from})

    out = _load()
    assert f"未载入：{first.name}的许可证" in out and taken.number in out
    assert not Licence.objects.filter(party__name=first.name).exists()
    sunny = Party.objects.get(name="平舆县阳光网吧")
    event = Event.objects.get(action="parties.created", subject=f"party:{sunny.pk}")
    assert json.loads(event.payload)["similar_confirmed"] == [similar.pk]
    counts = _counts()
    assert "未新增数据" in _load()
    assert _counts() == counts


def test_demo_password_passes_the_validators():
    from django.contrib.auth.password_validation import validate_password

    assert demo.password_problems(demo.DEFAULT_PASSWORD) == []
    with override_settings(ZHIFA_DENGBAO_MODE=True):
        assert demo.password_problems(demo.DEFAULT_PASSWORD) == []
        validate_password(demo.DEFAULT_PASSWORD)


@pytest.mark.argon2
def test_demo_logins_work(loaded, client):
    from zhifa.org.models import User

    assert User.objects.get(username="zhifa01").password.startswith("argon2")
    r = client.post("/login/", {"username": "zhifa01", "password": demo.DEFAULT_PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"
    client.logout()
    r = client.post("/login/", {"username": "juzhang", "password": demo.DEFAULT_PASSWORD}, follow=True)
    assert r.redirect_chain[-1][0].startswith("/otp/setup/")


def test_password_from_the_environment(db, monkeypatch):
    from zhifa.org.models import User

    monkeypatch.setenv(demo.PASSWORD_ENV, "Another-Demo-Pass-77")
    out = _load()
    assert "Another-Demo-Pass-77" not in out and demo.PASSWORD_ENV in out
    assert User.objects.get(username="neiqin").check_password("Another-Demo-Pass-77")
    monkeypatch.setenv(demo.PASSWORD_ENV, "short")
    with pytest.raises(CommandError, match="密码"):
        _load()


def test_reset_passwords(loaded):
    from axes.models import AccessAttempt

    from zhifa.org.models import User

    user = User.objects.get(username="zhifa02")
    user.set_password("Changed-By-Someone-42")
    user.save()
    AccessAttempt.objects.create(username="zhifa02", ip_address="127.0.0.1", user_agent="t",
                                 failures_since_start=5, get_data="", post_data="", http_accept="",
                                 path_info="/login/")
    assert "--reset-passwords" in _load()
    user.refresh_from_db()
    assert user.check_password("Changed-By-Someone-42")
    out = _load("--reset-passwords")
    user.refresh_from_db()
    assert user.check_password(demo.DEFAULT_PASSWORD)
    assert not AccessAttempt.objects.filter(username="zhifa02").exists()
    assert "恢复为演示密码" in out


def test_refuses_to_take_over_an_account_of_another_agency(db, make_user, make_agency):
    make_user(agency=make_agency("别的县文化广电和旅游局"), username="juzhang")
    with pytest.raises(CommandError, match="juzhang"):
        _load()


@pytest.mark.parametrize("today", [date(2026, 1, 2), date(2027, 3, 20), date(2028, 2, 29), date(2029, 7, 15),
                                   date(2030, 12, 31)])
def test_the_demo_stays_the_same_any_day(today):
    """The plan is relative to the day of loading: the same officers are blocked whatever the date."""
    rules = q.TrainingRules()
    for p in demo.PEOPLE:
        if not p.is_officer:
            continue
        plan = demo.plan_person(p, today)
        history = ()
        if plan.suspension:
            history = (q.StatusChange(plan.suspension[1], q.CertStatus.SUSPENDED, plan.suspension[2]),)
        certs = [q.CertificateFacts(c.number, frozenset(c.domains), c.issued_on, c.valid_until,
                                    history if plan.suspension and c.number == plan.suspension[0] else ())
                 for c in plan.certificates]
        trainings = [q.TrainingFacts(q.TrainingKind(t.kind), t.start_on, t.end_on, float(t.hours),
                                     float(t.days), {"passed": True, "failed": False}.get(t.exam_result))
                     for t in plan.trainings]
        assert all(t.end_on < today for t in plan.trainings), p.username
        assert all(c.issued_on <= today for c in plan.certificates), p.username
        res = q.may_enforce(certs, trainings, plan.certificates[-1].domains[0], today, rules)
        codes = {r.code for r in res.reasons}
        if p.username in demo.EXPECTED_BLOCKED:
            assert codes == {demo.EXPECTED_BLOCKED[p.username]}, (p.username, today, codes)
        else:
            assert res.allowed, (p.username, today, codes)


def _logins() -> str:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    return out.getvalue()


def _row(out: str, username: str) -> str | None:
    return next((line for line in out.splitlines() if line.startswith(f"  {username} ")), None)


def test_demo_logins_without_the_demo(db, make_user, make_agency):
    assert "演示数据未载入" in _logins()
    # An account of another agency with a demo username is not a demo account.
    make_user(agency=make_agency("别的县文化广电和旅游局"), username="juzhang")
    out = _logins()
    assert "演示数据未载入" in out and "load_demo" in out and _row(out, "juzhang") is None


def test_demo_logins_prints_the_table_load_demo_prints(loaded):
    counts = _counts()
    out = _logins()
    assert loaded.endswith("\n" + out)
    for p in demo.PEOPLE:
        assert _row(out, p.username), p.username
    assert "需要 ★" in _row(out, "juzhang") and "—" in _row(out, "zhifa01")
    assert "负责人" in _row(out, "juzhang") and "执法人员、法制审核人员" in _row(out, "fazhi2")
    assert f"所有演示账户的密码：{demo.DEFAULT_PASSWORD}" in out
    assert _counts() == counts  # it only reads


def test_demo_logins_reads_the_accounts_as_they_are(loaded, monkeypatch):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhifa.org.models import User

    TOTPDevice.objects.create(user=User.objects.get(username="juzhang"), name="动态验证码", confirmed=True)
    user = User.objects.get(username="zhifa02")
    user.set_password("Changed-By-Someone-42")
    user.save()
    User.objects.filter(username="zhifa11").update(username="songjiayi")
    out = _logins()
    assert "已绑定" in _row(out, "juzhang") and "需要 ★" in _row(out, "fujuzhang1")
    assert "以下账户（zhifa02）的密码已不是这个演示密码" in out and "--reset-passwords" in out
    assert _row(out, "zhifa11") is None and _row(out, "songjiayi") is None
    assert "所有演示账户" not in out and f"演示账户的密码：{demo.DEFAULT_PASSWORD}" in out

    # A password from the environment is never printed, even when it is the one the accounts have.
    monkeypatch.setenv(demo.PASSWORD_ENV, demo.DEFAULT_PASSWORD)
    out = _logins()
    assert demo.DEFAULT_PASSWORD not in out and demo.PASSWORD_ENV in out
    assert "以下账户（zhifa02）的密码已不是这个演示密码" in out
    monkeypatch.setenv(demo.PASSWORD_ENV, "Another-Demo-Pass-77")
    out = _logins()
    assert "Another-Demo-Pass-77" not in out and "所有演示账户的密码已不是这个演示密码" in out


def test_persons_of_an_earlier_demo_are_not_registered_again(loaded):
    """Earlier demos numbered everyone under 411723; the person is the same, found by name and birth date."""
    from zhifa.parties.models import Party

    person = Party.objects.get(name=demo.PERSONS[0].name)
    Party.objects.filter(pk=person.pk).update(id_number="411723" + person.id_number[6:17] + "0")
    counts = _counts()
    assert "未新增数据" in _load()
    assert _counts() == counts


def test_home_counts_what_the_alerts_page_lists(loaded, client, verified_login):
    from zhifa.org.models import User

    verified_login(client, User.objects.get(username="juzhang"))
    home = client.get("/")
    alerts = client.get("/org/alerts/")
    assert home.status_code == alerts.status_code == 200
    assert home.context["counts"]["alerts"] == alerts.context["total"] >= 5
