"""The catalog screens as a person uses them: the 系统管理员 adds a local holiday on the calendar editor
and sees a deadline move; an officer finds an item in the 执法事项目录 and works out a penalty with the
discretion calculator."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import shot
from .ui import field_row, labelled, nav, sign_in_home, sign_in_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sysadmin_adds_a_holiday_and_the_deadline_moves(live_server, page, agency, make_user):
    base = live_server.url
    make_user(agency, roles=("sysadmin",), username="xitong", full_name="吴系统")

    sign_in_with_second_factor(page, base, "xitong")
    nav(page, "节假日")
    page.goto(f"{base}/catalog/calendar/?year=2026")
    assert page.get_by_role("heading", level=1).inner_text() == "节假日安排 · 2026年"
    national_day = page.locator("#day-2026-10-01")
    assert "国庆节" in national_day.inner_text() and "法定节假日/休息日" in national_day.inner_text()

    # 2027 has no data yet: the coverage table says so, with the warning deadlines will carry.
    coverage = page.locator("#coverage")
    assert "2027年无节假日数据，已按仅排除周末推算，结果须人工核对" in coverage.inner_text()

    # A deadline before the change: 7 working days from Friday 2026-10-30 end on Tuesday 11-10.
    trial = page.locator("#try")
    labelled(trial, "期限").select_option("preservation_handling")
    labelled(trial, "起算日").fill("2026-10-30")
    trial.get_by_role("button", name="试算").click()
    expect(page.locator("#try-result")).to_contain_text("2026-11-10")

    # The county gives Monday 11-02 off.
    form = page.locator("#add-day")
    labelled(form, "日期").fill("2026-11-04")
    form.get_by_role("radio", name="调休上班日").check()
    labelled(form, "名称").fill("地方假日")
    form.get_by_role("button", name="添加").click()
    # A Wednesday cannot be an adjusted working day: refused on the field, the name kept.
    error = page.locator("#add-day").get_by_role("alert").filter(has_text="调休上班日应为周六或周日")
    error.wait_for()  # the refused form comes back with the next page; count() alone would not wait for it
    assert error.count() == 1
    assert labelled(page.locator("#add-day"), "名称").input_value() == "地方假日"

    form = page.locator("#add-day")
    labelled(form, "日期").fill("2026-11-02")
    form.get_by_role("radio", name="法定节假日/休息日").check()
    labelled(form, "说明").fill("县人民政府通知")
    form.get_by_role("button", name="添加").click()
    page.wait_for_url(re.compile(r".*/catalog/calendar/\?year=2026#day-2026-11-02$"))
    assert "已添加 2026-11-02（法定节假日/休息日）。" in page.get_by_role("status").first.inner_text()
    row = page.locator("#day-2026-11-02")
    text = row.inner_text()
    assert "地方假日" in text and "人工维护" in text and "县人民政府通知" in text

    # The same deadline now ends a working day later.
    trial = page.locator("#try")
    labelled(trial, "期限").select_option("preservation_handling")
    labelled(trial, "起算日").fill("2026-10-30")
    trial.get_by_role("button", name="试算").click()
    expect(page.locator("#try-result")).to_contain_text("2026-11-11")
    row.scroll_into_view_if_needed()
    shot(page, "calendar-holiday-added")


def test_officer_reads_the_calendar_without_edit_forms(live_server, page, agency, make_user):
    base = live_server.url
    make_user(agency, roles=("officer",), username="zhaoliu", full_name="赵六")
    sign_in_home(page, base, "zhaoliu")
    nav(page, "节假日")
    page.wait_for_url(re.compile(r".*/catalog/calendar/$"))
    assert page.locator("#add-day").count() == 0
    assert page.get_by_role("button", name="删除").count() == 0
    assert "由系统管理员维护" in page.locator("main").inner_text()


def test_officer_finds_an_item_and_uses_the_discretion_calculator(live_server, page, agency, make_user):
    base = live_server.url
    make_user(agency, roles=("officer",), username="zhaoliu", full_name="赵六")
    sign_in_home(page, base, "zhaoliu")
    nav(page, "执法事项目录")
    page.wait_for_url(re.compile(r".*/catalog/$"))
    assert "共 61 项" in page.get_by_role("status").first.inner_text()

    page.get_by_label("搜索").fill("未成年人")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r".*q=.*"))
    table = page.get_by_role("table")
    assert "WH-NET-004" in table.inner_text() and "WH-NET-001" not in table.inner_text()
    row = page.locator("#item-WH-NET-004")
    assert "罚款（可以并处）" in row.inner_text() and "≤15000元" in row.inner_text()
    row.get_by_role("link", name="接纳未成年人进入营业场所").click()

    page.wait_for_url(re.compile(r".*/catalog/items/WH-NET-004/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "WH-NET-004 接纳未成年人进入营业场所"
    assert "处15000元以下罚款" in page.locator("#fine").inner_text()
    assert "10500元–15000元" in page.locator("#benchmark").inner_text()

    # The facts: an organisation, not a first violation, no 违法经营额, a minor admitted (aggravating).
    calc = page.locator("#calculator")
    assert not calc.get_by_role("checkbox", name="初次违法").is_checked()
    assert labelled(calc, "违法经营额（元）").input_value() == ""
    calc.get_by_role("checkbox", name="以未成年人为对象或者侵害未成年人权益").check()
    calc.get_by_role("button", name="计算").click()

    result = page.locator("#assessment")
    result.wait_for()
    text = result.inner_text()
    assert page.locator("#outcome").inner_text() == "从重处罚"
    assert "0元–15000元" in text and "10500元–15000元" in text
    steps = page.locator("#steps li")
    assert steps.count() >= 3
    assert any("以未成年人为对象" in steps.nth(i).inner_text() for i in range(steps.count()))
    assert "《互联网上网服务营业场所管理条例》第三十一条第（二）项" in text
    # the facts stay as entered
    assert page.locator("#calculator").get_by_role("checkbox", name="以未成年人为对象或者侵害未成年人权益").is_checked()
    result.scroll_into_view_if_needed()
    shot(page, "catalog-calculator")

    # A birth date for an organisation is refused next to the field, the other facts kept.
    calc = page.locator("#calculator")
    labelled(calc, "出生日期（自然人）").fill("2010-05-01")
    calc.get_by_role("button", name="计算").click()
    error = field_row(page, "出生日期（自然人）").get_by_role("alert")
    assert "当事人为法人或者其他组织时不适用" in error.inner_text()
    assert page.locator("#assessment").count() == 0
    assert page.locator("#calculator").get_by_role("checkbox", name="以未成年人为对象或者侵害未成年人权益").is_checked()
