"""Event append rate under the case workload (issue 5): hash-chained events written per second of wall time while
officers work cases through the case service, in one process and in several at once.

    .venv/bin/python bench/append.py [--cases 60] [--processes 1 2] [--engine sqlite|postgres] [--name DB]

Each run starts from a fresh database (``bench_append``: the SQLite file under bench/.data is deleted, the
PostgreSQL database dropped) with the reference catalog and the demo bureau (``zhifa migrate``, ``zhifa load_demo
--without-cases``, as ``make demo`` without the demo cases). Then each of P processes walks ``--cases`` cases
through ``zhifa.cases.services`` (``open_case``, then ``transition`` step after step), cycling through the demo
bureau's scenarios (``zhifa.cases.demo``: every procedure and state, the guards of each step, documents, records,
approvals, reviews, clocks, uploaded recordings), one transaction per step as the screens and the API take them;
each step appends its events to the one chain (``records.services.record``: the chain head locked — SQLite's
immediate transactions, PostgreSQL's advisory lock). The processes start together; the figure is the events added
to the chain divided by the wall time from the first start to the last finish. The CPU time the walking processes
themselves used is printed too (the database server's, on PostgreSQL, is not in it). The evidence files go to
bench/.data/evidence_<name>, not to the working directory's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DATA, create_pg_database, database_env, setup_django


def prepare(engine: str, name: str) -> dict[str, str]:
    """A fresh database ``name`` with the catalog and the demo bureau; returns its environment."""
    env = database_env(engine, name)
    if engine == "postgres":
        create_pg_database(name, drop=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(env["ZHIFA_SQLITE_PATH"] + suffix).unlink(missing_ok=True)
    evidence = DATA / f"evidence_{name}"
    shutil.rmtree(evidence, ignore_errors=True)
    env["ZHIFA_EVIDENCE_DIR"] = str(evidence)
    return env


def load_bureau() -> None:
    import io

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--without-cases", verbosity=0, stdout=io.StringIO())


def walk_cases(n: int, tag: str, *, start_at: int = 0) -> dict:
    """Walk ``n`` cases of the demo bureau through the case service, cycling through the demo scenarios from the
    ``start_at``-th; ``tag`` makes the idempotency keys of this run's cases its own. Returns the counts."""
    from django.utils import timezone

    from zhifa.cases import demo
    from zhifa.law.errors import RuleViolation
    from zhifa.org import demo as org_demo
    from zhifa.org.models import Agency

    class Walk(demo._Walk):
        def key(self) -> str:
            return f"bench:{tag}:" + super().key()

    agency = Agency.objects.get(code=org_demo.AGENCY["code"])
    ctx = demo._context(agency, timezone.localdate())
    scenarios = demo._scenarios()
    done = {"cases": 0, "steps": 0, "refused": []}
    for k in range(n):
        s = scenarios[(start_at + k) % len(scenarios)]
        # a slug of its own: the recordings a walk uploads are made from it (the same file twice is refused)
        s = dataclasses.replace(s, slug=f"{s.slug}:{tag}:{k}")
        walk = Walk(s, ctx, demo._start(ctx, s))
        try:
            walk.run()  # each step its own transaction, as a request takes it (load_demo holds one per case)
        except RuleViolation as exc:
            done["refused"].append(f"{s.slug}: {getattr(exc, 'codes', None) or exc.code}")
            continue
        done["cases"] += 1
        done["steps"] += walk.n
    return done


def worker(args) -> None:
    """One process of a run: set up, say ready, wait for the go, walk, report."""
    setup_django()
    from django.db import connection

    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    t0, cpu = time.time(), time.process_time()
    done = walk_cases(args.cases, f"{args.tag}-{args.index}", start_at=args.index * 7)
    print(json.dumps({"start": t0, "end": time.time(), "cpu": time.process_time() - cpu, **done},
                     ensure_ascii=False), flush=True)


def run(processes: int, cases: int, env: dict[str, str], tag: str) -> dict:
    """``processes`` processes walking ``cases`` cases each at the same time; the events they appended per second."""
    from zhifa.records.models import Event

    before = Event.objects.count()
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", "--index", str(k), "--cases", str(cases),
                               "--tag", tag], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=os.environ | env)
             for k in range(processes)]
    for p in procs:
        line = p.stdout.readline()
        if line.strip() != "ready":
            raise SystemExit(f"a worker did not start: {line}{p.stdout.read()}")
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    reports = []
    for p in procs:
        out, _ = p.communicate()
        if p.returncode:
            raise SystemExit(f"a worker failed (status {p.returncode})")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    wall = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    events = Event.objects.count() - before
    return {"processes": processes, "cases": sum(r["cases"] for r in reports),
            "steps": sum(r["steps"] for r in reports), "events": events, "seconds": wall,
            "cpu": sum(r["cpu"] for r in reports),
            "rate": events / wall, "refused": [x for r in reports for x in r["refused"]]}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=60, help="cases each process walks (default 60)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--name", default="bench_append")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:  # the environment (database, evidence directory) is the parent's
        return worker(args)
    env = prepare(args.engine, args.name)
    setup_django(env)
    t = time.perf_counter()
    load_bureau()
    print(f"{args.engine}: fresh database with the catalog and the demo bureau in {time.perf_counter() - t:.0f} s")
    from zhifa.records.verify import verify_events

    for n, processes in enumerate(args.processes):
        r = run(processes, args.cases, env, tag=f"r{n}")
        print(f"{processes} process{'es' if processes > 1 else ''}: {r['cases']} cases, {r['steps']} steps, "
              f"{r['events']:,} events in {r['seconds']:.1f} s = {r['rate']:,.1f} events/s"
              f" (the processes' own CPU: {r['cpu'] / r['seconds']:.0%} of a core)"
              + (f" ({len(r['refused'])} cases refused: {', '.join(r['refused'][:3])})" if r["refused"] else ""))
    result = verify_events()
    print(f"chain: {result.checked:,} events, {'intact' if result.broken is None else result.broken.message}")


if __name__ == "__main__":
    main()
