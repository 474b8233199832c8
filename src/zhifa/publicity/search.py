"""The portal's search (issue 7 §3; DESIGN.md §4): exact substring search for two or more characters, the same on
SQLite and PostgreSQL, through overlapping bigrams.

A public text is cut into runs of letters and digits (NFKC, lower case); each run becomes its overlapping bigrams
("假日旅行社" → 假日 日旅 旅行 行社), runs are parted by a three-letter token no query can contain. A query run of two
or more characters becomes the *phrase* of its bigrams — consecutive positions — which matches exactly where the run
occurs in the text: SQLite FTS5 phrases (``"旅行 行社"``), PostgreSQL ``tsquery`` followed-by (``'旅行' <-> '行社'``)
over a ``tsvector`` with positions. Several runs in a query must all occur (AND).

An entry's indexed text starts with *tokens* of three characters or more (so never one of a query's bigrams): its
kind (``kdecision``, ``kitem``) and, for a decision, its agency (``ag12``) and main item (``itwha001``). A search
names them with the phrases, so the index alone narrows a search to one agency's decisions of an item; when the index
holds no other agency's decision (a county's database), the agency token is left out.

Each entry has a ``sort_key``, the FTS5 rowid: for a decision, its decision day and publication id
(``decided_on.toordinal() << 32 | id``), so "the newest decision first" is the index's own descending order, a
decision-date range is a key range, and a page or a capped count costs the rows it reads, however many match; for an
item, ``-id``. On PostgreSQL a text search reads each app server's local FTS5 copy of the entries
(``zhifa.publicity.replica``) the same way; without an up-to-date copy, migration 0002's index: a ``vec`` tsvector
column built from the grams with their positions by a trigger (not by a text search parser, which knows no Chinese
words), and its GIN index, read through an index on (agency, sort key) and checked row by row, or, for rare words,
its few matches sorted. The index (``SearchEntry``; the contentless FTS5 table or the ``vec`` column and its GIN
index, and the triggers that keep them) is made by the migrations; the SQLite SQL is here. Only published, masked
text is indexed, so a search never finds a name the page does not show.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

BREAK = "brk"  # between runs: three letters, so never one of a query's grams (which have at most two)
MIN_CHARS = 2
ID_BITS = 32  # a decision's sort key: the decision day above these bits, the publication's id in them
ID_MASK = (1 << ID_BITS) - 1

FTS = "publicity_search_fts"
TABLE = "publicity_searchentry"

# Contentless (the text is in the table): the rowid is the entry's sort key; a delete gives the old text back.
SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(grams, content='')",
    f"CREATE TRIGGER IF NOT EXISTS publicity_search_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, grams) VALUES (new.sort_key, new.grams); END",
    f"CREATE TRIGGER IF NOT EXISTS publicity_search_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.sort_key, old.grams); END",
    f"CREATE TRIGGER IF NOT EXISTS publicity_search_au AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.sort_key, old.grams); "
    f"INSERT INTO {FTS}(rowid, grams) VALUES (new.sort_key, new.grams); END",
    f"INSERT INTO {FTS}(rowid, grams) SELECT sort_key, grams FROM {TABLE}",  # what the table already holds
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS publicity_search_au", "DROP TRIGGER IF EXISTS publicity_search_ad",
               "DROP TRIGGER IF EXISTS publicity_search_ai", f"DROP TABLE IF EXISTS {FTS}"]

def runs(text: str) -> list[str]:
    """The runs of letters and digits of ``text``, normalised (NFKC, lower case)."""
    out, cur = [], []
    for ch in unicodedata.normalize("NFKC", text or "").lower():
        if ch.isalnum():
            cur.append(ch)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def bigrams(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i:i + 2] for i in range(len(run) - 1)]


def grams(*texts: str) -> str:
    """The indexed form of ``texts``: the bigrams of every run, runs parted by ``BREAK``."""
    out: list[str] = []
    for text in texts:
        for run in runs(text):
            if out:
                out.append(BREAK)
            out.extend(bigrams(run))
    return " ".join(out)


def query_runs(q: str) -> list[str]:
    """The runs of a query that can be searched (two characters or more); empty when there is none."""
    return [r for r in runs(q) if len(r) >= MIN_CHARS]


def token(prefix: str, value) -> str:
    """An index token: ``prefix`` and the letters and digits of ``value`` (a code like ``WH-A-001`` → ``itwha001``)."""
    return prefix + "".join(runs(str(value)))


def kind_token(kind: str) -> str:
    return token("k", kind)


def agency_token(agency_id: int) -> str:
    return token("ag", agency_id)


def item_token(code: str) -> str:
    return token("it", code)


def decision_key(decided_on: date, pk: int) -> int:
    """A decision's sort key: descending order is the newest decision first (``-decided_on, -id``)."""
    if not 0 < pk <= ID_MASK:
        raise ValueError(f"publication id {pk} does not fit the search's sort key")
    return (decided_on.toordinal() << ID_BITS) | pk


