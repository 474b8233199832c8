"""The annual statistics report (zhifa.publicity.reports, charts and the portal's report pages; issue 7 §4): the figures
against counts made independently from the demo bureau's cases, exact money, publishing freezes the figures, the
refusals, the due date (31 January, 国办发〔2018〕118号), the public pages and the SVG charts. Real database
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from zhifa.cases.models import Case, LegalReview
from zhifa.law.errors import RuleViolation
from zhifa.publicity import charts, reports
from zhifa.publicity.models import AnnualReport, Publication
from zhifa.records.models import Event

from ..demo import demo_case, lead_of

SVG = "{http://www.w3.org/2000/svg}"
db = pytest.mark.django_db


def _agency():
    return demo_case("trv-decided").agency


def _year() -> int:
    """The demo's year: its cases are dated relative to today, the decided ones mostly this year."""
    return demo_case("trv-decided").decided_on.year


def _publish(agency, year: int, **kw) -> AnnualReport:
    actor = lead_of(demo_case("trv-decided"))
    return reports.publish_report(agency, year, actor=actor, **kw)


# --- figures ------------------------------------------------------------------------------------------------------


def _independent(agency, year: int) -> dict:
    """The same figures counted one case at a time in Python, from the rows themselves."""
    cases = list(Case.objects.filter(agency=agency).prefetch_related("case_items__item__domain", "reviews"))
    decided = [c for c in cases if c.decided_on and c.decided_on.year == year and c.decision_kind]
    penalties = [c for c in decided if c.decision_kind == "penalty"]

    def money(key):
        return sum((Decimal((c.decided_penalty or {}).get(key) or "0") for c in penalties), Decimal("0"))

    items, domains, kinds, months = Counter(), Counter(), Counter(), Counter()
    for c in penalties:
        primary = next((ci.item for ci in c.case_items.all() if ci.is_primary), None)
        items[primary.code if primary else ""] += 1
        domains[primary.domain.code if primary else ""] += 1
        kinds.update((c.decided_penalty or {}).get("kinds") or [])
    for c in decided:
        months[c.decided_on.month] += 1
    return {
        "filed": sum(1 for c in cases if c.filed_on and c.filed_on.year == year),
        "decided": len(decided),
        "penalties": len(penalties),
        "kinds_of_decision": Counter(c.decision_kind for c in decided),
        "procedures": Counter(c.procedure for c in penalties),
        "fine_total": money("fine"),
        "confiscation_total": money("confiscation"),
        "items": items, "domains": domains, "kinds": kinds, "months": months,
        "hearings": sum(1 for c in cases if c.hearing_held_on and c.hearing_held_on.year == year),
        "reviews_passed": sum(1 for c in cases for r in c.reviews.all()
                              if r.status == LegalReview.Status.PASSED and r.reviewed_on.year == year),
        "published": len({p.case_id for p in Publication.objects.filter(agency=agency)
                          if p.decided_on.year == year}),
    }


@db
def test_figures_agree_with_a_count_case_by_case(demo_loaded, django_assert_max_num_queries):
    agency = _agency()
    years = {c.decided_on.year for c in Case.objects.filter(agency=agency, decided_on__isnull=False)}
    assert years
    for year in sorted(years):
        with django_assert_max_num_queries(10):  # aggregate queries, not one per case
            f = reports.figures(agency, year)
        want = _independent(agency, year)
        assert json.loads(json.dumps(f)) == f  # plain JSON
        assert f["year"] == year and f["version"] == reports.FIGURES_VERSION
        assert f["agency"] == {"code": agency.code, "name": agency.name}
        assert f["filed"] == want["filed"]
        assert f["decided"] == want["decided"] and f["penalties"] == want["penalties"] > 0
        outcomes = {r["code"]: r["count"] for r in f["outcomes"]}
        for kind in ("penalty", "no_penalty", "not_established"):
            assert outcomes[kind] == want["kinds_of_decision"][kind]
        assert {r["code"]: r["count"] for r in f["by_procedure"]} == {
            "general": want["procedures"]["general"], "summary": want["procedures"]["summary"]}
        assert Decimal(f["fine_total"]) == want["fine_total"] and re.fullmatch(r"\d+\.\d\d", f["fine_total"])
        assert Decimal(f["confiscation_total"]) == want["confiscation_total"]
        assert sum(Decimal(r["fine"]) for r in f["by_procedure"]) == want["fine_total"]
        assert {r["code"]: r["count"] for r in f["by_kind"]} == dict(want["kinds"])
        assert {r["code"]: r["count"] for r in f["by_item"]} == dict(want["items"])
        assert {r["code"]: r["count"] for r in f["by_domain"]} == dict(want["domains"])
        assert [r["count"] for r in f["by_item"]] == sorted((r["count"] for r in f["by_item"]), reverse=True)
        assert sum(Decimal(r["fine"]) for r in f["by_item"]) == want["fine_total"]
        assert [r["month"] for r in f["by_month"]] == list(range(1, 13))
        assert {r["month"]: r["decided"] for r in f["by_month"] if r["decided"]} == dict(want["months"])
        assert f["hearings"] == want["hearings"]
        assert f["legal_reviews"]["passed"] == want["reviews_passed"]
        assert f["publications"]["published"] == want["published"]


