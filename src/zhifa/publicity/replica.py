"""The local copy of the portal's search index on PostgreSQL (issue 7; bench/README.md).

PostgreSQL's GIN index answers "which entries hold these words" but not "the newest twenty of them": it has no order
and no word positions, so a page of a common phrase checks and sorts rows of the table, and a count reads whole
posting lists (bench/portal.py --strategies). SQLite's FTS5 keeps both, and answers a search in the index's own order
in a few milliseconds. So on PostgreSQL each app server keeps a copy of the search entries in an FTS5 file of its own
(``ZHIFA_SEARCH_REPLICA_DIR``, one file per database), and a text search reads the copy exactly as SQLite reads its
own index; the publications themselves always come from PostgreSQL.

A new copy starts from the entries as they are, then follows migration 0004's log (``publicity_search_log``): a
trigger appends the sort key of every entry inserted, changed or deleted (NULL when the table is emptied), and the
log's order is the commit order (writers take one advisory lock). Before each text search the copy reads the log past
the number it has reached and applies it — each key's entry as it is now in PostgreSQL, or its removal — usually
nothing, one indexed query.

The copy is only an accelerator. Inside a transaction (whose own uncommitted entries the log would show), when
switched off (``ZHIFA_SEARCH_REPLICA=0``), while it is catching up (more than ``REQUEST_CHANGES`` entries or changes
behind: a new server, a bulk import — each search does that much, ``zhifa search_index`` all of it), or if its file
cannot be written, the search asks PostgreSQL's GIN index, with the same results.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection

from .search import FTS, TABLE

LOG = "publicity_search_log"
REQUEST_CHANGES = 5000
BATCH = 20000
SCHEMA = ["CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
          f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(grams)"]

logger = logging.getLogger(__name__)
_local = threading.local()


def enabled() -> bool:
    return connection.vendor == "postgresql" and bool(getattr(settings, "ZHIFA_SEARCH_REPLICA", True))


def _path() -> Path:
    """The copy's file for the default database (its server and name)."""
    s = connection.settings_dict
    name = f"{s.get('HOST') or ''}:{s.get('PORT') or ''}/{s['NAME']}"
    return Path(settings.ZHIFA_SEARCH_REPLICA_DIR) / f"search-{hashlib.sha256(name.encode()).hexdigest()[:16]}.sqlite3"


