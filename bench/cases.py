"""Server time of the case screens and API at scale: median and p95 per request kind.

    .venv/bin/python bench/cases.py --cases 100000 [--engine sqlite|postgres] [--requests 200] [--json]

The database ``bench_<cases>`` (a SQLite file under bench/.data, or a PostgreSQL database on $BENCH_PG) is made
by ``bench/generate.py`` first when it holds fewer cases than asked. Each request runs in this process through
Django's full stack (middleware, session or token authentication, views, templates, the database), timed from
the request to the finished response — the server's time without the network. Officers, cases and the order of
requests are drawn at random (fixed seed) from the agencies' open cases, so caches do not flatter the figures.

Measured:
- ``list``: the officer's case list ("我承办的", sorted by urgency), page 1, a state filter and a later page;
- ``list_all``: the agency's whole list as its head sees it (5,000 cases per agency);
- ``detail``: the case page of a case the officer handles;
- ``api_list`` / ``api_detail``: ``GET /api/v1/cases?mine=1`` (and a state filter, and the next page by cursor),
  ``GET /api/v1/cases/{id}``;
- ``transition``: ``POST /api/v1/cases/{id}/actions/inspect`` (现场检查: every guard of the step, the step, its
  document and record rows and its hash-chained event, in one transaction).
Targets (issue 4): list and detail median ≤ 20 ms and p95 ≤ 50 ms at 1,000,000 cases.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import create_pg_database, database_env, setup_django, summary_ms

TARGET_MEDIAN_MS, TARGET_P95_MS = 20.0, 50.0
OPEN_STATES = ("filed", "investigating", "investigation_closed", "under_review", "awaiting_decision", "notified",
               "hearing_scheduled", "decided", "served", "performing")


def sample(rng: random.Random, n: int):
    """``n`` (officer, case) pairs: an open case of a synthetic agency and one of its active handlers."""
    from django.db.models import Max, Min

    from zhifa.cases.models import Case, CaseHandler

    bounds = Case.objects.filter(agency__code__startswith="BENCH-").aggregate(lo=Min("pk"), hi=Max("pk"))
    pairs = []
    tries = 0
    while len(pairs) < n and tries < n * 50:
        tries += 1
        pk = rng.randint(bounds["lo"], bounds["hi"])
        case = Case.objects.filter(pk__gte=pk, state__in=OPEN_STATES).order_by("pk").only("pk", "state").first()
        if case is None:
            continue
        handler = CaseHandler.objects.filter(case=case, removed_on__isnull=True).select_related("user").first()
        if handler is not None:
            pairs.append((handler.user, case))
    return pairs


def client_for(user, cache):
    from django.test import Client

    if user.pk not in cache:
        c = Client()
        # One request handler for every client, as one server process has: a new test Client builds its own
        # handler and loads the middleware on its first request (WhiteNoise then scans every static file), which
        # no request to a running server pays.
        shared = cache.setdefault("handler", c.handler)
        c.handler = shared
        c.force_login(user)
        if user.needs_second_factor:  # a head signs in with the second factor passed, as in production
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
                TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            session = c.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        cache[user.pk] = c
    return cache[user.pk]


def token_for(user, cache):
    from zhifa.api import tokens

    if user.pk not in cache:
        cache[user.pk] = tokens.issue(user)[1]
    return cache[user.pk]


def timed(fn, *args, **kwargs) -> float:
    t = time.perf_counter()
    response = fn(*args, **kwargs)
    elapsed = time.perf_counter() - t
    if response.status_code not in (200, 201):  # a redirect (sign-in, second factor) would time the wrong page
        raise SystemExit(f"{response.status_code} {response.request.get('PATH_INFO')}: "
                         f"{response.content[:300].decode(errors='replace')}")
    return elapsed


def run(requests: int, seed: int = 7, *, warm: bool = False) -> dict[str, tuple[float, float, int]]:
    from django.conf import settings
    from django.db import connection

    from zhifa.org.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rng = random.Random(seed)
    pairs = sample(rng, requests)
    if not pairs:
        raise SystemExit("no open case with a handler: generate the data first")
    sessions, api_tokens = {}, {}
    times: dict[str, list[float]] = {k: [] for k in (
        "list", "list_all", "detail", "api_list", "api_detail", "transition")}
    heads = {}
    for user, _case in pairs:  # warm: one session and one token per person, first queries compiled
        client_for(user, sessions)
        token_for(user, api_tokens)
        if user.agency_id not in heads:
            heads[user.agency_id] = User.objects.filter(agency_id=user.agency_id, groups__name="head").first()
    # the process warmed as a running server is: middleware loaded, templates compiled (one request of each page)
    first_user, first_case = pairs[0]
    for url in ("/cases/", "/cases/?tab=all", f"/cases/{first_case.pk}/"):
        client_for(first_user, sessions).get(url)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    # First pass: each request the first for its case (and mostly for its officer): nothing of theirs cached.
    # Second pass ("… warm"), only when asked: the same requests again, as a server that has served these officers
    # and cases before (their qualification data cached, their pages in the database's cache).
    for suffix in ("", " warm")[:1 + warm]:
        if suffix:
            times.update({k + suffix: [] for k in ("list", "detail", "api_list", "api_detail")})
        for i in order:
            user, case = pairs[i]
            c = client_for(user, sessions)
            auth = {"HTTP_AUTHORIZATION": f"Token {token_for(user, api_tokens)}"}
            variant = i % 3
            list_url = ["/cases/", f"/cases/?state={case.state}", "/cases/?page=2"][variant]
            times["list" + suffix].append(timed(c.get, list_url))
            head = heads.get(user.agency_id)
            if head is not None and not suffix:
                hc = client_for(head, sessions)
                all_url = "/cases/?tab=all" + ["", "&page=3", "&state=filed"][variant]
                times["list_all"].append(timed(hc.get, all_url))
            times["detail" + suffix].append(timed(c.get, f"/cases/{case.pk}/"))
            api_url = ["/api/v1/cases?mine=1", f"/api/v1/cases?mine=1&state={case.state}",
                       "/api/v1/cases"][variant]
            times["api_list" + suffix].append(timed(c.get, api_url, **auth))
            times["api_detail" + suffix].append(timed(c.get, f"/api/v1/cases/{case.pk}", **auth))
    # transitions: 现场检查 on investigating cases, each a new step with its event
    from zhifa.cases.models import Case, CaseHandler

    investigating = list(Case.objects.filter(state="investigating", agency__code__startswith="BENCH-")
                         .order_by("?" if connection.vendor == "postgresql" else "pk")
                         .values_list("pk", flat=True)[:requests * 20])
    rng.shuffle(investigating)
    for pk in investigating[:requests]:
        handler = CaseHandler.objects.filter(case_id=pk, removed_on__isnull=True, is_lead=True).select_related(
            "user").first()
        if handler is None:
            continue
        user = handler.user
        c = client_for(user, sessions)
        headers = {"HTTP_AUTHORIZATION": f"Token {token_for(user, api_tokens)}",
                   "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
        body = json.dumps({"credentials_shown": True, "documents": [{"code": "inspection_record"}],
                           "records": [{"code": "av_record_or_reason", "description": "执法记录仪全程录像"}]})
        times["transition"].append(timed(c.post, f"/api/v1/cases/{pk}/actions/inspect", body,
                                               content_type="application/json", **headers))
    return {k: (*summary_ms(v), len(v)) for k, v in times.items() if v}


def print_table(label: str, cases: int, figures: dict) -> None:
    print(f"\n{label}: {cases:,} cases")
    print(f"{'request':<16} {'n':>5} {'median ms':>10} {'p95 ms':>8}  target (list/detail: ≤{TARGET_MEDIAN_MS:.0f} / "
          f"≤{TARGET_P95_MS:.0f})")
    for k, (median, p95, n) in figures.items():
        mark = ""
        if k.split()[0] in ("list", "detail", "api_list", "api_detail"):
            mark = "ok" if median <= TARGET_MEDIAN_MS and p95 <= TARGET_P95_MS else "MISSED"
        print(f"{k:<16} {n:>5} {median:>10.1f} {p95:>8.1f}  {mark}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--name")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--warm", action="store_true",
                        help="also time the list, page and API requests a second time (caches warm)")
    args = parser.parse_args(argv)
    name = args.name or f"bench_{args.cases}"
    env = database_env(args.engine, name)
    if args.engine == "postgres":
        create_pg_database(name)
    setup_django(env)
    from django.core.management import call_command

    from zhifa.cases.models import Case

    call_command("migrate", verbosity=0)
    have = Case.objects.count()
    if have < args.cases:
        from generate import generate

        print(f"generating {args.cases - have:,} cases …", flush=True)
        generate(args.cases, progress=lambda line: print(line, flush=True))
    figures = run(args.requests, warm=args.warm)
    if args.json:
        print(json.dumps({"engine": args.engine, "cases": args.cases, "figures": figures}))
    else:
        print_table(f"{args.engine}", Case.objects.count(), figures)


if __name__ == "__main__":
    main()
