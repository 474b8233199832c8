"""The long parts of the case page and the review workspace, built in Python: ``{% load case_page %}``.

A case that has walked to 结案 has dozens of steps, clocks, documents and records. Built by the template engine
node by node, those lists were about half of the case page's server time (bench/README.md); here each is one
function with the markup the templates made (``tests/cases/test_case_page_markup.py`` holds the escaping and the
branches). The words go through gettext as before; every value, from the database or a translation, is escaped
(``html.escape``, what Django's ``escape`` calls). Plain f-strings rather than ``format_html``, and each choice
field's labels read from one dictionary rather than ``get_FOO_display`` (which rebuilds it per call): at a few
dozen rows per list that was most of the remaining cost.

    {% case_summary case state_label procedure_label items proposed notified decided %}  the facts card
    {% case_actions actions %}              the steps the user may take, each with what is still missing
    {% case_clocks clocks details=True %}   the clocks (views.common.clock_view rows with ``running``)
    {% case_pauses pauses %}                the periods not counted (ClockPause rows)
    {% case_handlers handlers "review-handlers" %}  the handlers ({"row": CaseHandler, "qualified": Handler})
    {% case_reviews reviews %}              the 法制审核 rows, each with its checks (views.review.with_check_rows)
    {% review_checks review %}              one review's checks
    {% reviewer review %}                   who did (or is to do) a review
    {% case_approvals approvals %} {% case_documents documents %} {% case_records records %}
    {% case_timeline steps file_names %}    the steps, in the order given, with the files of their records
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from html import escape

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, pgettext

from ..models import CaseApproval, CaseRecord, CaseStep, ClockPause, LegalReview

register = template.Library()


def _e(value) -> str:
    return escape(str(value))


@cache
def _labels(model, field: str) -> dict:
    """``{value: label}`` of a choice field (labels may be lazy: translated when shown)."""
    return dict(model._meta.get_field(field).flatchoices)


def _label(model, field: str, value) -> str:
    """What ``get_FOO_display()`` gives, escaped."""
    return _e(_labels(model, field).get(value, value))


def _name(user) -> str:
    """A person as the pages name them: the full name, else the username (escaped)."""
    return _e(user.full_name or user.username) if user is not None else ""


def _day(value) -> str:
    return value.isoformat() if value is not None else ""


def _words(text: str, **values) -> str:
    """A translated sentence with ``%(name)s`` places, escaped, with the values escaped."""
    return _e(text) % {k: _e(v) for k, v in values.items()} if "%" in text else _e(text)


def _joined(parts: Iterable[str], separator: str) -> str:
    return _e(separator).join(_e(p) for p in parts)


def _head(*words: str) -> str:
    return "".join(f"<th>{_e(w)}</th>" for w in words)


@register.simple_tag
def case_summary(case, state_label, procedure_label, items, proposed="", notified="", decided="") -> SafeString:
    """The card at the top of the case page: stage (with its place in the procedure chart), procedure, agency,
    party, items, dates, the penalties proposed, notified and decided, and the case's version."""
    def row(label: str, value: str) -> str:
        return f"\n  <dt>{_e(label)}</dt><dd>{value}</dd>"

    chart = f"{reverse('cases:procedure')}#{case.procedure}-{case.state}"
    party = case.party
    party = f'<a href="{_e(reverse("parties:detail", args=[party.pk]))}">{_e(party.name)}</a>' if party else "—"
    listed = "<br>".join(f'<a href="{_e(reverse("catalog:item", args=[i.code]))}">{_e(i.code)} {_e(i.name)}</a>'
                         for i in items) or "—"
    chart_label = _e(gettext("程序图"))
    out = ['<div class="card">\n<dl class="facts">',
           row(gettext("办案阶段"), f'<strong id="case-state">{_e(state_label)}</strong> <a class="cite" '
                                   f'id="case-state-chart" href="{_e(chart)}">{chart_label}</a>'),
           row(gettext("程序"), _e(procedure_label)), row(gettext("执法主体"), _e(case.agency.name)),
           row(gettext("当事人"), party), row(gettext("执法事项"), listed),
           row(gettext("违法行为发生日期"), _day(case.act_date) or "—"),
           row(gettext("立案日期"), _day(case.filed_on) or "—")]
    for label, penalty in ((gettext("拟处罚"), proposed), (gettext("告知的处罚"), notified),
                           (gettext("决定的处罚"), decided)):
        if penalty:
            out.append(row(label, _e(penalty)))
    out.append(row(gettext("案件版本"), _e(case.version)))
    out.append("\n</dl>\n</div>")
    return mark_safe("".join(out))


