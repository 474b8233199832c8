"""The full-process record on screen (issue 5): a closed case offers only 结案后补正, and the correction appears in the
case's history; the audit administrator sees the integrity checks and is alerted when one fails."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.cases.conftest import bureau, clerk, head, li, make_officer, party, person_party, reviewer, zhang  # noqa: F401
from tests.cases.test_closed import closed  # noqa: F401

from .conftest import shot
from .ui import labelled, sign_in_home, sign_in_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_closed_case_is_corrected_by_a_new_step(live_server, page, closed, zhang):  # noqa: F811
    from zhifa.records.models import Event

    base = live_server.url
    decided = Event.objects.get(case_id=closed.pk, action="cases.decide_on_the_spot")
    sign_in_home(page, base, zhang.username)
    page.goto(f"{base}/cases/{closed.pk}/")
    assert page.get_by_role("link", name="登记记录材料").count() == 0
    page.get_by_role("link", name="结案后补正").click()
    page.get_by_role("button", name="确认办理").click()  # nothing filled in: each field named, nothing saved
    expect(page.locator("[role=alert]").first).to_be_visible()
    labelled(page, "补正内容").fill("当场处罚决定书的罚款收据号应为“豫财 0098”")
    labelled(page, "补正的理由").fill("登记时笔误")
    labelled(page, "所补正的记录事件序号").fill(str(decided.pk))
    page.get_by_role("button", name="确认办理").click()
    page.wait_for_url(re.compile(rf".*/cases/{closed.pk}/$"))
    assert "已办理：结案后补正" in page.locator(".messages").inner_text()
    assert "结案后补正" in page.locator("body").inner_text()
    shot(page, "case-corrected-after-closing")
    event = Event.objects.get(case_id=closed.pk, action="cases.correct_after_closing")
    assert "登记时笔误" in event.payload and str(decided.pk) in event.payload


def test_the_audit_administrator_sees_a_failed_check_and_is_alerted(live_server, page, make_user, bureau):  # noqa: F811
    from django.db import connection

    from zhifa.records import checks
    from zhifa.records.models import Event
    from zhifa.records.services import record
    from zhifa.records.triggers import lifted

    auditor = make_user(bureau, roles=("auditadmin",), full_name="审计管理员冯", username="shenji")
    events = [record("auth.login", actor=auditor, payload={"k": k}) for k in range(3)]
    checks.run()
    with lifted(connection), connection.cursor() as cur:
        cur.execute(f"UPDATE {Event._meta.db_table} SET payload = %s WHERE id = %s", ['{"k":9}', events[1].pk])
    checks.run_if_due()  # not due: the last run was just now
    checks.run("tick")
    base = live_server.url
    sign_in_with_second_factor(page, base, auditor.username)
    page.goto(f"{base}/cases/notifications/")
    assert "记录校验未通过" in page.locator("body").inner_text()
    page.get_by_role("link", name="审计日志").last.click()
    page.wait_for_url(re.compile(r".*/org/audit/#verification$"))
    panel = page.locator("#verification")
    assert "未通过" in panel.inner_text() and f"第 {events[1].pk} 号事件" in panel.inner_text()
    assert "定时任务" in panel.inner_text() and "命令" in panel.inner_text()
    shot(page, "audit-verification-failed")


def test_an_officer_uploads_a_recording_and_the_head_exports_the_case_file(live_server, page, zhang, li, head,  # noqa: F811
                                                                             party, settings, tmp_path):  # noqa: F811
    from tests.cases.test_walks import open_general
    from zhifa.cases.demo import demo_mp4
    from zhifa.records import dossier, dossier_check
    from zhifa.records.models import Event

    settings.ZHIFA_DOSSIER_KEY = tmp_path / "keys" / "dossier-ed25519.pem"
    public = dossier.generate_key().public.read_bytes()
    case = open_general(zhang, party, zhang, li)
    video = tmp_path / "现场检查录像.mp4"
    video.write_bytes(demo_mp4("browser"))
    fake = tmp_path / "照片.jpg"
    fake.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200))  # an executable under a photo's name

    base = live_server.url
    sign_in_home(page, base, zhang.username)
    page.goto(f"{base}/cases/{case.pk}/")
    page.locator("#upload summary").click()
    labelled(page, "文件").set_input_files(str(fake))
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("#upload")).to_contain_text("可执行")  # refused, named, the page still there
    labelled(page, "文件").set_input_files(str(video))
    labelled(page, "设备编号").fill("PY-DSJ-07")
    labelled(page, "地点").fill("星河网络会所")
    page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_url(re.compile(rf".*/cases/{case.pk}/.*"))
    files = page.locator("#files")
    assert "现场检查录像.mp4" in files.inner_text() and "PY-DSJ-07" in files.inner_text()
    with page.expect_download() as got:
        files.get_by_role("link", name="现场检查录像.mp4").click()
    assert got.value.path().read_bytes() == video.read_bytes()
    assert Event.objects.filter(case_id=case.pk, action="cases.file_downloaded").count() == 1
    shot(page, "case-file-uploaded")

    page.context.clear_cookies()
    sign_in_with_second_factor(page, base, head.username)
    page.goto(f"{base}/cases/{case.pk}/")
    with page.expect_download() as got:
        page.get_by_role("button", name="导出电子卷宗").click()
    report = dossier_check.check(got.value.path(), public)
    assert report.ok(), report.lines()
    assert Event.objects.filter(case_id=case.pk, action="records.dossier_exported").count() == 1
