"""`zhifa law discretion | summary-eligible | hearing-required | review-required | surcharge`: the JSON contract.

Exit 0 with the answer; exit 2 with ``{"code", "message", "field"}`` for any bad input, never a traceback.
Rows cite the article the answer rests on.
"""

from __future__ import annotations

import io
import json
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command

from zhifa.catalog.policies import value_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("load_reference", stdout=io.StringIO())


def law(*args: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, object]:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        call_command("law", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


# -- discretion ----------------------------------------------------------------------------------


def test_discretion_from_file(seeded, tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"party": "organisation", "aggravating": ["minors"]}), encoding="utf-8")
    code, data = law("discretion", "WH-NET-004", "--facts", str(facts))
    assert code == 0, data
    assert data["item"] == "WH-NET-004"
    assert data["outcome"] == "heavier"  # 从重: the benchmark's aggravating circumstance, no mitigating one
    assert data["statutory_range"]["max"] == "15000.00"  # 网吧条例第三十一条: 15000元以下
    assert Decimal(data["recommended_range"]["max"]) <= Decimal("15000")
    assert data["steps"] and all("text" in s for s in data["steps"])
    assert {"outcome_label", "mandatory_kinds", "optional_kinds", "requires_education", "basis"} <= set(data)


def test_discretion_from_stdin_tiered_item(seeded, monkeypatch):
    # 网吧条例第二十七条: 违法经营额 1万元以上 → 5 to 10 times; 20000 → 100000–200000
    code, data = law("discretion", "WH-NET-001", "--facts", "-", stdin=json.dumps({"违法经营额": 20000}),
                     monkeypatch=monkeypatch)
    assert code == 0, data
    assert (data["statutory_range"]["min"], data["statutory_range"]["max"]) == ("100000.00", "200000.00")


def test_discretion_no_penalty_requires_education(seeded, monkeypatch):
    # 《行政处罚法》第三十三条第一款: minor, promptly corrected, no harm → no penalty; 第三款: educate
    facts = {"minor_violation": True, "harm": "none", "corrected_promptly": True}
    code, data = law("discretion", "WH-NET-003", "--facts", "-", stdin=json.dumps(facts), monkeypatch=monkeypatch)
    assert code == 0, data
    assert data["outcome"] == "no_penalty"
    assert data["requires_education"] is True
    assert data["mandatory_kinds"] == [] and data["optional_kinds"] == []


@pytest.mark.parametrize("args, stdin, field", [
    (("discretion",), None, "item"),
    (("discretion", "WH-XXX-999", "--facts", "-"), "{}", "item"),
    (("discretion", "WH-NET-004"), None, "facts"),
    (("discretion", "WH-NET-004", "--facts", "/nonexistent/facts.json"), None, "facts"),
    (("discretion", "WH-NET-004", "--facts", "-"), "{not json", "facts"),
    (("discretion", "WH-NET-004", "--facts", "-"), "[1, 2]", "facts"),
    (("discretion", "WH-NET-004", "--facts", "-"), '{"first_violation": "yes"}', "first_violation"),
    (("discretion", "WH-NET-004", "--facts", "-"), '{"违法经营额": -5}', "违法经营额"),
    (("discretion", "WH-NET-004", "--facts", "-"), '{"act_date": "2026-13-01"}', "act_date"),
    (("discretion", "WH-NET-004", "--facts", "-", "--agency", "NOPE"), "{}", "agency"),
    (("discretion", "WH-NET-004", "--facts", "-", "--on", "26-1-1"), "{}", "on"),
])
def test_discretion_bad_input_exit_2(seeded, monkeypatch, args, stdin, field):
    code, data = law(*args, stdin=stdin if stdin is not None else "", monkeypatch=monkeypatch)
    assert code == 2
    assert set(data) == {"code", "message", "field"}
    assert data["field"] == field
    assert data["message"]


# -- procedure questions -------------------------------------------------------------------------


