"""The case lists' table, built in Python: ``{% load case_lists %}{% case_rows rows %}``.

A list page shows 25 rows of seven cells; built by the template engine, node by node, they were about a third of
the page's server time (bench/README.md). The markup is the one the former ``cases/_rows.html`` template made;
the words go through gettext as before.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

register = template.Library()


def _clock_cell(case) -> str:
    n = getattr(case, "next_clock", None)
    if not n:
        return '<span class="muted">—</span>'
    clock = n["clock"]
    party = format_html('<span class="badge muted">{}</span> ', gettext("当事人")) if n["party"] else ""
    badge = format_html('<span class="badge {}">{}</span>', n["badge_class"], n["badge"]) if n.get("badge") else ""
    return format_html("{} {}\n    {}{}", clock.name, clock.due_on.strftime("%Y-%m-%d"), party, badge)


@register.simple_tag
def case_rows(rows, show_waiting: bool = False) -> SafeString:
    """The table of ``rows`` (cases decorated by ``views.common.decorate``); ``show_waiting``: a column of the
    steps waiting (``case.waiting``)."""
    head = [gettext("案件编号"), gettext("案由"), gettext("当事人"), gettext("办案阶段"), gettext("最近期限")]
    if show_waiting:
        head.append(gettext("待办事项"))
    unfiled, sep = gettext("（未立案）"), pgettext("list separator", "、")
    out = ['<div class="table-wrap"><table class="cases">\n<thead><tr>',
           "".join(format_html("<th>{}</th>", h) for h in head), "</tr></thead>\n<tbody>"]
    for c in rows:
        tone = {"no": ' class="row-no"', "warn": ' class="row-warn"'}.get(getattr(c, "row_tone", ""), "")
        party = c.party.name if c.party_id and c.party.name else "—"
        out.append(format_html(
            '<tr id="case-{}"{}>\n  <td class="nowrap"><a href="{}">{}</a></td>\n  <td><a href="{}">{}</a></td>\n'
            '  <td>{}</td>\n  <td class="nowrap">{}{}</td>\n  <td class="nowrap">{}</td>',
            c.pk, mark_safe(tone), c.href, c.reference or unfiled, c.href, c.title, party, c.state_label,
            format_html(' <span class="badge muted">{}</span>', gettext("简易")) if c.procedure == "summary" else "",
            mark_safe(_clock_cell(c))))
        if show_waiting:
            out.append(format_html("\n  <td>{}</td>", mark_safe(conditional_escape(sep).join(
                conditional_escape(w) for w in c.waiting))))
        out.append("\n</tr>")
    out.append("</tbody>\n</table></div>")
    return mark_safe("".join(out))
