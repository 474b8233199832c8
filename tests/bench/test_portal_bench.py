"""The portal benchmark (bench/portal.py) at a tiny size, on the engine the tests run on: the decisions it generates
are live publications the portal shows and its search finds, its measurement and query plans run — so the script never
rots — and, on these realistic rows, the search answered by the index alone finds exactly what a plain reading of the
publications finds, in the same order."""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import portal

from zhifa.cases.models import Case
from zhifa.publicity import search
from zhifa.publicity.models import Publication, SearchEntry

pytestmark = pytest.mark.django_db(transaction=True)

N = 500


def _quiet(line: str) -> None:
    pass


def test_generated_decisions_are_live_searchable_and_measured(client, capsys):
    made = portal.generate(N, batch=200, progress=_quiet)
    agency = portal.demo_agency()
    assert made == {"decisions": N, "made": N, "seconds": made["seconds"]}
    assert portal.live_count(agency) == N
    assert Case.objects.filter(agency=agency, decision_kind="penalty", state="closed").count() == N
    assert SearchEntry.objects.filter(kind=SearchEntry.Kind.DECISION).count() == N
    assert portal.generate(N, progress=_quiet)["made"] == 0  # a database that holds N is left as it is

    pubs = list(Publication.objects.filter(agency=agency).order_by("pk"))
    kinds = {p.content["party_kind"] for p in pubs}
    assert kinds == {"自然人", "个体工商户", "法人或其他组织"}
    assert all(p.decided_on <= p.published_on <= p.take_down_on and p.item_code for p in pubs)
    assert len({p.content["number"] for p in pubs}) == N

    # a fragment of a generated party's name finds it, through the search and on the portal's page
    pub = next(p for p in pubs[::-1] if p.content["party_kind"] == "法人或其他组织")
    party = pub.content["party"]
    for fragment in (party[3:5], party[2:6], party):
        assert pub in search.decisions(agency, q=fragment).page(0, N), fragment
    found = client.get(reverse("portal:decisions", args=[agency.code]), {"q": party})
    assert found.status_code == 200 and pub.content["number"] in found.content.decode()
    page = client.get(reverse("portal:decision", args=[agency.code, pub.pk]))
    assert page.status_code == 200 and party in page.content.decode()
    assert search.decisions(agency, q=party + "不存在").count(10) == 0

    figures = portal.run(5, progress=_quiet)
    assert figures["decisions"] == N
    for kind in portal.KINDS:
        assert figures[kind]["n"] == 5 and figures[kind]["median_ms"] > 0, kind
    assert figures["search 2 chars"]["matches_median"] >= 1  # the fragments come from existing parties
    assert figures["search 3-4 chars"]["matches_median"] >= 1
    assert figures["search item"]["matches_max"] >= 1
    portal.print_table("test", figures)
    portal.explain()
    out = capsys.readouterr().out
    assert "search 2 chars" in out and "=== frequent fragment" in out

    if connection.vendor == "postgresql":
        found = portal.strategies(4)
        assert set(found) == {"search 2 chars", "search 3-4 chars"}
        for kind in found.values():
            assert set(kind) == set(portal.STRATEGIES)
            assert all(f["median_ms"] > 0 and f["p90_ms"] >= f["median_ms"] for f in kind.values())
            assert kind["page best"]["median_ms"] <= kind["page walk"]["median_ms"]
        portal.print_strategies(found)
        assert "page walk" in capsys.readouterr().out
    else:
        with pytest.raises(SystemExit, match="--engine postgres"):
            portal.strategies(4)



def _expected(pubs, q="", item="", since=None, until=None):
    """What the search must find, read from the publications in Python: every run of ``q`` inside one run of the
    indexed texts, the main item, the decision dates; the newest decision first."""
    runs = search.query_runs(q)
    out = []
    for p in pubs:
        text = search.runs(" ".join(search.decision_texts(p.content)))
        if all(any(r in t for t in text) for r in runs) and (not item or p.item_code == item) \
                and (not since or p.decided_on >= since) and (not until or p.decided_on <= until):
            out.append(p)
    return sorted(out, key=lambda p: (p.decided_on, p.pk), reverse=True)


def _compare(agency, pubs, searches, engine: str) -> None:
    for kw in searches:
        want = _expected(pubs, **kw)
        found = search.decisions(agency, **kw)
        assert found.count(1001) == min(len(want), 1001), kw
        assert found.count(3) == min(len(want), 3), kw
        assert found.page(0, 21) == want[:21], kw
        assert found.page(20, 41) == want[20:41], kw
        if kw.get("q"):
            assert found.engine == engine, kw


def test_the_index_finds_what_the_publications_hold_in_their_order(settings):
    """Against the Python reading of the 500 generated publications: text (frequent, rare, several runs, none),
    item, decision-date ranges (a range of the index's keys), pages beyond the first, the capped count; another
    agency finds nothing. The agency alone in the index (no agency token to read) and beside another agency's
    decision; on PostgreSQL through this server's FTS5 copy of the index and through the GIN index."""
    from zhifa.org.models import Agency

    portal.generate(N, batch=250, progress=_quiet)
    agency = portal.demo_agency()
    pubs = list(Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED))
    rng = random.Random(3)
    first, last = min(p.decided_on for p in pubs), max(p.decided_on for p in pubs)
    searches = [{"q": "有限"}, {"q": "某某"}, {"q": "有限 公司"}, {"q": "平舆"}, {"q": "不存在的"},
                {"q": "有限", "since": date(last.year, last.month, 1), "until": last},
                {"q": "有限", "since": first, "until": first + timedelta(days=100)}]
    for _ in range(30):
        p = rng.choice(pubs)
        party = p.content["party"]
        i = rng.randrange(max(1, len(party) - 2))
        kw = {"q": party[i:i + rng.choice((2, 3, 4))]}
        if rng.random() < 0.3:
            kw["item"] = p.item_code
        if rng.random() < 0.4:
            since = p.decided_on - timedelta(days=rng.randrange(0, 200))
            kw.update(since=since, until=since + timedelta(days=rng.randrange(0, 300)))
        searches.append(kw)
    searches += [{"item": pubs[0].item_code}, {"since": first, "until": first + timedelta(days=40)}]
    postgres = connection.vendor == "postgresql"
    other = Agency.objects.exclude(pk=agency.pk).first()

    assert search.TextResults(agency, q="有限")._alone()
    _compare(agency, pubs, searches, "sqlite")  # SQLite's own index, or PostgreSQL's local copy
    # another agency's decision, as common as can be, its last day: found only by that agency
    texts = [pubs[0].content["party"], "平舆县有限公司某某", pubs[-1].content["party"]]
    SearchEntry.objects.create(kind=SearchEntry.Kind.DECISION, ref=10 ** 6, agency=other, sort_key=search.decision_key(
        last, 10 ** 6), grams=search.entry_text("decision", search.decision_tokens(other.pk, pubs[0].item_code),
                                                search.grams(*texts)))
    assert not search.TextResults(agency, q="有限")._alone()
    _compare(agency, pubs, searches, "sqlite")
    assert search.decisions(other, q="有限").count(10) == 1
    assert search.decisions(other, q="有限").page(0, 10) == []  # an entry without its live publication: not shown
    if postgres:
        settings.ZHIFA_SEARCH_REPLICA = False
        _compare(agency, pubs, searches, "postgresql")
        assert search.decisions(other, q="有限").count(10) == 1
