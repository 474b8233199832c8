"""What the benchmark scripts share: Django set-up against a chosen database, and figures.

The scripts run from the project root with the project's venv, e.g. ``.venv/bin/python bench/cases.py``.
The database is chosen like the application's (``DATABASE_URL``; SQLite otherwise, at ``ZHIFA_SQLITE_PATH``),
so a benchmark never touches the working database unless told to: ``database_env`` points each run at its own
SQLite file or PostgreSQL database.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def database_env(engine: str, name: str) -> dict[str, str]:
    """The environment for a benchmark database ``name`` on ``engine`` (``sqlite`` or ``postgres``)."""
    if engine == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        return {"ZHIFA_SQLITE_PATH": str(DATA / f"{name}.sqlite3"), "DATABASE_URL": ""}
    if engine == "postgres":
        # the app server's local copy of the search index (zhifa.publicity.replica) beside the SQLite databases
        return {"DATABASE_URL": f"{PG_SERVER}/{name}", "ZHIFA_SEARCH_REPLICA_DIR": str(DATA / "search")}
    raise SystemExit(f"unknown engine {engine!r}: sqlite or postgres")


def create_pg_database(name: str, *, drop: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict[str, str] | None = None) -> None:
    """Django for the benchmark, in this process, against the database ``env`` names."""
    os.environ.update(env or {})
    if not os.environ.get("DATABASE_URL"):
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("ZHIFA_HOME", str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by the nearest-rank method."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return statistics.median(ms), percentile(ms, 95)
