"""The platform admin site reads, or records what it changes; it never bypasses the bureau's rules."""

import pytest
from django.contrib.auth.models import Group

from zhifa.org.models import User
from zhifa.records.models import Event


@pytest.fixture
def root(db, verified_login, client):
    user = User.objects.create_superuser("root", "", "Root-Pass-7734!", full_name="平台管理员")
    return verified_login(client, user)


def test_agency_change_is_recorded(root, agency):
    data = {f: getattr(agency, f) for f in ("code", "region_code", "name", "document_name", "short_name",
                                            "brigade_name", "address", "phone", "supervision_phone")}
    data.update(name="测试县文化广电和旅游局（改）", merged_brigade="on", is_active="on", parent="")
    r = root.post(f"/platform-admin/org/agency/{agency.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    ev = Event.objects.get(action="platform.admin_changed")
    assert ev.agency == agency and "name" in ev.payload


def test_two_admin_roles_refused_on_the_field(root, make_user, agency):
    person = make_user(agency, roles=("sysadmin",))
    r = root.get(f"/platform-admin/org/user/{person.pk}/change/")
    assert r.status_code == 200
    groups = [Group.objects.get(name="sysadmin").pk, Group.objects.get(name="auditadmin").pk]
    data = {"username": person.username, "full_name": person.full_name, "agency": agency.pk,
            "groups": groups, "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
            "has_legal_qualification": ""}
    r = root.post(f"/platform-admin/org/user/{person.pk}/change/", data)
    assert r.status_code == 200
    assert "三员分立" in r.content.decode()
    assert set(person.groups.values_list("name", flat=True)) == {"sysadmin"}


@pytest.mark.parametrize("path", ["org/certificate", "org/training", "catalog/policyvalue", "records/event",
                                  "parties/party"])
def test_records_and_rules_are_read_only_there(root, path):
    assert root.get(f"/platform-admin/{path}/add/").status_code == 403
    assert root.get(f"/platform-admin/{path}/").status_code == 200
