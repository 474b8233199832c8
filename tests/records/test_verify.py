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

from zhifa.records.models import Event
from zhifa.records.services import GENESIS, canonical, hashed_text, record
from zhifa.records.triggers import lifted
from zhifa.records.verify import verify_events

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
    assert f"事件 {len(chain)} 个" in _verify() and chain[-1].hash in _verify()
    assert "案件 101 的事件 4 个" in _verify("--case", str(CASE_A))
    assert verify_events(CASE_B).checked == 4 and verify_events(999).checked == 0


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
