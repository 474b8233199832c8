"""The holiday calendar and the day-counting rules (行政处罚法 Art 85; 民事诉讼法 Art 85; law.md §1.15, §4).

Dates are checked against the 国务院办公厅 2026 holiday notice as carried by ``chinese_calendar`` 1.11.0:
National Day and Mid-Autumn 09-25…09-27 and 10-01…10-07 off, 09-20 (Sun) and 10-10 (Sat) worked;
Spring Festival 02-15…02-23 off, 02-14 (Sat) and 02-28 (Sat) worked.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.law.calendar import Due, MissingYearError, WorkCalendar, add_months

CAL = WorkCalendar.from_chinese_calendar()

# --- is_working_day ----------------------------------------------------------------------------
WORKING_DAY = [
    # (basis, date, working?)
    ("国办发明电 2026 国庆节: 10月1日至7日放假", date(2026, 10, 1), False),
    ("国办发明电 2026 国庆节: 10月1日至7日放假 (Mon)", date(2026, 10, 5), False),
    ("国办发明电 2026 国庆节: 10月1日至7日放假 (Wed)", date(2026, 10, 7), False),
    ("国办发明电 2026 国庆节: 10月10日（周六）上班", date(2026, 10, 10), True),
    ("国办发明电 2026 国庆节: 9月20日（周日）上班", date(2026, 9, 20), True),
    ("09-28 is an ordinary Monday after 中秋节 09-25…27", date(2026, 9, 28), True),
    ("国办发明电 2026 中秋节: 9月25日（周五）放假", date(2026, 9, 25), False),
    ("ordinary Sunday after the holiday", date(2026, 10, 11), False),
    ("国办发明电 2026 春节: 2月14日（周六）上班", date(2026, 2, 14), True),
    ("国办发明电 2026 春节: 2月15日至23日放假", date(2026, 2, 15), False),
    ("国办发明电 2026 春节: 2月15日至23日放假 (Mon)", date(2026, 2, 16), False),
    ("国办发明电 2026 春节: 2月15日至23日放假 (last day, Mon)", date(2026, 2, 23), False),
    ("国办发明电 2026 春节: 2月24日 first working day after", date(2026, 2, 24), True),
    ("国办发明电 2026 春节: 2月28日（周六）上班", date(2026, 2, 28), True),
    ("国办发明电 2026 元旦: 1月1日至3日放假", date(2026, 1, 2), False),
    ("国办发明电 2026 元旦: 1月4日（周日）上班", date(2026, 1, 4), True),
]


@pytest.mark.parametrize(("basis", "day", "working"), WORKING_DAY, ids=[r[0] for r in WORKING_DAY])
def test_is_working_day(basis: str, day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working, basis


def test_2026_national_day_data_as_seeded() -> None:
    """The package's 2026 data: seven days off, two weekend days worked; 09-28 is not an adjusted day."""
    off = {date(2026, 10, 1) + timedelta(days=i) for i in range(7)}
    assert off <= CAL.holidays
    assert {date(2026, 9, 20), date(2026, 10, 10)} <= CAL.workdays
    assert date(2026, 9, 28).weekday() == 0 and date(2026, 9, 28) not in CAL.workdays | CAL.holidays
    assert date(2026, 10, 10).weekday() == 5 and date(2026, 9, 20).weekday() == 6


# --- add_working_days / add_calendar_days / working_days_between ---------------------------------
ADD_WORKING = [
    # (basis, start, n, expected)
    ("行政处罚法 Art 85 + 民诉法 Art 85: start day not counted", date(2026, 9, 28), 1, date(2026, 9, 29)),
    ("行政处罚法 Art 85: 10-01…10-07 skipped", date(2026, 9, 30), 1, date(2026, 10, 8)),
    ("行政处罚法 Art 85: 调休 Saturday 10-10 counts", date(2026, 9, 28), 5, date(2026, 10, 10)),
    ("行政处罚法 Art 85: 七日 across National Day", date(2026, 9, 28), 7, date(2026, 10, 13)),
    ("行政处罚法 Art 85: start on a holiday", date(2026, 10, 3), 1, date(2026, 10, 8)),
    ("行政处罚法 Art 85: 调休 Sunday 09-20 counts", date(2026, 9, 18), 1, date(2026, 9, 20)),
    ("行政处罚法 Art 85: 调休 Saturday 02-14 counts", date(2026, 2, 13), 1, date(2026, 2, 14)),
    ("行政处罚法 Art 85: 02-15…02-23 skipped", date(2026, 2, 13), 2, date(2026, 2, 24)),
    ("行政处罚法 Art 85: across Spring Festival incl. 调休 02-28", date(2026, 2, 13), 6, date(2026, 2, 28)),
    ("n=0 is the start day", date(2026, 10, 3), 0, date(2026, 10, 3)),
]


