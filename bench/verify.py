"""Throughput of ``zhifa verify`` against the raw SM3 rate of this machine (issue 5: at least 50% of the raw rate
for 1-KiB events).

    .venv/bin/python bench/verify.py --cases 100000 [--engine sqlite|postgres] [--name DB] [--limit N] [--repeat 3]
    .venv/bin/python bench/verify.py --events 100000 [--engine sqlite|postgres]

With ``--cases`` the database is one made by ``bench/generate.py`` (its cases' steps each wrote a hash-chained
event, about half a KiB of hashed text each). With ``--events`` it is ``bench_events_N``, filled first (when it has
fewer) with N events of about 1 KiB through ``records.services.record`` — the application's own append, one
transaction each, whose rate is printed too. Measured:

- ``raw``: ``hashlib.new(alg)`` over previous hash + canonical JSON of 1-KiB events held in memory, in this one
  process (one core) — what verifying costs with no database and no decoding;
- ``sequential``: the whole chain checked in this process (``zhifa.records.verify._verify_sequential``: value rows
  read in batches, each hash and link re-computed);
- ``zhifa verify``: ``zhifa.records.verify.verify_events()`` as the command runs it — for a chain of at least
  ``_PARALLEL_MIN`` events on a machine with two cores or more, this process reads the rows and checks the links
  while worker processes re-compute the hashes (``_verify_parallel``); over the first ``--limit`` events, or all;
- the ratio of each rate to the raw one, the events' mean canonical size, and the peak memory of this process and
  of the workers (bounded: batches, not the whole chain).

Each verify is timed ``--repeat`` times and the best run counts, as for the raw rate (all runs are printed).
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import database_env, setup_django

TARGET_RATIO = 0.5


def raw_rate(alg: str, n: int = 50_000, size: int = 1024) -> float:
    """Events per second hashing ``n`` in-memory events of about ``size`` bytes of canonical JSON each."""
    from zhifa.records.services import canonical

    now = datetime.now(UTC).isoformat()
    filler = "记录" * ((size - 200) // 6)
    events = [canonical({"id": i, "occurred_at": now, "actor": 7, "actor_name": "张三", "role": "officer",
                         "agency": 3, "case": i // 14, "action": "cases.inspect", "subject": f"case:{i // 14}",
                         "payload": canonical({"note": filler, "k": i})}).encode() for i in range(n)]
    prev = "0" * 64
    t = time.perf_counter()
    for body in events:
        h = hashlib.new(alg)
        h.update(prev.encode())
        h.update(body)
        prev = h.hexdigest()
    return n / (time.perf_counter() - t)


def append(n: int) -> None:
    """Fill the database up to ``n`` events of about 1 KiB each, through ``record`` (one transaction each, the chain
    head locked as the application does), and print the append rate."""
    from django.core.management import call_command

    from zhifa.records.models import Event
    from zhifa.records.services import record

    call_command("migrate", verbosity=0)
    have = Event.objects.count()
    if have >= n:
        return
    note = "现场检查笔录：" + "检查发现经营场所接纳未成年人上网，" * 14  # about 1 KiB of hashed text in all
    t = time.perf_counter()
    for k in range(have, n):
        record("cases.inspect", case_id=k // 14 + 1, subject=f"case:{k // 14 + 1}", role="officer",
               payload={"note": note, "k": k, "documents": ["inspection_record"], "records": ["av_record"]})
    elapsed = time.perf_counter() - t
    print(f"append: {n - have:,} events through record() in {elapsed:.1f} s = {(n - have) / elapsed:,.0f} events/s")


def timed(verify_fn, repeat: int) -> tuple[object, list[float]]:
    """The result of ``verify_fn()`` and the seconds each of ``repeat`` runs took."""
    seconds = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = verify_fn()
        seconds.append(time.perf_counter() - t)
    return result, seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--cases", type=int)
    group.add_argument("--events", type=int, help="N events of about 1 KiB, appended through the application")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--name")
    parser.add_argument("--limit", type=int, help="verify only the first N events (a prefix of the chain)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each verify; the best counts (default 3)")
    parser.add_argument("--parallel-min", type=int, help="check with worker processes from this many events "
                                                         "(default: zhifa.records.verify._PARALLEL_MIN)")
    args = parser.parse_args(argv)
    name = args.name or (f"bench_{args.cases}" if args.cases else f"bench_events_{args.events}")
    if args.engine == "postgres":
        from common import create_pg_database

        create_pg_database(name)
    setup_django(database_env(args.engine, name))
    if args.events:
        append(args.events)
    from zhifa.records import verify
    from zhifa.records.models import Event
    from zhifa.records.services import algorithm, hashed_text

    alg = algorithm()
    total = Event.objects.count()
    if not total:
        raise SystemExit("no events: generate the data first (bench/generate.py)")
    limit = args.limit or total
    sizes = [len(hashed_text(e.id, e.occurred_at.isoformat(), e.actor_id, e.actor_name, e.role, e.agency_id,
                             e.case_id, e.action, e.subject, e.payload).encode())
             for e in Event.objects.order_by("id")[:2000]]
    if args.parallel_min is not None:
        verify._PARALLEL_MIN = args.parallel_min
    batches = verify._batches
    if args.limit:  # a prefix of the chain: stop reading after ``limit`` rows
        def limited(case_id=None, **kw):
            left = limit
            for batch in batches(case_id, **kw):
                yield batch[:left]
                left -= len(batch)
                if left <= 0:
                    return
        verify._batches = limited
        if limit < verify._PARALLEL_MIN:  # as verify_events would for a chain this short
            verify._PARALLEL_MIN = total + 1
    try:
        path = "parallel" if verify._parallel() else "sequential"
        seq_result, seq_seconds = timed(verify._verify_sequential, args.repeat)
        result, seconds = timed(verify.verify_events, args.repeat)
    finally:
        verify._batches = batches
    assert result == seq_result, (result, seq_result)
    seq_rate, rate = seq_result.checked / min(seq_seconds), result.checked / min(seconds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the raw rate's events in memory
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    raw = max(raw_rate(alg) for _ in range(3))  # the best of three: the machine's rate, not its noise

    def runs(secs: list[float]) -> str:
        return ", ".join(f"{result.checked / s:,.0f}" for s in secs)

    print(f"{args.engine}: {total:,} events in the chain, {result.checked:,} verified in {min(seconds):.2f} s"
          f" ({'intact' if result.broken is None else result.broken.message})")
    print(f"hashed text per event (first 2,000): mean {sum(sizes) / len(sizes):.0f} bytes")
    print(f"raw {alg} over 1-KiB events, one core: {raw:,.0f} events/s")
    print(f"sequential (one process): {seq_rate:,.0f} events/s = {seq_rate / raw:.0%} of raw"
          f"  [runs: {runs(seq_seconds)}]")
    helpers = verify._worker_count()
    how = f"parallel: {helpers} worker{'s' if helpers > 1 else ''} and this process" if path == "parallel" else path
    print(f"zhifa verify ({how}): {rate:,.0f} events/s"
          f" = {rate / raw:.0%} of raw (target ≥ {TARGET_RATIO:.0%})  [runs: {runs(seconds)}]")
    print(f"peak memory: this process {peak:,.0f} MiB, a worker {workers:,.0f} MiB")


if __name__ == "__main__":
    main()
