"""Small helpers for walking cases through the service."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStep

_keys = itertools.count(1)

ALL_CHECKS = dict.fromkeys(services.REVIEW_CHECKS, True)


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


def codes(err: services.StepRefused) -> set[str]:
    return set(err.codes)


def cited(err: services.StepRefused, code: str) -> str:
    """The refusal ``code`` as people read it: its message with its articles."""
    hit = next(v for v in err.violations if v.code == code)
    assert hit.basis, code
    return str(hit)
