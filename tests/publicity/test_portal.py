"""The portal's results (zhifa.publicity.views.portal, .opendata; issue 7 §2–4) on the demo bureau, anonymously:
the decisions, their search (bigram full text: exact substring semantics on SQLite and PostgreSQL), one decision, its
withdrawal notice, what comes down, and the CSV, JSON and Atom downloads."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from zhifa.publicity import search, services
from zhifa.publicity.models import Publication, SearchEntry

from ..demo import demo_case as _case
from ..demo import lead_of as _lead

pytestmark = pytest.mark.django_db


# --- the bigrams (pure) ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("texts, expected", [
    (("假日旅行社",), "假日 日旅 旅行 行社"),
    (("平舆县 假日",), "平舆 舆县 brk 假日"),  # runs are parted, so no phrase spans a space
    (("ＡＢ１２",), "ab b1 12"),  # NFKC and lower case: full-width letters and digits are the ASCII ones
    (("县",), "县"),
    (("平文旅罚〔2026〕3号",), "平文 文旅 旅罚 brk 20 02 26 brk 3号"),
    (("", "旅行"), "旅行"),
])
def test_grams(texts, expected):
    assert search.grams(*texts) == expected


@pytest.mark.parametrize("q, sqlite, postgresql", [
    ("旅行社", '"旅行 行社"', "('旅行' <-> '行社')"),
    ("假日 旅行", '"假日" AND "旅行"', "('假日') & ('旅行')"),
    ("旅 旅行社", '"旅行 行社"', "('旅行' <-> '行社')"),  # a single character is no query of its own
    ("'\"*^()", "", ""),  # nothing searchable, nothing to escape
])
def test_expression(q, sqlite, postgresql):
    assert search.expression(q, "sqlite") == sqlite and search.expression(q, "postgresql") == postgresql


ALPHABET = "平舆县旅行社网吧假日书店 AB12-，"


def _oracle(text: str, q: str) -> bool:
    """Exact substring semantics: every run of the query (2+ characters) lies inside one run of the text."""
    text_runs = search.runs(text)
    return all(any(r in t for t in text_runs) for r in search.query_runs(q))


@given(texts=st.lists(st.text(ALPHABET, max_size=14), min_size=1, max_size=8),
       q=st.text(ALPHABET, min_size=2, max_size=5))
def test_search_finds_exactly_the_texts_that_contain_the_query(texts, q):
    """Property, on the real database: the full-text search finds an entry exactly when its text contains the query
    (DESIGN.md §4) — never more (no phrase across two runs, no scattered bigrams), never less."""
    if not search.query_runs(q):
        return
    SearchEntry.objects.filter(kind=SearchEntry.Kind.DECISION).delete()
    for ref, text in enumerate(texts, start=1):
        search.put(SearchEntry.Kind.DECISION, ref, text)
    found = set(SearchEntry.objects.filter(kind=SearchEntry.Kind.DECISION, ref__in=search.matching("decision", q))
                .values_list("ref", flat=True))
    assert found == {ref for ref, text in enumerate(texts, start=1) if _oracle(text, q)}


# --- the pages ---------------------------------------------------------------------------------------------------

def _code():
    from zhifa.org.demo import AGENCY
    from zhifa.org.models import Agency

    return Agency.objects.get(code=AGENCY["code"]).code


def _get(client, name, *args, **query):
    return client.get(reverse(f"portal:{name}", args=[_code(), *args]), query)


def _live():
    return Publication.objects.filter(status=Publication.Status.PUBLISHED)


def test_the_demo_decisions_are_published_with_their_numbers(demo_loaded, client):
    pubs = list(_live())
    assert len(pubs) == 6 and all(p.content["number"].startswith("平文旅罚〔") for p in pubs)
    r = client.get(reverse("portal:index"))
    assert r.status_code == 302 and r["Location"] == reverse("portal:home", args=[_code()])
    r = _get(client, "home")
    assert r.status_code == 200 and "6</span>件行政处罚决定正在公示" in r.content.decode()
    assert r["Cache-Control"] == "public, max-age=300" and not r.cookies
    assert "default-src 'self'" in r["Content-Security-Policy"]
    page = _get(client, "decisions").content.decode()
    for p in pubs:
        assert p.content["number"] in page and reverse("portal:decision", args=[_code(), p.pk]) in page
    assert "刘某某" in page and "刘翠英" not in page  # the natural person of rel-archived, masked


@pytest.mark.parametrize("q, parties", [
    ("旅行社", {"平舆县青山国际旅行社有限公司", "平舆县途悦旅行社有限公司", "平舆县天中旅行社有限公司",
               "平舆县畅行旅行社有限公司"}),
    ("途悦", {"平舆县途悦旅行社有限公司"}),
    ("刘某", {"刘某某"}),  # the masked name is found …
    ("翠英", set()),  # … the real one is not indexed
    ("墨香 图书", {"平舆县墨香图书有限公司"}),  # two runs: both must occur
    ("图书旅行", set()),
    ("导游", {"平舆县青山国际旅行社有限公司"}),  # the case title
    ("旅行社 畅行", {"平舆县畅行旅行社有限公司"}),
])
def test_search_by_party_fragment_number_and_title(demo_loaded, client, q, parties):
    rows = _get(client, "decisions", q=q).context["rows"]
    assert {p.content["party"] for p in rows} == parties


def test_search_by_number_item_and_date(demo_loaded, client):
    pub = _live().order_by("pk").first()
    number = pub.content["number"]
    rows = _get(client, "decisions", q=number).context["rows"]
    assert [p.pk for p in rows] == [pub.pk]
    rows = _get(client, "decisions", item=pub.item_code).context["rows"]
    assert pub.pk in {p.pk for p in rows} and all(p.item_code == pub.item_code for p in rows)
    day = pub.decided_on
    rows = _get(client, "decisions", since=day.isoformat(), until=day.isoformat()).context["rows"]
    assert rows and all(p.decided_on == day for p in rows)
    assert _get(client, "decisions", since=(date.today() + timedelta(days=1)).isoformat()).context["rows"] == []


def test_bad_search_input_is_named_and_ignored(demo_loaded, client):
    r = _get(client, "decisions", q="旅", since="2026-13-01", page="x")
    assert r.status_code == 200
    body = r.content.decode()
    assert "请至少输入两个字" in body and "决定日期自：" in body and "页码：" in body
    assert len(r.context["rows"]) == 6  # the whole list, nothing lost


def test_a_decision_page_and_the_withdrawal_notice(demo_loaded, client):
    case = _case("trv-paid")
    pub = Publication.objects.get(case=case, status=Publication.Status.PUBLISHED)
    r = _get(client, "decision", pub.pk)
    body = r.content.decode()
    assert r.status_code == 200 and pub.content["number"] in body and "途悦旅行社" in body and "46,000.00" in body
    changed = pub.published_on + timedelta(days=20)
    services.withdraw(pub, actor=_lead(case), reason="行政复议机关决定撤销该处罚决定", changed_on=changed,
                      on=changed + timedelta(days=1))
    body = _get(client, "decision", pub.pk).content.decode()
    assert "撤回公告" in body and "行政复议机关决定撤销该处罚决定" in body and "第四十八条" in body
    assert "46,000.00" not in body  # the notice only: the decision's content is gone
    assert pub.pk not in {p.pk for p in _get(client, "decisions").context["rows"]}
    assert pub.pk not in {p.pk for p in _get(client, "decisions", q="途悦").context["rows"]}
    assert "行政复议机关决定撤销该处罚决定" in _get(client, "withdrawn").content.decode()
    assert "途悦" not in _download(client, "decisions_csv")
    assert "途悦" in _get(client, "home").content.decode()  # among the latest withdrawals


def test_a_publication_taken_down_is_gone(demo_loaded, client):
    pub = Publication.objects.get(case=_case("rel-archived"), status=Publication.Status.PUBLISHED)
    services.take_down_expired(pub.take_down_on)
    r = _get(client, "decision", pub.pk)
    assert r.status_code == 410 and "公示期满" in r.content.decode() and "刘某某" not in r.content.decode()
    assert _get(client, "decision_docx", pub.pk).status_code == 404
    assert "刘某某" not in _download(client, "decisions_json")


def test_other_agencies_and_unknown_decisions_are_not_found(demo_loaded, client):
    pub = _live().first()
    assert client.get(reverse("portal:decision", args=["411700-01", pub.pk])).status_code == 404
    assert client.get(reverse("portal:home", args=["nope"])).status_code == 404
    assert _get(client, "decision", 10 ** 9).status_code == 404
    assert _get(client, "decision_docx", pub.pk).status_code == 404  # not issued in the platform: no document


def test_the_masked_decision_document_is_offered(demo_loaded, client):
    import zipfile

    from zhifa.documents import services as documents

    case = _case("trv-decided")
    officer = _lead(case)
    documents.issue(documents.draft(case, "penalty_decision", {"facts": "当事人未与旅游者签订书面合同。"},
                                    actor=officer), actor=officer, on=case.decided_on)
    pub = services.publish(case, actor=officer)
    assert reverse("portal:decision_docx", args=[_code(), pub.pk]) in _get(client, "decision", pub.pk).content.decode()
    r = _get(client, "decision_docx", pub.pk)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    text = zipfile.ZipFile(io.BytesIO(r.content)).read("word/document.xml").decode()
    assert pub.content["number"] in text


def _download(client, name) -> str:
    r = _get(client, name)
    assert r.status_code == 200
    return b"".join(r.streaming_content).decode("utf-8") if r.streaming else r.content.decode()


def test_csv_json_and_atom(demo_loaded, client):
    live = list(_live().order_by("-published_on", "-id"))
    text = _download(client, "decisions_csv")
    assert text.startswith("\ufeff决定书文号,")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [r["决定书文号"] for r in rows] == [p.content["number"] for p in live]
    assert {r["当事人"] for r in rows} >= {"刘某某"} and all(r["网址"].startswith("http://") for r in rows)
    data = json.loads(_download(client, "decisions_json"))
    assert [d["number"] for d in data["decisions"]] == [p.content["number"] for p in live]
    assert data["fields"]["number"] == "决定书文号"
    feed = ET.fromstring(_download(client, "decisions_atom"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert len(titles) == len(live) and all(any(p.content["number"] in t for t in titles) for p in live)
    page = _get(client, "data").content.decode()
    assert "决定书文号" in page and reverse("portal:decisions_csv", args=[_code()]) in page


def test_english(demo_loaded, client):
    r = client.get(reverse("portal:decisions", args=[_code()]), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and 'lang="en"' in r.content.decode()


def test_a_minors_case_is_never_on_the_portal(demo_loaded, client):
    """A natural person under 18 on the day of the act: the decision is refused publication (standards.md §4(a)),
    listed on the dashboard with the reason, and nothing of it reaches a public page or download."""
    from zhifa.law.errors import RuleViolation

    case = _case("trv-decided")
    party = case.party
    party.kind, party.name, party.representative = "person", "欧阳小明", ""
    party.birth_date = case.act_date.replace(year=case.act_date.year - 16)
    party.save()
    case.refresh_from_db()
    with pytest.raises(RuleViolation) as err:
        services.publish(case, actor=_lead(case))
    assert "publicity_minor" in {v.code for v in err.value.violations}
    (row,) = [r for r in services.due(case.agency) if r["case"].pk == case.pk]
    assert "publicity_minor" in {v.code for v in row["reasons"]}
    assert not Publication.objects.filter(case=case).exists()
    texts = [_get(client, "decisions").content.decode(), _get(client, "home").content.decode(),
             *(_download(client, name) for name in ("decisions_csv", "decisions_json", "decisions_atom"))]
    for text in texts:
        assert "欧阳" not in text and case.reference not in text
