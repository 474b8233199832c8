"""Appending to the record. Call `record` inside the transaction that makes the change."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from json.encoder import encode_basestring as _string  # how json.dumps(ensure_ascii=False) writes a str
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


def _number(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def hashed_text(pk: int, occurred_at: str, actor: int | None, actor_name: str, role: str, agency: int | None,
                case: int | None, action: str, subject: str, payload: str) -> str:
    """What an event's hash covers: the canonical JSON (``canonical``) of its fields — ``occurred_at`` the UTC time
    in ISO format, ``payload`` the stored canonical JSON text — written out in the fixed key order, so neither the
    append nor ``zhifa verify`` builds and sorts a dictionary per event (``tests/records/test_verify.py`` compares
    the two on generated values)."""
    s = _string
    return (f'{{"action":{s(action)},"actor":{_number(actor)},"actor_name":{s(actor_name)},'
            f'"agency":{_number(agency)},"case":{_number(case)},"id":{int.__repr__(pk)},'
            f'"occurred_at":{s(occurred_at)},"payload":{s(payload)},"role":{s(role)},"subject":{s(subject)}}}')


def chain_hash(alg: str, prev_hash: str, text: str) -> str:
    """An event's hash: ``alg`` over the previous event's hash and the event's ``hashed_text``."""
    h = hashlib.new(alg)
    h.update(prev_hash.encode())
    h.update(text.encode())
    return h.hexdigest()


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
        ev.hash = chain_hash(ev.algorithm, prev_hash, hashed_text(
            ev.id, ev.occurred_at.astimezone(UTC).isoformat(), ev.actor_id, ev.actor_name, ev.role, ev.agency_id,
            ev.case_id, ev.action, ev.subject, ev.payload))
        ev.save(force_insert=True)
        return ev


def verify_chain():
    """(events checked, the first break or None) of the whole chain: ``verify.verify_events`` (``zhifa verify``)."""
    from .verify import verify_events

    result = verify_events()
    return result.checked, result.broken