@db
def test_labels_come_from_the_law(demo_loaded):
    f = reports.figures(_agency(), _year())
    outcomes = {r["code"]: r["label"] for r in f["outcomes"]}
    assert outcomes["penalty"] == "给予行政处罚" and outcomes["withdrawn"] == "撤销立案"
    assert outcomes["transferred"] == "移送司法机关"
    assert {r["code"]: r["label"] for r in f["by_procedure"]} == {"general": "普通程序", "summary": "简易程序"}
    assert {"fine": "罚款"}.items() <= {r["code"]: r["label"] for r in f["by_kind"]}.items()
    # the demo's withdrawn (撤销立案) and transferred (移送司法机关) cases, counted by the day of that step
    for slug, code in (("per-withdrawn", "withdrawn"), ("net-transferred", "transferred")):
        case = demo_case(slug)
        step = case.steps.get(action={"withdrawn": "withdraw", "transferred": "transfer_criminal"}[code])
        assert {r["code"]: r["count"] for r in reports.figures(case.agency, step.on.year)["outcomes"]}[code] >= 1


@db
def test_money_is_summed_exactly_to_the_fen(demo_loaded):
    """Amounts a float would get wrong (0.1 + 0.2, 0.29 × 100) and a large one add up exactly."""
    agency, year = _agency(), _year()
    penalties = list(Case.objects.filter(agency=agency, decision_kind="penalty", decided_on__year=year)
                     .order_by("pk"))
    amounts = ["0.10", "0.20", "0.29", "12345678901.23", "1.01", "0.07"]
    for case, fine in zip(penalties, amounts, strict=False):
        Case.objects.filter(pk=case.pk).update(
            decided_penalty={"kinds": ["fine", "confiscate_gains"], "fine": fine, "confiscation": fine})
    f = reports.figures(agency, year)
    used = amounts[:len(penalties)]
    rest = sum((Decimal((c.decided_penalty or {}).get("fine") or "0") for c in penalties[len(used):]), Decimal(0))
    rest_conf = sum((Decimal((c.decided_penalty or {}).get("confiscation") or "0") for c in penalties[len(used):]),
                    Decimal(0))
    assert f["fine_total"] == str(sum(map(Decimal, used)) + rest)
    assert f["confiscation_total"] == str(sum(map(Decimal, used)) + rest_conf)
    assert sum(Decimal(r["fine"]) for r in f["by_item"]) == Decimal(f["fine_total"])


@db
def test_an_empty_year_has_zeros(demo_loaded):
    f = reports.figures(_agency(), 2001)
    assert f["filed"] == f["decided"] == f["penalties"] == 0
    assert f["fine_total"] == f["confiscation_total"] == f["paid_total"] == "0.00"
    assert f["by_item"] == f["by_kind"] == f["by_domain"] == []
    assert all(r["count"] == 0 for r in f["outcomes"])


# --- due date, status, publishing ---------------------------------------------------------------------------------


def test_due_on_is_31_january_of_the_next_year():
    assert reports.DUE_MONTH_DAY == (1, 31)
    assert reports.due_on(2026) == date(2027, 1, 31)
    assert reports.due_on(2027) == date(2028, 1, 31)


@db
def test_status_is_late_after_31_january(demo_loaded):
    agency = _agency()
    s = reports.status(agency, date(2027, 1, 31))
    assert s == {"year": 2026, "due_on": date(2027, 1, 31), "published": None, "late": False}
    assert reports.status(agency, date(2027, 2, 1))["late"] is True
    assert reports.status(agency, date(2027, 1, 1))["year"] == 2026


