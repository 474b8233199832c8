"""A case through the screens: the officer registers a clue and records evidence, the 法制股 passes the review,
the director decides. Steps in between (立案, 调查终结, 事先告知 …) are taken with the service, on the shortest lawful
path; the summary-procedure form fits a phone's screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.cases.conftest import bureau, clerk, head, li, make_officer, party, person_party, reviewer, zhang  # noqa: F401
from tests.cases.helpers import ALL_CHECKS, key

from .conftest import shot
from .ui import labelled, nav, sign_in_home, sign_in_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _step(case, action, actor, **payload):
    from zhifa.cases import services

    services.transition(case.pk, action, actor=actor, payload=payload, idempotency_key=key())
    case.refresh_from_db()


def test_officer_files_reviewer_passes_director_decides(live_server, page, zhang, li, reviewer, head, party):  # noqa: F811
    from zhifa.cases import services
    from zhifa.cases.models import Case, CaseRecord, LegalReview

    base = live_server.url
    today = timezone.localdate()

    # the officer registers the clue
    sign_in_home(page, base, zhang.username)
    nav(page, "案件")
    page.get_by_role("link", name="案源登记").first.click()
    labelled(page, "案由").fill("接纳未成年人进入互联网上网服务营业场所")
    labelled(page, "案源来源").select_option("inspection")
    labelled(page, "当事人").select_option(str(party.pk))
    labelled(page, "执法事项").select_option(["WH-NET-004"])
    labelled(page, "违法行为发生日期").fill((today - timedelta(days=2)).isoformat())
    labelled(page, "发现违法行为日期").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label(re.compile(r"李四 — 可执法领域")).check()
    assert page.get_by_label(re.compile(r"张三 — 可执法领域")).is_checked()
    page.get_by_label("现场检查（勘验）笔录", exact=True).check()
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    assert "已登记" in page.locator(".messages").inner_text()
    case = Case.objects.get()
    assert case.state == "clue" and {h.user_id for h in case.handlers.all()} == {zhang.pk, li.pk}
    assert page.locator("#case-state").inner_text() == "案源登记"

    # 立案 by the head, then the investigation starts (service)
    _step(case, "file", head, documents=["filing_approval_form"])
    _step(case, "start_investigation", zhang)

    # the officer records a piece of evidence
    page.reload()
    page.get_by_role("link", name="登记证据").click()
    labelled(page, "证据种类").select_option("documentary")
    labelled(page, "证据内容").fill("上网登记记录复印件三页")
    page.get_by_role("button", name="确认办理").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    assert "已办理：登记证据" in page.locator(".messages").inner_text()
    assert CaseRecord.objects.filter(case=case, code="evidence", evidence_kind="documentary").exists()
    assert "上网登记记录复印件三页" in page.locator("#records").inner_text()
    shot(page, "case-evidence-recorded")

    # 调查终结 and the submission to the 法制股 (service)
    _step(case, "close_investigation", zhang, documents=["investigation_report", "investigation_closing_form"],
          penalty={"kinds": ["warning"]})
    _step(case, "submit_review", zhang, documents=["investigation_report"], reviewer=reviewer.pk)

    # the reviewer finds it in the queue and passes it
    page.context.clear_cookies()
    sign_in_home(page, base, reviewer.username)
    nav(page, "案件")
    page.get_by_role("link", name="我的待办").click()
    page.locator("#todo-reviewer").get_by_role("link", name=case.title).click()
    page.get_by_role("link", name="法制审核通过").click()  # opens the review workspace
    labelled(page, "审核意见").fill("事实清楚，证据确凿，程序合法，同意拟处罚意见")
    for code in ALL_CHECKS:
        page.locator(f"#check-{code}").get_by_label("符合", exact=True).check()
    page.get_by_role("button", name="审核通过", exact=True).click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    assert LegalReview.objects.get(case=case).status == "passed"
    assert page.locator("#case-state").inner_text() == "法制审核通过"

    # to the head, the approved notice, the waived statement (service)
    _step(case, "submit_for_decision", zhang)
    services.decide_approval(case.pk, "penalty_proposal", actor=head, idempotency_key=key())
    _step(case, "notify", zhang, documents=["penalty_notice", "service_receipt"])
    _step(case, "waive_statement", zhang, records=["waiver_statement"])
    _step(case, "conclude_statements", zhang, documents=["statement_review_form"], conclusion="当事人放弃陈述申辩")

    # the director decides
    page.context.clear_cookies()
    sign_in_with_second_factor(page, base, head.username)
    nav(page, "案件")
    page.get_by_role("link", name="我的待办").click()
    page.locator("#todo-head").get_by_role("link", name=case.title).click()
    page.get_by_role("link", name="作出行政处罚决定").click()
    assert page.get_by_label("行政处罚决定书", exact=True).is_checked()
    page.get_by_role("button", name="确认办理").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case.refresh_from_db()
    assert case.state == "decided" and case.decided_penalty == {"kinds": ["warning"]}
    assert page.locator("#case-state").inner_text() == "已决定"
    assert "作出行政处罚决定" in page.locator("#timeline").inner_text()
    shot(page, "case-decided")


def test_summary_form_fits_a_phone(live_server, browser, zhang, li, person_party):  # noqa: F811
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = ctx.new_page()
    try:
        sign_in_home(page, live_server.url, zhang.username)
        page.goto(f"{live_server.url}/cases/new/summary/")
        assert page.get_by_role("heading", level=1).inner_text() == "当场处罚（简易程序）"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, "case-summary-phone")
    finally:
        ctx.close()
