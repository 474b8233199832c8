"""The administrators' screens: the 安全管理员 unlocks an account and is refused a second admin role
for one person (三员分立); the 系统管理员 sets a dated policy parameter and sees it in its history."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import shot
from .ui import field_row, labelled, nav, sign_in, sign_in_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _person_row(page, username: str):
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=username, exact=True))


def test_secadmin_sees_locked_account_and_unlocks_it(live_server, browser, page, agency, make_user):
    base = live_server.url
    make_user(agency, roles=("secadmin",), username="anquan", full_name="周安全")
    make_user(agency, roles=("officer",), username="qianqi", full_name="钱七")

    # 钱七 mistypes the password five times in another browser: the account is locked, and then
    # even the right password is refused.
    other = browser.new_context(locale="zh-CN")
    officer = other.new_page()
    officer.set_default_timeout(15000)
    try:
        for _ in range(5):
            sign_in(officer, base, "qianqi", "wrong-password-123")
        assert "账户已锁定" in officer.get_by_role("alert").first.inner_text()
        sign_in(officer, base, "qianqi")
        assert "账户已锁定" in officer.get_by_role("alert").first.inner_text()

        sign_in_with_second_factor(page, base, "anquan")
        nav(page, "人员与角色")
        page.wait_for_url(re.compile(r".*/org/people/$"))
        assert "已锁定" in _person_row(page, "qianqi").inner_text()
        assert "已锁定" not in _person_row(page, "anquan").inner_text()

        # The filter for locked accounts shows only 钱七.
        page.get_by_label("账户状态").select_option(label="已锁定")
        page.get_by_role("button", name="筛选").click()
        page.wait_for_url(re.compile(r".*status=locked.*"))
        body = page.get_by_role("table").inner_text()
        assert "钱七" in body and "周安全" not in body
        shot(page, "people-locked")

        page.once("dialog", lambda d: d.accept())  # "确认解锁该账户并清除登录失败记录？"
        _person_row(page, "qianqi").get_by_role("button", name="解锁").click()
        page.wait_for_url(re.compile(r".*/org/people/$"))
        assert "已解锁 钱七（qianqi）的账户" in page.get_by_role("status").first.inner_text()
        assert "已锁定" not in _person_row(page, "qianqi").inner_text()
        assert _person_row(page, "qianqi").get_by_role("button", name="解锁").count() == 0

        # Unlocked: 钱七 signs in with the right password.
        sign_in(officer, base, "qianqi")
        officer.wait_for_url(f"{base}/")
    finally:
        other.close()


def test_secadmin_cannot_give_one_person_two_admin_roles(live_server, page, agency, make_user):
    from zhifa.org.models import User

    base = live_server.url
    make_user(agency, roles=("secadmin",), username="anquan", full_name="周安全")
    make_user(agency, roles=("officer",), username="sunba", full_name="孙八")

    sign_in_with_second_factor(page, base, "anquan")
    nav(page, "人员与角色")
    _person_row(page, "sunba").get_by_role("link", name="角色").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("分配角色：孙八")
    assert page.get_by_role("checkbox", name="执法人员").is_checked()

    page.get_by_role("checkbox", name="系统管理员").check()
    page.get_by_role("checkbox", name="审计管理员").check()
    page.get_by_role("button", name="保存角色").click()

    roles = page.get_by_role("group", name="角色")
    error = roles.get_by_role("alert").inner_text()
    assert "不得由同一人兼任（三员分立）" in error
    assert "系统管理员" in error and "审计管理员" in error
    assert "提交的内容有误" in page.locator(".form-errors").inner_text()
    # What was ticked is still ticked, so the choice can be corrected, and nothing was saved.
    for name in ("执法人员", "系统管理员", "审计管理员"):
        assert page.get_by_role("checkbox", name=name).is_checked()
    assert not page.get_by_role("checkbox", name="安全管理员").is_checked()
    assert User.objects.get(username="sunba").role_codes() == {"officer"}
    shot(page, "roles-refused")


def _policy_section(page, label: str):
    """The card of one parameter on 政策参数, found by its heading (the label, then the key)."""
    # A "/" in a pattern must be escaped: Playwright sends the pattern as /source/.
    heading = re.compile("^" + re.escape(label).replace("/", r"\/"))
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading))


def test_sysadmin_sets_yearly_training_minimum(live_server, page, agency, make_user):
    base = live_server.url
    today = timezone.localdate()
    starts = date(today.year + 1, 1, 1)
    make_user(agency, roles=("sysadmin",), username="xitong", full_name="吴系统")

    sign_in_with_second_factor(page, base, "xitong")
    nav(page, "政策参数")
    section = _policy_section(page, "年度复训/轮训最低要求")
    assert "1周" in section.inner_text()  # the default, until set
    section.get_by_role("link", name="设置新取值").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("设置：年度复训/轮训最低要求")

    labelled(page, "数量").fill("60")
    labelled(page, "单位").select_option(label="学时")
    labelled(page, "生效日期").fill(f"{starts:%Y-%m-%d}")
    labelled(page, "依据").fill("县文化广电和旅游局关于行政执法人员年度培训的通知（测文旅〔2026〕12号）")
    labelled(page, "说明").fill("按每人每年不少于60学时执行")
    assert field_row(page, "生效日期").get_by_role("alert").count() == 0
    page.get_by_role("button", name="保存", exact=True).click()

    page.wait_for_url(re.compile(r".*/org/policies/$"))
    assert (f"已设置“年度复训/轮训最低要求”为 60学时，自 {starts:%Y-%m-%d} 起施行。"
            in page.get_by_role("status").first.inner_text())
    section = _policy_section(page, "年度复训/轮训最低要求")
    row = section.get_by_role("row").filter(has=page.get_by_role("cell", name=f"{starts:%Y-%m-%d}"))
    text = row.inner_text()
    assert "60学时" in text and "本机关" in text and "吴系统" in text and "待生效" in text
    assert "测文旅〔2026〕12号" in text
    # Not in force before its date: today's value is still the default.
    assert re.search(r"现行取值\s*1周", section.locator("dl").inner_text())
    section.scroll_into_view_if_needed()
    shot(page, "policy-history")
