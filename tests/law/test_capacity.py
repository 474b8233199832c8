"""Capacity by age and mental state on the date of the act (《行政处罚法》第三十条、第三十一条).

Ages are 周岁 counted from the day after the birthday (最高人民法院
《关于审理未成年人刑事案件具体应用法律若干问题的解释》第二条, applied by analogy; see capacity.py).
Each row names the article that decides it (in the row or its id).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.law.capacity import Capacity, Level, capacity, completed_age, full_age_date
from zhifa.law.errors import RuleViolation
from zhifa.law.identifiers import age_on

BIRTH = date(2010, 5, 1)  # 14th birthday 2024-05-01, 18th birthday 2028-05-01

AGES = [
    # (birth, on, completed years); the id names the rule
    pytest.param(date(2010, 5, 1), date(2024, 4, 30), 13, id="SPC-Art2-day-before-14th-birthday"),
    pytest.param(date(2010, 5, 1), date(2024, 5, 1), 13, id="SPC-Art2-on-14th-birthday-still-13"),
    pytest.param(date(2010, 5, 1), date(2024, 5, 2), 14, id="SPC-Art2-day-after-14th-birthday"),
    pytest.param(date(2008, 2, 29), date(2022, 2, 28), 13, id="CivilCode202-leapling-feb28-common-year"),
    pytest.param(date(2008, 2, 29), date(2022, 3, 1), 14, id="CivilCode202-leapling-mar1-common-year"),
    pytest.param(date(2008, 2, 29), date(2024, 2, 29), 15, id="SPC-Art2-leapling-on-birthday-leap-year"),
    pytest.param(date(2008, 2, 29), date(2024, 3, 1), 16, id="SPC-Art2-leapling-after-birthday-leap-year"),
    pytest.param(date(2010, 5, 1), date(2010, 5, 1), 0, id="SPC-Art2-day-of-birth"),
    pytest.param(date(2010, 12, 31), date(2011, 1, 1), 0, id="SPC-Art2-new-year"),
]


@pytest.mark.parametrize(("birth", "on", "years"), AGES)
def test_completed_age(birth: date, on: date, years: int) -> None:
    assert completed_age(birth, on) == years


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2026, 12, 31)),
       st.integers(min_value=0, max_value=40000))
def test_completed_age_differs_from_age_on_only_on_the_birthday(birth: date, days: int) -> None:
    """The documented difference: identifiers.age_on counts the birthday itself, completed_age the day after."""
    on = birth + timedelta(days=days)
    if on.year > 9998:
        return
    birthday = (on.month, on.day) == (birth.month, birth.day) and on != birth
    assert completed_age(birth, on) == age_on(birth, on) - (1 if birthday else 0)


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)), st.integers(min_value=1, max_value=90))
def test_full_age_date_is_the_first_day_of_the_age(birth: date, years: int) -> None:
    first = full_age_date(birth, years)
    assert completed_age(birth, first) == years
    assert completed_age(birth, first - timedelta(days=1)) == years - 1


def test_completed_age_refuses_date_before_birth() -> None:
    with pytest.raises(RuleViolation) as info:
        completed_age(date(2010, 5, 1), date(2010, 4, 30))
    assert info.value.field == "birth_date"


CAPACITY = [
    # (article, birth, act date, mental state, party, level, guardian ordered)
    pytest.param("第三十条", BIRTH, date(2024, 5, 1), "normal", "person", Level.NONE, True,
                 id="Art30-on-14th-birthday-under-14"),
    pytest.param("第三十条", BIRTH, date(2024, 5, 2), "normal", "person", Level.MUST_MITIGATE, False,
                 id="Art30-day-after-14th-birthday"),
    pytest.param("第三十条", BIRTH, date(2028, 5, 1), "normal", "person", Level.MUST_MITIGATE, False,
                 id="Art30-on-18th-birthday-still-minor"),
    pytest.param("第三十条", BIRTH, date(2028, 5, 2), "normal", "person", Level.FULL, False,
                 id="Art30-day-after-18th-birthday-adult"),
    pytest.param("第三十一条", date(1990, 1, 1), date(2026, 3, 1), "incapable", "person", Level.NONE, True,
                 id="Art31-incapable"),
    pytest.param("第三十一条", date(1990, 1, 1), date(2026, 3, 1), "lucid_intermittent", "person", Level.FULL, False,
                 id="Art31-intermittent-while-lucid"),
    pytest.param("第三十一条", date(1990, 1, 1), date(2026, 3, 1), "partial", "person", Level.MAY_MITIGATE, False,
                 id="Art31-partial"),
    pytest.param("第三十条", date(2010, 1, 1), date(2026, 3, 1), "partial", "person", Level.MUST_MITIGATE, False,
                 id="Art30+31-minor-partial-must-wins"),
    pytest.param("第三十一条", date(2010, 1, 1), date(2026, 3, 1), "incapable", "person", Level.NONE, True,
                 id="Art30+31-minor-incapable-none"),
    pytest.param("第三十条", date(2015, 1, 1), date(2026, 3, 1), "lucid_intermittent", "person", Level.NONE, True,
                 id="Art30-under-14-lucid-still-none"),
    pytest.param("第三十条", None, date(2026, 3, 1), "normal", "organisation", Level.FULL, False,
                 id="Art30-31-organisation-full"),
]


@pytest.mark.parametrize(("article", "birth", "act", "state", "party", "level", "guardian"), CAPACITY)
def test_capacity(article: str, birth: date | None, act: date, state: str, party: str, level: Level,
                  guardian: bool) -> None:
    result = capacity(birth, act, state, party)
    assert isinstance(result, Capacity)
    assert result.level is level
    assert result.guardian_order is guardian
    assert any(article in str(c) for c in result.basis)
    assert result.reasons
    out = result.to_json()
    assert out["result"] == level.value and out["guardian_order"] is guardian and out["basis"]


def test_capacity_cites_the_age_rule_it_follows() -> None:
    """The 周岁 rule is a documented analogy: the SPC interpretation is cited with the answer."""
    result = capacity(BIRTH, date(2024, 5, 1))
    assert any("第二条" in str(c) and "第二天" in str(c) for c in result.basis)
    assert any("2024年5月2日起满十四周岁" in r for r in result.reasons)


BAD = [
    # (args, code, field); the id names the article
    pytest.param((date(2026, 3, 2), date(2026, 3, 1)), "birth_after_act", "birth_date", id="Art30-birth-after-act"),
    pytest.param((None, date(2026, 3, 1)), "birth_date_missing", "birth_date", id="Art30-person-without-birth-date"),
    pytest.param((BIRTH, date(2026, 3, 1), "drunk"), "mental_state_invalid", "mental_state", id="Art31-bad-state"),
    pytest.param((BIRTH, date(2026, 3, 1), "normal", "group"), "party_invalid", "party", id="Art30-bad-party"),
]


@pytest.mark.parametrize(("args", "code", "field"), BAD)
def test_capacity_refuses_bad_input(args: tuple, code: str, field: str) -> None:
    with pytest.raises(RuleViolation) as info:
        capacity(*args)
    assert (info.value.code, info.value.field) == (code, field)
    assert field in info.value.message and info.value.basis


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2026, 12, 31)), st.integers(min_value=0, max_value=30000))
def test_capacity_levels_follow_the_age(birth: date, days: int) -> None:
    """Art 30: <14 none, 14–<18 must mitigate, ≥18 full (normal mental state)."""
    act = birth + timedelta(days=days)
    age = completed_age(birth, act)
    level = capacity(birth, act).level
    expected = Level.NONE if age < 14 else Level.MUST_MITIGATE if age < 18 else Level.FULL
    assert level is expected
