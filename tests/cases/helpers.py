"""Small helpers for walking cases through the service."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStep

_keys = itertools.count(1)

ALL_CHECKS = dict.fromkeys(services.REVIEW_CHECKS, True)
# An 音像记录（或未能录制的书面理由） with its reason (国办发〔2018〕118号, law.md §2.2)
AV_REASON = {"code": "av_record_or_reason", "description": "执法记录仪故障未能录制，已在现场笔录中注明"}


def key() -> str:
    return f"req-{next(_keys)}"


def step(case: Case, action: str, actor, on: date, **payload) -> CaseStep:
    """Take ``action`` on ``case`` on the day ``on``; ``case`` is refreshed from the database afterwards."""
    taken = services.transition(case.pk, str(action), actor=actor, payload=payload, idempotency_key=key(), today=on)
    case.refresh_from_db()
    return taken


def refused(case: Case, action: str, actor, on: date, **payload) -> services.StepRefused:
    """The refusal of ``action``; nothing of the request stays on the case."""
    case.refresh_from_db()
    before = (case.version, case.state)
    with pytest.raises(services.StepRefused) as err:
        services.transition(case.pk, str(action), actor=actor, payload=payload, idempotency_key=key(), today=on)
    case.refresh_from_db()
    assert (case.version, case.state) == before
    return err.value


def av_file(case: Case, actor, *, device: str = "PY-DSJ-01", name: str = "record.mp4"):
    """Upload a small MP4 recording to ``case`` (zhifa.cases.files) and return its EvidenceFile."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhifa.cases import files
    from zhifa.cases.demo import demo_mp4

    data = demo_mp4(f"{case.pk}:{name}:{next(_keys)}")
    return files.store_upload(case, actor, SimpleUploadedFile(name, data, "video/mp4"), device=device)


def av_record(case: Case, actor, code: str = "av_record", **kw) -> dict:
    """A record entry naming a freshly uploaded recording of the case."""
    return {"code": code, "file_hash": av_file(case, actor, **kw).digest}


def codes(err: services.StepRefused) -> set[str]:
    return set(err.codes)


def cited(err: services.StepRefused, code: str) -> str:
    """The refusal ``code`` as people read it: its message with its articles."""
    hit = next(v for v in err.violations if v.code == code)
    assert hit.basis, code
    return str(hit)
