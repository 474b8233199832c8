"""三员分立: the system, security and audit administrators are three different people.

GB/T 22239-2019 (等保 2.0, level 3), 安全管理中心 (clause 8.1.5): the 系统管理员, 安全管理员 and
审计管理员 are separate roles held by separate accounts (standards.md §1(a)). Whatever path changes
roles (the service, the admin screen, a direct `groups.add` from the shell or the admin site) no
account ends up holding two of them.

Decision on the other combinations: the standard separates only the three administrators from
each other. Business roles may be combined (执法人员 + 法制审核人员: the case-level rule that a
reviewer never reviews their own case is enforced on the case), and an administrator may also hold
a business role (a county bureau's 系统管理员 is often an officer too). A stricter local policy
would be a policy parameter, not a change of this rule.
"""

from itertools import combinations

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse

from zhifa.law.errors import RuleViolation
from zhifa.org.services import DENGBAO_815, assign_roles, check_role_set, set_roles
from zhifa.records.models import Event

ADMINS = ("sysadmin", "secadmin", "auditadmin")
REFUSED = [*combinations(ADMINS, 2), ADMINS]



def _roles_of(person):
    return set(person.groups.values_list("name", flat=True))


def _role_events(person):
    return Event.objects.filter(action="org.roles_changed", subject=f"user:{person.pk}").count()


@pytest.mark.parametrize("roles", REFUSED, ids=["+".join(r) for r in REFUSED])
@pytest.mark.parametrize("with_business_role", [False, True], ids=["alone", "with-officer"])
def test_set_roles_refuses_any_two_admin_roles(make_user, agency, roles, with_business_role):
    person = make_user(agency, roles=("officer",))
    events = _role_events(person)
    chosen = (*roles, "officer") if with_business_role else roles
    with pytest.raises(RuleViolation) as exc:
        set_roles(person, chosen, actor=None)
    assert exc.value.code == "admin_roles_exclusive"
    assert exc.value.field == "roles"
    assert "三员分立" in exc.value.message
    assert DENGBAO_815 in exc.value.basis
    assert "GB/T 22239-2019" in str(exc.value)
    assert _roles_of(person) == {"officer"}  # nothing changed
    assert _role_events(person) == events  # and nothing recorded


@pytest.mark.parametrize("roles", [
    ("officer", "reviewer"),
    ("head",),
    ("head", "officer"),
    ("clerk", "officer"),
    ("sysadmin", "officer"),
    ("auditadmin", "clerk"),
    ("secadmin",),
    (),
])
def test_allowed_combinations(make_user, agency, roles):
    person = make_user(agency, roles=("officer",))
    assert check_role_set(roles) == set(roles)
    set_roles(person, roles, actor=None)
    assert _roles_of(person) == set(roles)
    ev = Event.objects.filter(action="org.roles_changed", subject=f"user:{person.pk}").last()
    assert '"after":' + str(sorted(roles)).replace("'", '"').replace(" ", "") in ev.payload


def test_unknown_role_refused(make_user, agency):
    person = make_user(agency, roles=("officer",))
    with pytest.raises(RuleViolation) as exc:
        set_roles(person, ("officer", "superhero"), actor=None)
    assert exc.value.code == "role_unknown" and exc.value.field == "roles"


@pytest.mark.parametrize("held,added", [("sysadmin", "secadmin"), ("secadmin", "auditadmin"),
                                        ("auditadmin", "sysadmin")])
def test_direct_groups_add_is_refused_by_the_signal_guard(make_user, agency, held, added):
    person = make_user(agency, roles=(held,))
    # m2m add runs in an atomic block without a savepoint: the refusal rolls back the caller's
    # transaction, so the test gives it one of its own.
    with pytest.raises(RuleViolation) as exc, transaction.atomic():
        person.groups.add(Group.objects.get(name=added))
    assert exc.value.code == "admin_roles_exclusive"
    assert _roles_of(person) == {held}


def test_reverse_add_through_the_group_is_refused_too(make_user, agency):
    """group.user_set.add(user) fires the m2m signal with reverse=True: it must not slip past."""
    person = make_user(agency, roles=("sysadmin",))
    other = make_user(agency, roles=("officer",))
    with pytest.raises(RuleViolation), transaction.atomic():
        Group.objects.get(name="auditadmin").user_set.add(other, person)
    assert _roles_of(person) == {"sysadmin"}
    assert _roles_of(other) == {"officer"}
    Group.objects.get(name="reviewer").user_set.add(person)  # a business role is fine
    assert _roles_of(person) == {"sysadmin", "reviewer"}


