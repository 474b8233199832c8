"""The crawler (issue 7 acceptance): every public page and download of the demo portal, reached by following links
from /gs/ as a visitor would, holds no unmasked identity number, phone number, full natural-person name or address of
a party (``zhifa.law.masking.scan``). The demo is given the hardest case first: a decision issued in the platform
whose facts name a natural person party with identity number, phone and address, and a witness."""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections import deque
from datetime import date

import pytest
from django.urls import reverse

from zhifa.law import masking
from zhifa.parties.models import Party
from zhifa.publicity import services
from zhifa.publicity.models import Publication

from ..demo import demo_case, lead_of

pytestmark = pytest.mark.django_db

LINK = re.compile(r'(?:href|src)="(/gs/[^"#]*)"')
LIMIT = 600


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/") and n.endswith(".xml"))
        return html.unescape(re.sub(r"<[^>]+>", "", xml))
    return body.decode("utf-8")


def crawl(client) -> dict[str, str]:
    """Every /gs/ URL reachable from /gs/ → its text (pages, CSV, JSON, Atom, documents)."""
    seen: dict[str, str] = {}
    todo = deque([reverse("portal:index")])
    while todo and len(seen) < LIMIT:
        url = todo.popleft()
        if url in seen:
            continue
        r = client.get(url, follow=True)
        assert r.status_code in (200, 410), f"{url}: {r.status_code}"
        seen[url] = text = _text(r)
        for link in LINK.findall(text):
            link = html.unescape(link)
            if link not in seen:
                todo.append(link)
    assert len(seen) < LIMIT, "the crawl did not end"
    return seen


def test_no_personal_data_on_any_public_page_or_download(demo_loaded, client):
    from zhifa.documents import services as documents

    case = demo_case("trv-decided")
    officer = lead_of(case)
    party = case.party
    party.kind, party.name, party.address = "person", "程玉梅", "平舆县东和店镇李湾村18号"
    party.birth_date, party.id_number = date(1980, 5, 6), "41172719800506122X"
    party.save()
    facts = ("当事人程玉梅（身份证号码41172719800506122X，电话13912345678）住平舆县东和店镇李湾村18号，"
             "经营旅行社业务时未与旅游者签订书面合同，旅游者王建国（电话0396-5012345）证实。")
    documents.issue(documents.draft(case, "penalty_decision", {"facts": facts}, actor=officer), actor=officer,
                    on=case.decided_on)
    pub = services.publish(case, actor=officer, hidden="王建国")  # the witness, listed by the clerk publishing
    assert pub.document_id
    # and a withdrawn one, whose notice stays public
    other = Publication.objects.filter(status=Publication.Status.PUBLISHED).exclude(pk=pub.pk).first()
    services.withdraw(other, actor=officer, reason="行政复议决定撤销原处罚决定", changed_on=other.published_on)

    pages = crawl(client)
    code = case.agency.code
    for must in (reverse("portal:decision", args=[code, pub.pk]), reverse("portal:decision_docx", args=[code, pub.pk]),
                 reverse("portal:decisions_csv", args=[code]), reverse("portal:decisions_json", args=[code]),
                 reverse("portal:decisions_atom", args=[code]), reverse("portal:officers", args=[code]),
                 reverse("portal:items", args=[code]), reverse("portal:withdrawn", args=[code]),
                 reverse("portal:decision", args=[code, other.pk])):
        assert must in pages, f"the crawl never reached {must}"
    assert "程某某" in pages[reverse("portal:decision_docx", args=[code, pub.pk])]

    people = Party.objects.filter(kind="person")
    names = [*people.values_list("name", flat=True), "王建国",
             *Party.objects.filter(kind="individual").values_list("representative", flat=True)]
    addresses = list(people.values_list("address", flat=True))
    public = [a.phone for a in case.agency.__class__.objects.all() if a.phone]  # the agencies' own office phones
    found = {}
    for url, text in pages.items():
        for number in public:
            text = text.replace(number, "")
        leaks = masking.scan(text, names=names, addresses=addresses)
        if leaks:
            found[url] = [(leak.kind, leak.text) for leak in leaks[:5]]
    assert found == {}
    # the whole portal was read: every item of the 权责清单 and every live decision
    from zhifa.catalog.models import EnforcementItem

    for item in EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE):
        assert reverse("portal:item", args=[code, item.code]) in pages
    for live in Publication.objects.filter(status=Publication.Status.PUBLISHED):
        assert reverse("portal:decision", args=[code, live.pk]) in pages
