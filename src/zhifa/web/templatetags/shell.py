"""The header of every page (brand, navigation, the signed-in person, the language switch), built in Python:
``{% load shell %}{% page_header %}`` in ``web/base.html``.

Every page shows it, and built by the template engine node by node it was about a millisecond of each request
(bench/README.md). The markup is the one the template made; the words go through gettext; every value is escaped.
"""

from __future__ import annotations

from functools import cache
from html import escape

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _e(value) -> str:
    return escape(str(value))


@cache
def _names_local() -> tuple[tuple[str, str], ...]:
    """(code, the language's own name) of each language offered, as ``get_language_info_list`` gives them."""
    return tuple((code, translation.get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES)


def _csrf(context) -> str:
    """What ``{% csrf_token %}`` writes."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(token)}">'


@register.simple_tag(takes_context=True)
def page_header(context) -> SafeString:
    user, request = context.get("user"), context.get("request")
    csrf = _csrf(context)
    agency = context.get("current_agency")
    brand, bell_title, main_nav = _e(gettext("执法")), _e(gettext("未读期限提醒")), _e(gettext("主导航"))
    change_password, sign_out = _e(gettext("修改密码")), _e(gettext("退出"))
    language_label, switch = _e(gettext("语言")), _e(gettext("切换"))
    out = ['<header class="top">\n  <div class="brand">', f'<a href="{_e(reverse("home"))}">{brand}</a>',
           "\n    ", f'<span class="agency">{_e(agency.name)}</span>' if agency else "", "</div>\n  "]
    if getattr(user, "is_authenticated", False):
        nav, active, unread = context.get("nav"), context.get("active"), context.get("unread_notifications")
        if nav:
            items = []
            for key, url, label in nav:
                current = ' aria-current="page"' if active == key else ""
                bell = (f' <a class="badge warn" href="{_e(reverse("cases:notifications"))}" '
                        f'title="{bell_title}">{_e(unread)}</a>') if key == "cases" and unread else ""
                items.append(f'<li><a href="{_e(url)}"{current}>{_e(label)}</a>{bell}</li>')
            out.append(f'<nav aria-label="{main_nav}">\n    <ul>{"".join(items)}</ul>\n  </nav>')
        password = "" if context.get("gated") else \
            f'<a href="{_e(reverse("password_change"))}">{change_password}</a>'
        out.append(f'\n  <div class="me">\n    <span>{_e(user.full_name or user.username)}</span>\n    {password}\n'
                   f'    <form method="post" action="{_e(reverse("logout"))}">{csrf}<button class="link" '
                   f'type="submit">{sign_out}</button></form>\n  </div>\n  ')
    here = request.get_full_path() if request is not None else ""
    language = translation.get_language()
    options = "".join(f'<option value="{_e(code)}" lang="{_e(code)}"{" selected" if code == language else ""}>'
                      f"{_e(name)}</option>" for code, name in _names_local())
    out.append(f'\n  <form class="lang" method="post" action="{_e(reverse("set_language"))}">{csrf}\n'
               f'    <input type="hidden" name="next" value="{_e(here)}">\n'
               f'    <label class="sr" for="lang-select">{language_label}</label>\n'
               f'    <select id="lang-select" name="language" data-autosubmit>\n      {options}\n    </select>\n'
               f'    <noscript><button type="submit">{switch}</button></noscript>\n  </form>\n</header>')
    return mark_safe("".join(out))