def test_direct_add_of_a_business_role_is_allowed(make_user, agency):
    person = make_user(agency, roles=("sysadmin",))
    person.groups.add(Group.objects.get(name="officer"))
    assert _roles_of(person) == {"sysadmin", "officer"}


# --- the admin screen ---------------------------------------------------------------------------
@pytest.fixture
def secadmin(make_user, agency):
    return make_user(agency, roles=("secadmin",), full_name="安全管理员甲")


def test_screen_shows_seven_roles_checked_as_held(client, verified_login, secadmin, make_user, agency):
    person = make_user(agency, roles=("officer", "reviewer"))
    verified_login(client, secadmin)
    r = client.get(reverse("org:person_roles", args=[person.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    labels = ("执法人员", "法制审核人员", "负责人", "内勤/档案", "系统管理员", "安全管理员", "审计管理员")
    assert all(label in html for label in labels)
    assert html.count('type="checkbox" name="roles"') == 7
    assert html.count("checked") == 2
    assert "三员分立" in html


def test_screen_grants_roles_and_records_the_actor(client, verified_login, secadmin, make_user, agency):
    person = make_user(agency, roles=("officer",))
    verified_login(client, secadmin)
    r = client.post(reverse("org:person_roles", args=[person.pk]), {"roles": ["officer", "reviewer"]})
    assert r.status_code == 302 and r["Location"] == reverse("org:people")
    assert _roles_of(person) == {"officer", "reviewer"}
    ev = Event.objects.filter(action="org.roles_changed", subject=f"user:{person.pk}").last()
    assert ev.actor_id == secadmin.pk and ev.role == "secadmin"


@pytest.mark.parametrize("roles", REFUSED, ids=["+".join(r) for r in REFUSED])
def test_screen_refuses_two_admin_roles_on_the_field(client, verified_login, secadmin, make_user, agency,
                                                      roles):
    person = make_user(agency, roles=("officer",))
    events = _role_events(person)
    verified_login(client, secadmin)
    r = client.post(reverse("org:person_roles", args=[person.pk]), {"roles": [*roles, "officer"]})
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert list(errors) == ["roles"]
    assert "三员分立" in errors["roles"][0] and "GB/T 22239-2019" in errors["roles"][0]
    html = r.content.decode()
    assert "三员分立" in html
    assert html.count("checked") == len(roles) + 1  # what was typed is kept
    assert _roles_of(person) == {"officer"}
    assert _role_events(person) == events


def test_security_admin_cannot_change_own_roles(client, verified_login, secadmin):
    verified_login(client, secadmin)
    url = reverse("org:person_roles", args=[secadmin.pk])
    r = client.get(url)
    assert r.status_code == 200
    assert "不能修改自己的角色" in r.content.decode()
    events = _role_events(secadmin)
    r = client.post(url, {"roles": ["secadmin", "officer"]})
    assert r.status_code == 200
    assert "不能修改自己的角色" in r.context["form"].errors["roles"][0]
    assert _roles_of(secadmin) == {"secadmin"}
    assert _role_events(secadmin) == events
    with pytest.raises(RuleViolation) as exc:
        assign_roles(secadmin, ["secadmin", "head"], actor=secadmin)
    assert exc.value.code == "roles_self"


def test_unchanged_roles_record_nothing(client, verified_login, secadmin, make_user, agency):
    person = make_user(agency, roles=("officer",))
    events = _role_events(person)
    verified_login(client, secadmin)
    r = client.post(reverse("org:person_roles", args=[person.pk]), {"roles": ["officer"]})
    assert r.status_code == 302
    assert _role_events(person) == events


@pytest.mark.parametrize("role", ["sysadmin", "auditadmin", "officer", "head"])
def test_only_the_security_admin_assigns_roles(client, verified_login, make_user, agency, role):
    actor = make_user(agency, roles=(role,))
    person = make_user(agency, roles=("officer",))
    verified_login(client, actor)
    url = reverse("org:person_roles", args=[person.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"roles": ["head"]}).status_code == 403
    assert _roles_of(person) == {"officer"}
    with pytest.raises(RuleViolation) as exc:
        assign_roles(person, ["head"], actor=actor)
    assert exc.value.code == "forbidden"