@pytest.mark.parametrize("party, penalty, amount, expected", [
    pytest.param("person", "warning", None, True, id="Art51-warning"),
    pytest.param("person", "fine", "200", True, id="Art51-person-200"),
    pytest.param("person", "fine", "200.01", False, id="Art51-person-over-200"),
    pytest.param("organisation", "fine", "3000", True, id="Art51-organisation-3000"),
    pytest.param("organisation", "fine", "3001", False, id="Art51-organisation-over-3000"),
])
def test_summary_eligible(party, penalty, amount, expected):
    args = ["summary-eligible", "--party", party, "--penalty", penalty]
    if amount is not None:
        args += ["--amount", amount]
    code, data = law(*args)
    assert code == 0, data
    assert data["result"] is expected
    assert any("第五十一条" in b for b in data["basis"])


@pytest.mark.parametrize("args, field", [
    (("summary-eligible", "--penalty", "fine"), "party"),
    (("summary-eligible", "--party", "robot", "--penalty", "fine"), "party"),
    (("summary-eligible", "--party", "person"), "penalty"),
    (("summary-eligible", "--party", "person", "--penalty", "flogging"), "penalty"),
    (("summary-eligible", "--party", "person", "--penalty", "fine", "--amount", "abc"), "amount"),
    (("summary-eligible", "--party", "person", "--penalty", "fine", "--amount", "-3"), "amount"),
    (("hearing-required", "--party", "person", "--penalty", "fine", "--confiscation", "1e9"), "confiscation"),
    (("review-required", "--party", "person"), "penalty"),
    (("surcharge", "--fine", "100", "--due", "2026-02-30", "--on", "2026-03-10"), "due"),
    (("surcharge", "--due", "2026-02-01", "--on", "2026-03-10"), "fine"),
    (("surcharge", "--fine", "100", "--due", "2026-02-01", "--on", "2026-03-10", "--pause", "2026-02-05"), "pause"),
])
def test_procedure_bad_input_exit_2(seeded, args, field):
    code, data = law(*args)
    assert code == 2
    assert set(data) == {"code", "message", "field"}
    assert data["field"] == field


def test_hearing_required(seeded):
    # 《行政处罚法》第六十三条第一款第（三）项: 吊销许可证件 always gives the right to a hearing
    code, data = law("hearing-required", "--party", "organisation", "--penalty", "revoke_licence")
    assert code == 0 and data["result"] is True
    assert any("第六十三条" in b for b in data["basis"])
    # 第（一）项 较大数额罚款: the threshold is policy (hearing.fine_organisation)
    threshold = Decimal(str(value_of("hearing.fine_organisation")))
    _, at = law("hearing-required", "--party", "organisation", "--penalty", "fine", "--amount", str(threshold))
    _, below = law("hearing-required", "--party", "organisation", "--penalty", "fine",
                   "--amount", str(threshold - 1))
    assert (at["result"], below["result"]) == (True, False)


def test_review_required(seeded):
    # 《行政处罚法》第五十八条第一款第（二）项: after a hearing
    code, data = law("review-required", "--party", "person", "--penalty", "fine", "--amount", "100", "--hearing-held")
    assert code == 0 and data["result"] is True
    _, plain = law("review-required", "--party", "person", "--penalty", "warning")
    assert plain["result"] is False
    # the agency's 重大执法决定目录: fines at or above review.fine_person
    threshold = Decimal(str(value_of("review.fine_person")))
    _, big = law("review-required", "--party", "person", "--penalty", "fine", "--amount", str(threshold))
    assert big["result"] is True


def test_surcharge():
    # 《行政处罚法》第七十二条第一款: 3% of the fine per day from the day after the last day to pay
    code, data = law("surcharge", "--fine", "1000", "--due", "2026-01-15", "--on", "2026-01-20")
    assert code == 0, data
    assert Decimal(data["result"]) == Decimal("150")
    # capped at the fine amount (行政强制法第四十五条)
    _, late = law("surcharge", "--fine", "1000", "--due", "2026-01-15", "--on", "2026-12-31")
    assert Decimal(late["result"]) == Decimal("1000")
    # 第七十三条第三款: not during 复议/诉讼
    _, paused = law("surcharge", "--fine", "1000", "--due", "2026-01-15", "--on", "2026-01-20",
                    "--pause", "2026-01-17:2026-01-18")
    assert Decimal(paused["result"]) == Decimal("90")
