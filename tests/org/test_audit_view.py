"""The audit log (审计管理员): read-only, scoped, filterable, paged by id; times in Asia/Shanghai."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from zhifa.records.models import Event
from zhifa.records.services import record

SHANGHAI = ZoneInfo("Asia/Shanghai")



@pytest.fixture
def auditor(make_user, agency):
    return make_user(agency, roles=("auditadmin",), full_name="审计员丙")


@pytest.fixture
def audit_client(client, verified_login, auditor):
    return verified_login(client, auditor)


def _ids(response):
    return [row["event"].id for row in response.context["rows"]]


@pytest.mark.parametrize("role", ["officer", "reviewer", "head", "clerk", "sysadmin", "secadmin"])
def test_only_the_audit_admin_sees_it(client, verified_login, make_user, agency, role):
    verified_login(client, make_user(agency, roles=(role,)))
    assert client.get(reverse("org:audit")).status_code == 403


def test_audit_admin_sees_own_agency_and_below_never_others(audit_client, agency, make_agency, make_user):
    child = make_agency("下级", parent=agency)
    sibling = make_agency("兄弟单位")
    parent_event = record("org.unit_saved", agency=agency, subject="unit:1", payload={"n": "own"})
    child_event = record("org.unit_saved", agency=child, subject="unit:2", payload={"n": "child"})
    other_event = record("org.unit_saved", agency=sibling, subject="unit:3", payload={"n": "secret-other"})
    orphan = record("auth.login_failed", subject="username:ghost", payload={"username": "ghost"})
    r = audit_client.get(reverse("org:audit"))
    assert r.status_code == 200
    ids = _ids(r)
    assert parent_event.id in ids and child_event.id in ids
    assert other_event.id not in ids and orphan.id not in ids
    assert "secret-other" not in r.content.decode()


def test_newest_first_with_chinese_labels_roles_and_shanghai_time(audit_client, agency, auditor, make_user):
    secadmin = make_user(agency, roles=("secadmin",), full_name="安全员丁")
    ev = record("auth.unlocked", actor=secadmin, agency=agency, subject="user:9", payload={"username": "zs"})
    r = audit_client.get(reverse("org:audit"))
    ids = _ids(r)
    assert ids == sorted(ids, reverse=True) and ids[0] == ev.id
    html = r.content.decode()
    assert "账户解锁" in html and "auth.unlocked" in html and "安全员丁" in html
    assert "安全管理员" in html  # the role, in Chinese
    local = ev.occurred_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    assert local in html
    assert "username" in html and "zs" in html  # the payload


def test_filter_by_action_prefix(audit_client, agency):
    a = record("auth.login", agency=agency, subject="user:1")
    o = record("org.roles_changed", agency=agency, subject="user:1")
    r = audit_client.get(reverse("org:audit"), {"action": "auth."})
    ids = _ids(r)
    assert a.id in ids and o.id not in ids
    assert all(row["event"].action.startswith("auth.") for row in r.context["rows"])
    r = audit_client.get(reverse("org:audit"), {"action": "org.roles_changed"})
    assert o.id in _ids(r) and a.id not in _ids(r)
    assert {row["event"].action for row in r.context["rows"]} == {"org.roles_changed"}
    r = audit_client.get(reverse("org:audit"), {"action": "'; DROP TABLE x"})
    assert r.status_code == 200 and "action" in r.context["form"].errors


def test_filter_by_actor(audit_client, agency, make_user):
    zhang = make_user(agency, full_name="张三", username="zhangsan")
    li = make_user(agency, full_name="李四", username="lisi")
    ez = record("auth.login", actor=zhang, subject=f"user:{zhang.pk}")
    el = record("auth.login", actor=li, subject=f"user:{li.pk}")
    assert _ids(audit_client.get(reverse("org:audit"), {"actor": "张"})) == [ez.id]
    assert _ids(audit_client.get(reverse("org:audit"), {"actor": "lisi"})) == [el.id]


def test_filter_by_date_range_in_shanghai_days(audit_client, agency):
    ev = record("auth.login", agency=agency, subject="user:1")
    day = ev.occurred_at.astimezone(SHANGHAI).date()
    url = reverse("org:audit")
    assert ev.id in _ids(audit_client.get(url, {"date_from": day, "date_to": day}))
    assert ev.id not in _ids(audit_client.get(url, {"date_from": day + timedelta(days=1)}))
    assert ev.id not in _ids(audit_client.get(url, {"date_to": day - timedelta(days=1)}))


def test_bad_filters_are_refused_on_their_field_not_a_500(audit_client, agency):
    record("auth.login", agency=agency, subject="user:1")
    r = audit_client.get(reverse("org:audit"), {"date_from": "2026-13-01"})
    assert r.status_code == 200 and "date_from" in r.context["form"].errors
    assert "请输入有效日期" in r.content.decode()
    r = audit_client.get(reverse("org:audit"), {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert r.context["form"].errors["date_to"] == ["截止日期不能早于起始日期。"]
    r = audit_client.get(reverse("org:audit"), {"before": "not-a-number"})
    assert r.status_code == 200


def test_keyset_pages_by_id(audit_client, agency):
    made = [record("org.unit_saved", agency=agency, subject=f"unit:{i}").id for i in range(55)]
    r = audit_client.get(reverse("org:audit"), {"action": "org.unit_saved"})
    first = _ids(r)
    assert len(first) == 50 and first[0] == made[-1]
    nxt = r.context["next_query"]
    assert f"before={first[-1]}" in nxt and "action=org.unit_saved" in nxt
    assert f"?{nxt}".replace("&", "&amp;") in r.content.decode()
    r = audit_client.get(f"{reverse('org:audit')}?{nxt}")
    second = _ids(r)
    assert second == sorted(made, reverse=True)[50:]
    assert r.context["next_query"] is None
    # a new event does not shift the older page: keyset, not offset
    record("org.unit_saved", agency=agency, subject="unit:new")
    assert _ids(audit_client.get(f"{reverse('org:audit')}?{nxt}")) == second


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_way_to_change_an_event(audit_client, agency, method):
    ev = record("auth.login", agency=agency, subject="user:1", payload={"x": 1})
    r = getattr(audit_client, method)(reverse("org:audit"), {"id": ev.id, "action": "tampered"})
    assert r.status_code == 405
    ev2 = Event.objects.get(pk=ev.id)
    assert (ev2.action, ev2.payload, ev2.hash) == (ev.action, ev.payload, ev.hash)


def test_page_has_no_edit_or_delete_controls(audit_client, agency):
    record("auth.login", agency=agency, subject="user:1")
    html = audit_client.get(reverse("org:audit")).content.decode()
    # the only posting forms are the shell's: sign out and language
    assert html.count('method="post"') == 2
    assert "/edit/" not in html and "删除</" not in html and "编辑</" not in html


def test_filtered_view_of_todays_events(audit_client, agency):
    today = date.today().isoformat()
    r = audit_client.get(reverse("org:audit"), {"action": "auth.", "date_from": today})
    assert r.status_code == 200


def test_every_recorded_action_has_a_label():
    """Each `record("…")` in the code shows a Chinese name in the audit log, not a bare code."""
    import re
    from pathlib import Path

    from zhifa.org.views.audit import ACTION_LABELS

    src = Path(__file__).resolve().parents[2] / "src" / "zhifa"
    found = set()
    for path in src.rglob("*.py"):
        found |= set(re.findall(r'record\(\s*f?"([a-z_]+\.[a-z_{}]+)"', path.read_text(encoding="utf-8")))
    found = {a for a in found if "{" not in a} | {f"platform.admin_{x}" for x in ("added", "changed", "deleted")}
    assert found - set(ACTION_LABELS) == set()
