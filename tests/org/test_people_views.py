"""Accounts (系统管理员), unlock and second-factor reset (安全管理员), units — through the screens."""

import json

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.org.models import Unit, User
from zhifa.org.services import is_locked, login_failures
from zhifa.records.models import Event

GOOD_PASSWORD = "Qingshan-River-7429!"



@pytest.fixture
def sysadmin(make_user, agency):
    return make_user(agency, roles=("sysadmin",), full_name="系统管理员甲")


@pytest.fixture
def secadmin(make_user, agency):
    return make_user(agency, roles=("secadmin",), full_name="安全管理员乙")


@pytest.fixture
def squad(agency):
    return Unit.objects.create(agency=agency, name="执法一中队", kind="squad")


def _form_data(agency, **kw):
    data = {"agency": agency.pk, "username": "zhangsan", "full_name": "张三", "unit": "",
            "position": "执法队员", "phone": "0396-1234567", "employee_no": "A001", "joined_on": "2024-03-01",
            "legal_qualification_no": "", "first_review_on": "", "is_active": "on",
            "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def _events(action):
    return Event.objects.filter(action=action)


# --- create ---------------------------------------------------------------------------------
def test_create_form_is_chinese(client, verified_login, sysadmin):
    verified_login(client, sysadmin)
    r = client.get(reverse("org:person_create"))
    assert r.status_code == 200
    html = r.content.decode()
    for label in ("用户名", "姓名", "内设机构", "职务", "联系电话", "工号", "入职日期", "具有法律职业资格",
                  "法律职业资格证书编号", "首次从事法制审核日期", "启用", "初始密码"):
        assert label in html


@pytest.mark.parametrize("password,expected", [
    ("12345678", "密码只包含数字"),
    ("abc", "此密码太短"),
    ("password123456", "这个密码太常见了"),
])
def test_weak_password_refused_on_the_password_field(client, verified_login, sysadmin, agency, squad,
                                                     password, expected):
    verified_login(client, sysadmin)
    users, events = User.objects.count(), _events("org.person_created").count()
    r = client.post(reverse("org:person_create"),
                    _form_data(agency, unit=squad.pk, password=password, password2=password))
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert list(errors) == ["password"]
    assert any(expected in e for e in errors["password"]), errors["password"]
    html = r.content.decode()
    assert expected in html
    assert 'value="zhangsan"' in html and 'value="张三"' in html  # typed values kept
    assert f'<option value="{squad.pk}" selected>' in html
    assert f'value="{password}"' not in html  # but never the password
    assert User.objects.count() == users
    assert _events("org.person_created").count() == events


def test_password_similar_to_the_username_is_refused(client, verified_login, sysadmin, agency):
    verified_login(client, sysadmin)
    r = client.post(reverse("org:person_create"),
                    _form_data(agency, username="qingshanriver", password="Qingshanriver1",
                               password2="Qingshanriver1"))
    assert r.status_code == 200
    assert "password" in r.context["form"].errors


def test_password_confirmation_must_match(client, verified_login, sysadmin, agency):
    verified_login(client, sysadmin)
    r = client.post(reverse("org:person_create"), _form_data(agency, password2=GOOD_PASSWORD + "x"))
    assert r.status_code == 200
    assert r.context["form"].errors["password2"] == ["两次输入的密码不一致。"]
    assert not User.objects.filter(username="zhangsan").exists()


def test_good_password_creates_user_and_event(client, verified_login, sysadmin, agency, squad):
    verified_login(client, sysadmin)
    r = client.post(reverse("org:person_create"),
                    _form_data(agency, unit=squad.pk, has_legal_qualification="on",
                               legal_qualification_no="A20201101123", first_review_on="2024-05-06"))
    assert r.status_code == 302 and r["Location"] == reverse("org:people")
    person = User.objects.get(username="zhangsan")
    assert person.agency == agency and person.unit == squad
    assert person.full_name == "张三" and person.position == "执法队员" and person.employee_no == "A001"
    assert person.has_legal_qualification and person.legal_qualification_no == "A20201101123"
    assert str(person.first_review_on) == "2024-05-06" and str(person.joined_on) == "2024-03-01"
    assert person.is_active and person.check_password(GOOD_PASSWORD)
    assert person.role_codes() == set()  # roles are the 安全管理员's to grant
    ev = _events("org.person_created").get(subject=f"user:{person.pk}")
    assert ev.actor_id == sysadmin.pk and ev.agency_id == agency.pk and ev.role == "sysadmin"
    payload = json.loads(ev.payload)
    assert payload["username"] == "zhangsan" and payload["unit"]["name"] == "执法一中队"
    assert payload["phone"] == "***"  # personal data stays out of the log
    assert GOOD_PASSWORD not in ev.payload


def test_new_person_may_go_to_a_visible_sub_agency(client, verified_login, sysadmin, agency, make_agency):
    child = make_agency("测试县文化市场综合执法大队", parent=agency)
    verified_login(client, sysadmin)
    r = client.get(reverse("org:person_create"))
    assert child.name in r.content.decode()
    r = client.post(reverse("org:person_create"), _form_data(child))
    assert r.status_code == 302
    assert User.objects.get(username="zhangsan").agency == child


def test_unit_must_belong_to_the_chosen_agency(client, verified_login, sysadmin, agency, make_agency, squad):
    child = make_agency("下级机关", parent=agency)
    verified_login(client, sysadmin)
    r = client.post(reverse("org:person_create"), _form_data(child, unit=squad.pk))
    assert r.status_code == 200
    assert "不属于" in r.context["form"].errors["unit"][0]
    assert not User.objects.filter(username="zhangsan").exists()


def test_duplicate_username_refused_whatever_the_case(client, verified_login, sysadmin, agency, make_user):
    make_user(agency, username="zhangsan")
    verified_login(client, sysadmin)
    r = client.post(reverse("org:person_create"), _form_data(agency, username="ZhangSan"))
    assert r.status_code == 200
    assert "已被使用" in r.context["form"].errors["username"][0]
    assert User.objects.filter(username__iexact="zhangsan").count() == 1


def test_qualification_number_required_with_the_flag(client, verified_login, sysadmin, agency):
    verified_login(client, sysadmin)
    r = client.post(reverse("org:person_create"), _form_data(agency, has_legal_qualification="on"))
    assert r.status_code == 200
    assert "证书编号" in r.context["form"].errors["legal_qualification_no"][0]


@pytest.mark.parametrize("field,value,message", [
    ("username", "", "请填写用户名。"),
    ("full_name", "", "请填写姓名。"),
    ("joined_on", "2024-13-45", "请输入有效日期"),
    ("phone", "call me", "联系电话只能包含"),
    ("username", "张 三!", "用户名"),
])
def test_bad_fields_refused_on_the_field(client, verified_login, sysadmin, agency, field, value, message):
    verified_login(client, sysadmin)
    r = client.post(reverse("org:person_create"), _form_data(agency, **{field: value}))
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert field in errors
    if field != "username" or value == "":
        assert message in errors[field][0]
    assert not User.objects.filter(full_name="张三").exists()


# --- edit -----------------------------------------------------------------------------------
def test_edit_changes_and_records_before_and_after(client, verified_login, sysadmin, agency, make_user,
                                                   squad):
    person = make_user(agency, position="科员", phone="13800000000")
    verified_login(client, sysadmin)
    url = reverse("org:person_edit", args=[person.pk])
    r = client.get(url)
    assert r.status_code == 200 and "初始密码" not in r.content.decode()
    data = _form_data(agency, username=person.username, full_name=person.full_name, unit=squad.pk,
                      position="中队长", phone="13900000000", employee_no="", joined_on="")
    r = client.post(url, data)
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.position == "中队长" and person.unit == squad and person.phone == "13900000000"
    ev = _events("org.person_updated").get(subject=f"user:{person.pk}")
    payload = json.loads(ev.payload)
    assert payload["before"]["position"] == "科员" and payload["after"]["position"] == "中队长"
    assert payload["before"]["phone"] == "***" and "13900000000" not in ev.payload
    assert ev.actor_id == sysadmin.pk
    # the same data again changes nothing and records nothing
    assert client.post(url, data).status_code == 302
    assert _events("org.person_updated").filter(subject=f"user:{person.pk}").count() == 1


def test_cannot_deactivate_yourself(client, verified_login, sysadmin, agency):
    verified_login(client, sysadmin)
    data = _form_data(agency, username=sysadmin.username, full_name=sysadmin.full_name, employee_no="",
                      is_active=None)
    r = client.post(reverse("org:person_edit", args=[sysadmin.pk]), data)
    assert r.status_code == 200
    assert r.context["form"].errors["is_active"] == ["不能停用自己的账户"]
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_deactivating_someone_ends_their_sessions(client, verified_login, sysadmin, agency, make_user):
    from django.test import Client

    person = make_user(agency)
    other = Client()
    other.force_login(person)
    assert other.get(reverse("home")).status_code == 200
    verified_login(client, sysadmin)
    data = _form_data(agency, username=person.username, full_name=person.full_name, employee_no="",
                      is_active=None)
    assert client.post(reverse("org:person_edit", args=[person.pk]), data).status_code == 302
    assert other.get(reverse("home")).status_code == 302  # back to the login page


# --- list -----------------------------------------------------------------------------------
def test_list_shows_roles_unit_and_status(client, verified_login, secadmin, agency, make_user, squad):
    officer = make_user(agency, roles=("officer", "reviewer"), unit=squad, full_name="李四")
    inactive = make_user(agency, full_name="王五", is_active=False)
    head = make_user(agency, roles=("head",), full_name="赵六")
    TOTPDevice.objects.create(user=head, name="t", confirmed=True)
    auditor = make_user(agency, roles=("auditadmin",))
    verified_login(client, secadmin)
    r = client.get(reverse("org:people"))
    assert r.status_code == 200
    rows = {row["person"].pk: row for row in r.context["rows"]}
    assert rows[head.pk]["otp"] and not rows[officer.pk]["otp"]
    assert not rows[officer.pk]["locked"]
    html = r.content.decode()
    assert "李四" in html and "执法一中队" in html and "法制审核人员" in html
    assert "王五" in html and "停用" in html
    assert rows[auditor.pk]["needs_otp"] and not rows[auditor.pk]["otp"]
    assert "未绑定（须绑定）" in html
    r = client.get(reverse("org:people"), {"status": "inactive"})
    assert [row["person"].pk for row in r.context["rows"]] == [inactive.pk]
    r = client.get(reverse("org:people"), {"role": "reviewer"})
    assert [row["person"].pk for row in r.context["rows"]] == [officer.pk]
    r = client.get(reverse("org:people"), {"q": "赵"})
    assert [row["person"].pk for row in r.context["rows"]] == [head.pk]


def _fail_logins(client, username, times):
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-password-x"})


def test_unlock_clears_axes_attempts_and_records(client, verified_login, secadmin, agency, make_user,
                                                 settings):
    from django.test import Client

    person = make_user(agency, full_name="被锁定的人")
    _fail_logins(Client(), person.username, settings.AXES_FAILURE_LIMIT)
    assert is_locked(person.username)
    assert login_failures([person.username])[person.username] >= settings.AXES_FAILURE_LIMIT

    verified_login(client, secadmin)
    r = client.get(reverse("org:people"), {"status": "locked"})
    assert [row["person"].pk for row in r.context["rows"]] == [person.pk]
    assert "已锁定" in r.content.decode()

    url = reverse("org:person_unlock", args=[person.pk])
    assert client.get(url).status_code == 405  # a state change is never a GET
    r = client.post(url)
    assert r.status_code == 302
    assert not AccessAttempt.objects.filter(username=person.username).exists()
    assert not is_locked(person.username)
    ev = _events("auth.unlocked").get(subject=f"user:{person.pk}")
    assert ev.actor_id == secadmin.pk and ev.role == "secadmin" and ev.agency_id == agency.pk
    payload = json.loads(ev.payload)
    assert payload["username"] == person.username and payload["was_locked"] is True
    # and the person can sign in again
    ok = Client()
    r = ok.post(reverse("login"), {"username": person.username, "password": "Zhifa-Test-Passw0rd-2026"})
    assert r.status_code == 302


def test_reset_second_factor_deletes_devices_and_records(client, verified_login, secadmin, agency,
                                                         make_user):
    from django.test import Client

    head = make_user(agency, roles=("head",))
    TOTPDevice.objects.create(user=head, name="手机", confirmed=True)
    TOTPDevice.objects.create(user=head, name="旧手机", confirmed=False)
    verified_login(client, secadmin)
    url = reverse("org:person_reset_otp", args=[head.pk])
    assert client.get(url).status_code == 405
    r = client.post(url)
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=head).exists()
    ev = _events("auth.otp_reset").get(subject=f"user:{head.pk}")
    assert ev.actor_id == secadmin.pk and json.loads(ev.payload)["devices_removed"] == 2
    # at the next sign-in the head must enrol again
    c = Client()
    c.force_login(head)
    r = c.get(reverse("home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("otp_setup"))


def test_security_admin_cannot_reset_own_second_factor(client, verified_login, secadmin):
    verified_login(client, secadmin)
    r = client.post(reverse("org:person_reset_otp", args=[secadmin.pk]), follow=True)
    assert "不能重置自己的动态验证码" in r.content.decode()
    assert TOTPDevice.objects.filter(user=secadmin).exists()
    assert not _events("auth.otp_reset").exists()


# --- who may do what --------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["officer", "reviewer", "head", "clerk", "auditadmin"])
def test_non_admins_get_403_everywhere(client, verified_login, make_user, agency, role):
    actor = make_user(agency, roles=(role,))
    person = make_user(agency)
    verified_login(client, actor)
    for name in ("org:people", "org:person_create", "org:unit_create"):
        assert client.get(reverse(name)).status_code == 403, name
    for name in ("org:person_edit", "org:person_roles"):
        assert client.get(reverse(name, args=[person.pk])).status_code == 403, name
    for name in ("org:person_unlock", "org:person_reset_otp"):
        assert client.post(reverse(name, args=[person.pk])).status_code == 403, name
    assert client.post(reverse("org:person_create"), _form_data(agency)).status_code == 403
    assert not User.objects.filter(username="zhangsan").exists()
    assert "没有权限" in client.get(reverse("org:people")).content.decode()


def test_sysadmin_may_not_unlock_or_reset_and_secadmin_may_not_edit(client, verified_login, sysadmin,
                                                                     secadmin, make_user, agency):
    person = make_user(agency)
    verified_login(client, sysadmin)
    assert client.get(reverse("org:people")).status_code == 200
    assert client.post(reverse("org:person_unlock", args=[person.pk])).status_code == 403
    assert client.post(reverse("org:person_reset_otp", args=[person.pk])).status_code == 403
    client.logout()
    verified_login(client, secadmin)
    assert client.get(reverse("org:people")).status_code == 200
    assert client.get(reverse("org:person_create")).status_code == 403
    assert client.get(reverse("org:person_edit", args=[person.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    r = client.get(reverse("org:people"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


# --- units ----------------------------------------------------------------------------------
def test_unit_create_edit_and_duplicate_name(client, verified_login, sysadmin, agency, domains, squad):
    verified_login(client, sysadmin)
    r = client.get(reverse("org:unit_create"))
    assert r.status_code == 200 and "负责执法领域" in r.content.decode()
    net, ent = domains["NET"], domains["ENT"]
    data = {"agency": agency.pk, "name": "法制股", "kind": "legal", "domains": [net.pk, ent.pk], "sort": "1",
            "is_active": "on"}
    r = client.post(reverse("org:unit_create"), data)
    assert r.status_code == 302
    unit = Unit.objects.get(agency=agency, name="法制股")
    assert unit.kind == "legal" and set(unit.domains.all()) == {net, ent}
    ev = _events("org.unit_saved").get(subject=f"unit:{unit.pk}")
    assert json.loads(ev.payload)["created"] is True and ev.actor_id == sysadmin.pk

    # the same name again in the same agency: refused on the name field, nothing saved
    r = client.post(reverse("org:unit_create"), {**data, "name": "执法一中队"})
    assert r.status_code == 200
    assert "已有名为“执法一中队”" in r.context["form"].errors["name"][0]
    assert 'value="执法一中队"' in r.content.decode()
    assert Unit.objects.filter(agency=agency, name="执法一中队").count() == 1

    # renaming onto another unit's name is refused the same way
    r = client.post(reverse("org:unit_edit", args=[unit.pk]),
                    {"name": "执法一中队", "kind": "legal", "sort": "1", "is_active": "on"})
    assert r.status_code == 200 and "name" in r.context["form"].errors
    r = client.post(reverse("org:unit_edit", args=[unit.pk]),
                    {"name": "法制审核股", "kind": "legal", "domains": [net.pk], "sort": "2"})
    assert r.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "法制审核股" and not unit.is_active and list(unit.domains.all()) == [net]
    assert _events("org.unit_saved").filter(subject=f"unit:{unit.pk}").count() == 2


@pytest.mark.parametrize("field,value", [("kind", "nonsense"), ("sort", "-1"), ("sort", "abc"), ("name", "")])
def test_unit_bad_fields_refused_on_the_field(client, verified_login, sysadmin, agency, field, value):
    verified_login(client, sysadmin)
    data = {"agency": agency.pk, "name": "办公室", "kind": "office", "sort": "0", field: value}
    r = client.post(reverse("org:unit_create"), data)
    assert r.status_code == 200
    assert field in r.context["form"].errors
    assert not Unit.objects.filter(agency=agency).exists()


def test_everyone_in_the_agency_sees_units_only_sysadmin_edits(client, verified_login, make_user, agency,
                                                               squad):
    officer = make_user(agency, roles=("officer",))
    verified_login(client, officer)
    r = client.get(reverse("org:units"))
    assert r.status_code == 200 and "执法一中队" in r.content.decode()
    assert reverse("org:unit_edit", args=[squad.pk]) not in r.content.decode()
    assert client.get(reverse("org:unit_edit", args=[squad.pk])).status_code == 403
    assert client.post(reverse("org:unit_edit", args=[squad.pk]), {"name": "x", "kind": "squad",
                                                                    "sort": "0"}).status_code == 403
    squad.refresh_from_db()
    assert squad.name == "执法一中队"
