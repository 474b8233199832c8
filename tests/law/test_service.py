"""Service of documents (送达; zhifa.law.service): what each method needs and the date it counts as served. Each
row cites the article (行政处罚法第六十一条 applying the 民事诉讼法)."""

from __future__ import annotations

from datetime import date

import pytest

from zhifa.law.calendar import WorkCalendar
from zhifa.law.service import METHODS, Service, check, served_on

CAL = WorkCalendar.from_chinese_calendar()
ISSUED, TODAY = date(2026, 11, 2), date(2026, 11, 27)

# (article, the service, the date it counts as served)
DATES = [
    ("行政处罚法第五十二条、第六十一条：当场交付之日", Service("on_the_spot", date(2026, 11, 3), "李明"),
     date(2026, 11, 3)),
    ("民诉法第八十七条：签收日期为送达日期", Service("direct", date(2026, 11, 3), "李明"), date(2026, 11, 3)),
    ("民诉法第八十九条：留置之日视为送达", Service("lodged", date(2026, 11, 3), "李明", witness="村委会王某"),
     date(2026, 11, 3)),
    ("民诉法第九十一条：回执上注明的收件日期", Service("post", date(2026, 11, 6), "李明", tracking_no="EMS1"),
     date(2026, 11, 6)),
    ("民诉法第九十条：到达特定系统的日期", Service("electronic", date(2026, 11, 4), "李明", address="a@b.cn",
                                            consent_on_file=True), date(2026, 11, 4)),
    ("民诉法第九十五条：公告之日起经过三十日", Service("public_notice", date(2026, 11, 2), reason="下落不明"),
     date(2026, 12, 2)),
    # the thirtieth day falls in the National Day holiday: it runs to the next working day (民诉法第八十五条)
    ("民诉法第九十五条、第八十五条", Service("public_notice", date(2026, 9, 3), reason="下落不明"), date(2026, 10, 8)),
]


@pytest.mark.parametrize(("article", "s", "expected"), DATES, ids=[r[0] for r in DATES])
def test_served_on(article: str, s: Service, expected: date) -> None:
    assert served_on(s, CAL) == expected
    assert check(s, issued_on=date(2026, 9, 1), today=TODAY) == []


# (article, the service, the code refused, the field named, the article cited)
REFUSALS = [
    ("第六十一条", Service("fax", date(2026, 11, 3), "李明"), "service_method_unknown", "method", "第六十一条"),
    ("民诉法第八十七条", Service("direct", date(2026, 11, 3)), "service_recipient_missing", "recipient", "第八十七条"),
    ("民诉法第八十九条", Service("lodged", date(2026, 11, 3), "李明"), "service_lodged_proof", "witness", "第八十九条"),
    ("民诉法第九十一条", Service("post", date(2026, 11, 3), "李明"), "service_tracking_missing", "tracking_no",
     "第九十一条"),
    ("行政处罚法第六十一条第二款", Service("electronic", date(2026, 11, 3), "李明", address="a@b.cn"),
     "service_consent_missing", "method", "第六十一条第二款"),
    ("行政处罚法第六十一条第二款", Service("electronic", date(2026, 11, 3), "李明", consent_on_file=True),
     "service_address_missing", "address", "第六十一条第二款"),
    ("民诉法第九十五条", Service("public_notice", date(2026, 11, 3)), "service_notice_reason", "reason", "第九十五条"),
    ("民诉法第八十七条", Service("direct", date(2026, 11, 1), "李明"), "service_before_issue", "on", "第八十七条"),
    ("民诉法第八十七条", Service("direct", date(2026, 11, 28), "李明"), "service_in_future", "on", "第八十七条"),
]


@pytest.mark.parametrize(("article", "s", "code", "field", "cited"), REFUSALS, ids=[r[2] for r in REFUSALS])
def test_refused(article: str, s: Service, code: str, field: str, cited: str) -> None:
    problems = check(s, issued_on=ISSUED, today=TODAY)
    found = {p.code: p for p in problems}
    assert code in found, problems
    assert found[code].field == field
    assert any(cited in b.article for b in found[code].basis)


def test_lodged_with_video_needs_no_witness_and_policy_asks_av_or_reason() -> None:
    """民诉法第八十九条: a witness OR a photo/video record; the agency's A/V policy then asks the record or the
    reason (国办发〔2018〕118号)."""
    with_video = Service("lodged", date(2026, 11, 3), "李明", av_recorded=True)
    assert check(with_video, issued_on=ISSUED, today=TODAY, av_required=True) == []
    witness_only = Service("lodged", date(2026, 11, 3), "李明", witness="居委会刘某")
    assert [p.code for p in check(witness_only, issued_on=ISSUED, today=TODAY, av_required=True)] == \
        ["service_lodged_av"]
    assert check(Service("lodged", date(2026, 11, 3), "李明", witness="居委会刘某", av_reason="设备故障"),
                 issued_on=ISSUED, today=TODAY, av_required=True) == []


def test_every_method_is_named() -> None:
    assert set(METHODS) == {"on_the_spot", "direct", "lodged", "post", "electronic", "public_notice"}
