"""The benchmark screens as people use them: the 法制审核人员 drafts the county's 裁量基准, is told on the field
that a band's lower end is above its upper end, corrects it and saves; the 负责人 publishes it
(《行政处罚法》第三十四条: 裁量基准应当向社会公布); the discretion calculator of an item then uses it."""

import re

import pytest

from .conftest import shot
from .ui import labelled, nav, sign_in_home, sign_in_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAVIER_LOW = "仅有上限的罚款（“……以下”） 从重处罚 下限（%）"
HEAVIER_HIGH = "仅有上限的罚款（“……以下”） 从重处罚 上限（%）"
MINORS = "以未成年人为对象或者侵害未成年人权益"


def _recommended(page, base: str) -> str:
    """WH-NET-004 (15000元以下罚款) with a minor admitted: the recommended range the calculator gives."""
    page.goto(f"{base}/catalog/items/WH-NET-004/")
    calc = page.locator("#calculator")
    calc.get_by_role("checkbox", name=MINORS).check()
    calc.get_by_role("button", name="计算").click()
    page.locator("#assessment").wait_for()
    assert page.locator("#outcome").inner_text() == "从重处罚"
    return page.locator("#assessment").inner_text()


def test_reviewer_drafts_head_publishes_calculator_follows(live_server, browser, page, agency, make_user):
    base = live_server.url
    make_user(agency, roles=("reviewer",), username="fazhi", full_name="钱法制")
    make_user(agency, roles=("head",), username="fuze", full_name="孙负责")

    sign_in_home(page, base, "fazhi")
    # before: the platform default benchmark (从重 70–100% of 15000元 → 10500–15000元)
    assert "10500元–15000元" in _recommended(page, base)

    nav(page, "执法事项目录")
    page.get_by_role("link", name="裁量基准", exact=True).click()
    page.wait_for_url(re.compile(r".*/catalog/benchmarks/$"))
    assert "今日适用于本机关的裁量基准" in page.get_by_role("status").first.inner_text()
    page.get_by_role("link", name="制定新基准").click()
    page.wait_for_url(re.compile(r".*/catalog/benchmarks/new/$"))

    form = page.locator("#benchmark-form")
    labelled(form, "名称").fill("测试县文化市场行政处罚裁量基准（2026年版）")
    labelled(form, "施行日期").fill("2026-01-01")
    labelled(form, "制定依据").fill("测文旅〔2026〕3号")
    # the bands start from the benchmark in force: 从重 70–100
    assert labelled(form, HEAVIER_LOW).input_value() == "70"
    labelled(form, HEAVIER_LOW).fill("90")
    labelled(form, HEAVIER_HIGH).fill("80")
    form.get_by_role("button", name="保存（不公开）").click()

    # refused next to the band, everything entered kept, nothing saved
    errors = page.locator("#band-table-max_only-errors")  # the row right under the shape's inputs
    assert "从重处罚" in errors.get_by_role("alert").inner_text() and "大于上限" in errors.inner_text()
    assert "has-error" in page.locator(".field", has=labelled(page, HEAVIER_HIGH)).get_attribute("class")
    assert "提交的内容有误" in page.locator(".form-errors").inner_text()
    form = page.locator("#benchmark-form")
    assert labelled(form, "名称").input_value() == "测试县文化市场行政处罚裁量基准（2026年版）"
    assert labelled(form, HEAVIER_LOW).input_value() == "90"
    errors.scroll_into_view_if_needed()
    shot(page, "benchmark-band-refused")

    labelled(form, HEAVIER_LOW).fill("80")
    labelled(form, HEAVIER_HIGH).fill("100")
    form.get_by_role("button", name="保存（不公开）").click()
    page.wait_for_url(re.compile(r".*/catalog/benchmarks/\d+/$"))
    assert "未公开" in page.locator(".actions").first.inner_text()
    assert "80%–100%" in page.locator("#band-max_only").inner_text()
    assert page.get_by_role("button", name="公开").count() == 0  # the reviewer drafts; the head publishes
    detail = page.url
    # still a draft: the calculator keeps the platform default
    assert "10500元–15000元" in _recommended(page, base)

    head_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    head = head_ctx.new_page()
    head.set_default_timeout(15000)
    try:
        sign_in_with_second_factor(head, base, "fuze")
        head.goto(detail)
        head.once("dialog", lambda dialog: dialog.accept())  # the data-confirm question
        head.get_by_role("button", name="公开").click()
        head.wait_for_url(detail)
        assert "已公开" in head.get_by_role("status").first.inner_text()
        assert head.get_by_role("link", name="修改", exact=True).count() == 0
        shot(head, "benchmark-published")
        # the item page shows the new bands and the calculator applies them: 从重 80–100% → 12000–15000元
        text = _recommended(head, base)
        assert "12000元–15000元" in text and "10500元–15000元" not in text
        assert "测试县文化市场行政处罚裁量基准（2026年版）" in head.locator("#benchmark").inner_text()
        head.locator("#assessment").scroll_into_view_if_needed()
        shot(head, "benchmark-calculator-after-publish")
    finally:
        head_ctx.close()

