"""The portal's search (issue 7 §3; DESIGN.md §4): exact substring search for two or more characters, the same on
SQLite and PostgreSQL, through overlapping bigrams.

A public text is cut into runs of letters and digits (NFKC, lower case); each run becomes its overlapping bigrams
("假日旅行社" → 假日 日旅 旅行 行社), runs are parted by a three-letter token no query can contain. A query run of two
or more characters becomes the *phrase* of its bigrams — consecutive positions — which matches exactly where the run
occurs in the text: SQLite FTS5 phrases (``"旅行 行社"``), PostgreSQL ``tsquery`` followed-by (``'旅行' <-> '行社'``)
over a ``tsvector`` with positions. Several runs in a query must all occur (AND).

An entry's indexed text starts with *tokens* of three characters or more (so never one of a query's bigrams): its
kind (``kdecision``, ``kitem``) and, for a decision, its agency (``ag12``), main item (``itwha001``) and decision
month (``dm202611``). A search names them with the phrases, so the index alone narrows a search to one agency's
decisions of an item or some months, and counts them, without reading the publications.

Each entry has a ``sort_key``, the FTS5 rowid on SQLite: for a decision, its publication day and id
(``published_on.toordinal() << 32 | id``), so "the newest publication first" is the index's own descending order and
a page costs the rows it shows, however many match; for an item, ``-id``. The index (``SearchEntry``; the
contentless FTS5 table or the ``vec`` column and its GIN index, and the triggers that keep them) is made by the
migrations; the SQL is here. Only published, masked text is indexed, so a search never finds a name the page does
not show.
"""

from __future__ import annotations

import calendar
import unicodedata
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

BREAK = "brk"  # between runs: three letters, so never one of a query's grams (which have at most two)
MIN_CHARS = 2
ID_BITS = 32  # a decision's sort key: the publication day above these bits, the publication's id in them
ID_MASK = (1 << ID_BITS) - 1
MAX_MONTHS = 120  # a decision-date range of more months is checked on the publications alone, not by month tokens

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

# The vector is built from the grams with their positions (not by a text search parser, which knows no Chinese
# words and, under the C locale, no Chinese letters at all).
POSTGRES_CREATE = [
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS vec tsvector",
    "CREATE OR REPLACE FUNCTION publicity_search_vec() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.vec := (SELECT coalesce(string_agg(quote_literal(g) || ':' || least(i, 16383), ' '), '')::tsvector "
    "FROM unnest(string_to_array(NEW.grams, ' ')) WITH ORDINALITY AS t(g, i) WHERE g <> ''); RETURN NEW; END $$",
    f"CREATE OR REPLACE TRIGGER publicity_search_vec BEFORE INSERT OR UPDATE OF grams ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION publicity_search_vec()",
    f"CREATE INDEX IF NOT EXISTS publicity_search_vec_gin ON {TABLE} USING gin (vec)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS publicity_search_vec_gin",
                 f"DROP TRIGGER IF EXISTS publicity_search_vec ON {TABLE}",
                 "DROP FUNCTION IF EXISTS publicity_search_vec()", f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS vec"]


def statements(vendor: str, create: bool) -> list[str]:
    pair = {"sqlite": (SQLITE_CREATE, SQLITE_DROP), "postgresql": (POSTGRES_CREATE, POSTGRES_DROP)}.get(vendor)
    return [] if pair is None else pair[0 if create else 1]


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


def month_token(day: date) -> str:
    return f"dm{day.year:04d}{day.month:02d}"


def decision_key(published_on: date, pk: int) -> int:
    """A decision's sort key: descending order is newest publication first (``-published_on, -id``)."""
    if not 0 < pk <= ID_MASK:
        raise ValueError(f"publication id {pk} does not fit the search's sort key")
    return (published_on.toordinal() << ID_BITS) | pk


def _expression(vendor: str, q: str, tokens: Iterable[str] = (), any_of: Iterable[str] = ()) -> str:
    """The full-text expression on ``vendor``: every token, one of ``any_of`` (if any), and every run of ``q`` as a
    phrase, all ANDed. Tokens and grams hold letters and digits only, so they need no escaping beyond the quotes."""
    phrases = [bigrams(r) for r in query_runs(q)]
    any_of = list(any_of)
    if vendor == "postgresql":
        parts = [f"'{t}'" for t in tokens]
        if any_of:
            parts.append("(" + " | ".join(f"'{t}'" for t in any_of) + ")")
        parts += ["(" + " <-> ".join(f"'{g}'" for g in p) + ")" for p in phrases]
        return " & ".join(parts)
    parts = [f'"{t}"' for t in tokens]
    if any_of:
        parts.append("(" + " OR ".join(f'"{t}"' for t in any_of) + ")")
    parts += ['"' + " ".join(p) + '"' for p in phrases]
    return " AND ".join(parts)


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


def put(kind: str, ref: int, *texts: str, tokens: Iterable[str] = (), key: int | None = None) -> None:
    """Index (or re-index) the public ``texts`` of object ``ref``, after its kind's token and ``tokens``; ``key``:
    its sort key (by default ``-ref`` for an item, ``ref`` otherwise — below every publication's key)."""
    from .models import SearchEntry

    if key is None:
        key = -ref if kind == SearchEntry.Kind.ITEM else ref
    text = " ".join([kind_token(kind), *tokens, grams(*texts)]).strip()
    SearchEntry.objects.update_or_create(kind=kind, ref=ref, defaults={"grams": text, "sort_key": key})


def drop(kind: str, refs: Iterable[int]) -> None:
    from .models import SearchEntry

    SearchEntry.objects.filter(kind=kind, ref__in=list(refs)).delete()


def decision_texts(content: dict) -> list[str]:
    """What of a publication's (masked) content is searchable: number, party, case title, items, date."""
    return [content.get("number", ""), content.get("party", ""), content.get("credit_code", ""),
            content.get("title", ""), *(i.get("name", "") for i in content.get("items") or ()),
            content.get("decided_on", "")]


def decision_tokens(agency_id: int, item_code: str, decided_on: date) -> list[str]:
    return [agency_token(agency_id), *([item_token(item_code)] if item_code else []), month_token(decided_on)]


def index_decision(pub) -> None:
    """Index a live publication: its masked content's texts, after its agency, item and month tokens."""
    from .models import SearchEntry

    put(SearchEntry.Kind.DECISION, pub.pk, *decision_texts(pub.content),
        tokens=decision_tokens(pub.agency_id, pub.item_code, pub.decided_on),
        key=decision_key(pub.published_on, pub.pk))


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


def months(since: date, until: date) -> list[date]:
    """The first days of the months from ``since`` to ``until``."""
    out, day = [], since.replace(day=1)
    while day <= until:
        out.append(day)
        day = day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)
    return out