@db
def test_publishing_freezes_the_figures_and_records_it(demo_loaded):
    agency, year = _agency(), _year()
    before = reports.figures(agency, year)
    report = _publish(agency, year, note="  数据口径：按决定日期统计  ", on=date(year + 1, 1, 15))
    assert report.figures == before and report.note == "数据口径：按决定日期统计"
    assert report.published_on == date(year + 1, 1, 15)
    ev = Event.objects.get(action="publicity.report_published", subject=f"annual_report:{report.pk}")
    payload = json.loads(ev.payload)
    assert payload["year"] == year and payload["due_on"] == f"{year + 1}-01-31" and payload["late"] is False
    assert payload["figures_sha256"] == reports._digest(before)
    # the data changes afterwards: a case's fine is corrected, a new decision is made
    case = demo_case("trv-decided")
    Case.objects.filter(pk=case.pk).update(decided_penalty={"kinds": ["fine"], "fine": "1.00"})
    Case.objects.filter(pk=demo_case("ent-review-passed").pk).update(decision_kind="no_penalty",
                                                                        decided_on=date(year, 12, 1))
    after = reports.figures(agency, year)
    assert after != before
    report.refresh_from_db()
    assert report.figures == before  # what was published stays as it was
    s = reports.status(agency, date(year + 1, 2, 10))
    assert s["published"] == report and s["late"] is False


@db
def test_a_late_publication_says_so(demo_loaded):
    agency, year = _agency(), _year()
    _publish(agency, year, on=date(year + 1, 2, 3))
    ev = Event.objects.filter(action="publicity.report_published").latest("id")
    assert json.loads(ev.payload)["late"] is True
    assert reports.status(agency, date(year + 1, 3, 1))["late"] is True


@db
def test_refusals(demo_loaded):
    agency, year = _agency(), _year()
    with pytest.raises(RuleViolation) as err:
        _publish(agency, year, on=date(year, 12, 31))
    assert err.value.code == "report_year_not_ended" and err.value.field == "year"
    assert err.value.message == f"{year}年度尚未结束，不能公开该年度的执法数据年度报告；{year + 1}年1月1日起可以公开"
    assert "国办发〔2018〕118号" in str(err.value)
    with pytest.raises(RuleViolation) as err:
        _publish(agency, year + 5, on=date(year + 1, 1, 2))
    assert err.value.code == "report_year_not_ended"
    _publish(agency, year, on=date(year + 1, 1, 10))
    with pytest.raises(RuleViolation) as err:
        _publish(agency, year, on=date(year + 1, 1, 20))
    assert err.value.code == "report_published" and err.value.field == "year"
    assert err.value.message == (f"{year}年度的执法数据年度报告已于{year + 1}年1月10日公开，公开的统计数据已冻结，"
                                 "不能重新公开")
    assert AnnualReport.objects.filter(agency=agency, year=year).count() == 1
    assert Event.objects.filter(action="publicity.report_published").count() == 1


@db
def test_an_empty_year_is_published(demo_loaded):
    report = _publish(_agency(), 2001, on=date(2026, 1, 5))
    assert report.figures["decided"] == 0 and report.figures["fine_total"] == "0.00"


# --- the public pages ---------------------------------------------------------------------------------------------


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, re.S)]


@db
def test_the_list_notes_the_report_not_yet_published(demo_loaded, client):
    agency = _agency()
    r = client.get(reverse("portal:reports", args=[agency.code]))
    assert r.status_code == 200
    html = r.content.decode()
    last = timezone.localdate().year - 1
    assert f"{last} 年度报告尚未公开" in html and f"{last + 1}年1月31日" in html
    assert "尚未公开年度报告" in html
    assert html.count("<h1") == 1


@db
def test_a_published_report_is_shown_with_charts_and_tables(demo_loaded, client):
    agency, year = _agency(), _year()
    report = _publish(agency, year, note="<b>说明</b> & 口径", on=date(year + 1, 1, 15))
    r = client.get(reverse("portal:reports", args=[agency.code]))
    html = r.content.decode()
    assert r.status_code == 200 and reverse("portal:report", args=[agency.code, year]) in html
    r = client.get(reverse("portal:report", args=[agency.code, year]))
    assert r.status_code == 200 and "public" in r["Cache-Control"]
    html = r.content.decode()
    assert html.count("<h1") == 1 and "<script" not in html and " style=" not in html
    assert "&lt;b&gt;说明&lt;/b&gt; &amp; 口径" in html  # the typed note is escaped, never marked safe
    f = report.figures
    from zhifa.law.money import amount

    assert amount(Decimal(f["fine_total"])) in html
    svgs = _svgs(html)
    assert len(svgs) >= 6
    for svg in svgs:
        assert svg.get("role") == "img"
        chart_id = svg.find(f"{SVG}title").get("id").removesuffix("-title")
        assert svg.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
        assert svg.find(f"{SVG}desc").text
        # the chart is followed by its data as a table, with a caption, column and row headers
        after = html[html.index(f'id="{chart_id}-title"'):]
        table = re.search(r"<table\b.*?</table>", after, re.S).group(0)
        assert f'id="{chart_id}-table"' in table and "<caption>" in table and 'scope="col"' in table
        assert 'scope="row"' in table and "data-label=" in table
    bars = {g.find(f"{SVG}title").text for svg in svgs for g in svg.iter(f"{SVG}g")}
    for row in f["by_item"]:
        assert f"{row['name']}：{row['count']}件" in bars  # the full name, even where the label is cut
    # the month chart: twelve columns
    months = next(s for s in svgs if s.find(f"{SVG}title").get("id") == "chart-months-title")
    assert len([g for g in months.iter(f"{SVG}g") if g.get("class") == "column"]) == 12


