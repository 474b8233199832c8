"""The record's benchmarks run, at a tiny size, as they are run by hand (bench/append.py and bench/verify.py in
their own processes, on their own databases): on the engine the tests run on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / ".data"


@pytest.fixture
def bench_db():
    """(engine, a database name of its own); the database is removed afterwards."""
    engine = "postgres" if connection.vendor == "postgresql" else "sqlite"
    name = f"bench_smoke_{uuid.uuid4().hex[:8]}"
    yield engine, name
    if engine == "postgres":
        sys.path.insert(0, str(ROOT / "bench"))
        import psycopg
        from common import PG_SERVER

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for path in DATA.glob(f"{name}*"):
        path.unlink()
    shutil.rmtree(DATA / f"evidence_{name}", ignore_errors=True)


def _bench(script: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ZHIFA_SQLITE_PATH")}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_append_bench_walks_cases_in_one_and_two_processes(bench_db):
    engine, name = bench_db
    out = _bench("append.py", "--cases", "3", "--processes", "1", "2", "--engine", engine, "--name", name)
    one = re.search(r"1 process: \d+ cases, \d+ steps, (\d+) events in .* events/s", out)
    two = re.search(r"2 processes: \d+ cases, \d+ steps, (\d+) events in .* events/s", out)
    assert one and two and int(one[1]) > 0 and int(two[1]) > int(one[1]), out
    assert re.search(r"chain: [\d,]+ events, intact", out), out


def test_the_verify_bench_compares_both_paths_with_the_raw_rate(bench_db):
    engine, name = bench_db
    out = _bench("verify.py", "--events", "300", "--engine", engine, "--name", name, "--repeat", "1",
                 "--parallel-min", "100")
    assert "300 verified" in out and "(intact)" in out, out
    assert re.search(r"raw sm3 over 1-KiB events, one core: [\d,]+ events/s", out), out
    assert re.search(r"zhifa verify \(parallel: \d+ workers? and this process\): [\d,]+ events/s = \d+% of raw",
                     out) or len(os.sched_getaffinity(0)) < 2, out
