"""加处罚款 (《行政处罚法》第七十二条第一款第一项、第七十三条第三款; 《行政强制法》第四十五条、第四十六条).

2026 National Day (国办发明电, as carried by chinese_calendar 1.11.0): 10-01…10-07 off; 09-20 (Sun) and
10-10 (Sat) worked. The 15-day payment period (Art 67) is counted in calendar days and its last day rolls
off a rest day (``clocks.due("payment", …)``); the surcharge then runs every calendar day from the next day.

Each row names the article that decides it; that article must be among the citations the answer carries.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.law.calendar import WorkCalendar
from zhifa.law.clocks import due
from zhifa.law.errors import RuleViolation
from zhifa.law.surcharge import (
    DAYS_TO_CAP,
    counted_day,
    enforcement_allowed_from,
    late_payment_surcharge,
    merge_pauses,
)

CAL = WorkCalendar.from_chinese_calendar()
D = Decimal
LAST = date(2026, 10, 8)  # the payment period's last day for a decision received on 2026-09-20 (see below)


def cited(result, article: str) -> bool:
    return any(article in str(c) for c in result.basis)


def test_days_to_cap_is_ceil_100_over_3() -> None:
    """Art 72(1): 3% a day, capped at 100%: 33 days give 99%, the 34th day reaches the cap."""
    assert DAYS_TO_CAP == 34


def test_one_fen_fine_rounds_to_the_fine_before_the_cap() -> None:
    """Rounding edge (documented): 33 × 3% × 0.01 = 0.0099 rounds to 0.01 yuan, not yet "capped" by days."""
    result = late_payment_surcharge(D("0.01"), LAST, LAST + timedelta(days=33))
    assert (result.amount, result.capped) == (D("0.01"), False)


# --- National Day: the payment clock, then the surcharge -------------------------------------------------

NATIONAL_DAY = [
    # (article, decision received on, last day to pay, as of, counted days, amount)
    pytest.param("第六十七条", date(2026, 9, 20), date(2026, 10, 8), date(2026, 10, 8), 0, D("0.00"),
                 id="Art67-received-0920-day15-is-1005-holiday-rolls-to-1008-nothing-yet"),
    pytest.param("第七十二条", date(2026, 9, 20), date(2026, 10, 8), date(2026, 10, 9), 1, D("60.00"),
                 id="Art72-received-0920-first-surcharge-day-1009"),
    pytest.param("第七十二条", date(2026, 9, 20), date(2026, 10, 8), date(2026, 10, 10), 2, D("120.00"),
                 id="Art72-received-0920-worked-saturday-1010-counts-like-any-day"),
    pytest.param("第七十二条", date(2026, 9, 28), date(2026, 10, 13), date(2026, 10, 20), 7, D("420.00"),
                 id="Art72-received-0928-day15-1013-tuesday-no-roll"),
    pytest.param("第七十二条", date(2026, 9, 16), date(2026, 10, 8), date(2026, 10, 9), 1, D("60.00"),
                 id="Art72-received-0916-day15-1001-holiday-rolls-to-1008"),
]


@pytest.mark.parametrize(("article", "received", "last_day", "as_of", "days", "amount"), NATIONAL_DAY)
def test_surcharge_after_national_day(article: str, received: date, last_day: date, as_of: date, days: int,
                                      amount: Decimal) -> None:
    payment = due("payment", received, CAL)
    assert payment.date == last_day and payment.warnings == ()
    assert any("第六十七条" in str(c) for c in payment.basis)
    result = late_payment_surcharge(D(2000), payment.date, as_of)
    assert (result.days, result.amount) == (days, amount)
    assert result.accrues_from == last_day + timedelta(days=1)
    assert cited(result, article) or cited(payment, article)


def test_rolled_last_day_saves_the_party_four_days() -> None:
    """Art 67 + 民诉法 Art 85: without the roll (day 15 = 10-05, a holiday) 4 days would already have accrued."""
    naive = late_payment_surcharge(D(2000), date(2026, 10, 5), date(2026, 10, 9))
    rolled = late_payment_surcharge(D(2000), due("payment", date(2026, 9, 20), CAL).date, date(2026, 10, 9))
    assert (naive.days, rolled.days) == (4, 1)


# --- The amount ----------------------------------------------------------------------------------------

ROWS = [
    # (article, fine, last day, as of, pauses, days, amount, capped)
    pytest.param("第七十二条", D(1000), LAST, LAST, (), 0, D("0.00"), False, id="Art72-on-last-day-nothing"),
    pytest.param("第七十二条", D(1000), LAST, date(2026, 10, 9), (), 1, D("30.00"), False, id="Art72-day-1"),
    pytest.param("第七十二条", D(1000), LAST, LAST + timedelta(days=33), (), 33, D("990.00"), False,
                 id="Art72-day-33-99pct"),
    pytest.param("第四十五条", D(1000), LAST, LAST + timedelta(days=34), (), 34, D("1000.00"), True,
                 id="Art72-QZF45-day-34-capped"),
    pytest.param("第四十五条", D(1000), LAST, LAST + timedelta(days=400), (), 400, D("1000.00"), True,
                 id="Art72-QZF45-long-overdue-still-capped"),
    pytest.param("第七十二条", D("1.50"), LAST, date(2026, 10, 9), (), 1, D("0.05"), False,
                 id="Art72-rounding-0.045-half-up"),
    pytest.param("第七十二条", D("333.33"), LAST, date(2026, 10, 9), (), 1, D("10.00"), False,
                 id="Art72-rounding-9.9999"),
    pytest.param("第七十二条", D("0.01"), LAST, date(2026, 10, 9), (), 1, D("0.00"), False,
                 id="Art72-one-fen-rounds-to-zero"),
    pytest.param("第七十三条第三款", D(1000), LAST, date(2026, 10, 31), ((date(2026, 10, 10), date(2026, 10, 19)),),
                 13, D("390.00"), False, id="Art73(3)-reconsideration-10-days-not-counted"),
    pytest.param("第七十二条", D(1000), LAST, date(2026, 10, 18), ((date(2026, 9, 1), date(2026, 9, 30)),),
                 10, D("300.00"), False, id="Art73(3)-pause-before-due-irrelevant"),
    pytest.param("第七十三条第三款", D(1000), LAST, date(2026, 10, 31),
                 ((date(2026, 10, 15), date(2026, 10, 20)), (date(2026, 10, 10), date(2026, 10, 16))),
                 12, D("360.00"), False, id="Art73(3)-overlapping-unordered-pauses-merged"),
    pytest.param("第七十三条第三款", D(1000), LAST, date(2026, 10, 20), ((date(2026, 10, 15), date(2027, 3, 1)),),
                 6, D("180.00"), False, id="Art73(3)-litigation-still-running-on-as-of"),
    pytest.param("第七十三条第三款", D(1000), LAST, date(2026, 11, 30),
                 ((date(2026, 10, 9), date(2026, 10, 18)), (date(2026, 11, 1), date(2026, 11, 5))),
                 38, D("1000.00"), True, id="Art73(3)-QZF45-cap-after-two-pauses"),
]


@pytest.mark.parametrize(("article", "fine", "last_day", "as_of", "pauses", "days", "amount", "capped"), ROWS)
def test_surcharge(article: str, fine: Decimal, last_day: date, as_of: date, pauses: tuple, days: int,
                   amount: Decimal, capped: bool) -> None:
    result = late_payment_surcharge(fine, last_day, as_of, pauses)
    assert (result.days, result.amount, result.capped) == (days, amount, capped)
    assert cited(result, article)
    assert cited(result, "第七十二条第一款第一项")
    out = result.to_json()
    assert out["result"] == str(amount) and out["basis"] and out["steps"]


def test_cap_reached_on_counts_only_counted_days() -> None:
    """Art 72(1) + Art 73(3): the 34th counted day, skipping a 10-day reconsideration."""
    plain = late_payment_surcharge(D(1000), LAST, date(2026, 12, 31))
    assert plain.cap_reached_on == LAST + timedelta(days=34)
    paused = late_payment_surcharge(D(1000), LAST, date(2026, 12, 31), [(date(2026, 10, 9), date(2026, 10, 18))])
    assert paused.cap_reached_on == LAST + timedelta(days=44)
    assert late_payment_surcharge(D(1000), LAST, LAST + timedelta(days=33)).cap_reached_on is None


BAD = [
    # (fine, last day, as of, pauses, code, field); the id names the article
    pytest.param(D(-1), LAST, LAST, (), "fine_invalid", "fine", id="Art72-negative-fine"),
    pytest.param(D(0), LAST, LAST, (), "fine_invalid", "fine", id="Art72-zero-fine"),
    pytest.param(D("10.005"), LAST, LAST, (), "fine_invalid", "fine", id="Art72-sub-fen-fine"),
    pytest.param(1.5, LAST, LAST, (), "fine_invalid", "fine", id="Art72-float-fine"),
    pytest.param(D(100), LAST, LAST - timedelta(days=1), (), "as_of_before_due", "as_of", id="Art67-as-of-before-due"),
    pytest.param(D(100), LAST, LAST, ((date(2026, 10, 20), date(2026, 10, 10)),), "pause_order", "pauses",
                 id="Art73(3)-pause-ends-before-it-starts"),
    pytest.param(D(100), LAST, LAST, ((date(2026, 10, 20),),), "pause_invalid", "pauses", id="Art73(3)-pause-shape"),
    pytest.param(D(100), LAST, LAST, (("2026-10-01", "2026-10-02"),), "pause_invalid", "pauses",
                 id="Art73(3)-pause-not-dates"),
]


@pytest.mark.parametrize(("fine", "last_day", "as_of", "pauses", "code", "field"), BAD)
def test_surcharge_refuses_bad_input(fine, last_day: date, as_of: date, pauses: tuple, code: str, field: str) -> None:
    with pytest.raises(RuleViolation) as info:
        late_payment_surcharge(fine, last_day, as_of, pauses)
    assert (info.value.code, info.value.field) == (code, field)
    assert field in info.value.message and info.value.basis


# --- 行政强制法第四十六条: enforcement -------------------------------------------------------------------

ENFORCEMENT = [
    # (article, pauses, reminder served, reminder deadline, surcharge condition from, allowed from)
    pytest.param("第四十六条", (), date(2026, 11, 1), date(2026, 11, 11), date(2026, 11, 8), date(2026, 11, 12),
                 id="QZF46-reminder-deadline-later"),
    pytest.param("第四十六条", (), date(2026, 10, 15), date(2026, 10, 25), date(2026, 11, 8), date(2026, 11, 8),
                 id="QZF46-early-reminder-31st-day-decides"),
    pytest.param("第三十五条", (), None, None, date(2026, 11, 8), None, id="QZF35-no-reminder-yet"),
    pytest.param("第七十三条第三款", ((date(2026, 10, 20), date(2026, 10, 29)),), date(2026, 11, 1),
                 date(2026, 11, 11), date(2026, 11, 18), date(2026, 11, 18), id="QZF46-Art73(3)-pause-shifts-31st-day"),
]


@pytest.mark.parametrize(("article", "pauses", "served", "deadline", "condition", "allowed"), ENFORCEMENT)
def test_enforcement_allowed_from(article: str, pauses: tuple, served: date | None, deadline: date | None,
                                  condition: date, allowed: date | None) -> None:
    result = enforcement_allowed_from(LAST, pauses, reminder_served=served, reminder_deadline=deadline)
    assert (result.surcharge_condition_from, result.allowed_from) == (condition, allowed)
    assert cited(result, article) and cited(result, "第四十六条")
    # the condition day is the first on which more than 30 days of surcharge have been counted
    assert late_payment_surcharge(D(100), LAST, condition, pauses).days == 31
    assert late_payment_surcharge(D(100), LAST, condition - timedelta(days=1), pauses).days <= 30
    assert result.to_json()["result"] == (allowed.isoformat() if allowed else None)


ENFORCEMENT_BAD = [
    pytest.param(None, date(2026, 11, 11), "reminder_served_missing", "reminder_served",
                 id="QZF35-deadline-no-service"),
    pytest.param(date(2026, 11, 1), None, "reminder_deadline_missing", "reminder_deadline", id="QZF35-no-deadline"),
    pytest.param(date(2026, 11, 11), date(2026, 11, 1), "reminder_deadline_order", "reminder_deadline",
                 id="QZF35-deadline-before-service"),
]


@pytest.mark.parametrize(("served", "deadline", "code", "field"), ENFORCEMENT_BAD)
def test_enforcement_refuses_bad_reminder(served, deadline, code: str, field: str) -> None:
    with pytest.raises(RuleViolation) as info:
        enforcement_allowed_from(LAST, reminder_served=served, reminder_deadline=deadline)
    assert (info.value.code, info.value.field) == (code, field)
    assert any("第三十五条" in str(c) for c in info.value.basis)


# --- Properties --------------------------------------------------------------------------------------

fines = st.decimals(min_value=D("0.01"), max_value=D(10_000_000), places=2)
days = st.integers(min_value=0, max_value=120)
pause_lists = st.lists(
    st.tuples(st.integers(min_value=-20, max_value=120), st.integers(min_value=0, max_value=40)), max_size=4
).map(lambda items: [(LAST + timedelta(days=s), LAST + timedelta(days=s + n)) for s, n in items])


@given(fines, days, pause_lists)
def test_amount_is_exact_and_within_the_fine(fine: Decimal, n: int, pauses: list) -> None:
    """Art 72(1), QZF Art 45: 0 ≤ amount ≤ fine; amount = min(days × 3% × fine, fine) rounded once to the 分."""
    result = late_payment_surcharge(fine, LAST, LAST + timedelta(days=n), pauses)
    assert D(0) <= result.amount <= fine
    assert result.amount == min(fine * D("0.03") * result.days, fine).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert result.days + result.paused_days == n
    assert result.capped is (result.days >= DAYS_TO_CAP)
    assert (result.cap_reached_on is not None) is result.capped


@given(fines, days, days, pause_lists)
def test_monotone_in_as_of(fine: Decimal, a: int, b: int, pauses: list) -> None:
    early, late = sorted((a, b))
    first = late_payment_surcharge(fine, LAST, LAST + timedelta(days=early), pauses)
    second = late_payment_surcharge(fine, LAST, LAST + timedelta(days=late), pauses)
    assert first.days <= second.days and first.amount <= second.amount


@given(fines, days, pause_lists)
def test_pauses_never_increase_it(fine: Decimal, n: int, pauses: list) -> None:
    """Art 73(3): a 复议/诉讼 period can only take days away."""
    as_of = LAST + timedelta(days=n)
    assert late_payment_surcharge(fine, LAST, as_of, pauses).amount <= late_payment_surcharge(fine, LAST, as_of).amount


@given(fines, st.integers(min_value=0, max_value=400))
def test_cap_reached_on_day_34_without_pauses(fine: Decimal, n: int) -> None:
    result = late_payment_surcharge(fine, LAST, LAST + timedelta(days=n))
    assert result.capped is (n >= 34)
    if result.capped:
        assert result.cap_reached_on == LAST + timedelta(days=34) and result.amount == fine
    else:
        # below the cap the exact amount is under the fine (rounding may still reach it: 0.0099 → 0.01)
        assert result.cap_reached_on is None and fine * D("0.03") * n < fine


@given(pause_lists)
def test_merge_pauses_is_order_independent_and_disjoint(pauses: list) -> None:
    merged = merge_pauses(pauses)
    assert merged == merge_pauses(reversed(pauses)) == merge_pauses(merged)
    for (_, end), (start, _) in pairwise(merged):
        assert start > end + timedelta(days=1)
    covered = {s + timedelta(days=i) for s, e in pauses for i in range((e - s).days + 1)}
    assert covered == {s + timedelta(days=i) for s, e in merged for i in range((e - s).days + 1)}


@given(st.integers(min_value=1, max_value=100), pause_lists)
def test_counted_day_is_the_nth_counted_day(n: int, pauses: list) -> None:
    merged = merge_pauses(pauses)
    day = counted_day(LAST + timedelta(days=1), n, merged)
    assert late_payment_surcharge(D(100), LAST, day, merged).days == n
    assert late_payment_surcharge(D(100), LAST, day - timedelta(days=1), merged).days == n - 1
