"""Scoping: a user sees their own agency and those under it, never a sibling's — by list or by id.

The tree: a city bureau P with two county bureaus A and B under it, and A1 under A.
"""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.law.errors import RuleViolation
from zhifa.org import services
from zhifa.org.models import Unit, User


@pytest.fixture
def tree(make_agency, make_user):
    p = make_agency("市文化广电和旅游局")
    a = make_agency("甲县文化广电和旅游局", parent=p)
    b = make_agency("乙县文化广电和旅游局", parent=p)
    a1 = make_agency("甲县文化市场综合执法大队", parent=a)
    units = {k: Unit.objects.create(agency=ag, name="执法一中队", kind="squad")
             for k, ag in {"a": a, "b": b, "a1": a1}.items()}
    people = {k: make_user(ag, roles=("officer",), full_name=f"{k}的执法人员", unit=units.get(k))
              for k, ag in {"p": p, "a": a, "b": b, "a1": a1}.items()}
    return {"p": p, "a": a, "b": b, "a1": a1, "units": units, "people": people,
            "sys_a": make_user(a, roles=("sysadmin",)), "sec_a": make_user(a, roles=("secadmin",)),
            "sys_a1": make_user(a1, roles=("sysadmin",)), "sys_b": make_user(b, roles=("sysadmin",))}


def test_visible_agencies(tree):
    a, b, a1, p = tree["a"], tree["b"], tree["a1"], tree["p"]
    assert set(services.visible_agencies(tree["sys_a"])) == {a, a1}
    assert set(services.visible_agencies(tree["sys_a1"])) == {a1}
    assert set(services.visible_agencies(tree["sys_b"])) == {b}
    boss = User.objects.create_user(username="city", password="x", full_name="市局", agency=p)
    assert set(services.visible_agencies(boss)) == {p, a, b, a1}


def test_people_and_units_visible(tree):
    people = tree["people"]
    seen = set(services.people_visible_to(tree["sys_a"]))
    assert people["a"] in seen and people["a1"] in seen
    assert people["b"] not in seen and people["p"] not in seen
    assert set(services.units_visible_to(tree["sys_a"])) == {tree["units"]["a"], tree["units"]["a1"]}
    assert people["a"] not in set(services.people_visible_to(tree["sys_a1"]))  # not upwards either


def test_no_agency_sees_nothing_unless_platform_superuser(db, tree):
    loose = User.objects.create_user(username="loose", password="x", full_name="无机关")
    assert not services.people_visible_to(loose).exists()
    assert not services.visible_agencies(loose).exists()
    root = User.objects.create_superuser(username="root", password="x", full_name="平台")
    assert services.visible_agencies(root).count() == 4


def test_people_list_is_scoped(client, verified_login, tree):
    verified_login(client, tree["sys_a"])
    r = client.get(reverse("org:people"))
    assert r.status_code == 200
    shown = {row["person"].pk for row in r.context["rows"]}
    assert tree["people"]["a"].pk in shown and tree["people"]["a1"].pk in shown
    assert tree["people"]["b"].pk not in shown and tree["sys_b"].pk not in shown
    html = r.content.decode()
    assert "b的执法人员" not in html and "p的执法人员" not in html
    assert "甲县文化市场综合执法大队" in html  # several agencies: the agency column shows


def test_people_list_filters_cannot_reach_outside(client, verified_login, tree):
    verified_login(client, tree["sys_a"])
    r = client.get(reverse("org:people"), {"q": "b的"})
    assert r.context["rows"] == []


@pytest.mark.parametrize("name,method,actor", [
    ("org:person_edit", "get", "sys_a"),
    ("org:person_edit", "post", "sys_a"),
    ("org:person_roles", "get", "sec_a"),
    ("org:person_roles", "post", "sec_a"),
    ("org:person_unlock", "post", "sec_a"),
    ("org:person_reset_otp", "post", "sec_a"),
])
def test_another_agency_person_by_id_is_404(client, verified_login, tree, name, method, actor):
    target = tree["people"]["b"]
    AccessAttempt.objects.create(username=target.username, ip_address="10.0.0.1", user_agent="x",
                                 http_accept="", path_info="/login/", get_data="", post_data="",
                                 failures_since_start=5)
    TOTPDevice.objects.create(user=target, name="t", confirmed=True)
    verified_login(client, tree[actor])
    url = reverse(name, args=[target.pk])
    r = getattr(client, method)(url, {"roles": ["head"], "username": "hijack", "full_name": "x",
                                      "agency": tree["a"].pk} if method == "post" else None)
    assert r.status_code == 404
    assert "不在您的查看范围内" in r.content.decode()
    target.refresh_from_db()
    assert target.username != "hijack" and target.role_codes() == {"officer"}
    assert AccessAttempt.objects.filter(username=target.username).exists()
    assert TOTPDevice.objects.filter(user=target).exists()


@pytest.mark.parametrize("name,actor", [("org:person_edit", "sys_a"), ("org:person_roles", "sec_a")])
def test_child_agency_person_by_id_is_reachable(client, verified_login, tree, name, actor):
    verified_login(client, tree[actor])
    assert client.get(reverse(name, args=[tree["people"]["a1"].pk])).status_code == 200


def test_child_cannot_reach_parent(client, verified_login, tree):
    verified_login(client, tree["sys_a1"])
    assert client.get(reverse("org:person_edit", args=[tree["people"]["a"].pk])).status_code == 404


def test_another_agency_unit_by_id_is_404(client, verified_login, tree):
    verified_login(client, tree["sys_a"])
    assert client.get(reverse("org:unit_edit", args=[tree["units"]["b"].pk])).status_code == 404
    assert client.get(reverse("org:unit_edit", args=[tree["units"]["a1"].pk])).status_code == 200
    r = client.get(reverse("org:units"))
    assert set(r.context["units"]) == {tree["units"]["a"], tree["units"]["a1"]}


def test_forged_agency_or_unit_in_a_form_is_refused(client, verified_login, tree):
    verified_login(client, tree["sys_a"])
    base = {"username": "newbie", "full_name": "新人", "is_active": "on",
            "password": "Qingshan-River-7429!", "password2": "Qingshan-River-7429!"}
    r = client.post(reverse("org:person_create"), {**base, "agency": tree["b"].pk})
    assert r.status_code == 200 and "agency" in r.context["form"].errors
    r = client.post(reverse("org:person_create"), {**base, "agency": tree["a"].pk,
                                                   "unit": tree["units"]["b"].pk})
    assert r.status_code == 200 and "unit" in r.context["form"].errors
    r = client.post(reverse("org:unit_create"), {"agency": tree["b"].pk, "name": "新股室", "kind": "office",
                                                 "sort": "0"})
    assert r.status_code == 200 and "agency" in r.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()
    assert not Unit.objects.filter(name="新股室").exists()


def test_services_refuse_out_of_scope_targets(tree):
    b_person, sec_a, sys_a = tree["people"]["b"], tree["sec_a"], tree["sys_a"]
    for call in (lambda: services.assign_roles(b_person, ["head"], actor=sec_a),
                 lambda: services.unlock_account(b_person, actor=sec_a),
                 lambda: services.reset_second_factor(b_person, actor=sec_a),
                 lambda: services.update_person(b_person, actor=sys_a, position="局长"),
                 lambda: services.save_unit(actor=sys_a, unit=tree["units"]["b"], name="x", kind="squad")):
        with pytest.raises(RuleViolation):
            call()
    b_person.refresh_from_db()
    assert b_person.position == "" and b_person.role_codes() == {"officer"}
