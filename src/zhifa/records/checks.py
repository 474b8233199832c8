"""Runs of the integrity check (issue 5 §5): the event chain (``verify.verify_events``) and every stored file's
digest (``zhifa.cases.files.verify_files``), each run kept as a :class:`Verification` and recorded as an event.

``zhifa verify`` runs one by hand; the daily ``zhifa tick`` runs one when the last whole-platform run is older than
``ZHIFA_VERIFY_INTERVAL_DAYS`` (7: weekly). A run that finds a break alerts every active audit administrator
(审计管理员) with a notification, and the audit screen shows the latest runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Event, Verification
from .services import record
from .verify import verify_events


@dataclass(frozen=True)
class Finding:
    """What one run found: the first broken event (or None) and the files missing or changed."""

    run: Verification
    event_message: str | None
    file_messages: list[str]


def interval() -> timedelta:
    return timedelta(days=getattr(settings, "ZHIFA_VERIFY_INTERVAL_DAYS", 7))


def run(trigger: str = Verification.Trigger.COMMAND, case_id: int | None = None) -> Finding:
    """Check the chain and the files (of one case), keep the run, record it, and alert on a break."""
    from zhifa.cases.files import verify_files  # the cases app builds on records, not the other way

    started = timezone.now()
    events = verify_events(case_id)
    files_checked, broken_files = verify_files(case_id)
    file_messages = [message for _f, message in broken_files]
    event_message = events.broken.message if events.broken is not None else None
    problems = ([event_message] if event_message else []) + file_messages
    last_id = Event.objects.filter(hash=events.last_hash).values_list("id", flat=True).first() \
        if events.checked else None
    with transaction.atomic():
        v = Verification.objects.create(
            started_at=started, finished_at=timezone.now(), trigger=trigger, case_id=case_id,
            events_checked=events.checked, files_checked=files_checked,
            last_event=last_id, last_hash=events.last_hash if events.checked else "",
            ok=not problems, message="\n".join(problems))
        # the run is recorded on the platform's chain, not in the case's own events (its 卷宗 stays as it was)
        record("records.verified", subject=f"verification:{v.pk}", payload={"case": case_id,
            "ok": v.ok, "events": v.events_checked, "files": v.files_checked, "last_event": v.last_event,
            "last_hash": v.last_hash, "trigger": trigger, "problems": problems[:20]})
        if problems:
            _alert(v, problems)
    return Finding(v, event_message, file_messages)


def _alert(v: Verification, problems: list[str]) -> None:
    from zhifa.cases.models import Notification
    from zhifa.org.models import User
    from zhifa.org.roles import Role

    first = problems[0] + (f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else "")
    message = f"{timezone.localtime(v.started_at):%Y-%m-%d %H:%M} 完整性校验未通过：{first}"
    people = User.objects.filter(groups__name=Role.AUDITADMIN, is_active=True).distinct()
    Notification.objects.bulk_create([
        Notification(recipient=u, case=None, clock=None, kind=Notification.Kind.RECORD_BROKEN, message=message)
        for u in people])


def last_full_run() -> Verification | None:
    return Verification.objects.filter(case_id__isnull=True).order_by("-started_at", "-id").first()


def due(now: datetime | None = None) -> bool:
    last = last_full_run()
    return last is None or (now or timezone.now()) - last.started_at >= interval()


def run_if_due(now: datetime | None = None) -> Finding | None:
    """The weekly check of ``zhifa tick``: a whole-platform run when the last one is older than the interval."""
    return run(Verification.Trigger.TICK) if due(now) else None


def summary(found: Finding | None) -> str:
    if found is None:
        last = last_full_run()
        when = f"{timezone.localtime(last.started_at):%Y-%m-%d %H:%M}" if last else "—"
        return f"完整性校验：未到周期（上次 {when}，每 {interval().days} 日一次）"
    v = found.run
    if v.ok:
        return (f"完整性校验通过：事件 {v.events_checked} 个，文件 {v.files_checked} 个，"
                f"最后一个事件的哈希 {v.last_hash}")
    return f"完整性校验未通过，已提醒审计管理员：{v.message.splitlines()[0]}"