def day_key(day: date) -> int:
    """The smallest sort key of a decision of ``day``."""
    return day.toordinal() << ID_BITS


def _expression(vendor: str, q: str, tokens: Iterable[str] = ()) -> str:
    """The full-text expression on ``vendor``: every token and every run of ``q`` as a phrase, all ANDed. Tokens and
    grams hold letters and digits only, so they need no escaping beyond the quotes."""
    phrases = [bigrams(r) for r in query_runs(q)]
    if vendor == "postgresql":
        return " & ".join([*(f"'{t}'" for t in tokens), *("(" + " <-> ".join(f"'{g}'" for g in p) + ")"
                                                          for p in phrases)])
    return " AND ".join([*(f'"{t}"' for t in tokens), *('"' + " ".join(p) + '"' for p in phrases)])


def expression(q: str, vendor: str | None = None) -> str:
    """The full-text expression for ``q`` on ``vendor`` (the default connection's): every run a phrase, all ANDed."""
    return _expression(vendor or connection.vendor, q)


def matching(kind: str, q: str) -> RawSQL:
    """The ``ref`` of every entry of ``kind`` whose text contains ``q`` — for ``filter(pk__in=matching(...))``."""
    expr = _expression(connection.vendor, q, [kind_token(kind)])
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT ref FROM {TABLE} WHERE vec @@ %s::tsquery", [expr])
    return RawSQL(f"SELECT ref FROM {TABLE} WHERE sort_key IN "
                  f"(SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)", [expr])


def put(kind: str, ref: int, *texts: str) -> None:
    """Index (or re-index) the public ``texts`` of object ``ref`` after its kind's token; its sort key is ``-ref``
    for an item, ``ref`` otherwise (below every publication's key: a decision is indexed by ``index_decision``)."""
    from .models import SearchEntry

    SearchEntry.objects.update_or_create(kind=kind, ref=ref, defaults={
        "grams": entry_text(kind, (), grams(*texts)), "sort_key": -ref if kind == SearchEntry.Kind.ITEM else ref})


def entry_text(kind: str, tokens: Iterable[str], text_grams: str) -> str:
    """An entry's indexed text: its kind's token, its ``tokens``, then the grams of its texts."""
    return " ".join([kind_token(kind), *tokens, text_grams]).strip()


def drop(kind: str, refs: Iterable[int]) -> None:
    from .models import SearchEntry

    SearchEntry.objects.filter(kind=kind, ref__in=list(refs)).delete()


def decision_texts(content: dict) -> list[str]:
    """What of a publication's (masked) content is searchable: number, party, case title, items, date."""
    return [content.get("number", ""), content.get("party", ""), content.get("credit_code", ""),
            content.get("title", ""), *(i.get("name", "") for i in content.get("items") or ()),
            content.get("decided_on", "")]


def decision_tokens(agency_id: int, item_code: str) -> list[str]:
    return [agency_token(agency_id), *([item_token(item_code)] if item_code else [])]


def decision_entry(pk: int, agency_id: int, item_code: str, decided_on: date, content: dict) -> dict:
    """The search entry's fields of a live publication: its masked content's texts after its agency and item
    tokens, its sort key and agency (``index_decision``, and the benchmark's bulk writer)."""
    return {"grams": entry_text("decision", decision_tokens(agency_id, item_code), grams(*decision_texts(content))),
            "sort_key": decision_key(decided_on, pk), "agency_id": agency_id}