@db
def test_an_unpublished_year_and_unknown_agency_are_not_found(demo_loaded, client):
    agency, year = _agency(), _year()
    assert client.get(reverse("portal:report", args=[agency.code, year])).status_code == 404
    assert client.get(reverse("portal:report", args=[agency.code, 0])).status_code == 404
    assert client.get(reverse("portal:report", args=[agency.code, 99999])).status_code == 404
    assert client.get(reverse("portal:reports", args=["no-such-agency"])).status_code == 404
    _publish(agency, year, on=date(year + 1, 1, 15))
    assert client.get(reverse("portal:report", args=[agency.code, year])).status_code == 200
    assert client.get(reverse("portal:report", args=[agency.code, year - 1])).status_code == 404
    assert client.post(reverse("portal:report", args=[agency.code, year])).status_code == 405


# --- charts -------------------------------------------------------------------------------------------------------


def _bars(svg: ET.Element, kind: str = "bar") -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if g.get("class") == kind]


def test_a_long_label_is_cut_with_its_full_text_in_the_title():
    label = "违法事实不能成立，不予行政处罚，并且这是一个非常非常长的标签"
    svg = ET.fromstring(charts.bar_chart([(label, 3), ("警告", 1)], title="结果", unit="件", id="c1"))
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text == "结果"
    bar = _bars(svg)[0]
    assert bar.find(f"{SVG}title").text == f"{label}：3件"
    texts = [t.text for t in bar.iter(f"{SVG}text")]
    assert texts[0].endswith("…") and label.startswith(texts[0][:-1]) and texts[1] == "3件"
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect") if r.get("class") != "chart-bg"]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.2)


def test_money_values_are_written_with_their_fen():
    svg = ET.fromstring(charts.bar_chart([("旅游", Decimal("185000.00"))], title="罚款", unit="元", id="m"))
    assert [t.text for t in svg.iter(f"{SVG}text")][-1] == "185,000.00元"


def test_no_rows_is_a_chart_that_says_so():
    for draw in (charts.bar_chart, charts.column_chart):
        svg = ET.fromstring(draw([], title="空", id="e"))
        assert "无数据" in "".join(svg.itertext())


def test_a_bad_id_is_refused():
    with pytest.raises(ValueError):
        charts.bar_chart([("a", 1)], title="t", id='x" onload="alert(1)')


labels = st.text(max_size=80) | st.sampled_from(["<&>\"'", "]]>", "<script>alert(1)</script>", "违法" * 60, ""])
numbers = (st.integers(min_value=-10, max_value=10 ** 30) | st.just(0)
           | st.decimals(allow_nan=True, allow_infinity=True, places=2)
           | st.floats(allow_nan=True, allow_infinity=True))
rows = st.lists(st.tuples(labels, numbers), max_size=25)


@given(rows=rows, title=labels, unit=st.sampled_from(["", "件", "元", "<&>"]))
def test_any_rows_make_well_formed_svg(rows, title, unit):
    for draw, kind in ((charts.bar_chart, "bar"), (charts.column_chart, "column")):
        text = draw(rows, title=title, unit=unit, id="p-1")
        svg = ET.fromstring(text)  # parses, whatever the labels hold
        assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
        assert svg.get("aria-labelledby") == "p-1-title p-1-desc"
        assert svg.find(f"{SVG}title").get("id") == "p-1-title"
        assert svg.find(f"{SVG}desc").get("id") == "p-1-desc"
        assert "style=" not in text and "<script" not in text
        assert len(_bars(svg, kind)) == len(rows)
        for g, (label, _value) in zip(_bars(svg, kind), rows, strict=True):
            assert g.find(f"{SVG}title").text.startswith(charts._clean(label))
        for r in svg.iter(f"{SVG}rect"):
            assert float(r.get("width")) >= 0 and float(r.get("height")) >= 0


def test_twelve_months_as_columns():
    rows = [(f"{m}月", m % 4) for m in range(1, 13)]
    svg = ET.fromstring(charts.column_chart(rows, title="按月", id="months"))
    columns = _bars(svg, "column")
    assert len(columns) == 12 and columns[2].find(f"{SVG}title").text == "3月：3"
    heights = [float(g.find(f"{SVG}rect").get("height")) for g in columns]
    assert heights[3] == 0 and heights[2] == max(heights)
