"""Publication of results (zhifa.law.publicity; issue 7 §2): what is not published, and the deadlines over holidays.
Rows cite the rule."""

from __future__ import annotations

from datetime import date

import pytest

from zhifa.law.calendar import WorkCalendar
from zhifa.law.publicity import Subject, publish_by, reasons_not_to_publish, take_down_on, withdraw_by

CAL = WorkCalendar.from_chinese_calendar()
FINE = frozenset({"fine"})

# (rule, subject, policy: warning_only, summary, the reasons' codes)
SUBJECTS = [
    ("国办发〔2018〕118号：处罚决定公开", Subject(FINE), False, False, []),
    ("未成年人不予公开", Subject(FINE, party_kind="person", party_age=17), False, False, ["publicity_minor"]),
    ("成年自然人公开（隐去个人信息）", Subject(FINE, party_kind="person", party_age=18), False, False, []),
    ("个体工商户不按年龄", Subject(FINE, party_kind="individual", party_age=17), False, False, []),
    ("涉及秘密或隐私不予公开", Subject(FINE, secret=True), False, False, ["publicity_secret"]),
    ("仅警告：政策不公开", Subject(frozenset({"warning"})), False, False, ["publicity_warning_only"]),
    ("仅警告：政策公开", Subject(frozenset({"warning"})), True, False, []),
    ("警告并罚款：公开", Subject(frozenset({"warning", "fine"})), False, False, []),
    ("简易程序：政策不公开", Subject(FINE, procedure="summary"), False, False, ["publicity_summary"]),
    ("简易程序：政策公开", Subject(FINE, procedure="summary"), False, True, []),
]


@pytest.mark.parametrize(("rule", "s", "warning_only", "summary", "codes"), SUBJECTS, ids=[r[0] for r in SUBJECTS])
def test_what_is_not_published(rule: str, s: Subject, warning_only: bool, summary: bool, codes: list[str]) -> None:
    found = reasons_not_to_publish(s, warning_only=warning_only, summary=summary)
    assert [v.code for v in found] == codes
    assert all(v.basis for v in found)


# (rule, decided or changed on, kind, expected last day) — National Day 2026: 10-01 to 10-08 off, 10-10 worked
DEADLINES = [
    ("国办发〔2018〕118号：处罚决定 7 个工作日", date(2026, 11, 2), "penalty", date(2026, 11, 11)),
    ("跨国庆节", date(2026, 9, 28), "penalty", date(2026, 10, 13)),
    ("跨国庆节（9月30日作出）", date(2026, 9, 30), "penalty", date(2026, 10, 15)),
    ("其他执法决定 20 个工作日", date(2026, 11, 2), "other", date(2026, 11, 30)),
    ("第四十八条：撤回 3 个工作日", date(2026, 11, 2), "withdraw", date(2026, 11, 5)),
    ("撤回跨国庆节（调休上班日计入）", date(2026, 9, 30), "withdraw", date(2026, 10, 10)),
    ("撤回跨周末", date(2026, 11, 5), "withdraw", date(2026, 11, 10)),
]


@pytest.mark.parametrize(("rule", "on", "kind", "expected"), DEADLINES, ids=[r[0] for r in DEADLINES])
def test_deadlines_over_holidays(rule: str, on: date, kind: str, expected: date) -> None:
    got = withdraw_by(on, CAL) if kind == "withdraw" else publish_by(on, CAL, penalty=kind == "penalty")
    assert got == expected


def test_policy_length_and_take_down() -> None:
    assert publish_by(date(2026, 11, 2), CAL, days=5) == date(2026, 11, 9)
    assert take_down_on(date(2026, 2, 28), 24) == date(2028, 2, 28)
    assert take_down_on(date(2024, 2, 29), 12) == date(2025, 2, 28)


REPORT_DUE_ROWS = [
    ("国办发〔2018〕118号：每年1月31日前公开上年度数据", 2025, date(2026, 1, 31)),
    ("闰年无影响", 2027, date(2028, 1, 31)),
]


@pytest.mark.parametrize(("rule", "year", "expected"), REPORT_DUE_ROWS, ids=[r[0] for r in REPORT_DUE_ROWS])
def test_annual_report_due(rule: str, year: int, expected: date) -> None:
    from zhifa.law.publicity import report_due_on

    assert report_due_on(year) == expected
