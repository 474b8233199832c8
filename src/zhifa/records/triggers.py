"""The database refuses to change the record (issue 5; DESIGN.md §4): triggers on ``records_event`` abort every
UPDATE and DELETE (and, on PostgreSQL, TRUNCATE), whoever sends it — the application, the admin, a script. Only
INSERT is allowed. The SQL lives here, shared by the migration that installs it and by ``lifted``.

``lifted`` takes the triggers off for the length of a block and puts them back. Two things use it: ``zhifa flush``
(which empties the whole database, as Django's test runner does between tests that commit), and tests that tamper
with the record at the SQL level to show that ``zhifa verify`` finds it. Someone who can drop a trigger can change
the table; that is why the chain and the hash printed by ``zhifa verify`` exist (admin guide §8.4).
"""

from __future__ import annotations

from contextlib import contextmanager

TABLE = "records_event"
REFUSAL = "全过程记录只能追加，不能修改或删除（《中华人民共和国行政处罚法》第四十七条）"

SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS zhifa_event_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}：UPDATE'); END",
    f"CREATE TRIGGER IF NOT EXISTS zhifa_event_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}：DELETE'); END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS zhifa_event_no_update", "DROP TRIGGER IF EXISTS zhifa_event_no_delete"]

POSTGRES_CREATE = [
    "CREATE OR REPLACE FUNCTION zhifa_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{REFUSAL}：%', TG_OP USING ERRCODE = 'restrict_violation'; END $$",
    f"CREATE OR REPLACE TRIGGER zhifa_event_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION zhifa_event_append_only()",
    f"CREATE OR REPLACE TRIGGER zhifa_event_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION zhifa_event_append_only()",
]
POSTGRES_DROP = [f"DROP TRIGGER IF EXISTS zhifa_event_no_change ON {TABLE}",
                 f"DROP TRIGGER IF EXISTS zhifa_event_no_truncate ON {TABLE}"]


def by_vendor(vendor: str, create: bool, sqlite: tuple[list[str], list[str]],
              postgresql: tuple[list[str], list[str]]) -> list[str]:
    """The (create, drop) statements of a trigger set for the database ``vendor`` (none for another engine)."""
    pair = {"sqlite": sqlite, "postgresql": postgresql}.get(vendor)
    return [] if pair is None else pair[0 if create else 1]


def run_python(sqlite: tuple[list[str], list[str]] = ([], []), postgresql: tuple[list[str], list[str]] = ([], [])):
    """A migration's operation that runs the (create, drop) statements of the database's vendor forwards and
    backwards."""
    from django.db import migrations

    def run(create: bool):
        def operation(apps, schema_editor):
            for sql in by_vendor(schema_editor.connection.vendor, create, sqlite, postgresql):
                schema_editor.execute(sql, None)
        return operation

    return migrations.RunPython(run(True), run(False))


def statements(vendor: str, create: bool) -> list[str]:
    return by_vendor(vendor, create, (SQLITE_CREATE, SQLITE_DROP), (POSTGRES_CREATE, POSTGRES_DROP))


def _run(connection, create: bool) -> None:
    with connection.cursor() as cur:
        for sql in statements(connection.vendor, create):
            cur.execute(sql)


def installed(connection) -> bool:
    """Whether the table's append-only triggers are in place on this connection's database."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            return cur.fetchone()[0] == len(SQLITE_CREATE)
        if connection.vendor == "postgresql":
            cur.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                        "AND tgname LIKE 'zhifa_event_%%'", [TABLE])
            return cur.fetchone()[0] == len(POSTGRES_DROP)
    return False


@contextmanager
def lifted(connection):
    """The triggers off inside the block, back on after it (also when the block fails)."""
    _run(connection, create=False)
    try:
        yield
    finally:
        _run(connection, create=True)
