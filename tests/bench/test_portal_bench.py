"""The portal benchmark (bench/portal.py) at a tiny size, on the engine the tests run on: the decisions it generates
are live publications the portal shows and its search finds, its measurement and query plans run, and the prototype of
the proposed fix (``--fix``) finds what the search finds — so the script never rots."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
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
        assert pub.pk in set(search.decisions(agency, q=fragment).values_list("pk", flat=True)), fragment
    found = client.get(reverse("portal:decisions", args=[agency.code]), {"q": party})
    assert found.status_code == 200 and pub.content["number"] in found.content.decode()
    page = client.get(reverse("portal:decision", args=[agency.code, pub.pk]))
    assert page.status_code == 200 and party in page.content.decode()
    assert not search.decisions(agency, q=party + "不存在").exists()

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

    # the prototype of the proposed fix finds what the search finds, in the same order, and is undone after
    searches = [{"q": party[3:5]}, {"q": "有限"}, {"q": party[2:6], "item": pub.item_code},
                {"q": party[3:5], "since": pub.decided_on, "until": pub.decided_on}, {"item": pub.item_code}]
    before = [(list(search.decisions(agency, **kw)[0:21]), search.decisions(agency, **kw)[:1001].count())
              for kw in searches]
    proto = portal.Prototype(progress=_quiet)
    proto.install()
    try:
        after = [(list(search.decisions(agency, **kw)[0:21]), search.decisions(agency, **kw)[:1001].count())
                 for kw in searches]
        assert portal.run(1, progress=_quiet, counts=False)["search q+dates"]["n"] == 1
    finally:
        proto.remove()
    assert after == before
    assert search.decisions is proto.saved["decisions"]
