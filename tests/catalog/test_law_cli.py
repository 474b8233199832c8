"""`zhifa law …`: the JSON contract, run through call_command (subprocess is too slow with the test DB)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from zhifa.law.clocks import CLOCKS

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("load_reference", stdout=io.StringIO())


def law(*args: str) -> tuple[int, object]:
    out = io.StringIO()
    try:
        call_command("law", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def test_list():
    code, data = law("deadline", "--list")
    assert code == 0
    assert [row["kind"] for row in data] == list(CLOCKS)
    row = next(r for r in data if r["kind"] == "publish_penalty")
    assert (row["name"], row["length"], row["unit"]) == ("行政处罚决定公示", 7, "working_days")


def test_list_says_who_each_clock_binds():
    code, data = law("deadline", "--list")
    assert code == 0
    binds = {row["kind"]: row["binds"] for row in data}
    assert set(binds.values()) == {"agency", "party"}
    assert binds == {c.code: c.binds for c in CLOCKS.values()}
    for kind in ("reconsideration", "litigation", "litigation_after_reconsideration", "payment", "hearing_request"):
        assert binds[kind] == "party", kind
    for kind in ("decision", "service", "publish_penalty", "seizure"):
        assert binds[kind] == "agency", kind
    assert {"kind", "name", "length", "unit", "unit_name", "starts", "flags", "basis", "binds"} == set(data[0])


def test_deadline_across_national_day_2026(seeded):
    code, data = law("deadline", "publish_penalty", "--from", "2026-09-29")
    assert code == 0
    # 9-30 (1), 10-1..7 国庆节, 10-8 (2), 10-9 (3), 10-10 调休 (4), 10-12..14 (5-7)
    assert data["due"] == "2026-10-14"
    assert {"kind", "from", "due", "unit", "basis", "warnings"} <= set(data)
    assert data["kind"] == "publish_penalty"
    assert data["from"] == "2026-09-29"
    assert data["unit"] == "working_days"
    assert data["warnings"] == []
    assert any("第八十五条" in b for b in data["basis"])


def test_flag_extends(seeded):
    _, plain = law("deadline", "seizure", "--from", "2026-09-01")
    code, extended = law("deadline", "seizure", "--from", "2026-09-01", "--flag", "extended=true")
    assert code == 0
    assert (plain["due"], extended["due"]) == ("2026-10-01", "2026-10-31")
    _, off = law("deadline", "seizure", "--from", "2026-09-01", "--flag", "extended=false")
    assert off["due"] == "2026-10-01"


def test_year_without_data_warns(seeded):
    code, data = law("deadline", "publish_penalty", "--from", "2027-12-20")
    assert code == 0
    assert data["due"] == "2027-12-29"
    assert any("2027年" in w for w in data["warnings"])


def test_hours_clock(seeded):
    code, data = law("deadline", "emergency_measure_report", "--from", "2026-10-01T08:30")
    assert code == 0
    assert data["due"] == "2026-10-02T08:30:00"


@pytest.mark.parametrize(
    ("args", "field", "word"),
    [
        (("deadline", "no_such_kind", "--from", "2026-09-29"), "kind", "期限类型"),
        (("deadline", "--from", "2026-09-29"), "kind", "期限类型"),
        (("deadline", "publish_penalty", "--from", "2026-13-01"), "from", "--from"),
        (("deadline", "publish_penalty", "--from", "29/09/2026"), "from", "--from"),
        (("deadline", "publish_penalty"), "from", "--from"),
        (("deadline", "publish_penalty", "--from"), "from", "--from"),
        (("deadline", "emergency_measure_report", "--from", "2026-10-01"), "from", "--from"),
        (("deadline", "seizure", "--from", "2026-09-01", "--flag", "extnded=true"), "flag", "--flag"),
        (("deadline", "publish_penalty", "--from", "2026-09-01", "--flag", "extended=true"), "flag", "--flag"),
        (("deadline", "seizure", "--from", "2026-09-01", "--flag", "extended"), "flag", "--flag"),
        (("deadline", "seizure", "--from", "2026-09-01", "--flag", "extended=maybe"), "flag", "--flag"),
        (("deadline", "publish_penalty", "--from", "2026-09-29", "--bogus"), "arguments", "命令行参数"),
        (("frobnicate",), "command", "子命令"),
        ((), "command", "子命令"),
    ],
)
def test_errors(seeded, args, field, word):
    code, data = law(*args)
    assert code == 2
    assert set(data) == {"code", "message", "field"}
    assert data["field"] == field
    assert word in data["message"]
    assert "Traceback" not in data["message"]


@pytest.mark.parametrize(("args", "valid", "reason"), [
    # GB 11643-1999: the specimen, lower-case x normalised; a wrong check character explained
    (("check-id", "11010519491231002x"), True, ""),
    (("check-id", "110105194912310021"), False, "身份证号码校验码错误：第 18 位应为 X，实际为 1"),
    # GB 32100-2015
    (("check-uscc", "91350100M000100Y43"), True, ""),
    (("check-uscc", "91350100M000100Y44"), False, "统一社会信用代码校验码错误：第 18 位应为 3，实际为 4"),
])
def test_check_identifiers(args, valid, reason):
    code, data = law(*args)
    assert code == 0
    assert (data["valid"], data["reason"]) == (valid, reason)
    if args == ("check-id", "11010519491231002x"):
        assert (data["number"], data["birth_date"], data["sex"]) == ("11010519491231002X", "1949-12-31", "female")


@pytest.mark.parametrize("command", ["check-id", "check-uscc"])
def test_check_without_a_number_is_a_usage_error(command):
    code, data = law(command)
    assert code == 2
    assert data["field"] == "number" and "NUMBER" in data["message"]
