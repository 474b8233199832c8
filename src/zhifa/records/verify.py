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

import io
import mmap
import multiprocessing
import os
import pickle
import signal
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain

from django.db import connection

from .models import Event
from .services import GENESIS, chain_hash, hashed_text

_FIELDS = ("id", "occurred_at", "actor", "actor_name", "role", "agency", "case_id", "action", "subject", "payload",
           "prev_hash", "hash", "algorithm")
_BATCH = 5000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A chain this long or longer is checked with worker processes (``_verify_parallel``): the content hash of each event
# is independent given its stored ``prev_hash``, so this process reads the rows and checks the sequence and the
# links while ``_WORKERS`` forked processes (by default one per core but this process's) re-compute the hashes,
# ``_CHUNK`` events at a time, each worker holding at most ``_DEPTH`` chunks (a slot of ``_SLOT`` bytes of shared
# memory each); when they are all busy, this process hashes the chunk it has just read itself. Below it, or on one
# core, or in a process with other threads (a threaded web server: a forked child has only the forking thread), the
# chain is checked in this process only.
_PARALLEL_MIN = 20_000
_WORKERS: int | None = None
_CHUNK = 2500
_DEPTH = 3
_SLOT = 8 << 20


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


def _batches(case_id: int | None = None, *, for_workers: bool = False) -> Iterator[list[tuple]]:
    """Events in sequence order as raw rows (no model instances, no value conversion), read in batches by id.
    ``for_workers``: values that are cheap to read here and to pickle, converted by the worker (``_digest``,
    ``_utc_text``) — on SQLite the payload as its UTF-8 bytes, on PostgreSQL the time as microseconds since the
    epoch (an aware datetime costs more to pickle than the rest of the row)."""
    quote = connection.ops.quote_name
    columns = [quote(Event._meta.get_field(f).column) for f in _FIELDS]
    if connection.vendor == "sqlite":  # the stored text, not parsed into a datetime and formatted back
        columns[1] = f"CAST({columns[1]} AS TEXT)"
        if for_workers:
            columns[9] = f"CAST({columns[9]} AS BLOB)"
    elif for_workers and connection.vendor == "postgresql":  # exact: EXTRACT gives a numeric
        columns[1] = f"(EXTRACT(EPOCH FROM {columns[1]}) * 1000000)::bigint"
    columns = ", ".join(columns)
    where = f"{quote('id')} > %s" + (f" AND {quote('case_id')} = %s" if case_id is not None else "")
    sql = f"SELECT {columns} FROM {quote(Event._meta.db_table)} WHERE {where} ORDER BY {quote('id')} LIMIT %s"
    after = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [after, *([case_id] if case_id is not None else []), _BATCH])
            batch = cursor.fetchall()
            if batch:
                yield batch
            if len(batch) < _BATCH:
                return
            after = batch[-1][0]


def _rows(case_id: int | None = None) -> Iterator[tuple]:
    """The rows of ``_batches``, one by one."""
    return chain.from_iterable(_batches(case_id))


def _utc_text(value) -> str:
    """``occurred_at`` as the hash covers it (``isoformat`` in UTC). PostgreSQL gives an aware datetime (or the
    microseconds since the epoch); SQLite (Django's connection parses declared types) the naive UTC time Django
    stored, or its text."""
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "+00:00"
    if isinstance(value, int):  # microseconds since the epoch (``_batches(for_workers=True)``)
        return (_EPOCH + timedelta(microseconds=value)).isoformat()
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC).isoformat()
    return value.astimezone(UTC).isoformat()


def _digest(row: tuple) -> str:
    (pk, occurred_at, actor, actor_name, role, agency, case, action, subject, payload, prev_hash, _hash,
     algorithm) = row
    if payload.__class__ is bytes:  # read for the workers
        payload = payload.decode()
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
    if _parallel():
        return _verify_parallel()
    return _verify_sequential()


def _verify_sequential() -> Result:
    """The whole chain, every row checked in this process."""
    prev, checked = GENESIS, 0
    for row in _rows():
        checked += 1
        broken = _break(row, prev, expected=checked)
        if broken:
            return Result(checked, prev, broken)
        prev = row[11]
    return Result(checked, prev, None)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _worker_count() -> int:
    return _WORKERS or max(1, _cores() - 1)


