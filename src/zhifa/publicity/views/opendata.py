"""Open data (issue 7 §4): the agency's live published decisions as CSV (UTF-8 with a byte-order mark, so a
spreadsheet opens the Chinese right), JSON, and an Atom feed of the newest. The same masked content as the pages:
nothing here that the decision page does not show. Large downloads are streamed."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..models import Publication
from .common import agency_or_404, cacheable, page

FEED_SIZE = 50
# (key, Chinese column heading): the order of the CSV columns and of each JSON record's keys
COLUMNS = (("number", "决定书文号"), ("agency", "执法主体"), ("party", "当事人"), ("party_kind", "当事人类别"),
           ("credit_code", "统一社会信用代码"), ("representative", "法定代表人"), ("title", "违法行为"),
           ("items", "执法事项"), ("basis", "处罚依据"), ("penalty", "处罚内容"), ("fine", "罚款金额（元）"),
           ("decided_on", "决定日期"), ("published_on", "公开日期"), ("take_down_on", "公示期至"), ("url", "网址"))


def _rows(agency, request) -> Iterator[dict]:
    base = request.build_absolute_uri("/")[:-1]
    qs = Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED) \
        .order_by("-published_on", "-id").values_list("pk", "content", "published_on", "take_down_on")
    for pk, c, published_on, take_down_on in qs.iterator(chunk_size=2000):
        items = c.get("items") or ()
        yield {"number": c.get("number", ""), "agency": c.get("agency", ""), "party": c.get("party", ""),
               "party_kind": c.get("party_kind", ""), "credit_code": c.get("credit_code", ""),
               "representative": c.get("representative", ""), "title": c.get("title", ""),
               "items": "；".join(i.get("name", "") for i in items),
               "basis": "；".join(i.get("basis", "") for i in items if i.get("basis")),
               "penalty": c.get("penalty", ""), "fine": c.get("fine", ""), "decided_on": c.get("decided_on", ""),
               "published_on": published_on.isoformat(), "take_down_on": take_down_on.isoformat(),
               "url": base + reverse("portal:decision", args=[agency.code, pk])}


class _Echo:
    def write(self, value):
        return value


def _download(stream, content_type: str, filename: str):
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return cacheable(response)


@require_GET
def index(request, code):
    agency = agency_or_404(code)
    return page(request, "publicity/portal/data.html", {"columns": COLUMNS}, agency=agency, active="data")


@require_GET
def decisions_csv(request, code):
    agency = agency_or_404(code)
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff" + writer.writerow([label for _key, label in COLUMNS])
        for row in _rows(agency, request):
            yield writer.writerow([row[key] for key, _label in COLUMNS])

    return _download(stream(), "text/csv; charset=utf-8", f"{agency.code}-decisions.csv")


@require_GET
def decisions_json(request, code):
    agency = agency_or_404(code)

    def stream():
        head = {"agency": agency.name, "generated_at": timezone.now().isoformat(timespec="seconds"),
                "fields": dict(COLUMNS), "licence": _("公开信息，引用请注明来源")}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "decisions": ['
        for n, row in enumerate(_rows(agency, request)):
            yield ("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False)
        yield "\n]}\n"

    return _download(stream(), "application/json; charset=utf-8", f"{agency.code}-decisions.json")


@require_GET
def decisions_atom(request, code):
    agency = agency_or_404(code)
    home = request.build_absolute_uri(reverse("portal:decisions", args=[agency.code]))
    feed = feedgenerator.Atom1Feed(
        title=_("%s 执法决定公示") % agency.name, link=home, description="", language="zh-cn",
        feed_url=request.build_absolute_uri(), author_name=agency.name)
    rows = Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED) \
        .order_by("-published_on", "-id").only("pk", "content", "published_at", "decided_on")[:FEED_SIZE]
    for pub in rows:
        c = pub.content
        url = request.build_absolute_uri(reverse("portal:decision", args=[agency.code, pub.pk]))
        number = c.get("number") or _("（无文号）")
        feed.add_item(
            title=f"{number} {c.get('party', '')}", link=url, unique_id=url,
            pubdate=pub.published_at, updateddate=pub.published_at,
            description=_("%(party)s：%(title)s。%(penalty)s（决定日期 %(day)s）") % {
                "party": c.get("party", ""), "title": c.get("title", ""), "penalty": c.get("penalty", ""),
                "day": c.get("decided_on", "")})
    response = cacheable(StreamingHttpResponse([feed.writeString("utf-8")],
                                               content_type="application/atom+xml; charset=utf-8"))
    return response
