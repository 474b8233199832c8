"""The public portal in Chromium, as a visitor with no account: search the decisions for a 2-character fragment,
open a decision, download the CSV; the same pages on a phone; no request leaves the site; the skip link works by
keyboard. Screenshots of the home and decision pages go to test-results/ (scripts/portal-screenshots makes the ones
in docs/)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("load_reference", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    from zhifa.org.demo import AGENCY

    return AGENCY["code"]


def _only_own_requests(page, base: str) -> list[str]:
    foreign: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) or r.url.startswith("data:") else foreign.append(r.url))
    return foreign


def test_search_open_a_decision_and_download_the_csv(live_server, page, demo):
    base = live_server.url
    foreign = _only_own_requests(page, base)
    page.goto(f"{base}/gs/")
    page.wait_for_url(f"{base}{reverse('portal:home', args=[demo])}")
    assert page.locator("h1").inner_text().endswith("行政执法公示")
    shot(page, "portal-home")

    page.get_by_label("当事人、文号或案由").fill("途悦")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url(re.compile(r".*/decisions/\?q=.*"))
    assert "找到 1 件" in page.get_by_role("status").inner_text()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and "平舆县途悦旅行社有限公司" in rows.first.inner_text()

    rows.first.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/decisions/\d+/$"))
    assert page.locator("h1").inner_text() == "行政处罚决定信息"
    facts = page.locator("dl.facts").inner_text()
    assert "平文旅罚〔" in facts and "46,000.00" in facts and "旅行社未与旅游者签订旅游合同" in facts
    shot(page, "portal-decision")

    page.goto(f"{base}{reverse('portal:data', args=[demo])}")
    with page.expect_download() as info:
        page.get_by_role("link", name="执法决定（CSV，UTF-8）").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6 and {"决定书文号", "当事人", "处罚内容"} <= set(rows[0])
    assert "刘某某" in {r["当事人"] for r in rows} and "刘翠英" not in text
    assert foreign == []


def test_a_one_character_query_is_explained(live_server, page, demo):
    page.goto(f"{live_server.url}{reverse('portal:decisions', args=[demo])}?q=旅")
    assert "请至少输入两个字" in page.get_by_role("alert").first.inner_text()
    assert page.locator("table tbody tr").count() == 6  # the list stays


def test_on_a_phone_and_by_keyboard(live_server, browser, demo):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = ctx.new_page()
    try:
        base = live_server.url
        page.goto(f"{base}{reverse('portal:decisions', args=[demo])}")
        # nothing wider than the screen but the tables' own scrolling boxes
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent").strip() == "跳到正文"
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r".*#main$"))
        page.locator("table tbody tr a").first.click()
        page.wait_for_url(re.compile(r".*/decisions/\d+/$"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "portal-decision-phone")
    finally:
        ctx.close()
