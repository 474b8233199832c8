"""``zhifa verify``: the full-process record re-computed, and every kind of tampering done at the SQL level —
a changed payload, a deleted event, events swapped, a forged event — found and named (issue 5). Runs on SQLite
and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from zhifa.records import verify
from zhifa.records.models import Event
from zhifa.records.services import GENESIS, canonical, hashed_text, record
from zhifa.records.triggers import lifted
from zhifa.records.verify import Result, verify_events

pytestmark = pytest.mark.django_db

CASE_A, CASE_B = 101, 202


@pytest.fixture
def chain():
    """Eight events: four of case A and four of case B, interleaved (as a busy bureau writes them)."""
    out = []
    for k in range(4):
        out.append(record("cases.inspect", case_id=CASE_A, subject=f"case:{CASE_A}", payload={"k": k, "说明": "检查"}))
        out.append(record("cases.interview", case_id=CASE_B, subject=f"case:{CASE_B}", payload={"k": k}))
    return out


def _sql(statement: str, params=()) -> None:
    """Tamper as someone with the database's keys would: take the append-only triggers off first."""
    with lifted(connection), connection.cursor() as cur:
        cur.execute(statement, params)


def _verify(*args) -> str:
    out = io.StringIO()
    call_command("verify", *args, stdout=out)
    return out.getvalue()


def test_an_untouched_chain_verifies(chain):
    result = verify_events()
    assert result.broken is None and result.checked == len(chain) and result.last_hash == chain[-1].hash
    out = _verify()  # each run is itself recorded (records.verified), after the events it checked
    assert f"事件 {len(chain)} 个" in out and chain[-1].hash in out
    assert "案件 101 的事件 4 个" in _verify("--case", str(CASE_A))
    assert verify_events(CASE_B).checked == 4 and verify_events(999).checked == 0
    with pytest.raises(CommandError, match="没有编号为 999 的案件"):  # a mistyped number does not "pass"
        _verify("--case", "999")


def test_an_empty_record_verifies(db):
    assert verify_events().broken is None and verify_events().last_hash == GENESIS


def test_a_changed_payload_is_named(chain):
    target = chain[2]
    _sql(f"UPDATE {Event._meta.db_table} SET payload = %s WHERE id = %s", ['{"k":9,"说明":"检查"}', target.id])
    broken = verify_events().broken
    assert (broken.event_id, broken.kind) == (target.id, "content")
    with pytest.raises(CommandError, match=f"第 {target.id} 号事件.*被修改"):
        _verify()
    with pytest.raises(CommandError, match=f"第 {target.id} 号事件"):
        _verify("--case", str(CASE_A))
    assert "核验通过" in _verify("--case", str(CASE_B))  # the other case's events are intact


@pytest.mark.parametrize("column", ["action", "occurred_at", "actor_name", "case_id"])
def test_any_changed_field_is_named(chain, column):
    target = chain[5]
    value = {"action": "cases.withdraw", "occurred_at": chain[0].occurred_at, "actor_name": "某人",
             "case_id": 303}[column]
    _sql(f"UPDATE {Event._meta.db_table} SET {column} = %s WHERE id = %s", [value, target.id])
    broken = verify_events().broken
    assert (broken.event_id, broken.kind) == (target.id, "content")


