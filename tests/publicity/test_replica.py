"""PostgreSQL's local copy of the portal's search index (zhifa.publicity.replica, migration 0004): it follows every
change of the search entries through the commit-ordered log, answers exactly as PostgreSQL's GIN index does, is
never fed a transaction's uncommitted entries, starts over for another database or an emptied table, catches up a
bounded amount per search, and steps aside — the search still right — when it cannot be used."""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import portal

from zhifa.publicity import replica, search
from zhifa.publicity.models import Publication, SearchEntry

pytestmark = pytest.mark.django_db(transaction=True)

N = 60


def _quiet(line: str) -> None:
    pass


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the local copy of the search index serves PostgreSQL (SQLite's index is in the database)")


@pytest.fixture
def published(postgres):
    portal.generate(N, batch=N, progress=_quiet)
    agency = portal.demo_agency()
    return agency, list(Publication.objects.filter(agency=agency).order_by("-decided_on", "-pk"))


def _both(agency, settings, **kw) -> tuple[list, list]:
    """The search's page and count through the copy, then through the GIN index."""
    found = search.decisions(agency, **kw)
    assert found.engine == "sqlite", kw
    via_copy = (found.page(0, 100), found.count(1001))
    settings.ZHIFA_SEARCH_REPLICA = False
    found = search.decisions(agency, **kw)
    assert found.engine == "postgresql"
    via_gin = (found.page(0, 100), found.count(1001))
    settings.ZHIFA_SEARCH_REPLICA = True
    return via_copy, via_gin


def test_the_copy_answers_as_postgresql_does(published, settings):
    agency, pubs = published
    for q in ("有限", "某某", "平舆", pubs[0].content["party"], pubs[-1].content["party"][:3], "不存在的"):
        via_copy, via_gin = _both(agency, settings, q=q)
        assert via_copy == via_gin, q
    party = pubs[0].content["party"]
    assert pubs[0] in search.decisions(agency, q=party).page(0, 100)
    copy = replica.current()
    assert copy.count() == SearchEntry.objects.count() and copy.seq() > 0


def test_the_copy_follows_every_change(published, settings):
    agency, pubs = published
    one, two = pubs[0], pubs[1]
    assert search.decisions(agency, q=one.content["party"]).count(100) >= 1
    # withdrawn: its entry goes, and the next search no longer finds it
    SearchEntry.objects.filter(kind=SearchEntry.Kind.DECISION, ref=one.pk).delete()
    Publication.objects.filter(pk=one.pk).update(status=Publication.Status.WITHDRAWN)
    assert one not in search.decisions(agency, q=one.content["party"]).page(0, 100)
    # re-indexed with another text and another decision day (a new sort key): found by the new text only, once
    two.content = {**two.content, "party": "平舆县独一无二测试文化有限公司"}
    two.decided_on -= timedelta(days=400)
    two.save()
    search.index_decision(two)
    found = search.decisions(agency, q="独一无二测试")
    assert found.engine == "sqlite" and found.page(0, 10) == [two] and found.count(10) == 1
    # a new entry
    pubs[2].content = {**pubs[2].content, "party": "平舆县新近公示测试网吧"}
    pubs[2].save()
    search.index_decision(pubs[2])
    assert search.decisions(agency, q="新近公示").page(0, 10) == [pubs[2]]
    copy = replica.current()
    assert copy.count() == SearchEntry.objects.count()
    with connection.cursor() as cur:
        cur.execute(f"SELECT max(seq) FROM {replica.LOG}")
        assert copy.seq() == cur.fetchone()[0]
    via_copy, via_gin = _both(agency, settings, q="有限")
    assert via_copy == via_gin


def test_a_transaction_s_own_entries_never_reach_the_copy(published, settings):
    agency, pubs = published
    pubs[0].content = {**pubs[0].content, "party": "平舆县未提交测试书店"}
    with transaction.atomic():
        pubs[0].save()
        search.index_decision(pubs[0])
        found = search.decisions(agency, q="未提交测试")
        assert found.engine == "postgresql" and found.page(0, 10) == [pubs[0]]  # the GIN index sees its own entry
        transaction.set_rollback(True)
    found = search.decisions(agency, q="未提交测试")
    assert found.engine == "sqlite" and found.count(10) == 0
    assert replica.current().count() == SearchEntry.objects.count()


def test_an_emptied_table_or_another_database_starts_the_copy_over(published):
    agency, _pubs = published
    copy = replica.current()
    assert copy.count() == N + SearchEntry.objects.filter(kind=SearchEntry.Kind.ITEM).count()
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {search.TABLE}")
    assert search.decisions(agency, q="有限").count(10) == 0
    assert replica.current().count() == 0
    # a copy made from another database (or this one dropped and made again) is not trusted
    copy._set(source="elsewhere#1", seq=10 ** 9)
    portal.generate(5, batch=5, progress=_quiet)
    assert search.decisions(agency, q="有限").engine == "sqlite"
    assert replica.current().meta("source") != "elsewhere#1"
    assert replica.current().count() == SearchEntry.objects.count()


def test_a_log_made_again_starts_the_copy_over(published):
    """Migration 0004 undone and done again: a new log, its numbers from 1 — the copy does not take it for its own."""
    agency, pubs = published
    assert search.decisions(agency, q="有限").engine == "sqlite"
    before = replica.current().meta("source")
    call_command("migrate", "publicity", "0003", verbosity=0)
    call_command("migrate", "publicity", verbosity=0)
    pubs[0].content = {**pubs[0].content, "party": "平舆县重建日志测试网吧"}
    pubs[0].save()
    search.index_decision(pubs[0])
    found = search.decisions(agency, q="重建日志")
    assert found.engine == "sqlite" and found.page(0, 10) == [pubs[0]]
    assert replica.current().meta("source") != before


def test_a_copy_far_behind_catches_up_a_little_each_search(published, settings, monkeypatch):
    agency, _pubs = published
    replica.remove()
    monkeypatch.setattr(replica, "REQUEST_CHANGES", 25)
    engines = [search.decisions(agency, q="有限").engine for _ in range(8)]
    # the log holds the entries of the catalog's items and the decisions: a few searches to catch up, each
    # answered meanwhile by PostgreSQL
    assert engines[0] == "postgresql" and engines[-1] == "sqlite"
    assert engines == sorted(engines, key=lambda e: e == "sqlite")
    assert replica.current().count() == SearchEntry.objects.count()


def test_search_index_command(published):
    replica.remove()
    out = io.StringIO()
    call_command("search_index", stdout=out)
    assert f"{SearchEntry.objects.count():,} 条检索条目" in out.getvalue()
    out = io.StringIO()
    call_command("search_index", "--rebuild", stdout=out)
    assert "本机检索副本已是最新" in out.getvalue()
    assert replica.current().count() == SearchEntry.objects.count()


def test_search_index_command_off(postgres, settings):
    from django.core.management.base import CommandError

    settings.ZHIFA_SEARCH_REPLICA = False
    with pytest.raises(CommandError, match="ZHIFA_SEARCH_REPLICA=0"):
        call_command("search_index")


def test_search_index_command_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    out = io.StringIO()
    call_command("search_index", stdout=out)
    assert "无需本机检索副本" in out.getvalue()


def test_a_copy_that_cannot_be_written_steps_aside(published, settings, tmp_path):
    agency, pubs = published
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.ZHIFA_SEARCH_REPLICA_DIR = blocker / "search"
    found = search.decisions(agency, q=pubs[0].content["party"])
    assert found.engine == "postgresql" and pubs[0] in found.page(0, 100)
