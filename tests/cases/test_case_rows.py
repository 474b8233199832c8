"""The case lists' table (templatetags/case_lists.py) and the filter bar (FilterForm.controls), built in Python:
the same markup the templates made, escaped, in both languages."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.utils import translation

from zhifa.cases.forms import FilterForm
from zhifa.cases.templatetags.case_lists import case_rows
from zhifa.cases.views.common import clock_view

TODAY = date(2026, 3, 2)


def _case(pk, *, reference="平文旅立〔2026〕1号", title="某网吧接纳未成年人", party="某某网吧", procedure="general",
          state_label="调查取证", clock=None, waiting=()):
    c = SimpleNamespace(pk=pk, href=f"/cases/{pk}/", reference=reference, title=title, procedure=procedure,
                        party_id=1 if party else None, party=SimpleNamespace(name=party) if party else None,
                        state_label=state_label, waiting=list(waiting))
    c.next_clock = clock_view(clock, TODAY) if clock else None
    c.row_tone = c.next_clock["tone"] if c.next_clock and not c.next_clock["party"] else ""
    return c


def _clock(code, name, due):
    return SimpleNamespace(code=code, name=name, due_on=due)


def test_rows_show_every_cell_and_tone():
    html = case_rows([
        _case(1, clock=_clock("decision", "作出处罚决定", date(2026, 2, 28))),  # agency deadline, 2 days late
        _case(2, reference="", party=None, procedure="summary", clock=_clock("decision", "作出处罚决定", TODAY)),
        _case(3, clock=_clock("payment", "缴纳罚款", date(2026, 3, 12))),  # the party's period: neutral
        _case(4),
    ])
    assert '<tr id="case-1" class="row-no">' in html and "作出处罚决定 2026-02-28" in html and "已逾期 2 天" in html
    assert '<tr id="case-2" class="row-warn">' in html and "（未立案）" in html and "今日届满" in html
    assert '<span class="badge muted">简易</span>' in html and "<td>—</td>" in html
    assert '<tr id="case-3">' in html and '<span class="badge muted">当事人</span>' in html and "剩 10 天" in html
    assert '<tr id="case-4">' in html and '<span class="muted">—</span>' in html
    assert html.count('<a href="/cases/1/">') == 2 and "待办事项" not in html


def test_rows_escape_what_people_typed():
    html = case_rows([_case(5, title='<script>alert("x")</script>', party="A&B <KTV>",
                            waiting=["立案审批", "<b>x</b>"])], show_waiting=True)
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "A&amp;B &lt;KTV&gt;" in html
    assert "<th>待办事项</th>" in html and "<td>立案审批、&lt;b&gt;x&lt;/b&gt;</td>" in html


def test_rows_in_english():
    with translation.override("en"):
        html = case_rows([_case(6, reference="", clock=_clock("decision", "decision", date(2026, 3, 5)))],
                         show_waiting=True)
    assert "案件编号" not in html and "（未立案）" not in html and "3 days left" in html


def test_filter_controls_keep_the_query_and_choice():
    html = str(FilterForm({"q": 'a"<b', "state": "filed", "procedure": "summary"}).controls())
    assert '<label for="id_q">查找</label><input type="text" name="q" class="search"' in html
    assert 'value="a&quot;&lt;b"' in html
    assert '<option value="filed" selected>已立案</option>' in html and html.count(" selected") == 2
    assert '<option value="summary" selected>简易程序</option>' in html
    blank = str(FilterForm(None).controls())
    assert " selected" not in blank and "value=" in blank and 'name="q" class="search"' in blank
    assert " selected" not in str(FilterForm({"state": "nonsense"}).controls())
    with translation.override("en"):
        assert "全部阶段" not in str(FilterForm(None).controls())
