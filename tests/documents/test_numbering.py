"""Document numbers (文号; issue 6 §4): per agency, year and series, in the pattern the agency sets; gapless (a
rolled-back issue gives its number back), never reused (a voided number stays voided), and safe when two officers
take numbers at the same moment. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import date as D

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.catalog.models import PolicyValue
from zhifa.documents import numbering
from zhifa.documents.models import DocumentNumber
from zhifa.law.errors import RuleViolation
from zhifa.records.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(make_agency, domains):
    return make_agency("平舆县文化广电和旅游局", short_name="平文旅")


@pytest.fixture
def officer(make_user, bureau):
    return make_user(bureau, roles=("officer",), full_name="张三")


# (document, the day, the number it gets) — the defaults, each series counting from 1 in its year
NUMBERS = [
    ("penalty_decision", D(2026, 3, 2), "平文旅罚〔2026〕1号"),
    ("penalty_decision", D(2026, 3, 9), "平文旅罚〔2026〕2号"),
    ("penalty_notice", D(2026, 3, 9), "平文旅告〔2026〕1号"),      # another series: its own count
    ("penalty_decision", D(2027, 1, 4), "平文旅罚〔2027〕1号"),    # a new year starts again (no 虚位: not 001)
    ("no_penalty_decision", D(2027, 1, 4), "平文旅不罚〔2027〕1号"),
]


def test_numbers_follow_agency_series_and_year(bureau, officer):
    for document, on, expected in NUMBERS:
        got = numbering.allocate(bureau, document, on=on, actor=officer)
        assert got.number == expected and got.document == document and got.allocated_by == officer
    events = Event.objects.filter(action="documents.number_allocated").order_by("id")
    assert [e.subject for e in events] == [f"number:{n}" for *_, n in NUMBERS]


def test_another_agency_counts_on_its_own(bureau, make_agency):
    other = make_agency("西平县文化广电和旅游局", short_name="西文旅")
    assert numbering.allocate(bureau, "penalty_decision", on=D(2026, 3, 2)).number == "平文旅罚〔2026〕1号"
    assert numbering.allocate(other, "penalty_decision", on=D(2026, 3, 2)).number == "西文旅罚〔2026〕1号"


def test_a_rolled_back_issue_gives_its_number_back(bureau):
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.allocate(bureau, "penalty_decision", on=D(2026, 3, 2))
        raise RuntimeError("the document could not be issued")
    assert not DocumentNumber.objects.exists()
    assert numbering.allocate(bureau, "penalty_decision", on=D(2026, 3, 2)).seq == 1  # no gap


def test_a_voided_number_is_recorded_and_never_given_again(bureau, officer):
    first = numbering.allocate(bureau, "penalty_decision", on=D(2026, 3, 2))
    with pytest.raises(RuleViolation) as err:
        numbering.void(first, reason=" ", actor=officer)
    assert err.value.field == "reason"
    numbering.void(first, reason="打印错误，文书未送达", actor=officer)
    first.refresh_from_db()
    assert first.voided_at and first.voided_by == officer and first.void_reason == "打印错误，文书未送达"
    assert "已作废" in str(first)
    with pytest.raises(RuleViolation, match="已于"):
        numbering.void(first, reason="再次", actor=officer)
    assert numbering.allocate(bureau, "penalty_decision", on=D(2026, 3, 3)).number == "平文旅罚〔2026〕2号"
    assert Event.objects.filter(action="documents.number_voided", subject="number:平文旅罚〔2026〕1号").count() == 1


def test_a_document_without_a_series_takes_no_number(bureau):
    with pytest.raises(RuleViolation) as err:
        numbering.allocate(bureau, "interview_record", on=D(2026, 3, 2))
    assert err.value.code == "document_not_numbered" and "调查询问笔录" in err.value.message
    with pytest.raises(RuleViolation):
        numbering.allocate(bureau, "no_such_document", on=D(2026, 3, 2))


def test_the_series_and_pattern_are_the_agencys_policy(bureau):
    PolicyValue.objects.create(key="documents.number_series", agency=bureau, value={"penalty_decision": "罚决"},
                               effective_from=D(2026, 1, 1))
    PolicyValue.objects.create(key="documents.number_pattern", agency=bureau,
                               value="{agency}文{series}字〔{year}〕第{seq}号", effective_from=D(2026, 6, 1))
    assert numbering.allocate(bureau, "penalty_decision", on=D(2026, 3, 2)).number == "平文旅罚决〔2026〕1号"
    assert numbering.allocate(bureau, "penalty_decision", on=D(2026, 6, 2)).number == "平文旅文罚决字〔2026〕第2号"
    with pytest.raises(RuleViolation):
        numbering.allocate(bureau, "penalty_notice", on=D(2026, 6, 2))  # no longer listed


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("documents.number_pattern", "{agency}〔{year}〕{seq}号", "{series}"),     # numbers of two series would collide
    ("documents.number_pattern", "{agency}{series}{seq}号", "{year}"),
    ("documents.number_pattern", "{agency}{series}〔{year}〕{n}号", "未知的位置"),
    ("documents.number_pattern", "{agency{series}", "格式有误"),
    ("documents.number_series", {"penalty_decision": "罚", "penalty_notice": "罚"}, "不能相同"),
    ("documents.number_series", {"penalty_decision": "F"}, "汉字"),
    ("documents.number_series", {"nothing": "罚"}, "没有代码"),
    ("documents.number_series", ["罚"], "对应"),
])
def test_the_policy_refuses_what_would_break_numbering(key, value, problem):
    from zhifa.catalog.policies import PARAMETERS

    numbering.register()
    with pytest.raises(RuleViolation) as err:
        PARAMETERS[key].check(value)
    assert problem in err.value.message


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # rows cleared each time
@given(st.lists(st.sampled_from(["penalty_decision", "penalty_notice", "hearing_notice"]), min_size=1, max_size=12))
def test_each_series_is_one_to_n_without_gaps(bureau, documents):
    from zhifa.documents.models import NumberSequence

    DocumentNumber.objects.all().delete()
    NumberSequence.objects.all().delete()
    for d in documents:
        numbering.allocate(bureau, d, on=D(2026, 5, 1))
    for series in {numbering.series_of(d, bureau, D(2026, 5, 1)) for d in documents}:
        seqs = list(DocumentNumber.objects.filter(series=series).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.django_db(transaction=True)
def test_two_officers_at_the_same_moment_get_consecutive_numbers(make_agency, domains):
    bureau = make_agency("平舆县文化广电和旅游局", short_name="平文旅")
    start, results, errors = threading.Barrier(2), [], []

    def take():
        try:
            start.wait()
            for _ in range(10):
                for attempt in range(100):
                    try:
                        with transaction.atomic():
                            results.append(numbering.allocate(bureau, "penalty_decision", on=D(2026, 3, 2)).seq)
                        break
                    except Exception as exc:
                        if "locked" not in str(exc) or attempt == 99:
                            raise
                        time.sleep(0.02)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(results) == list(range(1, 21))
    assert sorted(DocumentNumber.objects.values_list("seq", flat=True)) == list(range(1, 21))
