"""Working days and calendar days as the statutes count them (DESIGN.md §4 "Time"; law.md §1.15, §4).

The holiday calendar is plain data: statutory holidays and rest days that would otherwise be working
days, adjusted working days (调休: weekend days that are worked) and the years the data covers. It is
seeded from the ``chinese_calendar`` package and may be edited. A computation that touches a year
with no data still returns a date, counted as if only weekends were rest days, but it says so: the
result carries a warning naming the missing year. It never guesses silently.

Counting rules (law.md §4):

- 《行政处罚法》第八十五条: "二日""三日""五日""七日" are working days, excluding statutory holidays.
  《行政强制法》第六十九条: in that law, periods of ten days or less are working days.
- 《民事诉讼法》第八十五条: the day on which a period starts is not counted (the count begins the next
  day); a period whose last day is a statutory rest day ends on the first day after that rest.
  law.md applies this by analogy to service and remedy periods; each clock (``clocks.py``) says
  whether it rolls forward.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from .errors import Citation

XZCFF = "《中华人民共和国行政处罚法》"
MSSSF = "《中华人民共和国民事诉讼法》"

ART_85_WORKING_DAYS = Citation(XZCFF, "第八十五条", "“二日”“三日”“五日”“七日”指工作日，不含法定节假日")
QZF_ART_69 = Citation("《中华人民共和国行政强制法》", "第六十九条", "十日以内期限指工作日，不含法定节假日")
MSSSF_ART_85 = Citation(
    MSSSF, "第八十五条", "期间开始的日不计算在期间内；期间届满的最后一日是法定休假日的，以其后的第一日为届满日期"
)
CIVIL_CODE_ART_202 = Citation(
    "《中华人民共和国民法典》", "第二百零二条", "按年、月计算期间的，到期月的对应日为最后一日；没有对应日的，为月末日"
)


class MissingYearError(LookupError):
    """Raised by :meth:`WorkCalendar.is_working_day` for a year the calendar has no data for."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(missing_year_warning(year))


def missing_year_warning(year: int) -> str:
    """The warning a result carries when it touched ``year`` and the calendar has no data for it."""
    return f"{year}年无节假日数据，已按仅排除周末推算，结果须人工核对"


@dataclass(frozen=True)
class Due:
    """A computed date with the warnings met on the way and the rules that decided it.

    ``warnings`` is empty when every day the computation looked at was covered by holiday data.
    ``basis`` cites the counting rules (and, from ``clocks.due``, the clock's own article).
    """

    date: date
    warnings: tuple[str, ...] = ()
    basis: tuple[Citation, ...] = ()

    @property
    def certain(self) -> bool:
        return not self.warnings


@dataclass(frozen=True)
class Count:
    """A number of days with the warnings met while counting (see :class:`Due`)."""

    days: int
    warnings: tuple[str, ...] = ()


def _warnings(missing: set[int]) -> tuple[str, ...]:
    return tuple(missing_year_warning(y) for y in sorted(missing))


def cn_date(d: date) -> str:
    """A date as Chinese documents and messages write it: 2026年3月5日."""
    return f"{d.year}年{d.month}月{d.day}日"


