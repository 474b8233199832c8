"""Passwords set by an administrator are changed by their owner (等保: no default passwords)."""

import pytest

from tests.conftest import PASSWORD
from zhifa.law.errors import RuleViolation
from zhifa.org import services
from zhifa.records.models import Event

NEW = "Huaihe-Bridge-3381!"


@pytest.fixture
def secadmin(make_user, agency):
    return make_user(agency, roles=("secadmin",), username="anquan")


@pytest.fixture
def sysadmin(make_user, agency):
    return make_user(agency, roles=("sysadmin",), username="xitong")


def test_created_person_must_change_password(sysadmin, agency):
    person = services.create_person(actor=sysadmin, password="Initial-Pass-8842!", username="xinren",
                                    full_name="新人", agency=agency)
    assert person.must_change_password


def test_forced_change_blocks_everything_until_done(client, make_user, agency):
    user = make_user(agency, roles=("officer",), username="beiqiang")
    user.must_change_password = True
    user.save()
    client.force_login(user)
    r = client.get("/org/roster/")
    assert r.status_code == 302 and r["Location"].startswith("/account/password/")
    page = client.get(r["Location"]).content.decode()
    assert "您的密码由管理员设定" in page
    assert 'aria-label="主导航"' not in page  # no links that would only bounce back
    # wrong old password: message on the field, nothing changed
    r = client.post("/account/password/", {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 200 and "原密码" in r.content.decode()
    user.refresh_from_db()
    assert user.must_change_password
    # a weak new password is refused with the validator's Chinese message
    r = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "short",
                                           "new_password2": "short"})
    assert "此密码太短" in r.content.decode()
    r = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    assert Event.objects.filter(action="auth.password_changed", actor=user).exists()
    assert client.get("/org/roster/").status_code == 200  # still signed in, free to go on


def test_secadmin_resets_password(client, secadmin, make_user, agency, verified_login):
    person = make_user(agency, roles=("officer",), username="wangwu")
    verified_login(client, secadmin)
    r = client.post(f"/org/people/{person.pk}/password/", {"password": "abc", "password2": "abc"})
    assert r.status_code == 200 and "此密码太短" in r.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    r = client.post(f"/org/people/{person.pk}/password/", {"password": NEW, "password2": NEW + "x"})
    assert "两次输入的密码不一致" in r.content.decode()
    r = client.post(f"/org/people/{person.pk}/password/", {"password": NEW, "password2": NEW})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW) and person.must_change_password
    ev = Event.objects.get(action="auth.password_reset")
    assert ev.actor == secadmin and NEW not in ev.payload


def test_only_secadmin_resets_and_never_own(client, sysadmin, secadmin, make_user, agency, verified_login):
    person = make_user(agency, roles=("officer",))
    verified_login(client, sysadmin)
    assert client.post(f"/org/people/{person.pk}/password/", {"password": NEW, "password2": NEW}).status_code == 403
    with pytest.raises(RuleViolation) as exc:
        services.reset_password(secadmin, NEW, actor=secadmin)
    assert exc.value.field == "password"


def test_reset_of_another_agencys_person_is_404(client, secadmin, make_user, make_agency, verified_login):
    other = make_user(make_agency("另一县文化广电和旅游局"), roles=("officer",))
    verified_login(client, secadmin)
    assert client.get(f"/org/people/{other.pk}/password/").status_code == 404


def test_no_navigation_before_the_second_factor(client, make_user, agency):
    head = make_user(agency, roles=("head",))
    client.force_login(head)
    page = client.get("/otp/setup/").content.decode()
    assert "启用动态验证码" in page and 'aria-label="主导航"' not in page
