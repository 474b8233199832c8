"""The statutory clocks of law.md §4 as legal cases, most of them across the 2026 National Day holiday.

2026 (国办发明电, as carried by chinese_calendar 1.11.0): 09-25…09-27 and 10-01…10-07 off; 09-20 (Sun)
and 10-10 (Sat) worked. Working days after Mon 09-28: 09-29, 09-30, 10-08, 10-09, 10-10, 10-12, 10-13 …

Each row names the article that decides it; that article must be among the citations the result
carries, so a row cannot pass on the wrong clock.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from zhifa.law.calendar import WorkCalendar
from zhifa.law.clocks import CLOCKS, Result, Unit, due
from zhifa.law.errors import RuleViolation

CAL = WorkCalendar.from_chinese_calendar()
HOLIDAY_FIRST, HOLIDAY_LAST = date(2026, 10, 1), date(2026, 10, 7)

ROWS = [
    # (basis article, kind, start, flags, expected)
    ("第三十六条", "limitation", date(2024, 10, 1), {}, date(2026, 10, 1)),
    ("第三十六条", "limitation", date(2021, 10, 1), {"serious": True}, date(2026, 10, 1)),
    ("第三十六条", "limitation", date(2024, 2, 29), {}, date(2026, 2, 28)),
    ("第十九条", "emergency_measure_report", datetime(2026, 9, 30, 20, 0), {}, datetime(2026, 10, 1, 20, 0)),
    ("第五十六条", "preservation_handling", date(2026, 9, 28), {}, date(2026, 10, 13)),
    ("第五十六条", "preservation_handling", date(2026, 9, 30), {}, date(2026, 10, 15)),
    ("第二十五条", "seizure", date(2026, 9, 1), {}, date(2026, 10, 1)),
    ("第二十五条", "seizure", date(2026, 9, 28), {}, date(2026, 10, 28)),
    ("第二十五条", "seizure", date(2026, 9, 1), {"extended": True}, date(2026, 10, 31)),
    ("第六十条", "decision", date(2026, 7, 3), {}, date(2026, 10, 1)),
    ("第六十条", "decision", date(2026, 9, 28), {}, date(2026, 12, 27)),
    ("第六十四条第一项", "hearing_request", date(2026, 9, 28), {}, date(2026, 10, 10)),
    ("第六十四条第一项", "hearing_request", date(2026, 9, 30), {}, date(2026, 10, 13)),
    # hearing date → latest notice date: 7 working days strictly between notice and hearing
    ("第六十四条第二项", "hearing_notice", date(2026, 10, 12), {}, date(2026, 9, 23)),
    ("第六十四条第二项", "hearing_notice", date(2026, 10, 8), {}, date(2026, 9, 20)),
    ("第六十一条", "service", date(2026, 9, 28), {}, date(2026, 10, 13)),
    ("第九十五条", "public_notice_service", date(2026, 9, 1), {}, date(2026, 10, 8)),
    ("第九十五条", "public_notice_service", date(2026, 9, 28), {}, date(2026, 10, 28)),
    ("第六十七条", "payment", date(2026, 9, 20), {}, date(2026, 10, 8)),
    ("第六十七条", "payment", date(2026, 9, 28), {}, date(2026, 10, 13)),
    ("第七十一条", "cash_to_agency", date(2026, 9, 30), {}, date(2026, 10, 9)),
    ("第五十四条", "court_enforcement_earliest", date(2026, 9, 28), {}, date(2026, 10, 19)),
    ("第五十三条", "court_enforcement_last", date(2026, 7, 1), {}, date(2026, 10, 8)),
    ("第五十三条", "court_enforcement_last", date(2026, 7, 31), {}, date(2026, 11, 2)),
    ("（四）", "publish_penalty", date(2026, 9, 28), {}, date(2026, 10, 13)),
    ("（四）", "publish_other", date(2026, 9, 28), {}, date(2026, 10, 30)),
    ("第四十八条", "withdraw_publication", date(2026, 9, 28), {}, date(2026, 10, 8)),
    ("第四十八条", "withdraw_publication", date(2026, 9, 30), {}, date(2026, 10, 10)),
    ("第二十条", "reconsideration", date(2026, 8, 2), {}, date(2026, 10, 8)),
    ("第二十条", "reconsideration", date(2026, 9, 28), {}, date(2026, 11, 27)),
    ("第六十二条", "reconsideration_decision", date(2026, 8, 2), {}, date(2026, 10, 8)),
    ("第六十二条", "reconsideration_decision", date(2026, 8, 2), {"extended": True}, date(2026, 11, 2)),
    ("第四十六条", "litigation", date(2026, 4, 1), {}, date(2026, 10, 8)),
    ("第四十六条", "litigation", date(2026, 4, 3), {}, date(2026, 10, 8)),
    ("第四十六条", "litigation", date(2026, 3, 31), {}, date(2026, 9, 30)),
    ("第四十五条", "litigation_after_reconsideration", date(2026, 9, 20), {}, date(2026, 10, 8)),
    ("移送涉嫌犯罪案件", "criminal_transfer_decision", date(2026, 9, 29), {}, date(2026, 10, 2)),
    ("第十二条", "criminal_transfer_handover", date(2026, 9, 30), {}, date(2026, 10, 3)),
]


@pytest.mark.parametrize(
    ("article", "kind", "start", "flags", "expected"),
    ROWS,
    ids=[f"{r[1]}-{r[2].isoformat()}{'-' + '-'.join(r[3]) if r[3] else ''}" for r in ROWS],
)
def test_clock(article: str, kind: str, start: date, flags: dict[str, bool], expected: date) -> None:
    result = due(kind, start, CAL, **flags)
    assert result.date == expected
    assert result.warnings == ()
    cited = [str(c) for c in result.basis]
    assert any(article in c for c in cited), cited
    assert set(CLOCKS[kind].basis) <= set(result.basis)


def _crosses_national_day(kind: str, start: date, end: date) -> bool:
    if CLOCKS[kind].result is Result.LATEST_BEFORE:
        start, end = end, start
    if isinstance(start, datetime):
        start, end = start.date(), end.date()
    return start < HOLIDAY_FIRST <= end or start < HOLIDAY_LAST <= end


def test_every_clock_has_a_case_across_national_day() -> None:
    crossing = {r[1] for r in ROWS if _crosses_national_day(r[1], r[2], r[4])}
    assert crossing == set(CLOCKS)


def test_every_clock_cites_and_explains() -> None:
    for clock in CLOCKS.values():
        assert clock.basis and clock.name and clock.starts and clock.notes, clock.code
        assert clock.length > 0


def test_working_day_clocks_are_the_art85_and_art69_ones() -> None:
    """行政处罚法 Art 85 (二/三/五/七日) and 行政强制法 Art 69 (≤10 日) are working days; the rest are not."""
    working = {c.code for c in CLOCKS.values() if c.unit is Unit.WORKING_DAYS}
    assert working == {
        "preservation_handling", "hearing_request", "hearing_notice", "service", "cash_to_agency",
        "court_enforcement_earliest", "publish_penalty", "publish_other", "withdraw_publication",
    }
    assert CLOCKS["payment"].unit is Unit.CALENDAR_DAYS  # law.md §1.15: 15 days not in Art 85's list
    assert CLOCKS["decision"].unit is Unit.CALENDAR_DAYS  # law.md §1.15: 90 days not in Art 85's list
    assert CLOCKS["seizure"].unit is Unit.CALENDAR_DAYS  # 30 > 10, so not 强制法 Art 69


def test_unverified_clock_is_marked() -> None:
    assert not CLOCKS["criminal_transfer_decision"].verified
    assert "未核实" in CLOCKS["criminal_transfer_decision"].notes
    assert "未核实" in CLOCKS["decision"].notes  # extension rules are [U] in law.md §3.2


def test_missing_year_is_loud() -> None:
    """2027 has no data in chinese_calendar 1.11.0: the date comes with a warning naming the year."""
    result = due("service", date(2026, 12, 28), CAL)
    assert result.date == date(2027, 1, 6)
    assert any("2027" in w for w in result.warnings)
    result = due("litigation", date(2026, 9, 28), CAL)  # 2027-03-28 is a Sunday → rolled, data missing
    assert result.date == date(2027, 3, 29) and any("2027" in w for w in result.warnings)


def test_unknown_kind_and_flag_are_refused() -> None:
    with pytest.raises(RuleViolation) as info:
        due("no_such_clock", date(2026, 9, 28), CAL)
    assert info.value.code == "clock_unknown"
    with pytest.raises(RuleViolation) as info:
        due("decision", date(2026, 9, 28), CAL, extended=True)  # no MCT extension rule is verified
    assert info.value.code == "clock_flag_unknown"


def test_hours_clock_needs_a_time() -> None:
    with pytest.raises(RuleViolation) as info:
        due("emergency_measure_report", date(2026, 9, 30), CAL)
    assert info.value.code == "clock_needs_time"
