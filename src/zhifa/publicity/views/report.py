"""The portal's annual statistics reports (行政执法数据年度报告, issue 7 §4): the list of an agency's published reports,
with a note while the last year's is due, and one report — its frozen figures as summary numbers, charts and, after
each chart, the same data as a table (for screen readers, phones and print).

The charts are SVG strings built by ``zhifa.publicity.charts`` with every text escaped, so they are marked safe
here; nothing a person typed is ever marked safe (the report's note goes through the template's escaping)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import Http404
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhifa.law.money import amount

from .. import charts
from .. import reports as annual
from ..models import AnnualReport
from .common import agency_or_404, page

CHART_ITEMS = 15  # the item chart shows the most frequent items; its table lists them all


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        return Decimal(0)


def _yuan(value: Any) -> str:
    return amount(_money(value))


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _cell(text: Any, label: str, *, num: bool = False, head: bool = False, cls: str = "") -> dict[str, Any]:
    return {"text": text, "label": label, "num": num, "head": head, "cls": cls}


def _figure(id: str, title: str, svg: str, caption: str, headers: list[tuple[str, bool]],
            rows: list[list[dict]], *, note: str = "") -> dict[str, Any]:
    return {"id": id, "title": title, "svg": mark_safe(svg),  # built by zhifa.publicity.charts, every text escaped
            "caption": caption, "headers": [{"label": h, "num": n} for h, n in headers], "rows": rows, "note": note,
            "wide": len(headers) > 3}  # a wide table goes under its chart, not beside it


def _figures(f: dict[str, Any]) -> list[dict[str, Any]]:
    """The charts of a report, each with its table, from the frozen figures (read leniently: a report keeps the
    shape it was published with)."""
    out = []
    count, unit = _("件数"), _("件")

    outcomes = [r for r in f.get("outcomes", []) if isinstance(r, dict)]
    label = _("办理结果")
    out.append(_figure(
        "chart-outcomes", _("案件办理结果"),
        charts.bar_chart([(r.get("label", ""), _int(r.get("count"))) for r in outcomes], title=label, unit=unit,
                         id="chart-outcomes"),
        _("案件办理结果（件）"), [(label, False), (count, True)],
        [[_cell(r.get("label", ""), label, head=True), _cell(_int(r.get("count")), count, num=True)]
         for r in outcomes],
        note=_("处理决定按决定日期统计；撤销立案、移送按该步骤的日期统计。")))

    procedures = [r for r in f.get("by_procedure", []) if isinstance(r, dict)]
    label, fine = _("程序"), _("罚款金额（元）")
    out.append(_figure(
        "chart-procedure", _("行政处罚决定（按程序）"),
        charts.bar_chart([(r.get("label", ""), _int(r.get("count"))) for r in procedures],
                         title=_("行政处罚决定（按程序）"), unit=unit, id="chart-procedure"),
        _("行政处罚决定（按程序）"), [(label, False), (count, True), (fine, True)],
        [[_cell(r.get("label", ""), label, head=True), _cell(_int(r.get("count")), count, num=True),
          _cell(_yuan(r.get("fine")), fine, num=True)] for r in procedures]))

    kinds = [r for r in f.get("by_kind", []) if isinstance(r, dict)]
    label = _("处罚种类")
    out.append(_figure(
        "chart-kinds", _("行政处罚决定（按处罚种类）"),
        charts.bar_chart([(r.get("label", ""), _int(r.get("count"))) for r in kinds],
                         title=_("行政处罚决定（按处罚种类）"), unit=unit, id="chart-kinds"),
        _("行政处罚决定（按处罚种类，件）"), [(label, False), (count, True)],
        [[_cell(r.get("label", ""), label, head=True), _cell(_int(r.get("count")), count, num=True)]
         for r in kinds],
        note=_("一件决定给予多种处罚的，在每种处罚下各计一件。")))

    domains = [r for r in f.get("by_domain", []) if isinstance(r, dict)]
    label, fine, conf = _("执法领域"), _("罚款金额（元）"), _("没收金额（元）")
    domain_rows = [[_cell(r.get("name", ""), label, head=True), _cell(_int(r.get("count")), count, num=True),
                    _cell(_yuan(r.get("fine")), fine, num=True), _cell(_yuan(r.get("confiscation")), conf, num=True)]
                   for r in domains]
    out.append(_figure(
        "chart-domains", _("行政处罚决定（按执法领域）"),
        charts.bar_chart([(r.get("name", ""), _int(r.get("count"))) for r in domains],
                         title=_("行政处罚决定（按执法领域）"), unit=unit, id="chart-domains"),
        _("行政处罚决定（按执法领域）"), [(label, False), (count, True), (fine, True), (conf, True)], domain_rows))
    out.append(_figure(
        "chart-domain-fines", _("罚款金额（按执法领域）"),
        charts.bar_chart([(r.get("name", ""), _money(r.get("fine"))) for r in domains],
                         title=_("罚款金额（按执法领域）"), unit=_("元"), id="chart-domain-fines"),
        _("罚款金额（按执法领域，元）"), [(label, False), (fine, True)],
        [[_cell(r.get("name", ""), label, head=True), _cell(_yuan(r.get("fine")), fine, num=True)]
         for r in domains]))

    items = [r for r in f.get("by_item", []) if isinstance(r, dict)]
    code, label = _("事项编码"), _("执法事项")
    note = _("图中为件数最多的 %(n)s 项，表中列出全部事项。") % {"n": CHART_ITEMS} if len(items) > CHART_ITEMS else ""
    out.append(_figure(
        "chart-items", _("行政处罚决定（按执法事项）"),
        charts.bar_chart([(r.get("name", ""), _int(r.get("count"))) for r in items[:CHART_ITEMS]],
                         title=_("行政处罚决定（按执法事项）"), unit=unit, id="chart-items"),
        _("行政处罚决定（按执法事项）"), [(label, False), (code, False), (count, True), (fine, True), (conf, True)],
        [[_cell(r.get("name", ""), label, head=True), _cell(r.get("code") or "—", code, cls="code"),
          _cell(_int(r.get("count")), count, num=True), _cell(_yuan(r.get("fine")), fine, num=True),
          _cell(_yuan(r.get("confiscation")), conf, num=True)] for r in items], note=note))

    months = [r for r in f.get("by_month", []) if isinstance(r, dict)]
    month, decided, penalties = _("月份"), _("作出处理决定"), _("其中行政处罚决定")
    out.append(_figure(
        "chart-months", _("按月作出的处理决定"),
        charts.column_chart([(_("%(m)s月") % {"m": _int(r.get("month"))}, _int(r.get("decided"))) for r in months],
                            title=_("按月作出的处理决定"), unit="", id="chart-months"),
        _("按月作出的处理决定（件）"), [(month, False), (decided, True), (penalties, True)],
        [[_cell(_("%(m)s月") % {"m": _int(r.get("month"))}, month, head=True),
          _cell(_int(r.get("decided")), decided, num=True), _cell(_int(r.get("penalties")), penalties, num=True)]
         for r in months]))
    return out


def _summary(f: dict[str, Any]) -> list[dict[str, str]]:
    reviews = f.get("legal_reviews") or {}
    pubs = f.get("publications") or {}
    return [
        {"label": _("立案"), "value": f"{_int(f.get('filed')):,}", "unit": _("件")},
        {"label": _("作出处理决定"), "value": f"{_int(f.get('decided')):,}", "unit": _("件")},
        {"label": _("行政处罚决定"), "value": f"{_int(f.get('penalties')):,}", "unit": _("件")},
        {"label": _("罚款金额"), "value": _yuan(f.get("fine_total")), "unit": _("元")},
        {"label": _("没收金额"), "value": _yuan(f.get("confiscation_total")), "unit": _("元")},
        {"label": _("举行听证"), "value": f"{_int(f.get('hearings')):,}", "unit": _("件")},
        {"label": _("法制审核通过"), "value": f"{_int(reviews.get('passed')):,}", "unit": _("件")},
        {"label": _("公示执法决定"), "value": f"{_int(pubs.get('published')):,}", "unit": _("件")},
    ]


def _more(f: dict[str, Any]) -> list[dict[str, str]]:
    """The other numbers, as a table."""
    reviews = f.get("legal_reviews") or {}
    pubs = f.get("publications") or {}
    return [
        {"label": _("案源登记"), "value": f"{_int(f.get('clues')):,}"},
        {"label": _("不予立案"), "value": f"{_int(f.get('not_filed')):,}"},
        {"label": _("法制审核不通过"), "value": f"{_int(reviews.get('failed')):,}"},
        {"label": _("公示后撤回"), "value": f"{_int(pubs.get('withdrawn')):,}"},
        {"label": _("本年度缴纳罚没款（元）"), "value": _yuan(f.get("paid_total"))},
    ]


@require_GET
def reports(request, code):
    """The agency's published reports, newest first, and whether the last year's is out."""
    agency = agency_or_404(code)
    rows = []
    for r in AnnualReport.objects.filter(agency=agency).order_by("-year"):
        f = r.figures if isinstance(r.figures, dict) else {}
        rows.append({"year": r.year, "published_on": r.published_on, "filed": _int(f.get("filed")),
                     "penalties": _int(f.get("penalties")), "fine": _yuan(f.get("fine_total"))})
    return page(request, "publicity/portal/report/list.html", {"reports": rows, "status": annual.status(agency)},
                agency=agency, active="reports")


@require_GET
def report(request, code, year):
    """One published report, its figures as frozen when it was published; 404 for a year not published."""
    agency = agency_or_404(code)
    if not 1 <= year <= 9999:
        raise Http404("no such report")
    row = AnnualReport.objects.filter(agency=agency, year=year).first()
    if row is None:
        raise Http404("report not published")
    f = row.figures if isinstance(row.figures, dict) else {}
    due = annual.due_on(row.year)
    return page(request, "publicity/portal/report/detail.html", {
        "report": row, "due_on": due, "late": row.published_on > due, "summary": _summary(f), "more": _more(f),
        "figures": _figures(f), "basis": annual.GBF_118_ANNUAL,
    }, agency=agency, active="reports")
