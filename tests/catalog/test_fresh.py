"""``catalog.fresh``: the reference tables' fingerprints are read once per request, and a write drops them."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhifa.catalog import fresh
from zhifa.catalog.calendar import work_calendar
from zhifa.catalog.models import CalendarDay, PolicyValue
from zhifa.catalog.policies import value_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_request():
    fresh._start()  # what request_started does
    yield
    fresh._finish()


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_one_query_for_every_fingerprint_in_a_request(domains, in_request):
    value_of("case.statement_days")
    work_calendar()
    assert _queries(lambda: (value_of("case.statement_days"), work_calendar(), fresh.fingerprint("qualification"))) == 0


def test_outside_a_request_every_use_checks(domains):
    value_of("case.statement_days")
    assert _queries(lambda: value_of("case.statement_days")) == 1


def test_a_write_in_the_request_is_seen_at_once(domains, agency, in_request):
    assert value_of("case.statement_days", agency, date(2026, 3, 2)) != 9
    PolicyValue.objects.create(key="case.statement_days", agency=agency, value=9, effective_from=date(2026, 1, 1),
                               citation="测试")
    assert value_of("case.statement_days", agency, date(2026, 3, 2)) == 9
    day = date(2026, 3, 2)
    assert day not in work_calendar().holidays
    CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.HOLIDAY, name="测试")
    assert day in work_calendar().holidays


def test_the_memo_ends_with_the_request(domains, agency):
    fresh._start()
    value_of("case.statement_days")
    fresh._finish()
    PolicyValue.objects.filter(key="nothing").update(value=1)  # no signal, no change: still one check next time
    assert _queries(lambda: value_of("case.statement_days")) == 1
