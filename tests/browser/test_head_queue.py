"""The director's day: the head opens the queue from the to-do page, records the collective discussion of a
major case on its structured screen, and then decides it from the queue. Steps before (立案 … 陈述申辩) are taken
with the service, on the shortest lawful path."""

from __future__ import annotations

import re

import pytest

from tests.cases.conftest import bureau, clerk, head, li, make_officer, party, reviewer, zhang  # noqa: F401
from tests.cases.test_discussion import notify_and_conclude, open_clue, to_awaiting_decision

from .conftest import shot
from .ui import labelled, nav, sign_in_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_discusses_a_major_case_and_decides(live_server, page, zhang, li, reviewer, head, clerk, party,  # noqa: F811
                                                 make_user):
    from zhifa.cases.models import Case, CaseRecord, CaseStep

    deputy = make_user(head.agency, roles=("head",), full_name="副局长钱")
    absent = make_user(head.agency, roles=("head",), full_name="副局长孙")
    case = to_awaiting_decision(open_clue(zhang, party, zhang, li, title="发行未署出版单位名称的出版物"),
                                zhang, li, head, reviewer, major=True)
    notify_and_conclude(case, zhang, head)
    base = live_server.url

    sign_in_with_second_factor(page, base, head.username)
    nav(page, "案件")
    page.get_by_role("link", name="我的待办").click()
    page.get_by_role("link", name=re.compile("负责人待办")).click()
    page.wait_for_url(re.compile(r".*/cases/head/$"))
    row = page.locator(f"#head-decision-{case.pk}")
    assert "重大案件，须先集体讨论" in row.inner_text()
    assert case.title in page.locator(f"#head-discussion-{case.pk}").inner_text()
    shot(page, "head-queue")

    # the collective discussion, from the queue
    page.locator(f"#head-discussion-{case.pk}").get_by_role("link", name="集体讨论").click()
    page.wait_for_url(re.compile(rf".*/cases/{case.pk}/discussion/$"))
    assert "本机关负责人共 3 人" in page.locator("#quorum").inner_text()
    labelled(page, "地点").fill("局三楼会议室")
    labelled(page, "主持人").select_option(str(head.pk))
    labelled(page, "记录人").select_option(str(clerk.pk))
    # first with the director alone: refused, the quorum named, the values kept
    page.get_by_label("局长赵出席").check()
    page.get_by_label("局长赵的意见").fill("同意拟处罚意见")
    page.get_by_label("副局长钱的缺席理由").fill("出差")
    page.get_by_label("副局长孙的缺席理由").fill("外出学习")
    labelled(page, "列席人员 1").fill("张三（承办人）")
    labelled(page, "列席人员 1 的发言或者意见").fill("汇报了案件事实、证据和拟处罚意见")
    labelled(page, "讨论决定（拟作出的处理决定）").fill("同意给予警告")
    page.get_by_role("button", name="确认办理").click()
    assert "出席的负责人：本机关负责人共 3 人" in page.locator("#violations").inner_text()
    assert labelled(page, "地点").input_value() == "局三楼会议室"
    assert page.get_by_label("局长赵的意见").input_value() == "同意拟处罚意见"
    shot(page, "head-discussion-refused")
    # the deputy attends after all
    page.get_by_label("副局长钱出席").check()
    page.get_by_label("副局长钱的缺席理由").fill("")
    page.get_by_label("副局长钱的意见").fill("同意")
    page.get_by_role("button", name="确认办理").click()
    page.wait_for_url(re.compile(rf".*/cases/{case.pk}/#discussion$"))
    assert "已办理：集体讨论" in page.locator(".messages").inner_text()
    record = page.locator("#discussion").inner_text()
    for text in ("局三楼会议室", "局长赵", "副局长钱", "同意拟处罚意见", "张三（承办人）", "副局长孙（外出学习）",
                 "同意给予警告"):
        assert text in record, text
    case.refresh_from_db()
    assert case.collective_discussion_held
    assert CaseRecord.objects.filter(case=case, code="collective_attendance").exists()
    assert CaseStep.objects.get(case=case, action="hold_collective_discussion").payload["quorum"]["counted"] == 2
    assert deputy.pk and absent.pk
    shot(page, "head-discussion-recorded")

    # back to the queue: the case now only awaits the decision
    page.goto(f"{base}/cases/head/")
    assert page.locator(f"#head-discussion-{case.pk}").count() == 0
    row = page.locator(f"#head-decision-{case.pk}")
    assert "须先集体讨论" not in row.inner_text()
    row.get_by_role("link", name="作出行政处罚决定").click()
    assert page.get_by_label("行政处罚决定书", exact=True).is_checked()
    page.get_by_role("button", name="确认办理").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case = Case.objects.get(pk=case.pk)
    assert case.state == "decided" and page.locator("#case-state").inner_text() == "已决定"