def test_a_deleted_event_is_named(chain):
    gone = chain[3]
    _sql(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", [gone.id])
    broken = verify_events().broken
    assert (broken.event_id, broken.kind) == (gone.id, "gap")
    with pytest.raises(CommandError, match=f"缺少第 {gone.id} 号事件"):
        _verify()
    # case A's next event follows the deleted one (of case B): the per-case check finds the hole too
    with pytest.raises(CommandError, match=f"缺少第 {gone.id} 号事件"):
        _verify("--case", str(CASE_A))


def test_a_deleted_event_of_the_case_is_named_when_the_next_is_another_cases(chain):
    """Case A's event deleted where the event after it is case B's: only the whole chain's numbering shows it."""
    gone = chain[2]
    assert gone.case_id == CASE_A and chain[3].case_id == CASE_B
    _sql(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", [gone.id])
    broken = verify_events(CASE_A).broken
    assert (broken.event_id, broken.kind) == (gone.id, "gap")
    with pytest.raises(CommandError, match=f"缺少第 {gone.id} 号事件"):
        _verify("--case", str(CASE_A))
    first = chain[0]
    _sql(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", [first.id])
    assert verify_events(CASE_B).broken.event_id == first.id  # the first number gone


def test_a_case_event_rewritten_with_its_own_hash_is_named(chain):
    """A forger rewrites case A's event and gives it the hash of its new content: its successor (case B's) no
    longer links to it."""
    from zhifa.records.services import chain_hash

    target, nxt = chain[2], chain[3]
    payload = '{"k":7,"说明":"检查"}'
    forged = chain_hash(target.algorithm, target.prev_hash, hashed_text(
        target.id, target.occurred_at.isoformat(), None, "", "", None, CASE_A, target.action, target.subject, payload))
    _sql(f"UPDATE {Event._meta.db_table} SET payload = %s, hash = %s WHERE id = %s", [payload, forged, target.id])
    broken = verify_events(CASE_A).broken
    assert (broken.event_id, broken.kind) == (nxt.id, "link")
    assert verify_events().broken.event_id == nxt.id  # as the whole chain names it


def test_swapped_events_are_named(chain):
    a, b = chain[1], chain[2]
    t = Event._meta.db_table
    _sql(f"UPDATE {t} SET id = %s WHERE id = %s", [-1, a.id])
    _sql(f"UPDATE {t} SET id = %s WHERE id = %s", [a.id, b.id])
    _sql(f"UPDATE {t} SET id = %s WHERE id = %s", [b.id, -1])
    broken = verify_events().broken
    assert broken.event_id == a.id and broken.kind in ("link", "content")


def test_a_forged_event_is_named(chain):
    """An event written straight into the table, with a made-up hash, after the last one."""
    last = chain[-1]
    forged = Event(id=last.id + 1, occurred_at=last.occurred_at, actor_name="", role="", case_id=CASE_A,
                   action="cases.close", subject="", payload="{}", prev_hash="f" * 64, hash="e" * 64,
                   algorithm=last.algorithm)
    forged.save(force_insert=True)
    broken = verify_events().broken
    assert (broken.event_id, broken.kind) == (forged.id, "link")
    forged.prev_hash = last.hash  # the right link, but a hash its content does not give
    with lifted(connection):
        forged.save()
    assert verify_events().broken.kind == "content"


def test_removing_the_last_events_shortens_the_chain(chain):
    """The chain cannot show events cut from its end; the count and last hash printed before can."""
    before = verify_events()
    _sql(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", [chain[-1].id])
    after = verify_events()
    assert after.broken is None and after.checked == before.checked - 1 and after.last_hash != before.last_hash


_ids = st.none() | st.integers(min_value=0, max_value=2**63 - 1)


@pytest.mark.django_db(False)
@given(pk=st.integers(min_value=1, max_value=2**63 - 1), when=st.text(), actor=_ids, name=st.text(),
       role=st.text(), agency=_ids, case=_ids, action=st.text(), subject=st.text(), payload=st.text())
def test_the_written_out_text_is_the_canonical_json(pk, when, actor, name, role, agency, case, action, subject,
                                                   payload):
    """``hashed_text`` writes what ``canonical`` makes of the hashed fields, for any values (quotes, backslashes,
    control characters, any script)."""
    fields = {"id": pk, "occurred_at": when, "actor": actor, "actor_name": name, "role": role, "agency": agency,
              "case": case, "action": action, "subject": subject, "payload": payload}
    assert hashed_text(pk, when, actor, name, role, agency, case, action, subject, payload) == canonical(fields)


# --- the parallel check (worker processes for long chains) gives what the sequential one gives ----------------

@pytest.fixture
def long_chain(monkeypatch):
    """Sixty events, read ten at a time and handed to the workers seven at a time, so a break can fall anywhere in
    a batch, a chunk, or between them."""
    monkeypatch.setattr(verify, "_BATCH", 10)
    monkeypatch.setattr(verify, "_CHUNK", 7)
    return [record("cases.inspect", case_id=CASE_A + k % 3, subject=f"case:{CASE_A + k % 3}",
                   payload={"k": k, "说明": "检查" * (k % 5)}) for k in range(60)]


# (workers, chunks a worker holds): one worker, this process hashing what it cannot take (the default on two
# cores); two workers; every chunk handed to a worker; every chunk hashed here
_SHARES = [(1, 3), (2, 2), (2, 100), (1, 0)]


def _both() -> Result:
    """The sequential check's result, which the parallel one gives in each way of sharing the work."""
    sequential = verify._verify_sequential()
    for workers, depth in _SHARES:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(verify, "_DEPTH", depth)
            assert verify._verify_parallel(workers) == sequential, (workers, depth)
    return sequential


def _swap(a: int, b: int) -> None:
    t = Event._meta.db_table
    _sql(f"UPDATE {t} SET id = %s WHERE id = %s", [-1, a])
    _sql(f"UPDATE {t} SET id = %s WHERE id = %s", [a, b])
    _sql(f"UPDATE {t} SET id = %s WHERE id = %s", [b, -1])


def _change(pk: int) -> None:
    _sql(f"UPDATE {Event._meta.db_table} SET payload = %s WHERE id = %s", ['{"k":-1}', pk])


def _delete(pk: int) -> None:
    _sql(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", [pk])


def _relink(pk: int) -> None:
    _sql(f"UPDATE {Event._meta.db_table} SET prev_hash = %s WHERE id = %s", ["f" * 64, pk])


@pytest.mark.parametrize("tamper, kind", [
    ([], None),
    ([(_change, 1)], "content"),
    ([(_change, 7)], "content"),  # the last of the first chunk
    ([(_change, 8)], "content"),  # the first of the second
    ([(_change, 60)], "content"),
    ([(_delete, 11)], "gap"),  # the first of the second batch
    ([(_delete, 1)], "gap"),
    ([(_relink, 30)], "link"),
    ([(_relink, 35), (_change, 34)], "content"),  # a content break just before a link break, in the same chunk
    ([(_relink, 22), (_change, 23)], "link"),  # the link break first, a content break after it
    ([(_change, 40), (_delete, 55)], "content"),  # the content break chunks before the gap
    ([(_delete, 20), (_change, 44)], "gap"),
])
def test_the_parallel_check_finds_the_same_first_break(long_chain, tamper, kind):
    for how, pk in tamper:
        how(pk)
    result = _both()
    assert (result.broken.kind if result.broken else None) == kind
    if kind is None:
        assert result.checked == 60 and result.last_hash == long_chain[-1].hash


def test_the_parallel_check_finds_the_same_first_break_of_swapped_events(long_chain):
    _swap(14, 15)
    assert _both().broken.event_id == 14


def test_rows_too_large_for_a_shared_slot_go_through_the_pipe(long_chain, monkeypatch):
    monkeypatch.setattr(verify, "_SLOT", 200)
    _change(50)
    assert _both().broken.event_id == 50


@pytest.mark.parametrize("workers, depth", _SHARES)
def test_a_worker_error_is_raised_as_the_sequential_check_raises_it(long_chain, monkeypatch, workers, depth):
    monkeypatch.setattr(verify, "_DEPTH", depth)
    _sql(f"UPDATE {Event._meta.db_table} SET algorithm = %s WHERE id = %s", ["nohash", 45])
    with pytest.raises(ValueError):
        verify._verify_sequential()
    with pytest.raises(ValueError):
        verify._verify_parallel(workers)
    _change(30)  # a break before it: the break, not the error, in both
    assert _both().broken.event_id == 30


def test_the_parallel_check_reads_the_time_as_the_sequential_one(long_chain, monkeypatch):
    """Workers get PostgreSQL's time as microseconds since the epoch (cheaper to pickle than a datetime), SQLite's
    as its stored text: the same text as ``record`` hashed, down to a time without microseconds (``isoformat``
    leaves them out)."""
    from zhifa.records import services

    class OnTheSecond(services.datetime):
        @classmethod
        def now(cls, tz=None):
            return super().now(tz).replace(microsecond=0)

    monkeypatch.setattr(services, "datetime", OnTheSecond)
    record("cases.inspect", case_id=CASE_A, payload={"k": "on the second"})
    assert _both().broken is None
    assert verify._utc_text(0) == "1970-01-01T00:00:00+00:00"
    when = long_chain[3].occurred_at
    micros = (when - verify._EPOCH) // verify.timedelta(microseconds=1)
    assert verify._utc_text(micros) == verify._utc_text(when)


def test_a_long_chain_is_checked_by_the_workers(long_chain, monkeypatch):
    monkeypatch.setattr(verify, "_PARALLEL_MIN", 50)
    monkeypatch.setattr(verify.threading, "active_count", lambda: 1)
    calls = []
    monkeypatch.setattr(verify, "_verify_parallel", lambda: calls.append(1) or verify._verify_sequential())
    verify_events()
    assert calls
    monkeypatch.setattr(verify, "_PARALLEL_MIN", 61)  # shorter than that: here
    calls.clear()
    verify_events()
    assert not calls


def test_a_chain_written_with_sm3_then_sha256_verifies_and_names_a_change(db, settings):
    """ZHIFA_HASH_ALGORITHM changes the hash of new events only; each event keeps its own, so the chain stays whole."""
    import hashlib

    first = [record("auth.login", payload={"k": k}) for k in range(2)]
    settings.ZHIFA_HASH_ALGORITHM = "sha256"
    later = [record("auth.login", payload={"k": k}) for k in range(2, 4)]
    assert {e.algorithm for e in first} == {"sm3"} and {e.algorithm for e in later} == {"sha256"}
    assert later[0].prev_hash == first[-1].hash
    assert later[1].hash == hashlib.sha256((later[0].hash + hashed_text(
        later[1].id, later[1].occurred_at.isoformat(), None, "", "", None, None, "auth.login", "",
        later[1].payload)).encode()).hexdigest()
    assert verify_events().broken is None and verify_events().checked == 4
    _sql(f"UPDATE {Event._meta.db_table} SET payload = %s WHERE id = %s", ['{"k":9}', later[1].id])
    assert (verify_events().broken.event_id, verify_events().broken.kind) == (later[1].id, "content")
