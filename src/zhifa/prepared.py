"""Queries compiled once and run again with new values: the fixed reads of a busy page without the ORM's per-call
work.

Building a queryset (``filter``, ``select_related``) and compiling it to SQL costs about as much as running it on
a small indexed table: on a case page, most of the time its twenty reads spent in the ORM went there, not in the
database. A ``Prepared`` query is built once, from a function of its parameters, compiled once per database
connection alias, and afterwards only executed: the parameters go into the cached SQL, the rows come back as the
same model instances (``select_related`` objects included) or value tuples the queryset would give.

Only scalar parameters (ids, strings) can vary — the shape of the query, an ``IN`` list's length included, is
fixed when it is compiled. ``tests/test_prepared.py`` checks every prepared query of the code base against its
ORM queryset on the database the tests run on, so a Django upgrade that changes the internals used here fails
there, not in front of an officer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import Count, QuerySet
from django.db.models.query import get_related_populators

# Stand-ins for the parameters while the query is compiled: values no real row holds, found again in the
# compiled parameters to learn where each real value goes.
_INT_SENTINEL = -7_340_019_260_000
_STR_SENTINEL = "\x00zhifa-prepared-{}\x00"

REGISTRY: dict[str, Prepared] = {}


def counted(rows: QuerySet, by: str) -> QuerySet:
    """``rows.count()`` as a query that can be prepared: one row holding the count per value of ``by`` (a column
    the rows share, e.g. the user they belong to), or no row when nothing matches."""
    return rows.order_by().values(by).annotate(n=Count("pk")).values_list("n", flat=True)


class Prepared:
    """``build(*params)`` returns the queryset; ``kinds`` gives each parameter's type (``int`` or ``str``).

    ``prepared(*values)`` runs it: a list of model instances (a model queryset), of tuples (``values_list``) or of
    values (``values_list(flat=True)``) — the same as ``list(build(*values))``. ``attach`` sets known related
    objects on every instance (e.g. the case whose rows these are), as a related manager would."""

    def __init__(self, name: str, build: Callable[..., QuerySet], *kinds: type):
        if name in REGISTRY:
            raise ValueError(f"a prepared query named {name!r} exists")
        self.name, self.build, self.kinds = name, build, kinds
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        REGISTRY[name] = self

    def sentinels(self) -> list[Any]:
        out = []
        for k, kind in enumerate(self.kinds):
            if kind is int:
                out.append(_INT_SENTINEL - k)
            elif kind is str:
                out.append(_STR_SENTINEL.format(k))
            else:
                raise TypeError(f"{self.name}: parameter {k} is {kind!r}; only int and str can be prepared")
        return out

    def compiled(self, alias: str) -> _Compiled:
        found = self._compiled.get(alias)
        if found is None:
            with self._lock:
                found = self._compiled.get(alias)
                if found is None:
                    found = self._compiled[alias] = _Compiled(self, alias)
        return found

    def check(self, values) -> None:
        if len(values) != len(self.kinds):
            raise TypeError(f"{self.name}: {len(self.kinds)} parameters, {len(values)} given")

    def __call__(self, *values, using: str = "default", attach: dict[str, Any] | None = None) -> list:
        self.check(values)
        return self.compiled(using).run(values, attach)


def together(*calls: tuple[Prepared, tuple, dict[str, Any] | None], using: str = "default") -> list[list]:
    """Several prepared queries, each ``(query, values, attach)``; their results in order, as each call would give.

    On PostgreSQL they go to the server in one pipeline (psycopg's pipeline mode): sent one after the other without
    waiting, answered in one exchange, instead of a round trip each. Elsewhere they run one by one."""
    for query, values, _attach in calls:
        query.check(values)
    compiled = [(query.compiled(using), values, attach) for query, values, attach in calls]
    connection = connections[using]
    if connection.vendor != "postgresql" or len(calls) < 2:
        return [c.run(values, attach) for c, values, attach in compiled]
    connection.ensure_connection()
    cursors = []
    try:
        with connection.connection.pipeline():
            for c, values, _attach in compiled:
                cursor = connection.cursor()
                cursors.append(cursor)
                cursor.execute(c.sql, c.params(values))
            fetched = [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
    return [c.rows(rows, attach) for (c, _values, attach), rows in zip(compiled, fetched, strict=True)]


class _Compiled:
    def __init__(self, prepared: Prepared, alias: str):
        sentinels = prepared.sentinels()
        qs = prepared.build(*sentinels).using(alias)
        compiler = qs.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        # each compiled parameter: ("arg", k) for the k-th value, ("const", v) for a value of the query itself
        slots = []
        for p in params:
            slots.append(("arg", sentinels.index(p)) if p in sentinels else ("const", p))
        used = {s[1] for s in slots if s[0] == "arg"}
        if used != set(range(len(sentinels))):
            raise ValueError(f"{prepared.name}: parameter(s) {sorted(set(range(len(sentinels))) - used)} do not "
                             f"reach the SQL")
        self.slots = slots
        self.alias = alias
        kind = qs._iterable_class.__name__
        if kind not in ("ModelIterable", "ValuesListIterable", "FlatValuesListIterable"):
            raise ValueError(f"{prepared.name}: only model instances and values_list rows can be prepared")
        self.values_list, self.flat = kind != "ModelIterable", kind == "FlatValuesListIterable"
        fields = [s[0] for s in compiler.select[0:compiler.col_count]]
        self.converters = [(pos, convs, expression) for pos, (convs, expression)
                           in compiler.get_converters(fields).items()]
        self.width = compiler.col_count
        if not self.values_list:
            klass_info, select = compiler.klass_info, compiler.select
            self.model = klass_info["model"]
            fields_at = klass_info["select_fields"]
            self.start, self.end = fields_at[0], fields_at[-1] + 1
            self.init_list = [f[0].target.attname for f in select[self.start:self.end]]
            self.fetch_mode = qs._fetch_mode
            self.populators = get_related_populators(klass_info, select, alias, qs._fetch_mode)
            self.annotations = dict(compiler.annotation_col_map or {})

    def params(self, values) -> list:
        return [values[v] if kind == "arg" else v for kind, v in self.slots]

    def run(self, values, attach):
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, self.params(values))
            rows = cursor.fetchall()
        return self.rows(rows, attach)

    def rows(self, rows, attach):
        """The fetched ``rows`` as the queryset would give them."""
        connection = connections[self.alias]
        if self.converters:
            converted = []
            for row in rows:
                row = list(row)
                for pos, convs, expression in self.converters:
                    value = row[pos]
                    for convert in convs:
                        value = convert(value, expression, connection)
                    row[pos] = value
                converted.append(row)
            rows = converted
        if self.flat:
            return [r[0] for r in rows]
        if self.values_list:
            return [tuple(r[:self.width]) for r in rows]
        out = []
        from_db, start, end, init_list = self.model.from_db, self.start, self.end, self.init_list
        for row in rows:
            obj = from_db(self.alias, init_list, row[start:end], fetch_mode=self.fetch_mode)
            for populator in self.populators:
                populator.populate(row, obj)
            for attr, pos in self.annotations.items():
                setattr(obj, attr, row[pos])
            if attach:
                for field, rel in attach.items():
                    obj._state.fields_cache[field] = rel
            out.append(obj)
        return out