@pytest.mark.parametrize(("basis", "start", "n", "expected"), ADD_WORKING, ids=[r[0] for r in ADD_WORKING])
def test_add_working_days(basis: str, start: date, n: int, expected: date) -> None:
    result = CAL.add_working_days(start, n)
    assert result == Due(expected, (), result.basis), basis
    assert any(c.source == "《中华人民共和国行政处罚法》" and c.article == "第八十五条" for c in result.basis)


ADD_CALENDAR = [
    # (basis, start, n, roll_forward, expected)
    ("民诉法 Art 85: start day not counted", date(2026, 9, 1), 15, True, date(2026, 9, 16)),
    ("民诉法 Art 85: last day 10-01 rolls to 10-08", date(2026, 9, 16), 15, True, date(2026, 10, 8)),
    ("民诉法 Art 85: last day 10-05 (holiday Monday) rolls to 10-08", date(2026, 9, 20), 15, True, date(2026, 10, 8)),
    ("no roll: the agency's own period keeps 10-01", date(2026, 9, 16), 15, False, date(2026, 10, 1)),
    ("民诉法 Art 85: last day 10-11 (Sunday) rolls to 10-12", date(2026, 9, 26), 15, True, date(2026, 10, 12)),
    ("民诉法 Art 85: 调休 Saturday 10-10 is a working day, no roll", date(2026, 9, 25), 15, True, date(2026, 10, 10)),
    ("民诉法 Art 85: Spring Festival 02-15 rolls to 02-24", date(2026, 2, 5), 10, True, date(2026, 2, 24)),
]


@pytest.mark.parametrize(
    ("basis", "start", "n", "roll", "expected"), ADD_CALENDAR, ids=[r[0] for r in ADD_CALENDAR]
)
def test_add_calendar_days(basis: str, start: date, n: int, roll: bool, expected: date) -> None:
    result = CAL.add_calendar_days(start, n, roll_forward=roll)
    assert result.date == expected, basis
    assert result.warnings == ()


BETWEEN = [
    # (basis, a, b, working days in (a, b])
    ("行政处罚法 Art 85: only 10-08 between", date(2026, 9, 30), date(2026, 10, 8), 1),
    ("行政处罚法 Art 85: whole holiday, none", date(2026, 9, 30), date(2026, 10, 7), 0),
    ("行政处罚法 Art 85: 09-20 Sun worked counts", date(2026, 9, 18), date(2026, 9, 21), 2),
    ("b <= a gives 0", date(2026, 10, 8), date(2026, 9, 30), 0),
]


@pytest.mark.parametrize(("basis", "a", "b", "expected"), BETWEEN, ids=[r[0] for r in BETWEEN])
def test_working_days_between(basis: str, a: date, b: date, expected: int) -> None:
    assert CAL.working_days_between(a, b).days == expected, basis


MONTHS = [
    # (basis, start, months, expected)
    ("民法典 Art 202: corresponding day", date(2026, 4, 15), 6, date(2026, 10, 15)),
    ("民法典 Art 202: no corresponding day → month end", date(2026, 3, 31), 6, date(2026, 9, 30)),
    ("民法典 Art 202: 02-29 + 2 years → 02-28", date(2024, 2, 29), 24, date(2026, 2, 28)),
    ("民法典 Art 202: across a year end", date(2026, 11, 30), 3, date(2027, 2, 28)),
]


