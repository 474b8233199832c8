"""Once per web request: have the reference tables the rules read changed?

The policy values (:mod:`.policies`) and the holiday calendar (:mod:`.calendar`) are cached per process and
checked against a cheap fingerprint query on every use, so an edit made by another app server is seen at once.
A case page uses them a handful of times (the statement window, the hearing thresholds, the review catalogue,
every clock's working days …); inside one request they cannot change unless the request itself changes them.
This module keeps each fingerprint for the rest of the request once read:

- the memo lives from ``request_started`` to ``request_finished`` of the thread serving the request; outside a
  request (management commands, the tick job, tests calling services directly) nothing is kept and every call
  reads the fingerprint as before;
- a write to a watched table in this process (``post_save``/``post_delete``, and ``calendar.invalidate()``)
  drops the memo at once, so a request that changes a policy and then uses it sees the new value;
- ``QuerySet.update()`` and raw SQL bypass the signals: code doing those inside a request calls :func:`forget`.

The fingerprint of a table changed by a transaction that is then rolled back stays in the memo until the end of
that request (the next request reads it afresh).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

_state = threading.local()


# name → a function of the connection returning the scalar SQL expressions whose values make the fingerprint
_SOURCES: dict[str, Callable[[Any], list[str]]] = {}


def register(name: str, expressions: Callable[[Any], list[str]]) -> None:
    """Add a fingerprint: ``expressions(connection)`` returns scalar SQL expressions (``(SELECT COUNT(*) FROM t)``
    …) read together with every other registered fingerprint, by one query."""
    _SOURCES[name] = expressions


def fingerprint(name: str) -> tuple:
    """The fingerprint ``name`` on the default connection (every registered one is read by the same query, kept
    for the rest of the request): ``(alias, value, …)`` with the values as strings, ``None`` as ``"None"``."""
    from django.db import connection

    return memoised(("fingerprints", connection.alias), _read)[name]


def _read() -> dict[str, tuple]:
    from django.db import connection

    names, columns, spans = list(_SOURCES), [], []
    for name in names:
        exprs = _SOURCES[name](connection)
        spans.append((len(columns), len(columns) + len(exprs)))
        columns.extend(exprs)
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(columns))
        row = tuple(map(str, cur.fetchone()))
    return {name: (connection.alias, *row[a:b]) for name, (a, b) in zip(names, spans, strict=True)}


def _policy(connection) -> list[str]:
    from .models import PolicyValue

    t = connection.ops.quote_name(PolicyValue._meta.db_table)
    return [f"(SELECT COUNT(*) FROM {t})", f"(SELECT MAX(id) FROM {t})", f"(SELECT MAX(set_at) FROM {t})"]


def _calendar(connection) -> list[str]:
    from .models import CalendarDay, CalendarYear

    out = []
    for model in (CalendarDay, CalendarYear):
        t = connection.ops.quote_name(model._meta.db_table)
        out += [f"(SELECT COUNT(*) FROM {t})", f"(SELECT MAX(updated_at) FROM {t})"]
    return out


register("policy", _policy)  # the PolicyValue table: row count, highest id, latest ``set_at``
register("calendar", _calendar)  # CalendarDay and CalendarYear: row counts and latest ``updated_at``


def memoised(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept under ``key`` for the rest of the current request (not kept outside a request)."""
    memo = getattr(_state, "memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(**kwargs) -> None:
    """Drop every fingerprint kept for the current request (after a write to a watched table)."""
    memo = getattr(_state, "memo", None)
    if memo:
        memo.clear()


@receiver(request_started, dispatch_uid="zhifa.catalog.fresh.start")
def _start(**kwargs) -> None:
    _state.memo = {}


@receiver(request_finished, dispatch_uid="zhifa.catalog.fresh.finish")
def _finish(**kwargs) -> None:
    _state.memo = None


def watch(*models) -> None:
    """Drop the memo whenever a row of ``models`` is saved or deleted in this process."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(forget, sender=model, dispatch_uid=f"zhifa.catalog.fresh.save.{model._meta.label}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"zhifa.catalog.fresh.delete.{model._meta.label}")
