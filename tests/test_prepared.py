"""Compiled-once queries (``zhifa.prepared``): every prepared query of the code base gives what its ORM queryset
gives, on the database the tests run on (SQLite and PostgreSQL), for every case, agency and person of the demo; and
the helper refuses what it cannot do instead of answering wrongly."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Model

from zhifa import prepared
from zhifa.api import tokens
from zhifa.cases.models import Case, CaseHandler, Notification
from zhifa.org.models import Agency, User

# importing the modules registers their prepared queries
from zhifa.cases import facts  # noqa: F401  isort: skip
from zhifa.cases.views import common

from zhifa.org import backends, services, sessions  # noqa: F401  isort: skip
from zhifa.web import context

pytestmark = pytest.mark.django_db


def _plain(value, depth: int = 0):
    """A model instance as its column values and the related objects read with it (select_related)."""
    if not isinstance(value, Model):
        return value
    out = {f.attname: getattr(value, f.attname) for f in value._meta.concrete_fields}
    if depth < 3:
        for name, rel in sorted(value._state.fields_cache.items()):
            out[name] = _plain(rel, depth + 1)
    return out


def _key(row):
    return repr(row)


def _same(query: prepared.Prepared, *values) -> None:
    got = [_plain(r) for r in query(*values)]
    want = [_plain(r) for r in query.build(*values)]
    assert sorted(got, key=_key) == sorted(want, key=_key), f"{query.name}{values}"


def test_every_prepared_query_equals_its_queryset(domains):
    call_command("load_demo", stdout=io.StringIO())
    cases = list(Case.objects.values_list("pk", flat=True))
    agencies = list(Agency.objects.values_list("pk", flat=True))
    people = list(User.objects.values_list("pk", flat=True))
    assert len(cases) > 20 and len(people) > 10
    someone = User.objects.filter(username="zhifa01").get()
    Notification.objects.create(recipient=someone, case=Case.objects.first(), kind=Notification.Kind.choices[0][0],
                                message="期限将至")
    context._unread_query()  # registered on first use
    secret = tokens.issue(someone)[1]
    store = sessions.SessionStore()
    store["who"] = someone.pk
    store.create()
    session_keys = [store.session_key, "no-such-session-key"]
    # the values each query is asked with, by its name's prefix (the first that matches): one tuple of arguments each
    handled = list(CaseHandler.objects.filter(removed_on__isnull=True).values_list("user_id", "case_agency_id",
                                                                                     "case_state").distinct())
    page = common.ROWS_AT_ONCE
    arguments = {
        "case.handled_count_in_state": handled + [(u, a, "no such state") for u, a, _s in handled[:3]],
        "case.handled_count": [(u, a) for u, a, _s in handled] + [(u, a + 1000) for u, a, _s in handled[:3]],
        "case.list_": [tuple((cases[i:i + page] + [0] * page)[:page]) for i in range(0, len(cases), page)]
        + [tuple(cases[-3:] + [0] * (page - 3))],
        "case.": cases, "qualification.agency.": agencies, "qualification.everyone.": [0],
        "qualification.person.": people, "org.agency_subtree": agencies, "org.session_user": people,
        "org.session": session_keys, "org.": people, "web.": people,
        "api.live_token": [tokens.digest(secret), tokens.digest("no such secret")]}
    checked, nonempty = set(), set()
    for name, query in prepared.REGISTRY.items():
        if name.startswith("test."):
            continue
        prefix = next((p for p in arguments if name.startswith(p)), None)
        assert prefix is not None, f"{name}: no demo values to check it with — add them here"
        for value in arguments[prefix]:
            values = value if isinstance(value, tuple) else (value,)
            _same(query, *values)
            if query(*values):
                nonempty.add(name)
        checked.add(name)
    assert {"case.page", "case.steps", "case.handlers", "qualification.agency.certificates",
            "qualification.agency.trainings", "org.roles", "org.session_user", "org.agency_subtree",
            "web.unread_notifications", "api.live_token", "case.handled_count", "case.handled_count_in_state",
            "case.list_rows", "case.list_clocks", "org.session"} <= checked
    # every query found rows for some demo value: the comparison compared something
    assert nonempty == checked, checked - nonempty


# --- the helper's own rules (a small table: agencies) ----------------------------------------------------

BY_PARENT = prepared.Prepared("test.by_parent", lambda p: Agency.objects.filter(parent_id=p).order_by("id"), int)
BY_CODE = prepared.Prepared("test.by_code", lambda c: Agency.objects.filter(code=c).select_related("parent")
                            .order_by(), str)
NAMES = prepared.Prepared("test.names", lambda p: Agency.objects.filter(parent_id=p).order_by("id")
                          .values_list("id", "name"), int)
FLAT = prepared.Prepared("test.flat", lambda p: Agency.objects.filter(parent_id=p).order_by("id")
                         .values_list("name", flat=True), int)


def test_prepared_runs_with_new_values(make_agency):
    top = make_agency("上级局")
    a = make_agency("甲县局", parent=top)
    b = make_agency("乙县局", parent=top)
    other = make_agency("另一个局")
    assert [x.pk for x in BY_PARENT(top.pk)] == [a.pk, b.pk]
    assert BY_PARENT(other.pk) == []
    assert NAMES(top.pk) == [(a.pk, "甲县局"), (b.pk, "乙县局")]
    assert FLAT(top.pk) == ["甲县局", "乙县局"]
    found = BY_CODE(a.code)
    assert [x.pk for x in found] == [a.pk]
    assert found[0].parent.name == "上级局"  # read with the row (select_related): no further query
    assert BY_CODE("no such code") == []
    for query in (BY_PARENT, BY_CODE, NAMES, FLAT):
        _same(query, top.pk if query is not BY_CODE else a.code)


def test_attach_sets_the_known_related_object(make_agency):
    top = make_agency("上级局")
    make_agency("甲县局", parent=top)
    rows = BY_PARENT(top.pk, attach={"parent": top})
    assert rows[0].parent is top


def test_together_gives_what_each_call_gives(make_agency):
    """Several queries at once (one pipeline on PostgreSQL): each result as its own call gives it, in order, also
    inside a transaction that has just written (the pipeline reads that transaction's rows)."""
    top = make_agency("上级局")
    a = make_agency("甲县局", parent=top)
    calls = [(BY_PARENT, (top.pk,), {"parent": top}), (NAMES, (top.pk,), None), (FLAT, (a.pk,), None),
             (BY_CODE, (a.code,), None), (BY_PARENT, (a.pk,), None)]
    got = prepared.together(*calls)
    assert [[x.pk for x in got[0]], got[1], got[2], [x.pk for x in got[3]], got[4]] == \
        [[a.pk], [(a.pk, "甲县局")], [], [a.pk], []]
    assert got[0][0].parent is top and got[3][0].parent.name == "上级局"
    with transaction.atomic():
        b = make_agency("乙县局", parent=top)
        got = prepared.together(*calls)
        assert [x.pk for x in got[0]] == [a.pk, b.pk] and got[1] == NAMES(top.pk)
    assert prepared.together((FLAT, (top.pk,), None)) == [["甲县局", "乙县局"]]
    assert prepared.together() == []
    with pytest.raises(TypeError, match="1 parameters, 2 given"):
        prepared.together((FLAT, (top.pk,), None), (BY_PARENT, (1, 2), None))


def test_what_cannot_be_prepared_is_refused(make_agency):
    make_agency()
    with pytest.raises(ValueError, match="do not reach the SQL"):  # a parameter the query ignores
        prepared.Prepared("test.unused", lambda p: Agency.objects.all(), int)(1)
    with pytest.raises(ValueError, match="only model instances"):
        prepared.Prepared("test.values", lambda p: Agency.objects.filter(pk=p).values("id"), int)(1)
    with pytest.raises(TypeError, match="only int and str"):
        prepared.Prepared("test.date", lambda p: Agency.objects.filter(pk=p), float)(1.0)
    with pytest.raises(TypeError, match="1 parameters, 2 given"):
        BY_PARENT(1, 2)
    with pytest.raises(ValueError, match="exists"):
        prepared.Prepared("test.by_parent", lambda p: Agency.objects.filter(pk=p), int)