def _parallel() -> bool:
    """Whether the whole chain is worth worker processes and they can be forked safely (see ``_PARALLEL_MIN``)."""
    if _cores() < 2 or _WORKERS == 0 or threading.active_count() > 1:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    with connection.cursor() as cursor:  # the ids are the sequence: the last one is the length of an intact chain
        cursor.execute(f"SELECT MAX({connection.ops.quote_name('id')}) FROM "
                       f"{connection.ops.quote_name(Event._meta.db_table)}")
        last = cursor.fetchone()[0]
    return (last or 0) >= _PARALLEL_MIN


def _pack(rows: list[tuple]) -> bytes:
    """``rows`` pickled for a worker without the memo (plain tuples of numbers, text and times are neither shared
    nor recursive): several times faster than ordinary pickling, which with the reading is what this process
    spends its time on."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(rows)
    return out.getvalue()


def _first_altered(rows: list[tuple]) -> int:
    """The index of the first of ``rows`` whose stored hash is not that of its content (with its stored
    ``prev_hash``), or -1."""
    for k, row in enumerate(rows):
        if _digest(row) != row[11]:
            return k
    return -1


def _worker(conn, shared: mmap.mmap) -> None:
    """A forked worker: for each (offset, length, packed) it is sent, the ``_first_altered`` index of the rows
    packed in ``shared[offset:offset + length]`` (or in ``packed`` when they did not fit a slot); None: stop. It
    never touches the database (its connection belongs to the parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    while (task := conn.recv()) is not None:
        offset, length, packed = task
        try:
            if packed is None:
                with memoryview(shared)[offset:offset + length] as view:
                    rows = pickle.loads(view)
            else:
                rows = pickle.loads(packed)
            conn.send(_first_altered(rows))
        except Exception as exc:  # the parent raises it, as the sequential check would have
            conn.send(exc)


def _verify_parallel(workers: int | None = None) -> Result:
    """The whole chain as ``_verify_sequential`` checks it, the content hashes re-computed by ``workers`` forked
    processes as well as this one: this process reads the rows and checks the sequence and the links (stored values
    only), then hands the chunk to a worker with room for it — through shared memory, as plain tuples: a worker
    never uses the database connection — or, when none has, hashes it itself. The first break is the same: a
    chunk's content check covers only the rows before the first gap or link break found here, and the chunks'
    answers are taken in the chain's order."""
    workers = workers or _worker_count()
    context = multiprocessing.get_context("fork")
    # per chunk: [the worker's connection (None: hashed here), rows, the position of the first, the hash before
    # it, the slot, the answer (the index of the first altered row, -1, or the exception hashing raised)]
    pending: deque[list] = deque()
    found: tuple[int, tuple, str] | None = None  # the first gap or link break: (position, row, the hash before it)
    prev, checked = GENESIS, 0
    with mmap.mmap(-1, max(workers * _DEPTH * _SLOT, mmap.PAGESIZE)) as shared:
        free = list(range(workers * _DEPTH))
        held: dict = {}  # a worker's connection: the chunks it holds
        procs = []

        def settle(keep: int) -> Result | None:
            """Take the answers at the head of ``pending`` that are there, and wait for more while more than
            ``keep`` chunks are pending; the result for the chain when one names an altered event."""
            while pending:
                conn, rows, first, before, slot, answer = pending[0]
                if conn is not None:
                    if len(pending) <= keep and not conn.poll():
                        return None
                    answer = conn.recv()
                    held[conn] -= 1
                    free.append(slot)
                pending.popleft()
                if isinstance(answer, BaseException):
                    raise answer
                if answer >= 0:
                    before = rows[answer - 1][11] if answer else before
                    return Result(first + answer, before, _break(rows[answer], before, expected=first + answer))
            return None

        try:
            for _ in range(workers):
                ours, theirs = context.Pipe()
                proc = context.Process(target=_worker, args=(theirs, shared), daemon=True)
                proc.start()
                theirs.close()
                held[ours] = 0
                procs.append(proc)
            for batch in _batches(for_workers=True):
                for start in range(0, len(batch), _CHUNK):
                    rows = batch[start:start + _CHUNK]
                    first, before = checked + 1, prev
                    for k, row in enumerate(rows):  # the sequence and the links: stored values only
                        checked += 1
                        if row[0] != checked or row[10] != prev:
                            found = (checked, row, prev)
                            rows = rows[:k]
                            break
                        prev = row[11]
                    if rows:
                        # chunks hashed here wait behind a worker's: a slow worker makes this process wait too
                        if broken := settle(keep=4 * workers * _DEPTH):
                            return broken
                        conn = min(held, key=held.get)
                        if held[conn] < _DEPTH:
                            slot, packed = free.pop(), _pack(rows)
                            if len(packed) <= _SLOT:
                                shared[slot * _SLOT:slot * _SLOT + len(packed)] = packed
                                conn.send((slot * _SLOT, len(packed), None))
                            else:
                                conn.send((0, 0, packed))
                            held[conn] += 1
                            pending.append([conn, rows, first, before, slot, None])
                        else:  # every worker is busy: hash it here
                            try:
                                answer = _first_altered(rows)
                            except Exception as exc:  # raised in its turn: an earlier chunk may hold a break
                                answer = exc
                            pending.append([None, rows if answer != -1 else None, first, before, None, answer])
                    if found:
                        break
                if found:
                    break
            if broken := settle(keep=0):
                return broken
        finally:
            for conn in held:
                with suppress(OSError):  # a worker that died has closed its end
                    conn.send(None)
            for proc in procs:
                proc.join(5)
                if proc.is_alive():
                    proc.terminate()
                    proc.join()
            for conn in held:
                conn.close()
    if found:
        position, row, before = found
        return Result(position, before, _break(row, before, expected=position))
    return Result(checked, prev, None)


def _verify_case(case_id: int) -> Result:
    """The case's events, each against its content, the event just before it and the one just after it in the
    whole chain (so neither a case event rewritten with a hash of its own making nor its neighbours' changes pass);
    and the whole chain's numbering, since a deleted event of the case leaves only a gap in it."""
    rows = list(_rows(case_id))  # a case's events: dozens
    ids = [r[0] for r in rows]
    # the hash of the event just before each and the link of the one just after, in one read each
    before = dict(Event.objects.filter(id__in=[i - 1 for i in ids]).values_list("id", "hash")) | {0: GENESIS}
    after = dict(Event.objects.filter(id__in=[i + 1 for i in ids]).values_list("id", "prev_hash"))
    checked, last = 0, GENESIS
    for row in rows:
        checked += 1
        broken = _break(row, before.get(row[0] - 1))
        if broken is None and after.get(row[0] + 1, row[11]) != row[11]:
            broken = Break(row[0] + 1, "link", f"第 {row[0] + 1} 号事件记载的前一哈希与第 {row[0]} 号事件的哈希不符："
                                               f"事件被删除、插入或调换过顺序。")
        if broken:
            return Result(checked, last, broken)
        last = row[11]
    missing = _first_missing()
    if missing is not None:
        return Result(checked, last, Break(missing, "gap", f"缺少第 {missing} 号事件：事件被删除过（全链的编号不连续，"
                                                           "不能证明本案的事件齐全）。"))
    return Result(checked, last, None)


def _first_missing() -> int | None:
    """The first number missing from the chain's 1 … last (an event deleted), or None: a count, and a search only
    when the count says a number is missing."""
    with connection.cursor() as cur:
        table, pk = connection.ops.quote_name(Event._meta.db_table), connection.ops.quote_name("id")
        cur.execute(f"SELECT COUNT(*), MAX({pk}) FROM {table}")
        count, top = cur.fetchone()
        if not top or count == top:
            return None
        cur.execute(f"SELECT MIN({pk}) FROM {table}")
        if cur.fetchone()[0] != 1:
            return 1
        cur.execute(f"SELECT MIN(e.{pk}) + 1 FROM {table} e WHERE e.{pk} < %s AND NOT EXISTS "
                    f"(SELECT 1 FROM {table} n WHERE n.{pk} = e.{pk} + 1)", [top])
        return cur.fetchone()[0]
