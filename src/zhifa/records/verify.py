"""Checking the full-process record (全过程记录): every event's hash re-computed from its content, every link to
the event before it, no sequence number missing — ``zhifa verify``.

What a break means:

- **content** — the stored hash is not the hash of the event's fields: the event was changed after it was written;
- **link** — ``prev_hash`` is not the hash of the event before it: an event was removed, inserted or moved;
- **gap** — a sequence number is missing: an event was deleted.

The chain proves the order and content of everything up to its last event. Removing events from the end leaves a
shorter chain that still verifies on its own; the count and the last hash that ``verify`` prints, kept outside the
database (a report, a transfer register), show that.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db import connection

from .models import Event
from .services import GENESIS, chain_hash, hashed_text

_FIELDS = ("id", "occurred_at", "actor", "actor_name", "role", "agency", "case_id", "action", "subject", "payload",
           "prev_hash", "hash", "algorithm")
_BATCH = 5000


@dataclass(frozen=True)
class Break:
    """Where the chain first fails: the event's sequence number, the kind of failure and a sentence naming it."""

    event_id: int
    kind: str  # "content" | "link" | "gap"
    message: str


@dataclass(frozen=True)
class Result:
    checked: int
    last_hash: str
    broken: Break | None


def _rows(case_id: int | None = None) -> Iterator[tuple]:
    """Events in sequence order as raw rows (no model instances, no value conversion), read in batches by id."""
    quote = connection.ops.quote_name
    columns = [quote(Event._meta.get_field(f).column) for f in _FIELDS]
    if connection.vendor == "sqlite":  # the stored text, not parsed into a datetime and formatted back
        columns[1] = f"CAST({columns[1]} AS TEXT)"
    columns = ", ".join(columns)
    where = f"{quote('id')} > %s" + (f" AND {quote('case_id')} = %s" if case_id is not None else "")
    sql = f"SELECT {columns} FROM {quote(Event._meta.db_table)} WHERE {where} ORDER BY {quote('id')} LIMIT %s"
    after = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [after, *([case_id] if case_id is not None else []), _BATCH])
            batch = cursor.fetchall()
            yield from batch
            if len(batch) < _BATCH:
                return
            after = batch[-1][0]


def _utc_text(value) -> str:
    """``occurred_at`` as the hash covers it (``isoformat`` in UTC). PostgreSQL gives an aware datetime; SQLite
    (Django's connection parses declared types) the naive UTC time Django stored, or its text."""
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "+00:00"
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC).isoformat()
    return value.astimezone(UTC).isoformat()


def _digest(row: tuple) -> str:
    (pk, occurred_at, actor, actor_name, role, agency, case, action, subject, payload, prev_hash, _hash,
     algorithm) = row
    return chain_hash(algorithm, prev_hash, hashed_text(pk, _utc_text(occurred_at), actor, actor_name, role, agency,
                                                        case, action, subject, payload))


def _break(row: tuple, before: str | None, *, expected: int | None = None) -> Break | None:
    """What is wrong with event ``row``, whose predecessor's hash is ``before`` (None: no predecessor was found),
    the next number being ``expected`` when the whole chain is read in order."""
    pk = row[0]
    if expected is not None and pk != expected:
        return Break(expected, "gap", f"缺少第 {expected} 号事件（其后是第 {pk} 号）：事件被删除过。")
    if before is None:
        return Break(pk - 1, "gap", f"缺少第 {pk - 1} 号事件（第 {pk} 号事件之前）：事件被删除过。")
    if row[10] != before:
        return Break(pk, "link", f"第 {pk} 号事件记载的前一哈希与第 {pk - 1} 号事件的哈希不符："
                                 f"事件被删除、插入或调换过顺序。")
    if _digest(row) != row[11]:
        return Break(pk, "content", f"第 {pk} 号事件（{row[7]}）的哈希与其内容不符：事件写入后被修改过。")
    return None


def verify_events(case_id: int | None = None) -> Result:
    """Re-compute the chain: the whole of it, or only the events of case ``case_id`` (each checked against its
    own content and the event just before it in the whole chain)."""
    if case_id is not None:
        return _verify_case(case_id)
    prev, checked = GENESIS, 0
    for row in _rows():
        checked += 1
        broken = _break(row, prev, expected=checked)
        if broken:
            return Result(checked, prev, broken)
        prev = row[11]
    return Result(checked, prev, None)


def _verify_case(case_id: int) -> Result:
    rows = list(_rows(case_id))  # a case's events: dozens
    # the hash of the event just before each, in one read
    before = dict(Event.objects.filter(id__in=[r[0] - 1 for r in rows]).values_list("id", "hash")) | {0: GENESIS}
    checked, last = 0, GENESIS
    for row in rows:
        checked += 1
        broken = _break(row, before.get(row[0] - 1))
        if broken:
            return Result(checked, last, broken)
        last = row[11]
    return Result(checked, last, None)
