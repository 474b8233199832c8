"""Migration 0003 on real rows: the demo's published decisions and the catalog's items, indexed as 0002 left them
(grams only, the SQLite index keyed by entry id), get their tokens and sort keys and are found as before; and back."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from zhifa.publicity import search
from zhifa.publicity.models import Publication, SearchEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _found(agency) -> dict[str, list[int]]:
    out = {}
    for q in ("有限", "某某", "旅行社", "平文旅"):
        out[q] = [p.pk for p in search.decisions(agency, q=q).page(0, 100)]
    return out


def test_0003_rewrites_the_entries_and_is_undone(demo_loaded):
    agency = Publication.objects.first().agency
    before = _found(agency)
    items = sorted(SearchEntry.objects.filter(kind="item", ref__in=search.matching("item", "网络")).values_list(
        "ref", flat=True))
    assert any(before.values()) and items
    entries = {(e.kind, e.ref): (e.grams, e.sort_key) for e in SearchEntry.objects.all()}

    call_command("migrate", "publicity", "0002", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SELECT grams FROM publicity_searchentry WHERE kind = 'decision'")
        old = [g for (g,) in cur.fetchall()]
        assert old and not any(g.startswith("kdecision") or " ag" in g for g in old)  # the grams alone
        if connection.vendor == "sqlite":  # 0002's index (rowid = entry id) answers again
            cur.execute("SELECT count(*) FROM publicity_search_fts WHERE publicity_search_fts MATCH %s",
                        ['"有限"'])
            assert cur.fetchone()[0] >= 1

    call_command("migrate", "publicity", verbosity=0)
    assert {(e.kind, e.ref): (e.grams, e.sort_key) for e in SearchEntry.objects.all()} == entries
    assert _found(agency) == before
    assert sorted(SearchEntry.objects.filter(kind="item", ref__in=search.matching("item", "网络")).values_list(
        "ref", flat=True)) == items
