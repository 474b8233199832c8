"""The long lists of the case page and the review workspace (templatetags/case_page.py), built in Python: every
branch the templates had, every value escaped, both languages. No database: unsaved rows and plain values."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.utils import translation
from django.utils.text import Truncator

from zhifa.cases.models import CaseApproval, CaseDocument, CaseHandler, CaseRecord, CaseStep, ClockPause, LegalReview
from zhifa.cases.templatetags import case_page as tags
from zhifa.cases.views.common import clock_view
from zhifa.law import procedure as proc
from zhifa.org.models import User

TODAY = date(2026, 3, 2)
EVIL = '<script>alert("x")</script> & 甲'
EVIL_OUT = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 甲"


def _clock(**kw):
    fields = {"code": "decision", "name": "作出处罚决定", "started_on": date(2026, 1, 5), "due_on": date(2026, 4, 5),
              "basis": "《行政处罚法》第六十条", "stopped_on": None, "paused_since": None, "paused_days": 0,
              "extended": False, "extension_days": 0, "warnings": []}
    return SimpleNamespace(**(fields | kw))


def _row(clock):
    return clock_view(clock, TODAY) | {"running": clock.stopped_on is None}


def test_clocks_running_stopped_paused_extended_and_escaped():
    html = tags.case_clocks([
        _row(_clock(due_on=date(2026, 2, 27))),  # overdue: red row
        _row(_clock(code="payment", name="缴纳罚款", due_on=date(2026, 3, 10))),  # the party's: no tone
        _row(_clock(name=EVIL, basis=EVIL, stopped_on=date(2026, 2, 1), paused_since=date(2026, 1, 20),
                    paused_days=1, extended=True, extension_days=30, warnings=[EVIL, "第二条提示"])),
    ])
    assert html.count("<tr") == 4 and '<tr class="row-no">' in html and "已逾期 3 天" in html
    assert '<span class="badge muted">当事人</span>' in html and "剩 8 天" in html
    assert '<span class="badge muted">2026-02-01 停止</span>' in html
    assert '<span class="badge warn">自 2026-01-20 暂停计算</span>' in html and "不计入 1 天" in html
    assert "已延长 30 天" in html and '<br><span class="warn-text">第二条提示</span>' in html
    assert EVIL not in html and html.count(EVIL_OUT) == 3
    assert "<th>暂停、延长</th>" in html
    plain = tags.case_clocks([_row(_clock(extended=True, extension_days=30))], details=False)
    assert "暂停、延长" not in plain and "已延长" not in plain and plain.count("<td") == 5


def test_clocks_in_english_with_plurals():
    with translation.override("en"):
        html = tags.case_clocks([_row(_clock(stopped_on=date(2026, 2, 1), paused_days=1, extended=True,
                                             extension_days=30))])
    assert "Stopped on 2026-02-01" in html and "1 day not counted" in html and "extended by 30 days" in html


def test_pauses_line():
    pauses = [ClockPause(kind=next(iter(proc.EXCLUSIONS.values())).code, opened_on=date(2026, 1, 2),
                         closed_on=date(2026, 1, 9)),
              ClockPause(kind=next(iter(proc.EXCLUSIONS.values())).code, opened_on=date(2026, 2, 2))]
    html = tags.case_pauses(pauses)
    label = pauses[0].get_kind_display()
    assert html == f'<p class="help">不计入期间：{label} 2026-01-02—2026-01-09；{label} 2026-02-02—进行中</p>'
    assert tags.case_pauses([]) == ""


def _handler(name, **kw):
    return CaseHandler(user=User(username=name, full_name=kw.pop("full_name", "")), **kw)


def test_handlers_every_state_escaped():
    qualified = proc.Handler(user_id="1", qualified=True)
    unqualified = proc.Handler(user_id="2", qualified=False, qualification_reasons=("执法证已过期", EVIL))
    html = tags.case_handlers([
        {"row": _handler("zhifa01", full_name="张三", is_lead=True), "qualified": qualified},
        {"row": _handler("zhifa04"), "qualified": unqualified},
        {"row": _handler("zhifa05", full_name="王五", removed_on=date(2026, 1, 3), removal_reason=EVIL),
         "qualified": None},
        {"row": _handler("zhifa06", full_name="赵六", conflict_declared=True, conflict_reason="系当事人近亲属"),
         "qualified": qualified},
    ], "review-handlers")
    assert html.startswith('<ul id="review-handlers"><li>张三 <span class="badge muted">主办</span>')
    assert '<span class="badge ok">具备执法资格</span>' in html
    assert "<li>zhifa04" in html
    assert f'<span class="badge no">不具备本案执法资格</span> 执法证已过期；{EVIL_OUT}' in html
    assert f'<span class="badge muted">2026-01-03 撤换</span> {EVIL_OUT}' in html
    assert '<span class="badge no">应当回避</span> 系当事人近亲属' in html and EVIL not in html
    assert tags.case_handlers([]) == '<ul><li class="muted">尚未指派承办人员。</li></ul>'


def test_reviews_with_checks_and_every_reviewer_fallback():
    reviewer, assigned = User(username="fazhi1", full_name="法制甲"), User(username="fazhi2", full_name="法制乙")
    done = LegalReview(pk=7, status=LegalReview.Status.PASSED, submitted_on=date(2026, 2, 1),
                       reviewed_on=date(2026, 2, 3), reviewer=reviewer, assigned_to=assigned, opinion=EVIL)
    done.check_rows = [{"code": "body", "label": "执法主体", "ok": True, "note": ""},
                       {"code": "facts", "label": "违法事实", "ok": False, "note": "证据不足\n补充询问"},
                       {"code": "basis", "label": "法律依据", "ok": None, "note": EVIL}]
    waiting = LegalReview(pk=8, status=LegalReview.Status.PENDING, submitted_on=date(2026, 2, 5),
                          assigned_to=assigned)
    waiting.check_rows = []
    nobody = LegalReview(pk=9, status=LegalReview.Status.PENDING, submitted_on=date(2026, 2, 6))
    html = tags.case_reviews([done, waiting, nobody])
    assert f'<td class="nowrap">{done.get_status_display()} 2026-02-03</td><td>{EVIL_OUT}</td>' in html
    assert "<td>法制甲</td>" in html and "<td>法制乙</td>" in html and "<td>—</td>" in html
    assert html.count('<tr class="review-detail">') == 1 and '<tr id="review-7-facts">' in html
    assert '<span class="badge ok">符合</span>' in html and '<span class="badge no">不符合</span>' in html
    assert '<span class="badge muted">未审核</span>' in html and "证据不足<br>补充询问" in html
    assert "<td>—</td>\n</tr>" in html  # an empty note
    assert EVIL not in html
    assert tags.review_checks(waiting) == "" and tags.reviewer_name(nobody) == "—"


def test_approvals_documents_records():
    head = User(username="juzhang", full_name="")
    kind = next(iter(proc.APPROVAL_LABELS))
    html = tags.case_approvals([CaseApproval(kind=kind, approved=True, decided_by=head, decided_on=date(2026, 1, 4)),
                                CaseApproval(kind=kind, approved=False, decided_by=head, decided_on=date(2026, 1, 5),
                                             note=EVIL)])
    assert f"<li>{proc.APPROVAL_LABELS[kind]} · 批准 · juzhang · 2026-01-04</li>" in html
    assert f"不予批准 · juzhang · 2026-01-05 · {EVIL_OUT}</li>" in html
    docs = tags.case_documents([CaseDocument(title="行政处罚决定书", number="平文旅罚〔2026〕12号",
                                             issued_on=date(2026, 3, 1)),
                                CaseDocument(title=EVIL, number="", issued_on=date(2026, 3, 2))])
    assert "<li>行政处罚决定书（平文旅罚〔2026〕12号） · 2026-03-01</li>" in docs
    assert f"<li>{EVIL_OUT} · 2026-03-02</li>" in docs
    code, evidence = next(iter(proc.RECORD_LABELS)), next(iter(proc.EVIDENCE_KINDS))
    digest = "sm3:" + "ab" * 32
    records = tags.case_records([
        CaseRecord(code=code, evidence_kind=evidence, made_on=date(2026, 1, 6), description=EVIL, file_hash=digest),
        CaseRecord(code=code, made_on=date(2026, 1, 7))])
    shortened = Truncator(digest).chars(19)  # as the template's truncatechars:19 (the ellipsis is translated)
    assert len(shortened) <= 19 and shortened[:12] == digest[:12]
    assert (f"<li>{proc.RECORD_LABELS[code]}（{proc.EVIDENCE_KINDS[evidence]}） · 2026-01-06 · {EVIL_OUT} "
            f'<span class="mono cite">{shortened}</span></li>') in records
    assert f"<li>{proc.RECORD_LABELS[code]} · 2026-01-07</li>" in records
    with translation.override("en"):
        assert "Approved" in tags.case_approvals([CaseApproval(kind=kind, approved=True, decided_by=head,
                                                               decided_on=date(2026, 1, 4))])


@pytest.mark.parametrize("payload", [{"note": EVIL}, {}, None, ["not", "a", "dict"]])
def test_timeline(payload):
    actor = User(username="zhifa01", full_name="张三")
    steps = [CaseStep(action="file", from_state="clue", to_state="filed", on=date(2026, 1, 2), actor=actor,
                      payload=payload),
             CaseStep(action="inspect", from_state="investigating", to_state="investigating",
                      on=date(2026, 1, 3), actor=User(username="zhifa02"), payload={})]
    html = tags.case_timeline(steps)
    assert html.startswith('<ol class="timeline"><li><span class="nowrap">2026-01-02</span> · '
                           f"<strong>{steps[0].label}</strong> · 张三 · "
                           f'<span class="muted">{steps[0].get_to_state_display()}</span>')
    assert (f'<br><span class="muted">{EVIL_OUT}</span>' in html) == (payload == {"note": EVIL})
    assert f"<strong>{steps[1].label}</strong> · zhifa02</li></ol>" in html  # no change of stage: none shown
    assert EVIL not in html


def test_timeline_shows_each_steps_record_documents_and_files():
    """Issue 5 §7: who did what when, with the step's event number and the documents, records and files it
    registered."""
    actor = User(username="zhifa01", full_name="张三")
    step = CaseStep(pk=7, event_id=42, action="inspect", from_state="investigating", to_state="investigating",
                    on=date(2026, 1, 3), actor=actor, payload={})
    other = CaseStep(pk=8, action="interview", from_state="investigating", to_state="investigating",
                     on=date(2026, 1, 4), actor=actor, payload={})
    docs = [CaseDocument(title="现场检查笔录", number=EVIL, step_id=7), CaseDocument(title="不相干", step_id=9)]
    recs = [CaseRecord(code="av_record_or_reason", step_id=7),
            CaseRecord(code="evidence", evidence_kind="audio_visual", step_id=7), CaseRecord(code="evidence")]
    html = tags.case_timeline([other, step], {7: ["录像.mp4"]}, (), docs, recs)
    first, second = html.split("</li>")[:2]
    assert "#" not in first and "文书" not in first  # the other step: no event number given, nothing registered
    assert '<span class="muted mono" title="全过程记录中的事件序号">#42</span>' in second
    assert f"文书：现场检查笔录（{EVIL_OUT}）<" in second and "不相干" not in html
    assert "记录：音像记录（或未能录制的书面理由）、证据材料（第四十六条所列证据）（视听资料）<" in second
    assert "附件：录像.mp4" in second and EVIL not in html
