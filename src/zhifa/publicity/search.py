"""The portal's search (issue 7 §3; DESIGN.md §4): exact substring search for two or more characters, the same on
SQLite and PostgreSQL, through overlapping bigrams.

A public text is cut into runs of letters and digits (NFKC, lower case); each run becomes its overlapping bigrams
("假日旅行社" → 假日 日旅 旅行 行社), runs are parted by a three-letter token no query can contain. A query run of two
or more characters becomes the *phrase* of its bigrams — consecutive positions — which matches exactly where the run
occurs in the text: SQLite FTS5 phrases (``"旅行 行社"``), PostgreSQL ``tsquery`` followed-by (``'旅行' <-> '行社'``)
over a ``tsvector`` with positions. Several runs in a query must all occur (AND).

The index (``SearchEntry``; the FTS5 table or the ``vec`` column and its GIN index, and the triggers that keep them)
is made by migration 0002; the SQL is here. Only published, masked text is indexed, so a search never finds a name
the page does not show.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import connection
from django.db.models.expressions import RawSQL

BREAK = "brk"  # between runs: three letters, so never one of a query's grams (which have at most two)
MIN_CHARS = 2

FTS = "publicity_search_fts"
TABLE = "publicity_searchentry"

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(grams, content='{TABLE}', content_rowid='id')",
    f"CREATE TRIGGER IF NOT EXISTS publicity_search_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, grams) VALUES (new.id, new.grams); END",
    f"CREATE TRIGGER IF NOT EXISTS publicity_search_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.id, old.grams); END",
    f"CREATE TRIGGER IF NOT EXISTS publicity_search_au AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.id, old.grams); "
    f"INSERT INTO {FTS}(rowid, grams) VALUES (new.id, new.grams); END",
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


def expression(q: str, vendor: str | None = None) -> str:
    """The full-text expression for ``q`` on ``vendor`` (the default connection's): every run a phrase, all ANDed.
    Grams hold letters and digits only, so they need no escaping beyond the quotes."""
    vendor = vendor or connection.vendor
    phrases = [bigrams(r) for r in query_runs(q)]
    if vendor == "postgresql":
        return " & ".join("(" + " <-> ".join(f"'{g}'" for g in p) + ")" for p in phrases)
    return " AND ".join('"' + " ".join(p) + '"' for p in phrases)


def matching(kind: str, q: str) -> RawSQL:
    """The ``ref`` of every entry of ``kind`` whose text contains ``q`` — for ``filter(pk__in=matching(...))``."""
    expr = expression(q)
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT ref FROM {TABLE} WHERE kind = %s AND vec @@ %s::tsquery", [kind, expr])
    return RawSQL(f"SELECT ref FROM {TABLE} WHERE kind = %s AND id IN "
                  f"(SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)", [kind, expr])


def put(kind: str, ref: int, *texts: str) -> None:
    """Index (or re-index) the public ``texts`` of object ``ref``."""
    from .models import SearchEntry

    SearchEntry.objects.update_or_create(kind=kind, ref=ref, defaults={"grams": grams(*texts)})


def drop(kind: str, refs: Iterable[int]) -> None:
    from .models import SearchEntry

    SearchEntry.objects.filter(kind=kind, ref__in=list(refs)).delete()


def decision_texts(content: dict) -> list[str]:
    """What of a publication's (masked) content is searchable: number, party, case title, items, date."""
    return [content.get("number", ""), content.get("party", ""), content.get("credit_code", ""),
            content.get("title", ""), *(i.get("name", "") for i in content.get("items") or ()),
            content.get("decided_on", "")]


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


def decisions(agency, *, q: str = "", item: str = "", since=None, until=None):
    """The agency's live publications matching a search (text ``q``, the main item's code, a decision date range),
    newest publication first."""
    from .models import Publication, SearchEntry

    qs = Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED)
    if query_runs(q):
        qs = qs.filter(pk__in=matching(SearchEntry.Kind.DECISION, q))
    if item:
        qs = qs.filter(item_code=item)
    if since:
        qs = qs.filter(decided_on__gte=since)
    if until:
        qs = qs.filter(decided_on__lte=until)
    return qs.order_by("-published_on", "-id")