@register.simple_tag
def case_actions(actions) -> SafeString:
    """The steps the user may take now, each a button with what it still lacks (or 条件已具备)."""
    if not actions:
        none = _e(gettext("当前阶段没有您可以办理的步骤。"))
        return mark_safe(f'<p class="muted">{none}</p>')
    ready = _e(gettext("条件已具备"))
    ready = f'<span class="badge ok">{ready}</span>'
    lacking = _e(gettext("下一步还缺什么："))
    out = ['<ul class="next-steps">']
    for a in actions:
        if a["missing"]:
            reasons = "".join(f"<li>{_e(m)}</li>" for m in a["missing"])
            state = f'<div class="missing"><strong>{lacking}</strong><ul class="reasons">{reasons}</ul></div>'
        else:
            state = ready
        out.append(f'<li class="card">\n  <a class="btn" href="{_e(a["href"])}">{_e(a["label"])}</a>\n  {state}\n'
                   f"</li>")
    out.append("</ul>")
    return mark_safe("".join(out))


@register.simple_tag
def case_clocks(clocks, details: bool = True) -> SafeString:
    """The clocks table (``views.common.clock_view`` rows with ``running``); ``details``: the column of pauses,
    extensions and warnings (the case page; the review workspace leaves it out)."""
    heads = [gettext("期限"), gettext("起算日"), gettext("届满日"), gettext("剩余"), gettext("依据")]
    if details:
        heads.append(gettext("暂停、延长"))
    party = _e(gettext("当事人"))
    party = f' <span class="badge muted">{party}</span>'
    stopped = gettext("%(d)s 停止")
    out = [f'<div class="table-wrap"><table>\n<thead><tr>{_head(*heads)}</tr></thead>\n<tbody>']
    for c in clocks:
        clock = c["clock"]
        tone = {"no": ' class="row-no"', "warn": ' class="row-warn"'}.get(c["tone"], "") if c["running"] else ""
        if not c["running"]:
            left = f'<span class="badge muted">{_words(stopped, d=_day(clock.stopped_on))}</span>'
        elif c.get("badge"):
            left = f'<span class="badge {_e(c["badge_class"])}">{_e(c["badge"])}</span>'
        else:
            left = ""
        out.append(f'<tr{tone}>\n  <td>{_e(clock.name)}{party if c["party"] else ""}</td>'
                   f'<td class="nowrap">{_day(clock.started_on)}</td><td class="nowrap">{_day(clock.due_on)}</td>\n'
                   f'  <td class="nowrap">{left}</td>\n  <td class="cite">{_e(clock.basis)}</td>')
        if details:
            out.append(f"\n  <td>{_clock_details(clock)}</td>")
        out.append("\n</tr>")
    out.append("</tbody></table></div>")
    return mark_safe("".join(out))


def _clock_details(clock) -> str:
    out = []
    if clock.paused_since:
        since = _words(gettext("自 %(d)s 暂停计算"), d=_day(clock.paused_since))
        out.append(f'<span class="badge warn">{since}</span>')
    if clock.paused_days:
        out.append(_words(ngettext("不计入 %(d)s 天", "不计入 %(d)s 天", clock.paused_days), d=clock.paused_days))
    if clock.extended:
        out.append(_words(ngettext("已延长 %(d)s 天", "已延长 %(d)s 天", clock.extension_days),
                          d=clock.extension_days))
    warnings = "".join(f'<br><span class="warn-text">{_e(w)}</span>' for w in clock.warnings or ())
    return "\n    ".join(out) + warnings


@register.simple_tag
def case_pauses(pauses) -> SafeString:
    """The periods the clocks do not count (听证, 公告, 检测 …), in one line."""
    if not pauses:
        return mark_safe("")
    ongoing = gettext("进行中")
    parts = [f"{_label(ClockPause, 'kind', p.kind)} {_day(p.opened_on)}—{_day(p.closed_on) or _e(ongoing)}"
             for p in pauses]
    separator = _e(pgettext("long list separator", "；"))
    label = _e(gettext("不计入期间："))
    return mark_safe(f'<p class="help">{label}{separator.join(parts)}</p>')


