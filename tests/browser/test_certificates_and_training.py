"""The 内勤 keeps an officer's qualification file: certificate, onboarding training, and the verdict."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import shot
from .ui import field_row, labelled, nav, sign_in_home

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _last_month(today: date) -> tuple[date, date]:
    """The whole calendar month before `today`'s: a month-long onboarding course already finished."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def test_clerk_records_certificate_and_onboarding_then_officer_may_enforce(live_server, page, agency, make_user):
    base = live_server.url
    today = timezone.localdate()
    make_user(agency, roles=("clerk",), username="neiqin", full_name="李档案")
    make_user(agency, roles=("officer",), username="zhaoliu", full_name="赵六")

    sign_in_home(page, base, "neiqin")
    nav(page, "执法人员")
    page.wait_for_url(re.compile(r".*/org/roster/.*"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="赵六"))
    assert "暂不得执法" in row.inner_text()
    row.get_by_role("link", name="赵六").click()

    # The file of an officer with nothing recorded: not allowed, and why.
    page.wait_for_url(re.compile(r".*/org/people/\d+/$"))
    heading = page.get_by_role("heading", level=1)
    assert "赵六" in heading.inner_text() and "暂不得执法" in heading.inner_text()
    main = page.locator("main")
    assert "不得在任何执法领域执法" in main.inner_text()
    assert "未持有行政执法证件" in main.inner_text()
    assert "入职培训未完成" in main.inner_text()
    assert "未登记执法证。" in main.inner_text()

    # A certificate whose validity ends before it was issued is refused, on the field, nothing lost.
    page.get_by_role("link", name="登记执法证").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记执法证 · 赵六")
    issued = today - timedelta(days=400)
    labelled(page, "证号").fill("豫41172320260018")
    labelled(page, "发证机关").fill("河南省人民政府")
    labelled(page, "互联网上网服务").check()
    labelled(page, "娱乐场所").check()
    labelled(page, "发证日期").fill(f"{issued:%Y-%m-%d}")
    labelled(page, "有效期至").fill(f"{issued - timedelta(days=1):%Y-%m-%d}")
    page.get_by_role("button", name="登记执法证").click()

    error = field_row(page, "有效期至").get_by_role("alert")
    assert error.inner_text() == (f"有效期至（{issued - timedelta(days=1):%Y-%m-%d}）"
                                  f"不能早于发证日期（{issued:%Y-%m-%d}）。")
    assert "未保存" in page.locator(".form-errors").inner_text()
    assert labelled(page, "证号").input_value() == "豫41172320260018"
    assert labelled(page, "发证机关").input_value() == "河南省人民政府"
    assert labelled(page, "互联网上网服务").is_checked()
    assert labelled(page, "娱乐场所").is_checked()
    assert not labelled(page, "旅游").is_checked()
    assert labelled(page, "发证日期").input_value() == f"{issued:%Y-%m-%d}"
    assert labelled(page, "有效期至").input_value() == f"{issued - timedelta(days=1):%Y-%m-%d}"
    shot(page, "certificate-refused")

    until = issued + timedelta(days=5 * 365)
    labelled(page, "有效期至").fill(f"{until:%Y-%m-%d}")
    page.get_by_role("button", name="登记执法证").click()
    page.wait_for_url(re.compile(r".*/org/people/\d+/$"))
    assert "已登记执法证 豫41172320260018。" in page.get_by_role("status").first.inner_text()

    # With the certificate but no onboarding training: the domain is covered, still not allowed.
    cert_row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="互联网上网服务", exact=True))
    assert "不得执法" in cert_row.inner_text()
    assert "入职培训未完成" in cert_row.inner_text()
    assert "暂不得执法" in page.get_by_role("heading", level=1).inner_text()

    # A month of onboarding training, passed.
    start, end = _last_month(today)
    page.get_by_role("link", name="登记培训").click()
    labelled(page, "培训类别").select_option(label="入职培训")
    labelled(page, "培训名称").fill(f"{end.year}年新任行政执法人员入职培训")
    labelled(page, "组织单位").fill("县司法局")
    labelled(page, "开始日期").fill(f"{start:%Y-%m-%d}")
    labelled(page, "结束日期").fill(f"{end:%Y-%m-%d}")
    labelled(page, "学时").fill("176")
    labelled(page, "培训天数").fill("22")
    labelled(page, "考试结果").select_option(label="合格")
    labelled(page, "考试成绩").fill("88")
    page.get_by_role("button", name="登记培训").click()
    page.wait_for_url(re.compile(r".*/org/people/\d+/$"))
    assert "（176 学时，22 天）" in page.get_by_role("status").first.inner_text()

    # Now the file says 可以执法 for the certificate's domains, and only for them.
    assert "可以执法" in page.get_by_role("heading", level=1).inner_text()
    for domain in ("互联网上网服务", "娱乐场所"):
        verdict = page.get_by_role("row").filter(has=page.get_by_role("cell", name=domain, exact=True))
        assert "可以执法" in verdict.inner_text()
        assert "豫41172320260018" in verdict.inner_text()
    others = page.locator("main .card").filter(has_text="其他执法领域（证件未覆盖）").inner_text()
    assert "旅游" in others and "互联网上网服务" not in others
    assert f"已于 {end:%Y-%m-%d} 完成" in page.locator("main").inner_text()
    shot(page, "person-file-qualified")
