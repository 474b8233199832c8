"""The portal's table of published decisions, built in Python: ``{% decision_rows rows agency %}``.

Every search result page and the home page show it; built node by node by the template engine (a ``translate`` per
cell) it was about four tenths of a search page's server time at a million decisions (bench/README.md, issue 7). The
markup is the one the former ``_decision_rows.html`` template made; the words go through gettext as before.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

HEADS = ("决定书文号", "当事人", "违法行为", "处罚内容", "决定日期", "公开日期")


@register.simple_tag
def decision_rows(rows, agency) -> SafeString:
    """The table of ``rows`` (live publications of ``agency``): number (a link to the decision), party, title,
    penalty, decision date and publication date; on a phone each cell is labelled by its column."""
    labels = [escape(gettext(h)) for h in HEADS]
    base = reverse("portal:decisions", args=[agency.code])
    none = escape(gettext("（无文号）"))
    out = ['<div class="table-wrap"><table class="stack">\n  <caption class="sr">', escape(gettext("公示的执法决定")),
           "</caption>\n  <thead><tr>", "".join(f'<th scope="col">{h}</th>' for h in labels),
           "</tr></thead>\n  <tbody>\n"]
    for p in rows:
        c = p.content
        number = escape(c["number"]) if c.get("number") else none
        out.append(
            f'    <tr>\n      <td data-label="{labels[0]}"><a href="{base}{p.pk}/">{number}</a></td>\n'
            f'      <td data-label="{labels[1]}">{escape(c.get("party") or "")}</td>\n'
            f'      <td data-label="{labels[2]}">{escape(c.get("title") or "")}</td>\n'
            f'      <td data-label="{labels[3]}">{escape(c.get("penalty") or "")}</td>\n'
            f'      <td data-label="{labels[4]}" class="num">{p.decided_on:%Y-%m-%d}</td>\n'
            f'      <td data-label="{labels[5]}" class="num">{p.published_on:%Y-%m-%d}</td>\n    </tr>\n')
    out.append("  </tbody>\n</table></div>\n")
    return mark_safe("".join(out))  # every value above is escaped