@register.simple_tag
def case_handlers(handlers, element_id: str = "") -> SafeString:
    """The handlers, each with 主办, 撤换, the qualification answer for this case and 回避."""
    out = [f'<ul id="{_e(element_id)}">' if element_id else "<ul>"]
    lead, removed, unqualified = _e(gettext("主办")), gettext("%(d)s 撤换"), _e(gettext("不具备本案执法资格"))
    qualified_label, recuse = _e(gettext("具备执法资格")), _e(gettext("应当回避"))
    lead = f' <span class="badge muted">{lead}</span>'
    for h in handlers:
        row, qualified = h["row"], h["qualified"]
        out.append(f"<li>{_name(row.user)}{lead if row.is_lead else ''}")
        if row.removed_on:
            out.append(f'\n  <span class="badge muted">{_words(removed, d=_day(row.removed_on))}'
                       f"</span> {_e(row.removal_reason)}")
        elif qualified is not None and not qualified.qualified:
            reasons = _joined(qualified.qualification_reasons, pgettext("long list separator", "；"))
            out.append(f'\n  <span class="badge no">{unqualified}</span> {reasons}')
        elif qualified is not None:
            out.append(f'\n  <span class="badge ok">{qualified_label}</span>')
        if row.conflict_declared:
            out.append(f'\n  <span class="badge no">{recuse}</span> {_e(row.conflict_reason)}')
        out.append("</li>\n")
    if not handlers:
        nobody = _e(gettext("尚未指派承办人员。"))
        out.append(f'<li class="muted">{nobody}</li>')
    out.append("</ul>")
    return mark_safe("".join(out))


@register.simple_tag(name="reviewer")
def reviewer_name(review) -> str:
    """Who did (or is to do) a 法制审核: the reviewer, else the reviewer it was assigned to, else —."""
    for person in (review.reviewer, review.assigned_to):
        if person is not None and person.full_name:
            return person.full_name
    return "—"


@register.simple_tag
def review_checks(review) -> SafeString:
    """The seven checks of one legal review (law.md §2.3) with the reviewer's notes (``review.check_rows``)."""
    rows = getattr(review, "check_rows", None)
    if not rows:
        return mark_safe("")
    met, unmet, unchecked = _e(gettext("符合")), _e(gettext("不符合")), _e(gettext("未审核"))
    verdicts = {True: f'<span class="badge ok">{met}</span>', False: f'<span class="badge no">{unmet}</span>',
                None: f'<span class="badge muted">{unchecked}</span>'}
    heads = _head(gettext("审核事项"), gettext("结论"), gettext("意见"))
    out = [f'<div class="table-wrap"><table class="review-checks">\n<thead><tr>{heads}</tr></thead>\n<tbody>']
    for c in rows:
        verdict = verdicts[c["ok"] if c["ok"] in (True, False) else None]
        out.append(f'<tr id="review-{review.pk}-{_e(c["code"])}">\n  <td>{_e(c["label"])}</td>\n'
                   f'  <td class="nowrap">{verdict}</td>\n'
                   f'  <td>{linebreaksbr(c["note"] or "—", autoescape=True)}</td>\n</tr>')
    out.append("</tbody></table></div>")
    return mark_safe("".join(out))


@register.simple_tag
def case_reviews(reviews) -> SafeString:
    """The case's 法制审核 rows (each with ``check_rows``), with their checks under each."""
    heads = _head(gettext("提请日期"), gettext("审核人"), gettext("结果"), gettext("审核意见"))
    out = [f'<div class="table-wrap"><table><thead><tr>{heads}</tr></thead>\n<tbody>']
    for r in reviews:
        reviewed = f" {_day(r.reviewed_on)}" if r.reviewed_on else ""
        out.append(f'<tr><td class="nowrap">{_day(r.submitted_on)}</td><td>{_e(reviewer_name(r))}</td>'
                   f'<td class="nowrap">{_label(LegalReview, "status", r.status)}{reviewed}</td>'
                   f"<td>{_e(r.opinion)}</td></tr>\n")
        if getattr(r, "check_rows", None):
            out.append(f'<tr class="review-detail"><td colspan="4">{review_checks(r)}</td></tr>')
    out.append("</tbody></table></div>")
    return mark_safe("".join(out))


@register.simple_tag
def case_approvals(approvals) -> SafeString:
    """The heads' approvals (先行登记保存, 查封扣押 …): kind, outcome, who, when, note."""
    granted, refused = _e(pgettext("approval outcome", "批准")), _e(gettext("不予批准"))
    return _list(f"{_label(CaseApproval, 'kind', a.kind)} · {granted if a.approved else refused} · "
                 f"{_name(a.decided_by)} · {_day(a.decided_on)}{f' · {_e(a.note)}' if a.note else ''}"
                 for a in approvals)


def _list(items: Iterable[str]) -> SafeString:
    """``<ul>`` of the (already escaped) ``items``."""
    return mark_safe("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")


