"""The procedure chart: the command, the committed doc it writes, and the page (/cases/procedure/)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from io import StringIO
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from zhifa.cases.management.commands.procedure_chart import render
from zhifa.cases.views.chart import GUARD_TEXT, SHOWN_ELSEWHERE, layout, state_tables, states_of, svg
from zhifa.law import procedure as proc

DOC = Path(__file__).resolve().parents[2] / "docs" / "procedure-chart.md"
SVG_NS = "{http://www.w3.org/2000/svg}"


def command(*args: str) -> str:
    out = StringIO()
    call_command("procedure_chart", *args, stdout=out)
    return out.getvalue()


def test_committed_doc_is_the_commands_output():
    """docs/procedure-chart.md cannot go stale: regenerate it with
    `.venv/bin/zhifa procedure_chart --format markdown > docs/procedure-chart.md`."""
    assert DOC.read_text(encoding="utf-8") == command("--format", "markdown")


def test_command_formats():
    assert command() == proc.chart()
    assert command("--procedure", "summary") == proc.chart(proc.Procedure.SUMMARY)
    assert command("--format", "dot", "--procedure", "general") == proc.chart_dot(proc.Procedure.GENERAL)
    md = render("markdown", "summary")
    assert md.count("```mermaid") == 1 and "## 简易程序" in md and "## 普通程序" not in md


def test_doc_has_a_chart_and_a_table_per_state():
    md = command("--format", "markdown")
    assert md.count("```mermaid") == 2
    for p in proc.Procedure:
        for s in states_of(p):
            assert f'<a id="{p.value}-{s.value}"></a>' in md, s
    # the guard articles are in the tables
    assert "第四十二条" in md and "第四十三条" in md and "第三十六条" in md and "第五十八条" in md


def test_every_guard_is_described():
    used = {g for t in proc.TABLE for g in t.guards}
    assert used - SHOWN_ELSEWHERE <= set(GUARD_TEXT)


def test_every_step_of_the_table_is_in_a_state_table():
    for p in proc.Procedure:
        shown = {(t["state"], r["action"]) for t in state_tables(p) for r in t["rows"]}
        for t in proc.TABLE:
            if t.procedure is p:
                for s in t.sources or {None}:
                    assert ((s.value if s else ""), t.action.value) in shown


@pytest.mark.parametrize("p", list(proc.Procedure))
def test_svg_is_well_formed_and_layered(p):
    root = ET.fromstring(svg(p))
    assert root.tag == f"{SVG_NS}svg"
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")}
    for s in states_of(p):
        assert proc.STATE_LABELS[s] in texts
    d = layout(p)
    # no two boxes of a layer overlap
    for keys in d.layers:
        boxes = sorted((d.nodes[k].x - d.nodes[k].width / 2, d.nodes[k].x + d.nodes[k].width / 2) for k in keys)
        assert all(a[1] <= b[0] for a, b in pairwise(boxes))
    # the start on top; forward edges go down
    assert d.nodes[proc.INITIAL[p].value].layer == 0
    assert all(d.nodes[e.src].layer < d.nodes[e.dst].layer for e in d.edges if not e.back)


def test_page_for_an_officer(client, zhang, verified_login):
    c = verified_login(client, zhang)
    r = c.get(reverse("cases:procedure"))
    assert r.status_code == 200
    html = r.content.decode()
    for label in proc.STATE_LABELS.values():
        assert label in html
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) == len(proc.Procedure)
    for s in svgs:
        ET.fromstring(s)
    assert 'id="general-awaiting_decision"' in html and 'href="#general-awaiting_decision"' in html
    assert "<script" not in html.split("<main", 1)[1]


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("cases:procedure"))
    assert r.status_code == 302 and "/login/" in r.url


def test_case_page_links_to_its_state(zhang, li, party, client, verified_login):
    from .test_views import open_clue

    case = open_clue(zhang, party, zhang, li)
    html = verified_login(client, zhang).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'href="{reverse("cases:procedure")}#general-clue"' in html
