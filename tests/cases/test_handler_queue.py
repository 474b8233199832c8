"""The handler rows' copies of their case's agency, state and urgency dates (``CaseHandler.case_*``), kept by
database triggers, and "我承办的" read from them: the same cases in the same order as from the cases themselves.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from zhifa.cases.models import Case, CaseHandler
from zhifa.cases.services import visible_cases
from zhifa.cases.views.common import ROWS_AT_ONCE, handled_page, page_by_urgency
from zhifa.law import procedure as proc
from zhifa.org.models import User

pytestmark = pytest.mark.django_db


def _mismatches() -> list:
    out = []
    for h in CaseHandler.objects.select_related("case"):
        copy = (h.case_agency_id, h.case_state, h.next_due, h.next_party_due)
        real = (h.case.agency_id, h.case.state, h.case.next_due, h.case.next_party_due)
        if copy != real:
            out.append((h.pk, copy, real))
    return out


@pytest.fixture
def demo(domains):
    call_command("load_demo", stdout=io.StringIO())


# Each way a case or a handler row changes; after each, every copy equals its case.
CHANGES = [
    ("a case's state and dates by QuerySet.update",
     lambda c: Case.objects.filter(pk=c.pk).update(state="suspended", next_due=date(2031, 1, 1), next_party_due=None)),
    ("a case saved whole", lambda c: (setattr(c, "next_party_due", date(2030, 5, 5)), c.save())),
    ("a handler added later", lambda c: CaseHandler.objects.create(
        case=c, user=User.objects.filter(username="zhifa12").get(), added_on=date(2026, 3, 2))),
    ("rows bulk-loaded handler first, then the case (as a bulk load may)", lambda c: _bulk(c)),
]


# The demo (31 cases walked through the case service) is loaded once per test: slow on PostgreSQL, so each test
# checks several things.
def test_every_write_keeps_the_copies(demo):
    assert CaseHandler.objects.count() > 50
    assert _mismatches() == [], "the demo's cases"
    for label, change in CHANGES:
        change(Case.objects.filter(state=proc.State.INVESTIGATING.value).first())
        assert _mismatches() == [], label


def _bulk(case):
    new_id = Case.objects.order_by("-id").values_list("id", flat=True).first() + 1000
    user = User.objects.filter(username="zhifa11").get()
    with connection.constraint_checks_disabled(), connection.cursor() as cur:
        cur.execute("INSERT INTO cases_casehandler (case_id, user_id, is_lead, conflict_declared, conflict_reason, "
                    "added_on, removal_reason, case_state) VALUES (%s, %s, %s, %s, '', %s, '', '')",
                    [new_id, user.pk, True, False, date(2026, 3, 2)])
    clone = Case.objects.get(pk=case.pk)
    clone.pk, clone.reference, clone.creation_key, clone.state = new_id, "", None, "investigating"
    clone.next_due = date(2029, 9, 9)
    clone.save(force_insert=True)


def test_my_cases_from_the_handler_rows_are_the_cases_themselves(demo, client, make_agency):
    """Every state filter and page size: the same cases in the same order as the query on the cases."""
    for username in ("zhifa01", "zhifa02", "zhifa05", "juzhang"):
        _same_pages(User.objects.get(username=username))
    for username in ("zhifa01", "zhifa03"):
        _same_api_pages(client, User.objects.get(username=username))
    # a handler row of a case in an agency the user no longer sees (moved, say) is not in their list
    user = User.objects.get(username="zhifa01")
    mine = handled_page(user, 1, 100).paginator.count
    other = make_agency("另一县文化广电和旅游局")
    Case.objects.filter(pk=CaseHandler.objects.filter(user=user).values("case_id")[:1]).update(agency=other)
    assert handled_page(user, 1, 100).paginator.count == mine - 1


def _same_pages(user):
    handled = visible_cases(user).filter(pk__in=CaseHandler.objects.filter(user=user, removed_on__isnull=True)
                                         .values("case_id"))
    for state in ["", *(s.value for s in proc.State)]:
        qs = handled.filter(state=state) if state else handled
        for per_page in (3, 25):
            for number in (1, 2):
                fast, slow = handled_page(user, number, per_page, state=state), page_by_urgency(qs, number, per_page)
                assert [c.pk for c in fast] == [c.pk for c in slow], (state, per_page, number)
                assert fast.paginator.count == slow.paginator.count
                assert [sorted(k.pk for k in c.running_clocks) for c in fast] == \
                    [sorted(k.pk for k in c.running_clocks) for c in slow]
    # a page longer than the compiled page reads (views.common.ROWS_AT_ONCE) is read by the ORM: the same rows
    everything = visible_cases(user)
    assert everything.count() > ROWS_AT_ONCE
    long_page = page_by_urgency(everything, 1, ROWS_AT_ONCE + 10)
    short_pages = [*page_by_urgency(everything, 1, ROWS_AT_ONCE), *page_by_urgency(everything, 2, ROWS_AT_ONCE)]
    assert [c.pk for c in long_page] == [c.pk for c in short_pages][:ROWS_AT_ONCE + 10]
    assert [sorted(k.pk for k in c.running_clocks) for c in long_page] == \
        [sorted(k.pk for k in c.running_clocks) for c in short_pages][:ROWS_AT_ONCE + 10]


def _same_api_pages(client, user):
    """``GET /api/v1/cases?mine=1`` (and a state filter), page by page through the cursor: newest first, the same
    cases as the query on the cases."""
    from zhifa.api import tokens

    secret = tokens.issue(user)[1]
    handled = visible_cases(user).filter(pk__in=CaseHandler.objects.filter(user=user, removed_on__isnull=True)
                                         .values("case_id"))
    for state in ("", "investigating,closed"):
        expected = list((handled.filter(state__in=state.split(",")) if state else handled)
                        .order_by("-pk").values_list("pk", flat=True))
        got, after = [], None
        while True:
            params = {"mine": "1", "limit": "2", **({"state": state} if state else {}),
                      **({"after": after} if after else {})}
            body = client.get("/api/v1/cases", params, headers={"Authorization": f"Token {secret}"}).json()
            got += [r["id"] for r in body["results"]]
            after = body["next"]
            if not after:
                break
        assert got == expected and got, state
