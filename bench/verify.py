"""Throughput of ``zhifa verify`` against the raw SM3 rate of this machine (issue 5: at least 50% of the raw rate
for 1-KiB events).

    .venv/bin/python bench/verify.py --cases 100000 [--engine sqlite|postgres] [--name DB] [--limit N]

The database is one made by ``bench/generate.py`` (its cases' steps each wrote a hash-chained event). Measured:

- ``raw``: ``hashlib.new(alg)`` over previous hash + canonical JSON of 1-KiB events held in memory — what verifying
  costs with no database and no decoding;
- ``verify``: ``zhifa.records.verify.verify_events()`` over the stored chain (the first ``--limit`` events, or all),
  reading value rows from the database in batches and re-computing each hash and link;
- the ratio of the two rates, and the events' mean canonical size.
"""

from __future__ import annotations

import argparse
import hashlib
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--name")
    parser.add_argument("--limit", type=int, help="verify only the first N events (a prefix of the chain)")
    args = parser.parse_args(argv)
    setup_django(database_env(args.engine, args.name or f"bench_{args.cases}"))
    from zhifa.records import verify
    from zhifa.records.models import Event
    from zhifa.records.services import algorithm

    alg = algorithm()
    raw = raw_rate(alg)
    total = Event.objects.count()
    if not total:
        raise SystemExit("no events: generate the data first (bench/generate.py)")
    limit = args.limit or total
    sizes = [len(p.encode()) for p in Event.objects.order_by("id").values_list("payload", flat=True)[:2000]]
    rows = verify._rows
    if args.limit:  # a prefix of the chain: stop reading after ``limit`` rows
        def limited(case_id=None):
            for k, row in enumerate(rows(case_id)):
                if k >= limit:
                    return
                yield row
        verify._rows = limited
    t = time.perf_counter()
    result = verify.verify_events()
    elapsed = time.perf_counter() - t
    verify._rows = rows
    rate = result.checked / elapsed
    print(f"{args.engine}: {total:,} events in the chain, {result.checked:,} verified in {elapsed:.1f} s"
          f" ({'intact' if result.broken is None else result.broken.message})")
    print(f"payload bytes (first 2,000 events): mean {sum(sizes) / len(sizes):.0f}")
    print(f"raw {alg} over 1-KiB events: {raw:,.0f} events/s")
    print(f"zhifa verify: {rate:,.0f} events/s = {rate / raw:.0%} of raw (target ≥ {TARGET_RATIO:.0%})")


if __name__ == "__main__":
    main()
