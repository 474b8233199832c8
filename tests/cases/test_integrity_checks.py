"""The integrity check (issue 5 §5): ``zhifa verify`` re-computes every event's hash and every stored file's digest
and names what is broken; each run is kept; the daily ``zhifa tick`` runs it weekly and a failed run alerts the
audit administrators, who see the runs on the audit screen. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from zhifa.cases import files
from zhifa.cases.models import Notification
from zhifa.records import checks
from zhifa.records.models import Event, Verification
from zhifa.records.services import record
from zhifa.records.triggers import lifted

from .test_walks import open_general

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "ev")}}}
    return tmp_path / "ev"


@pytest.fixture
def auditor(make_user, bureau):
    return make_user(bureau, roles=("auditadmin",), full_name="审计管理员冯")


@pytest.fixture
def case_with_file(zhang, li, party):
    case = open_general(zhang, party, zhang, li)
    f = files.store_upload(case, zhang, SimpleUploadedFile("现场照片.png", PNG), place="星河网络会所")
    return case, f


def _verify(*args) -> str:
    out = io.StringIO()
    call_command("verify", *args, stdout=out)
    return out.getvalue()


def _tamper_event(event_id: int) -> None:
    with lifted(connection), connection.cursor() as cur:
        cur.execute(f"UPDATE {Event._meta.db_table} SET payload = %s WHERE id = %s", ['{"x":1}', event_id])


def test_an_intact_platform_verifies_and_the_run_is_kept(case_with_file):
    case, _f = case_with_file
    out = _verify()
    assert "核验通过" in out and "文件 1 个" in out
    v = Verification.objects.get()
    assert v.ok and v.files_checked == 1 and v.events_checked >= 2 and v.trigger == "command" and v.last_hash in out
    assert Event.objects.filter(action="records.verified", subject=f"verification:{v.pk}").exists()
    assert "案件" in _verify("--case", str(case.pk))


def test_a_changed_file_byte_is_named(case_with_file, evidence_dir, auditor):
    case, f = case_with_file
    path = Path(evidence_dir) / f.storage_name
    data = bytearray(path.read_bytes())
    data[40] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match=r"现场照片\.png.*摘要不符"):
        _verify()
    with pytest.raises(CommandError, match=r"现场照片\.png"):
        _verify("--case", str(case.pk))
    v = Verification.objects.order_by("-id").first()
    assert not v.ok and "现场照片.png" in v.message
    alerts = Notification.objects.filter(recipient=auditor, kind="record_broken", case=None)
    assert alerts.count() == 2 and all("现场照片.png" in a.message for a in alerts)  # one per failed run


def test_a_missing_file_is_named(case_with_file, evidence_dir):
    _case, f = case_with_file
    (Path(evidence_dir) / f.storage_name).unlink()
    with pytest.raises(CommandError, match=r"现场照片\.png.*缺失"):
        _verify()


def test_a_broken_chain_alerts_every_audit_administrator(db, auditor, make_user, bureau):
    other = make_user(bureau, roles=("auditadmin",), full_name="审计管理员二")
    gone = make_user(bureau, roles=("auditadmin",), full_name="已离职", is_active=False)
    events = [record("auth.login", payload={"k": k}) for k in range(3)]
    _tamper_event(events[1].pk)
    found = checks.run()
    assert not found.run.ok and f"第 {events[1].pk} 号事件" in found.event_message
    alerted = set(Notification.objects.filter(kind="record_broken").values_list("recipient_id", flat=True))
    assert alerted == {auditor.pk, other.pk} and gone.pk not in alerted


def test_tick_checks_weekly(db):
    record("auth.login")
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "完整性校验通过" in out.getvalue()
    assert Verification.objects.filter(trigger="tick").count() == 1
    out = io.StringIO()
    call_command("tick", stdout=out)  # the next day: not due
    assert "未到周期" in out.getvalue() and Verification.objects.count() == 1
    assert not checks.due(timezone.now() + timedelta(days=6))
    assert checks.due(timezone.now() + timedelta(days=7))
    assert checks.run_if_due(timezone.now() + timedelta(days=8)) is not None
    assert Verification.objects.filter(trigger="tick").count() == 2


def test_the_audit_screen_shows_the_runs_and_the_alert_links_there(db, auditor, client, verified_login):
    events = [record("auth.login", payload={"k": k}) for k in range(2)]
    checks.run()
    _tamper_event(events[0].pk)
    checks.run(Verification.Trigger.TICK)
    verified_login(client, auditor)
    page = client.get("/org/audit/").content.decode()
    assert 'id="verification"' in page and "未通过" in page and f"第 {events[0].pk} 号事件" in page
    assert "定时任务" in page and "命令" in page
    bell = client.get("/cases/notifications/").content.decode()
    assert "记录校验未通过" in bell and "/org/audit/#verification" in bell


def test_a_later_case_check_does_not_hide_a_failed_platform_check(case_with_file, auditor, client, verified_login):
    case, _f = case_with_file
    events = list(Event.objects.order_by("id"))
    _tamper_event(events[0].pk)
    checks.run(Verification.Trigger.TICK)
    found = checks.run(Verification.Trigger.COMMAND, case.pk)  # the case's own events are intact
    assert found.run.ok
    verified_login(client, auditor)
    page = client.get("/org/audit/").content.decode()
    status = page.split('role="status"', 1)[1].split("</p>", 1)[0]
    assert "未通过" in status and "最近一次全平台核验" in status


def test_a_file_that_fails_half_way_through_reading_is_named(case_with_file, monkeypatch):
    """An object store's client error in the middle of a file: the run names the file, it does not crash."""
    _case, f = case_with_file
    real = files.storage()

    class Failing(io.BytesIO):
        def read(self, *args):
            raise OSError("connection reset by peer")

    class Store:
        def open(self, name, mode="rb"):
            return Failing() if name == f.storage_name else real.open(name, mode)

    monkeypatch.setattr(files, "storage", lambda: Store())
    found = checks.run()
    assert not found.run.ok and "现场照片.png" in found.file_messages[0] and "无法读取" in found.file_messages[0]
