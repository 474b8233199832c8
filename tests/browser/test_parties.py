"""An officer registers an organisation: a wrong check character is refused, then it is found by name."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import shot
from .ui import field_row, labelled, nav, sign_in_home

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "福州星海网络文化有限公司"
WRONG_CODE = "91350100M000100Y44"  # GB 32100-2015: the 18th character should be 3
RIGHT_CODE = "91350100M000100Y43"


def test_officer_registers_organisation_after_correcting_credit_code(live_server, page, agency, make_user):
    from zhifa.parties.models import Party

    base = live_server.url
    make_user(agency, roles=("officer",), username="wangwu", full_name="王五")
    # Another party of the same agency, which the name search must leave out.
    Party.objects.create(agency=agency, kind="organisation", name="三明市青禾文化传媒有限公司",
                         credit_code="91350400MA2YQ5R8XU", representative="林青")

    sign_in_home(page, base, "wangwu")
    nav(page, "行政相对人")
    page.wait_for_url(re.compile(r".*/parties/$"))
    page.get_by_role("link", name="登记当事人").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记当事人")
    assert page.get_by_role("radio", name="法人或其他组织").is_checked()

    labelled(page, "姓名/名称").fill(NAME)
    labelled(page, "统一社会信用代码").fill(WRONG_CODE)
    labelled(page, "法定代表人/负责人/经营者").fill("陈明")
    labelled(page, "住所/地址").fill("福州市鼓楼区五四路 88 号")
    labelled(page, "联系电话").fill("0591-87654321")
    page.get_by_role("button", name="保存", exact=True).click()

    # Refused on the field, naming the check character; everything typed is still there.
    error = field_row(page, "统一社会信用代码").get_by_role("alert")
    assert error.inner_text() == "统一社会信用代码校验码错误：第 18 位应为 3，实际为 4（GB 32100-2015）"
    assert "未保存" in page.locator("main").inner_text()
    assert labelled(page, "姓名/名称").input_value() == NAME
    assert labelled(page, "统一社会信用代码").input_value() == WRONG_CODE
    assert labelled(page, "法定代表人/负责人/经营者").input_value() == "陈明"
    assert labelled(page, "住所/地址").input_value() == "福州市鼓楼区五四路 88 号"
    assert page.get_by_role("radio", name="法人或其他组织").is_checked()
    assert Party.objects.filter(name=NAME).count() == 0
    shot(page, "party-credit-code-refused")

    labelled(page, "统一社会信用代码").fill(RIGHT_CODE)
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r".*/parties/\d+/$"))
    assert f"已登记当事人「{NAME}」" in page.locator(".messages").inner_text()
    assert page.get_by_role("heading", level=1).inner_text().strip() == NAME
    assert RIGHT_CODE in page.locator("main").inner_text()

    # The list shows it; two characters of its name find it and leave the other party out.
    nav(page, "行政相对人")
    assert page.get_by_role("link", name=NAME).is_visible()
    assert "共 2 个当事人" in page.locator("main").inner_text()
    page.get_by_role("searchbox", name="搜索").fill("星海")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r".*/parties/\?.*q=.*"))
    rows = page.get_by_role("row").filter(has=page.get_by_role("link"))
    assert rows.count() == 1
    assert NAME in rows.inner_text() and RIGHT_CODE in rows.inner_text() and "陈明" in rows.inner_text()
    assert "青禾" not in page.locator("main table").inner_text()
    assert "共 1 个当事人" in page.locator("main").inner_text()
    assert page.get_by_role("searchbox", name="搜索").input_value() == "星海"
    shot(page, "party-search")


def test_party_form_shows_the_groups_for_the_chosen_kind(live_server, page, agency, make_user):
    """Choosing 自然人 shows the identity document and hides the credit code, and back again."""
    from .ui import sign_in_home

    make_user(agency, roles=("officer",), username="xiaozhou", full_name="小周")
    sign_in_home(page, live_server.url, "xiaozhou")
    page.goto(f"{live_server.url}/parties/new/")
    page.get_by_label("自然人", exact=True).check()
    assert page.locator('[data-for-kinds="person"]').is_visible()
    assert not page.locator('[data-for-kinds="organisation individual"]').is_visible()
    page.get_by_label("法人或其他组织", exact=True).check()
    assert not page.locator('[data-for-kinds="person"]').is_visible()
    assert page.locator('[data-for-kinds="organisation individual"]').is_visible()
