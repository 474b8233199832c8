"""The 法制股 reviewer opens the review workspace from the to-do list, judges the seven checks and passes the review.
The steps before (立案, 调查, 调查终结, 提请法制审核) are taken with the service."""

from __future__ import annotations

import re

import pytest

from tests.cases.conftest import bureau, clerk, head, li, make_officer, party, person_party, reviewer, zhang  # noqa: F401
from tests.cases.test_review_workspace import under_review
from zhifa.cases.payload import REVIEW_CHECKS

from .conftest import shot
from .ui import labelled, nav, sign_in_home

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_passes_a_review_in_the_workspace(live_server, page, zhang, li, head, reviewer, party):  # noqa: F811
    from zhifa.cases.models import LegalReview

    case = under_review(zhang, li, head, party, reviewer)
    base = live_server.url
    sign_in_home(page, base, reviewer.username)
    nav(page, "案件")
    page.get_by_role("link", name="我的待办").click()
    page.locator(f"#todo-reviewer #case-{case.pk}").get_by_role("link", name="进入审核").click()
    page.wait_for_url(re.compile(rf".*/cases/{case.pk}/review/$"))
    assert "张三" in page.locator("#review-handlers").inner_text()
    assert "上网登记记录复印件" in page.locator("#review-evidence").inner_text()

    # passing with an unconfirmed check is refused on that check, with the values kept
    for code in REVIEW_CHECKS:
        if code != "documents":
            page.locator(f"#check-{code}").get_by_label("符合", exact=True).check()
    labelled(page, "审核意见").fill("事实清楚，证据确凿，程序合法，同意拟处罚意见")
    page.get_by_label("“执法程序合法”的审核意见").fill("立案、调查程序齐备")
    page.get_by_role("button", name="审核通过", exact=True).click()
    page.wait_for_load_state()
    assert "第五十八条" in page.locator("#violations").inner_text()
    assert "执法文书完备、规范" in page.locator("#check-documents .error").inner_text()
    assert labelled(page, "审核意见").input_value() == "事实清楚，证据确凿，程序合法，同意拟处罚意见"
    assert LegalReview.objects.get(case=case).status == "pending"

    page.locator("#check-documents").get_by_label("符合", exact=True).check()
    shot(page, "review-workspace")
    page.get_by_role("button", name="审核通过", exact=True).click()
    page.wait_for_url(re.compile(rf".*/cases/{case.pk}/$"))
    assert "已办理：法制审核通过" in page.locator(".messages").inner_text()
    review = LegalReview.objects.get(case=case)
    assert review.status == "passed" and review.check_notes == {"procedure": "立案、调查程序齐备"}
    assert page.locator("#case-state").inner_text() == "法制审核通过"
    assert "立案、调查程序齐备" in page.locator("#reviews").inner_text()