@pytest.mark.parametrize(("basis", "start", "months", "expected"), MONTHS, ids=[r[0] for r in MONTHS])
def test_add_months(basis: str, start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected, basis


# --- a year without data is loud --------------------------------------------------------------
def test_missing_year_warns_and_names_the_year() -> None:
    # 2027 is not in chinese_calendar 1.11.0: counted as weekends only (01-01 counted!) but flagged.
    result = CAL.add_working_days(date(2026, 12, 28), 7)
    assert result.date == date(2027, 1, 6)
    assert len(result.warnings) == 1 and "2027" in result.warnings[0]
    assert not result.certain


def test_missing_year_calendar_days_roll_warns() -> None:
    result = CAL.add_calendar_days(date(2026, 12, 20), 15)  # 2027-01-04
    assert result.date == date(2027, 1, 4)
    assert any("2027" in w for w in result.warnings)


def test_missing_year_no_roll_needs_no_data() -> None:
    """Without roll-forward the date does not depend on holiday data, so there is nothing to warn about."""
    assert CAL.add_calendar_days(date(2026, 12, 20), 15, roll_forward=False) == Due(date(2027, 1, 4))


def test_missing_year_between_warns() -> None:
    result = CAL.working_days_between(date(2026, 12, 30), date(2027, 1, 5))
    assert result.days == 4 and any("2027" in w for w in result.warnings)


def test_is_working_day_refuses_missing_year() -> None:
    with pytest.raises(MissingYearError, match="2027") as info:
        CAL.is_working_day(date(2027, 1, 1))
    assert info.value.year == 2027


def test_empty_calendar_warns_even_on_weekdays() -> None:
    """No data means no data: an ordinary Tuesday in an uncovered year is still flagged."""
    result = WorkCalendar().add_working_days(date(2026, 9, 28), 1)
    assert result.date == date(2026, 9, 29)
    assert result.warnings and "2026" in result.warnings[0]


def test_from_chinese_calendar_refuses_years_it_lacks() -> None:
    with pytest.raises(ValueError, match="2030"):
        WorkCalendar.from_chinese_calendar([2026, 2030])
    assert WorkCalendar.from_chinese_calendar([2026]).years == {2026}
    assert {2004, 2026} <= CAL.years


def test_calendar_data_is_validated() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(holidays={date(2026, 10, 1)}, workdays={date(2026, 10, 1)}, years={2026})
    with pytest.raises(ValueError):
        WorkCalendar(holidays={date(2027, 10, 1)}, years={2026})


def test_edited_calendar_data_is_used() -> None:
    """The calendar is data: an administrator's correction changes the count."""
    edited = WorkCalendar(CAL.holidays | {date(2026, 10, 8)}, CAL.workdays, CAL.years)
    assert edited.add_working_days(date(2026, 9, 30), 1).date == date(2026, 10, 9)


# --- properties -------------------------------------------------------------------------------
COVERED_DATES = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 30))


@given(start=COVERED_DATES, n=st.integers(min_value=1, max_value=60))
def test_add_working_days_lands_on_a_working_day(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result.warnings == ()
    assert CAL.is_working_day(result.date)
    assert result.date > start


@given(start=COVERED_DATES, n=st.integers(min_value=0, max_value=60))
def test_add_working_days_is_strictly_increasing(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n + 1).date > CAL.add_working_days(start, n).date


@given(start=COVERED_DATES, n=st.integers(min_value=0, max_value=60))
def test_working_days_between_inverts_add(start: date, n: int) -> None:
    assert CAL.working_days_between(start, CAL.add_working_days(start, n).date).days == n


@given(start=COVERED_DATES, n=st.integers(min_value=0, max_value=120))
def test_add_calendar_days_rolls_only_over_rest_days(start: date, n: int) -> None:
    end = start + timedelta(days=n)
    rolled = CAL.add_calendar_days(start, n).date
    assert rolled >= end and CAL.is_working_day(rolled)
    assert CAL.working_days_between(end - timedelta(days=1), rolled - timedelta(days=1)).days == 0
