"""Appending to the record. Call `record` inside the transaction that makes the change."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from .models import Event

GENESIS = "0" * 64
# A fixed key for PostgreSQL's transaction-level advisory lock that serialises the chain head.
_PG_LOCK_KEY = 0x7A686966  # "zhif"


def algorithm() -> str:
    return getattr(settings, "ZHIFA_HASH_ALGORITHM", "sm3")


def canonical(payload: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def event_digest(alg: str, prev_hash: str, fields: dict[str, Any]) -> str:
    h = hashlib.new(alg)
    h.update(prev_hash.encode())
    h.update(canonical(fields).encode())
    return h.hexdigest()


def _hashed_fields(ev: Event) -> dict[str, Any]:
    return {
        "id": ev.id,
        "occurred_at": ev.occurred_at.astimezone(UTC).isoformat(),
        "actor": ev.actor_id,
        "actor_name": ev.actor_name,
        "role": ev.role,
        "agency": ev.agency_id,
        "case": ev.case_id,
        "action": ev.action,
        "subject": ev.subject,
        "payload": ev.payload,
    }


def _lock_head() -> None:
    # SQLite: every write transaction is IMMEDIATE (settings), so writers are already serialised.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def record(action: str, *, actor=None, agency=None, case_id: int | None = None, subject: str = "",
           payload: dict | None = None, role: str = "") -> Event:
    """Append one event to the chain, in the caller's transaction (opening one if there is none)."""
    with transaction.atomic():
        _lock_head()
        last = Event.objects.order_by("-id").values_list("id", "hash").first()
        prev_id, prev_hash = last if last else (0, GENESIS)
        if actor is not None and not getattr(actor, "pk", None):
            actor = None
        if agency is None and actor is not None:
            agency = getattr(actor, "agency", None)
        if not role and actor is not None and hasattr(actor, "role_codes"):
            role = ",".join(sorted(actor.role_codes()))
        ev = Event(
            id=prev_id + 1,
            occurred_at=datetime.now(UTC),
            actor=actor,
            actor_name=(getattr(actor, "full_name", "") or getattr(actor, "username", "")) if actor else "",
            role=role,
            agency=agency,
            case_id=case_id,
            action=action,
            subject=subject[:120],
            payload=canonical(payload or {}),
            prev_hash=prev_hash,
            algorithm=algorithm(),
        )
        ev.hash = event_digest(ev.algorithm, prev_hash, _hashed_fields(ev))
        ev.save(force_insert=True)
        return ev


def verify_chain() -> tuple[int, Event | None]:
    """Re-compute every hash; return (events checked, the first broken event or None)."""
    prev = GENESIS
    expected_id = 1
    n = 0
    for ev in Event.objects.order_by("id").iterator(chunk_size=2000):
        n += 1
        if ev.id != expected_id or ev.prev_hash != prev or \
                event_digest(ev.algorithm, prev, _hashed_fields(ev)) != ev.hash:
            return n, ev
        prev = ev.hash
        expected_id += 1
    return n, None