class Results:
    """A search's live publications of one agency, newest publication first: ``page(start, stop)`` the rows,
    ``count(upto)`` how many, counted up to ``upto`` (a search needs no more)."""

    def __init__(self, agency, qs, *, q: str = "", item: str = "", since=None, until=None):
        self.agency, self.qs, self.q, self.item, self.since, self.until = agency, qs, q, item, since, until

    def page(self, start: int, stop: int) -> list:
        return list(self.qs[start:stop])

    def count(self, upto: int) -> int:
        return self.qs.order_by()[:upto].count()  # without the order: the database stops at ``upto``


class TextResults(Results):
    """A text search, answered from the full-text index in its own order (the sort key descending): a page reads
    its rows, and the count stops at ``upto``, however common the words. The agency, the item and the decision
    months are tokens of the index; a range that does not start and end on a month's bounds is checked on the
    publications as well."""

    def _query(self, vendor: str) -> tuple[str, list, list]:
        """The expression, and the join and conditions on the publications (none when the tokens say it all)."""
        tokens = [agency_token(self.agency.pk)] + ([item_token(self.item)] if self.item else [])
        any_of, check = [], []
        since, until = self.since, self.until
        if since and until and since <= until and len(months(since, until)) <= MAX_MONTHS:
            any_of = [month_token(m) for m in months(since, until)]
            exact = since.day == 1 and until.day == calendar.monthrange(until.year, until.month)[1]
            if exact:
                since = until = None
        for day, op in ((since, ">="), (until, "<=")):
            if day:
                check.append((f"p.decided_on {op} %s", day if vendor == "postgresql" else day.isoformat()))
        return _expression(vendor, self.q, tokens, any_of), [c for c, _ in check], [v for _, v in check]

    def _sql(self, count: bool) -> tuple[str, list]:
        vendor = connection.vendor
        expr, conditions, values = self._query(vendor)
        if vendor == "postgresql":
            source, key, match = f"{TABLE} f", "f.sort_key", "f.vec @@ %s::tsquery"
        else:
            source, key, match = f"{FTS} f", "f.rowid", f"f.{FTS} MATCH %s"
        join = f" JOIN publicity_publication p ON p.id = ({key} & {ID_MASK})" if conditions else ""
        sql = f"SELECT {key} FROM {source}{join} WHERE {' AND '.join([match, *conditions])}"
        if count:
            return f"SELECT count(*) FROM ({sql} LIMIT %s) t", [expr, *values]
        return f"{sql} ORDER BY {key} DESC LIMIT %s OFFSET %s", [expr, *values]

    def _run(self, sql: str, params: list) -> list:
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # psycopg prepares a statement run five times, and PostgreSQL may then keep a generic plan, blind
                # to how common the searched words are; and short queries on a small server gain nothing from
                # parallel workers
                cur.execute("SET LOCAL plan_cache_mode = force_custom_plan")
                cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cur.execute(sql, params)
            return cur.fetchall()

    def page(self, start: int, stop: int) -> list:
        sql, params = self._sql(False)
        ids = [key & ID_MASK for (key,) in self._run(sql, [*params, stop - start, start])]
        found = self.qs.in_bulk(ids)  # the live publications of the agency (the index holds only those)
        return [found[i] for i in ids if i in found]

    def count(self, upto: int) -> int:
        sql, params = self._sql(True)
        return self._run(sql, [*params, upto])[0][0]


def decisions(agency, *, q: str = "", item: str = "", since=None, until=None) -> Results:
    """The agency's live publications matching a search: text ``q``, the main item's code, a decision date range.
    Newest publication first; a date range without text lists in the order of the decision date."""
    from .models import Publication

    qs = Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED)
    if item:
        qs = qs.filter(item_code=item)
    if since:
        qs = qs.filter(decided_on__gte=since)
    if until:
        qs = qs.filter(decided_on__lte=until)
    args = {"q": q, "item": item, "since": since, "until": until}
    if query_runs(q):
        return TextResults(agency, qs, **args)
    if since or until:  # an index range on the decision date, however long
        return Results(agency, qs.order_by("-decided_on", "-id"), **args)
    return Results(agency, qs.order_by("-published_on", "-id"), **args)