def index_decision(pub) -> None:
    """Index a live publication."""
    from .models import SearchEntry

    SearchEntry.objects.update_or_create(kind=SearchEntry.Kind.DECISION, ref=pub.pk, defaults=decision_entry(
        pub.pk, pub.agency_id, pub.item_code, pub.decided_on, pub.content))


def index_item(item) -> None:
    """Index an enforcement item the portal shows (an active one), or drop it from the index."""
    from .models import SearchEntry

    if item.status == item.Status.ACTIVE:
        put(SearchEntry.Kind.ITEM, item.pk, item.code, item.name, item.domain.name, item.basis_violated_text,
            item.basis_penalty_text)
    else:
        drop(SearchEntry.Kind.ITEM, [item.pk])


def index_items() -> int:
    """Index every enforcement item the portal shows and drop the others; the count indexed."""
    from zhifa.catalog.models import EnforcementItem

    from .models import SearchEntry

    live = set()
    for item in EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE).select_related("domain"):
        index_item(item)
        live.add(item.pk)
    SearchEntry.objects.filter(kind=SearchEntry.Kind.ITEM).exclude(ref__in=live).delete()
    return len(live)


def pg_settings(cur, *off: str) -> None:
    """PostgreSQL's settings for a search's query, to the end of the transaction: psycopg prepares a statement run
    five times, and PostgreSQL may then keep a generic plan, blind to how common the searched words are; short
    queries on a small server gain nothing from parallel workers; ``off`` names plan nodes not to use
    (``enable_<name>``)."""
    settings = {"plan_cache_mode": "force_custom_plan", "max_parallel_workers_per_gather": "0"} | {
        f"enable_{name}": "off" for name in off}
    cur.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
                [v for pair in settings.items() for v in pair])


class Results:
    """A search's live publications of one agency, the newest decision first: ``page(start, stop)`` the rows,
    ``count(upto)`` how many, counted up to ``upto`` (a search needs no more). Without text: the queryset ``qs``."""

    def __init__(self, qs):
        self.qs = qs

    def page(self, start: int, stop: int) -> list:
        return list(self.qs[start:stop])

    def count(self, upto: int) -> int:
        return self.qs.order_by()[:upto].count()  # without the order: the database stops at ``upto``