def add_months(start: date, months: int) -> date:
    """The corresponding day ``months`` months after ``start``; the month's last day if there is none.

    《民法典》第二百零二条 (law.md §4 says only "months"; the corresponding-day rule is the civil-law one).
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = _stdcal.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


@dataclass(frozen=True)
class WorkCalendar:
    """Holiday data for the years in ``years``.

    ``holidays``: dates that are rest days although they may fall Monday–Friday (法定节假日 and the
    days off around them). Weekend dates may also be listed; they are rest days anyway.
    ``workdays``: adjusted working days (调休), weekend dates that are worked.
    ``years``: the years the data covers. A year outside it has no data, even if it has no holidays
    listed: the calendar never treats "no entry" as "no holiday".
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "years", frozenset(self.years))
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"同一日期既是节假日又是调休工作日：{sorted(both)[0].isoformat()}")
        outside = {d.year for d in self.holidays | self.workdays} - self.years
        if outside:
            raise ValueError(f"节假日数据含未声明覆盖的年份：{sorted(outside)}")

    @classmethod
    def from_chinese_calendar(cls, years: Iterable[int] | None = None) -> WorkCalendar:
        """Seed from the ``chinese_calendar`` package (国务院办公厅 annual holiday notices).

        Version 1.11.0 covers 2004–2026. ``years=None`` takes every year the package covers; a
        requested year outside the package's range raises ``ValueError`` rather than being seeded
        as weekends only.
        """
        import chinese_calendar

        first = min(chinese_calendar.holidays).year
        last = max(chinese_calendar.holidays).year
        wanted = set(range(first, last + 1)) if years is None else set(years)
        unsupported = sorted(y for y in wanted if not first <= y <= last)
        if unsupported:
            raise ValueError(f"chinese_calendar 无 {unsupported} 年数据（覆盖 {first}–{last} 年）")
        return cls(
            holidays=frozenset(d for d in chinese_calendar.holidays if d.year in wanted),
            workdays=frozenset(d for d in chinese_calendar.workdays if d.year in wanted),
            years=frozenset(wanted),
        )

    def covers(self, year: int) -> bool:
        return year in self.years

    def _is_working(self, d: date, missing: set[int]) -> bool:
        if d.year not in self.years:
            missing.add(d.year)
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day (《行政处罚法》第八十五条: working days exclude statutory holidays).

        Raises :class:`MissingYearError` for a year without data: a single-day answer has no room for a
        warning, and a weekend-only guess would be silently wrong around holidays.
        """
        missing: set[int] = set()
        result = self._is_working(d, missing)
        if missing:
            raise MissingYearError(d.year)
        return result

    def next_working_day(self, d: date) -> Due:
        """``d`` itself if it is a working day, else the first working day after it."""
        missing: set[int] = set()
        while not self._is_working(d, missing):
            d += timedelta(days=1)
        return Due(d, _warnings(missing), (MSSSF_ART_85,))

    def add_working_days(self, start: date, n: int) -> Due:
        """The ``n``-th working day after ``start``: the last day of an ``n``-working-day period.

        The start day is not counted; the count begins the next day (《民事诉讼法》第八十五条, law.md §4).
        Working days exclude statutory holidays and count 调休 days (《行政处罚法》第八十五条). ``n=0``
        returns ``start`` unchanged.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        missing: set[int] = set()
        d = start
        left = n
        while left:
            d += timedelta(days=1)
            if self._is_working(d, missing):
                left -= 1
        return Due(d, _warnings(missing), (ART_85_WORKING_DAYS, MSSSF_ART_85))

    def subtract_working_days(self, end: date, n: int) -> Due:
        """The ``n``-th working day before ``end`` (``end`` itself not counted); ``n=0`` returns ``end``."""
        if n < 0:
            raise ValueError("n must be >= 0")
        missing: set[int] = set()
        d = end
        left = n
        while left:
            d -= timedelta(days=1)
            if self._is_working(d, missing):
                left -= 1
        return Due(d, _warnings(missing), (ART_85_WORKING_DAYS,))

    def roll(self, end: date, roll_forward: bool) -> Due:
        """The last day of a period ending on ``end``: moved to the next working day if it is a rest day.

        《民事诉讼法》第八十五条: a period whose last day is a statutory rest day ends on the first day
        after it. With ``roll_forward=False`` the date is kept; it then
        does not depend on holiday data, so a year without data gives no warning.
        """
        if roll_forward:
            return self.next_working_day(end)
        return Due(end)

    def add_calendar_days(self, start: date, n: int, roll_forward: bool = True) -> Due:
        """The last day of an ``n``-calendar-day period starting on ``start``.

        The start day is not counted, so the period ends on ``start + n`` (《民事诉讼法》第八十五条). If that
        day is a rest day and ``roll_forward`` is true, the period ends on the next working day (same
        article). Calendar days are the rule for periods not listed in 《行政处罚法》第八十五条 (e.g. the
        15-day payment period of Art 67, the 90-day decision period of Art 60; law.md §1.15).
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        rolled = self.roll(start + timedelta(days=n), roll_forward)
        return Due(rolled.date, rolled.warnings, (MSSSF_ART_85,) if roll_forward else ())

    def add_months(self, start: date, months: int, roll_forward: bool = True) -> Due:
        """The last day of a period of ``months`` months (years: ``12 * years``) starting on ``start``.

        The corresponding day of the target month (《民法典》第二百零二条), rolled forward over rest days
        when ``roll_forward`` (《民事诉讼法》第八十五条).
        """
        rolled = self.roll(add_months(start, months), roll_forward)
        basis = (CIVIL_CODE_ART_202, MSSSF_ART_85) if roll_forward else (CIVIL_CODE_ART_202,)
        return Due(rolled.date, rolled.warnings, basis)

    def working_days_between(self, a: date, b: date) -> Count:
        """The number of working days ``d`` with ``a < d <= b`` (0 if ``b <= a``).

        The inverse of :meth:`add_working_days`: ``working_days_between(s, add_working_days(s, n)) == n``.
        """
        missing: set[int] = set()
        count = 0
        d = a
        while d < b:
            d += timedelta(days=1)
            if self._is_working(d, missing):
                count += 1
        return Count(count, _warnings(missing))