@register.simple_tag
def case_documents(documents) -> SafeString:
    """The case's documents: title, number, date."""
    numbered = pgettext("document number after a title", "（%(number)s）")
    return _list(f"{_e(d.title)}{_words(numbered, number=d.number) if d.number else ''} · {_day(d.issued_on)}"
                 for d in documents)


@register.simple_tag
def case_records(records) -> SafeString:
    """The case's records and evidence: kind, date, description, the file's digest (shortened)."""
    kinded = pgettext("evidence kind after a record", "（%(kind)s）")
    kinds = _labels(CaseRecord, "evidence_kind")

    def item(r) -> str:
        kind = _words(kinded, kind=kinds.get(r.evidence_kind, r.evidence_kind)) if r.evidence_kind else ""
        description = f" · {_e(r.description)}" if r.description else ""
        digest = f' <span class="mono cite">{_e(Truncator(r.file_hash).chars(19))}</span>' if r.file_hash else ""
        return f"{_label(CaseRecord, 'code', r.code)}{kind} · {_day(r.made_on)}{description}{digest}"

    return _list(item(r) for r in records)


@register.simple_tag
def case_timeline(steps, file_names=None, uploads=(), documents=(), records=()) -> SafeString:
    """The steps taken, in the order given (the case page: newest first): date, step, who, the stage reached, the
    note, the documents and records registered with the step (``documents``, ``records``: the case's rows), the
    names of the files attached to the step's records (``file_names``: {step id: [names]}) and the number of the
    step's event in the full-process record; the files uploaded (``uploads``, EvidenceFile rows) between them, by
    time."""
    out = ['<ol class="timeline">']
    attached = _e(gettext("附件："))
    with_documents, with_records = _e(gettext("文书：")), _e(gettext("记录："))
    numbered = pgettext("document number after a title", "（%(number)s）")
    kinded = pgettext("evidence kind after a record", "（%(kind)s）")
    docs_of: dict[int, list[str]] = {}
    for d in documents:
        if d.step_id is not None:
            docs_of.setdefault(d.step_id, []).append(
                f"{_e(d.title)}{_words(numbered, number=d.number) if d.number else ''}")
    records_of: dict[int, list[str]] = {}
    kinds = _labels(CaseRecord, "evidence_kind")
    for r in records:
        if r.step_id is not None:
            kind = _words(kinded, kind=kinds.get(r.evidence_kind, r.evidence_kind)) if r.evidence_kind else ""
            records_of.setdefault(r.step_id, []).append(f"{_label(CaseRecord, 'code', r.code)}{kind}")
    event_title = _e(gettext("全过程记录中的事件序号"))
    uploaded = gettext("上传文件")
    separator = pgettext("list separator", "、")
    # by day, then by time (a step's day is the day it was taken, which a loader of past cases sets)
    pending = sorted(((timezone.localtime(f.uploaded_at).date(), f.uploaded_at, f) for f in uploads),
                     key=lambda x: x[:2], reverse=True)
    for s in steps:
        while pending and s.at is not None and pending[0][:2] > (s.on, s.at):
            out.append(_upload_entry(pending.pop(0)[2], uploaded))
        moved = f' · <span class="muted">{_label(CaseStep, "to_state", s.to_state)}</span>' \
            if s.from_state != s.to_state else ""
        note = s.payload.get("note") if isinstance(s.payload, dict) else None
        note = f'<br><span class="muted">{_e(note)}</span>' if note else ""
        if s.pk in docs_of:
            note += f'<br><span class="muted">{with_documents}{_e(separator).join(docs_of[s.pk])}</span>'
        if s.pk in records_of:
            note += f'<br><span class="muted">{with_records}{_e(separator).join(records_of[s.pk])}</span>'
        names = (file_names or {}).get(s.pk)
        if names:
            note += f'<br><span class="muted">{attached}{_joined(names, separator)}</span>'
        event = f' <span class="muted mono" title="{event_title}">#{s.event_id}</span>' if s.event_id else ""
        out.append(f'<li><span class="nowrap">{_day(s.on)}</span> · <strong>{_e(s.label)}</strong> · '
                   f"{_name(s.actor)}{moved}{event}{note}</li>")
    out.extend(_upload_entry(f, uploaded) for *_, f in pending)
    out.append("</ol>")
    return mark_safe("".join(out))


def _upload_entry(f, label: str) -> str:
    day = timezone.localtime(f.uploaded_at).date()
    device = f' · <span class="muted">{_e(f.device)}</span>' if f.device else ""
    return (f'<li><span class="nowrap">{_day(day)}</span> · <strong>{_e(label)}</strong> · {_name(f.uploaded_by)} · '
            f'{_e(f.original_name)}{device}</li>')
