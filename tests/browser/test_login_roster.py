"""A person signs in and opens the roster, in a real browser."""

import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    page.goto(f"{base}/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_officer_logs_in_and_opens_roster(live_server, page, agency, make_user, domains):
    make_user(agency, roles=("officer",), username="zhangsan", full_name="张三")
    _login(page, live_server.url, "zhangsan")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="执法人员").first.click()
    page.wait_for_url(re.compile(r".*/org/roster/.*"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("执法人员")
    body = page.locator("main").inner_text()
    assert "张三" in body
    assert "未持有行政执法证件" in body  # no certificate yet: the roster says why
    shot(page, "roster-officer")


def test_wrong_password_is_refused_in_chinese(live_server, page, agency, make_user):
    make_user(agency, roles=("officer",), username="lisi")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("lisi")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("main")).to_contain_text("用户名或密码不正确")


def test_director_enrols_second_factor_then_sees_roster(live_server, page, agency, make_user):
    make_user(agency, roles=("head",), username="juzhang", full_name="王局长")
    _login(page, live_server.url, "juzhang")
    page.wait_for_url(re.compile(r".*/otp/setup/.*"))
    secret = page.locator("#otp-secret").inner_text().strip()
    import base64

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("动态验证码").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="确认启用").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/org/roster/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("执法人员")
    shot(page, "roster-director")
