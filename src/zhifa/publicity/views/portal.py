"""The portal's results (事后公开, issue 7 §2–3): the home page, the published decisions with their search, one
decision with its masked document, and the withdrawal notices. Only live publications are shown; a withdrawn one
shows its notice with the reason (行政处罚法第四十八条), one taken down at the end of its period says so (410)."""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhifa.catalog.models import EnforcementItem

from .. import search, services
from ..models import Publication
from .common import agency_or_404, cacheable, page

PER_PAGE = 20
MAX_COUNT = 1000  # beyond this the list says "1000 条以上": counting a million matches helps nobody
MAX_PAGE = MAX_COUNT // PER_PAGE


class PlainSelect(forms.Select):
    """A ``<select>`` written directly: the items' list has some sixty options, and Django's widget templates render
    each option through a template of its own (a tenth of a search page's server time)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = "" if value is None else str(value)
        attrs = {**self.attrs, **(attrs or {})}
        extra = "".join(f" {escape(k)}" if v is True else f' {escape(k)}="{escape(v)}"'
                        for k, v in attrs.items() if v is not None and v is not False)
        options = "".join(f'<option value="{escape(v)}"{" selected" if str(v) == value else ""}>{escape(label)}'
                          "</option>" for v, label in self.choices)
        return mark_safe(f'<select name="{escape(name)}"{extra}>{options}</select>')  # every value escaped


class SearchForm(forms.Form):
    """The decisions' search; an invalid value is ignored with a message, never an error page."""

    q = forms.CharField(label=gettext_lazy("当事人、文号或案由"), max_length=50, required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    item = forms.ChoiceField(label=gettext_lazy("执法事项"), required=False, widget=PlainSelect)
    since = forms.DateField(label=gettext_lazy("决定日期自"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("全部事项")), *items]


def _items() -> list[tuple[str, str]]:
    key = "portal:item-choices"
    found = cache.get(key)
    if found is None:
        found = [(code, f"{code} {name}") for code, name in
                 EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE).order_by("code")
                 .values_list("code", "name")]
        cache.set(key, found, 300)
    return found


def _live_count(agency) -> int:
    key = services.live_count_key(agency.pk)
    n = cache.get(key)
    if n is None:
        n = Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED).count()
        cache.set(key, n, 300)
    return n


@require_GET
def home(request, code):
    agency = agency_or_404(code)
    latest = list(Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED)
                  .order_by("-published_on", "-id")[:8])
    withdrawn = list(Publication.objects.filter(agency=agency, status=Publication.Status.WITHDRAWN)
                     .order_by("-withdrawn_on", "-id")[:3])
    return page(request, "publicity/portal/home.html",
                {"latest": latest, "withdrawn": withdrawn, "live": _live_count(agency), "form": SearchForm()},
                agency=agency, active="home")


@require_GET
def decisions(request, code):
    agency = agency_or_404(code)
    form = SearchForm(request.GET or None, items=_items())
    values = {"q": "", "item": "", "since": None, "until": None, "page": 1}
    problems = []
    if form.is_bound:
        form.is_valid()  # the valid fields are used, the others ignored with a message
        values.update({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields and name != "page" else _("页码")
            problems.append(_("%(field)s：%(errors)s（已忽略）") % {"field": label, "errors": "；".join(errors)})
    short = bool(values["q"].strip()) and not search.query_runs(values["q"])
    if short:
        problems.append(_("请至少输入两个字（或两位数字、字母）再检索当事人、文号或案由"))
    found = search.decisions(agency, q=values["q"], item=values["item"], since=values["since"],
                             until=values["until"])
    n = values["page"]
    rows = found.page((n - 1) * PER_PAGE, n * PER_PAGE + 1)
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    filtered = any(values[k] for k in ("q", "item", "since", "until"))
    total = found.count(MAX_COUNT + 1) if filtered else _live_count(agency)
    query = request.GET.copy()
    query.pop("page", None)
    return page(request, "publicity/portal/decisions.html", {
        "form": form if form.is_bound else SearchForm(items=_items()), "rows": rows, "problems": problems,
        "total": min(total, MAX_COUNT), "over": total > MAX_COUNT, "page": n, "more": more and n < MAX_PAGE,
        "query": query.urlencode(), "filtered": filtered}, agency=agency, active="decisions")


def _publication(agency, pk) -> Publication:
    return get_object_or_404(Publication.objects.only(
        "id", "agency_id", "status", "content", "decided_on", "published_on", "take_down_on", "document_id",
        "withdrawn_on", "withdraw_reason", "changed_on", "taken_down_on"), pk=pk, agency=agency)


@require_GET
def decision(request, code, pk):
    agency = agency_or_404(code)
    pub = _publication(agency, pk)
    status = 410 if pub.status == Publication.Status.TAKEN_DOWN else 200
    return page(request, "publicity/portal/decision.html", {"pub": pub, "c": pub.content}, agency=agency,
                active="decisions", status=status)


@require_GET
def decision_docx(request, code, pk):
    """The decision document in its masked version, as issued (same template), while the publication is live."""
    agency = agency_or_404(code)
    pub = get_object_or_404(Publication.objects.select_related("document", "case", "agency"), pk=pk, agency=agency,
                            status=Publication.Status.PUBLISHED)
    data = services.masked_decision(pub)
    if data is None:
        raise Http404("no document")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml"
                                               ".document")
    response["Content-Disposition"] = f'attachment; filename="decision-{pub.pk}.docx"'
    return cacheable(response)


@require_GET
def withdrawn(request, code):
    agency = agency_or_404(code)
    rows = list(Publication.objects.filter(agency=agency, status=Publication.Status.WITHDRAWN)
                .order_by("-withdrawn_on", "-id")[:200])
    return page(request, "publicity/portal/withdrawn.html", {"rows": rows}, agency=agency, active="decisions")
