"""The record's table refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) in the database itself, whoever sends
them (issue 5, 行政处罚法 Art 47); ``zhifa flush`` lifts the triggers for its length and puts them back; case actions
from two processes at once leave one chain, never a fork. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from zhifa.records import triggers
from zhifa.records.models import Event
from zhifa.records.services import record
from zhifa.records.verify import verify_events

TABLE = Event._meta.db_table
REFUSED = "全过程记录只能追加"


@pytest.fixture
def events(db):
    return [record("cases.inspect", case_id=7, payload={"k": k}) for k in range(3)]


def _raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.parametrize("attempt", [
    pytest.param(lambda e: Event.objects.filter(pk=e[1].pk).update(payload="{}"), id="orm-update"),
    pytest.param(lambda e: Event.objects.filter(pk=e[1].pk).delete(), id="orm-delete"),
    pytest.param(lambda e: Event.objects.all().delete(), id="orm-delete-all"),
    pytest.param(lambda e: _raw(f"UPDATE {TABLE} SET hash = %s WHERE id = %s", ["0" * 64, e[0].pk]), id="sql-update"),
    pytest.param(lambda e: _raw(f"DELETE FROM {TABLE} WHERE id = %s", [e[2].pk]), id="sql-delete"),
])
def test_the_database_refuses_to_change_the_record(events, attempt):
    before = list(Event.objects.values_list("id", "payload", "hash"))
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        attempt(events)
    assert list(Event.objects.values_list("id", "payload", "hash")) == before
    assert verify_events().broken is None


@pytest.mark.django_db(transaction=True)  # committed rows: TRUNCATE in the inserting transaction fails otherwise
def test_postgresql_refuses_truncate():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    events = [record("auth.login") for _ in range(2)]
    with pytest.raises(IntegrityError, match=REFUSED):
        _raw(f"TRUNCATE {TABLE} CASCADE")
    assert Event.objects.count() == len(events)


def test_appending_still_works(events):
    assert triggers.installed(connection)
    record("cases.interview", case_id=7)
    assert Event.objects.count() == 4 and verify_events().broken is None


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_record_and_puts_the_triggers_back():
    record("auth.login")
    call_command("flush", interactive=False, verbosity=0)
    assert Event.objects.count() == 0 and triggers.installed(connection)
    record("auth.login")
    with pytest.raises(IntegrityError, match=REFUSED):
        Event.objects.all().delete()


def test_lifted_puts_the_triggers_back_after_a_failure(events):
    with pytest.raises(RuntimeError), triggers.lifted(connection):
        assert not triggers.installed(connection)
        raise RuntimeError
    assert triggers.installed(connection)


# --- two processes at once -----------------------------------------------------------------------------------------

WORKER = textwrap.dedent("""
    import sys, time, uuid
    import django
    django.setup()
    from datetime import date
    from zhifa.cases import services
    from zhifa.org.models import User
    from zhifa.parties.models import Party

    me, start, n = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    officers = list(User.objects.filter(username__in=["zhifa01", "zhifa02", "zhifa03", "zhifa04"]).order_by("username"))
    actor, other = officers[2 * me], officers[2 * me + 1]
    party = Party.objects.filter(agency=actor.agency).order_by("id").first()
    while time.time() < start:
        time.sleep(0.005)
    done = 0
    while done < n:
        try:
            services.open_case(agency=actor.agency, procedure="general", actor=actor, today=date(2026, 11, 2),
                               idempotency_key=f"fork-{me}-{done}", payload={
                                   "title": f"并发测试 {me}-{done}", "clue_source": "inspection",
                                   "documents": ["inspection_record"],
                                   "party": party.pk, "items": ["WH-NET-004"], "act_date": "2026-11-01",
                                   "discovered_on": "2026-11-02", "handlers": [actor.pk, other.pk]})
            done += 1
        except services.CaseConflict:
            time.sleep(0.01)  # SQLite may turn a writer away as busy: try again, as a user would
    print(done)
""")


def _scratch_database(tmp_path: Path) -> tuple[dict, callable]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(ZHIFA_VAR_DIR=str(tmp_path), ZHIFA_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="zhifa.settings")
    if connection.vendor != "postgresql":
        env.pop("DATABASE_URL", None)
        env["ZHIFA_SQLITE_PATH"] = str(tmp_path / "fork.sqlite3")
        return env, lambda: None
    import psycopg

    params = connection.settings_dict
    name = f"zhifa_fork_{uuid.uuid4().hex[:8]}"
    server = f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432} user={params['USER']} dbname=postgres"
    with psycopg.connect(server, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = (f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
                           f"/{name}")

    def drop():
        with psycopg.connect(server, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return env, drop


def test_two_processes_acting_at_once_leave_one_unforked_chain(tmp_path):
    env, drop = _scratch_database(tmp_path)
    zhifa = [sys.executable, "-m", "zhifa"]
    try:
        for command in (["migrate", "--noinput"], ["load_reference"], ["load_demo"]):
            subprocess.run([*zhifa, *command, "-v0"], env=env, cwd=tmp_path, check=True, capture_output=True,
                           timeout=300)
        import time

        start, n = time.time() + 3, 12
        workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(me), str(start), str(n)], env=env,
                                    cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for me in (0, 1)]
        for w in workers:
            out, err = w.communicate(timeout=300)
            assert w.returncode == 0 and out.strip() == str(n), err[-3000:]
        check = textwrap.dedent("""
            import django
            django.setup()
            from django.db import connection
            from zhifa.records.verify import verify_events
            with connection.cursor() as cur:
                cur.execute("SELECT prev_hash, count(*) FROM records_event GROUP BY prev_hash HAVING count(*) > 1")
                forks = cur.fetchall()
                cur.execute("SELECT count(*) FROM records_event WHERE action = 'cases.register_clue' "
                            "AND payload LIKE '%%并发测试%%'")
                opened = cur.fetchone()[0]
            result = verify_events()
            print(len(forks), opened, result.broken is None, result.checked)
        """)
        out = subprocess.run([sys.executable, "-c", check], env=env, cwd=tmp_path, check=True, capture_output=True,
                             text=True, timeout=300).stdout.split()
        forks, opened, intact, checked = int(out[0]), int(out[1]), out[2] == "True", int(out[3])
        assert forks == 0 and intact and checked > 2 * n, out
        assert opened == 2 * n, out
    finally:
        drop()