def _state() -> tuple[str, int, tuple]:
    """The identity of the log the copy follows — the database's and the log table's oids: a database or a log made
    again under the same name is another — its last number, and the least and greatest agency of the entries
    (``search.TextResults._alone``), in one round trip."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT (SELECT oid FROM pg_database WHERE datname = current_database()), '{LOG}'::regclass::oid, "
                    f"(SELECT coalesce(max(seq), 0) FROM {LOG}), "
                    f"(SELECT min(agency_id) FROM {TABLE}), (SELECT max(agency_id) FROM {TABLE})")
        database, log, top, low, high = cur.fetchone()
    return f"{connection.settings_dict['NAME']}#{database}.{log}", int(top), (low, high)


class Replica:
    """One FTS5 file: the table ``publicity_search_fts`` (rowid = sort key, the entry's grams) and ``meta`` (the
    database it copies, the log number it has reached)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.agencies: tuple = (None, None)  # the entries' least and greatest agency when last brought up to date
        self.db = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for sql in SCHEMA:
            self.db.execute(sql)

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def seq(self) -> int:
        return int(self.meta("seq") or 0)

    def count(self) -> int:
        return self.db.execute(f"SELECT count(*) FROM {FTS}").fetchone()[0]

    def _set(self, **values) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                            [(k, str(v)) for k, v in values.items()])

    def catch_up(self, source: str, top: int, limit: int | None = None) -> bool:
        """Bring the copy to the log's number ``top``, doing at most ``limit`` entries or log numbers of work;
        whether it has then reached ``top``. A new copy (or a copy of another database or log, or of this one made
        again) starts with the entries as they are — ``cursor`` is how far it has copied them, ``base`` the log's number
        when it began — and then follows the log from ``base``: a change made while it copied is applied again."""
        meta = dict(self.db.execute("SELECT key, value FROM meta"))  # every search: one read
        if meta.get("source") == source and "cursor" not in meta and int(meta.get("seq") or 0) >= top:
            return True
        self.db.execute("BEGIN IMMEDIATE")  # one writer per file; the others wait, then find the work done
        try:
            budget = limit if limit is not None else float("inf")
            if self.meta("source") != source:
                self._empty()
                self._set(source=source, seq=0, base=top, cursor=-(2 ** 63))
            cursor = self.meta("cursor")
            while cursor is not None and budget > 0:
                n = int(min(budget, BATCH))
                rows = self._copy(int(cursor), n)
                budget -= len(rows)
                if len(rows) < n:  # the last entries: the copy is made, the log follows from ``base``
                    self.db.execute("DELETE FROM meta WHERE key = 'cursor'")
                    self._set(seq=self.meta("base"))
                    cursor = None
                else:
                    cursor = rows[-1][0]
                    self._set(cursor=cursor)
            last = self.seq()
            if cursor is None:
                stop = int(min(top, last + budget))
                while last < stop:
                    upto = min(stop, last + BATCH)
                    self._apply(last, upto)
                    last = upto
                self._set(seq=last)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return cursor is None and last >= top

    def _copy(self, after: int, n: int) -> list:
        """The next ``n`` entries after the sort key ``after``, as they are now."""
        with connection.cursor() as cur:
            cur.execute(f"SELECT sort_key, grams FROM {TABLE} WHERE sort_key > %s ORDER BY sort_key LIMIT %s",
                        [after, n])
            rows = cur.fetchall()
        for key, grams in rows:
            self._put(key, grams)
        return rows

    def _empty(self) -> None:
        """No entries: the table made again (deleting its rows would leave a delete marker per row in the index)."""
        self.db.execute(f"DROP TABLE {FTS}")
        self.db.execute(SCHEMA[1])

    def _put(self, key: int, grams: str | None) -> None:
        """The entry of ``key`` as it is now: ``grams``, or none."""
        self.db.execute(f"DELETE FROM {FTS} WHERE rowid = ?", [key])
        if grams is not None:
            self.db.execute(f"INSERT INTO {FTS}(rowid, grams) VALUES (?, ?)", [key, grams])

    def _apply(self, after: int, upto: int) -> None:
        """The log's numbers (``after``, ``upto``]: each key's entry as it is now, or its removal."""
        with connection.cursor() as cur:
            cur.execute(f"SELECT l.sort_key, e.grams FROM {LOG} l LEFT JOIN {TABLE} e ON e.sort_key = l.sort_key "
                        f"WHERE l.seq > %s AND l.seq <= %s ORDER BY l.seq", [after, upto])
            rows = cur.fetchall()
        for key, grams in rows:
            if key is None:  # the entries were emptied
                self._empty()
            else:
                self._put(key, grams)


def _open() -> tuple[Replica, str, int]:
    """This thread's copy for the default database, with the identity and last number of the log it follows (its
    ``agencies`` read with them)."""
    source, top, agencies = _state()
    path = _path()
    replicas = _local.__dict__.setdefault("replicas", {})
    if path not in replicas or not path.exists():
        replicas[path] = Replica(path)
    replicas[path].agencies = agencies
    return replicas[path], source, top


def current() -> Replica | None:
    """This thread's copy for the default database, brought up to date (at most ``REQUEST_CHANGES`` numbers of the
    log); None when a search must ask PostgreSQL instead."""
    if not enabled() or connection.in_atomic_block:
        return None
    try:
        replica, source, top = _open()
        return replica if replica.catch_up(source, top, REQUEST_CHANGES) else None
    except (sqlite3.Error, OSError) as exc:  # a full disk, a locked file: PostgreSQL answers, with the same results
        logger.warning("search copy %s not used: %s", settings.ZHIFA_SEARCH_REPLICA_DIR, exc)
        return None


def sync(progress=None) -> Replica:
    """Bring this server's copy fully up to date (``zhifa search_index``); ``progress(done, top)`` between batches."""
    replica, source, top = _open()
    while not replica.catch_up(source, top, BATCH * 5):
        if progress:
            progress(replica.seq(), top)
    return replica


def remove() -> None:
    """Delete this server's copy (it is made again from the log by the next search or ``zhifa search_index``)."""
    path = _path()
    replica = _local.__dict__.get("replicas", {}).pop(path, None)
    if replica is not None:
        replica.db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