class TextResults(Results):
    """A text search, answered from the full-text index in its own order (the sort key descending): a page reads
    its rows, and the count stops at ``upto``, however common the words. The item is a token of the index, the
    agency a token (SQLite) or a column (PostgreSQL), the decision-date range a range of sort keys.

    SQLite's FTS5 walks its doclists in key order, so a page is read newest first from the index, and the count
    stops at ``upto``. On PostgreSQL the search reads this server's FTS5 copy of the index
    (``zhifa.publicity.replica``) the same way when it is up to date; otherwise the GIN index: the planner guesses
    how common the words are, and a wrong guess either sorts half a million matches or walks a million entries for
    a rare word, so the search first takes up to ``FEW + 1`` matching keys in any order (which is also the count):
    at most ``FEW``, the page is cut from them; more, the words are common and the page is read by walking the
    (agency, sort key) index newest first."""

    FEW = 1000

    def __init__(self, agency, *, q: str, item: str = "", since=None, until=None):
        from . import replica

        self.agency, self.q, self.item, self.since, self.until = agency, q, item, since, until
        self._keys: list[int] | None = None
        self._only: bool | None = None
        # on PostgreSQL, this server's FTS5 copy of the index when it is up to date: read as SQLite reads its own
        self.replica = replica.current() if connection.vendor == "postgresql" else None
        self.engine = "sqlite" if self.replica is not None else connection.vendor

    def _where(self, vendor: str) -> tuple[str, str, list]:
        item = [item_token(self.item)] if self.item else []
        if vendor == "postgresql":
            key, where = "f.sort_key", ["f.agency_id = %s", "f.vec @@ %s::tsquery"]
            params: list = [self.agency.pk, _expression(vendor, self.q, item)]
            source, alone = f"{TABLE} f", False
        else:
            key, where, source = "f.rowid", [f"f.{FTS} MATCH %s"], f"{FTS} f"
            # no other agency's decision: no agency token to AND (its doclist would be every entry), the decisions
            # are the positive keys (an item's is negative)
            alone = self._alone()
            params = [_expression(vendor, self.q, item if alone else [agency_token(self.agency.pk), *item])]
        # one lower and one upper bound: FTS5 seeks to them (a second bound of a side would be a filter)
        low = day_key(self.since) if self.since else (1 if alone else None)
        if low is not None:
            where.append(f"{key} >= %s")
            params.append(low)
        if self.until:
            where.append(f"{key} < %s")
            params.append(day_key(self.until + timedelta(days=1)))
        return key, f"SELECT {key} FROM {source} WHERE {' AND '.join(where)}", params

    def _alone(self) -> bool:
        """Whether the index holds no other agency's decision (a county's database; asked once a search)."""
        from .models import SearchEntry

        if self._only is None:  # the least and the greatest agency: each one step into the (agency, key) index
            if self.replica is not None:  # read with the log's number
                bounds = set(self.replica.agencies)
            else:
                agencies = SearchEntry.objects.filter(agency__isnull=False).values_list("agency_id", flat=True)
                bounds = {agencies.order_by("agency_id").first(), agencies.order_by("-agency_id").first()}
            self._only = bounds <= {self.agency.pk, None}
        return self._only

    def _run(self, sql: str, params: list, *, walk: bool = False) -> list:
        if self.replica is not None:
            return self.replica.db.execute(sql.replace("%s", "?"), params).fetchall()
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":  # ``walk``: the words are common, read the index's order
                pg_settings(cur, *(("bitmapscan", "seqscan") if walk else ()))
            cur.execute(sql, params)
            return cur.fetchall()

    def _some_keys(self) -> list[int]:
        """Up to ``FEW + 1`` matching keys, in no order (PostgreSQL's GIN index)."""
        if self._keys is None:
            _key, sql, params = self._where(self.engine)
            self._keys = [k for (k,) in self._run(f"{sql} LIMIT %s", [*params, self.FEW + 1])]
        return self._keys

    def page(self, start: int, stop: int) -> list:
        from .models import Publication

        if self.engine == "postgresql" and len(self._some_keys()) <= self.FEW:
            keys = sorted(self._some_keys(), reverse=True)[start:stop]
        else:
            key, sql, params = self._where(self.engine)
            keys = [k for (k,) in self._run(f"{sql} ORDER BY {key} DESC LIMIT %s OFFSET %s",
                                            [*params, stop - start, start], walk=True)]
        ids = [k & ID_MASK for k in keys]
        # by id alone (a planner without statistics would rather walk the agency's index), checked here: the
        # index holds only live publications, so this is only a guard
        found = Publication.objects.order_by().in_bulk(ids)
        return [found[i] for i in ids if i in found and found[i].agency_id == self.agency.pk
                and found[i].status == found[i].Status.PUBLISHED]

    def count(self, upto: int) -> int:
        if self.engine == "postgresql" and (len(self._some_keys()) <= self.FEW or upto <= self.FEW + 1):
            return min(len(self._some_keys()), upto)
        # FTS5 reads its doclists forwards about twice as fast as backwards: a count needs no order
        _key, sql, params = self._where(self.engine)
        return self._run(f"SELECT count(*) FROM ({sql} LIMIT %s) t", [*params, upto])[0][0]


def decisions(agency, *, q: str = "", item: str = "", since=None, until=None) -> Results:
    """The agency's live publications matching a search: text ``q``, the main item's code, a decision date range.
    The newest decision first."""
    from .models import Publication

    if query_runs(q):
        return TextResults(agency, q=q, item=item, since=since, until=until)
    qs = Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED)
    if item:
        qs = qs.filter(item_code=item)
    if since:
        qs = qs.filter(decided_on__gte=since)
    if until:
        qs = qs.filter(decided_on__lte=until)
    return Results(qs.order_by("-decided_on", "-id"))
