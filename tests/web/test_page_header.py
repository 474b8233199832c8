"""The header of every page (web/templatetags/shell.py): brand, agency, navigation with the current page and the
bell, the signed-in person, sign-out and the language switch — escaped, in both languages, and only the language
switch for a visitor who is not signed in."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

NAV = (("home", "/", "首页"), ("cases", "/cases/", "案件"), ("roster", "/org/roster/", "执法人员"))


def _render(path="/cases/?x=<b>&y=1", **context) -> str:
    request = RequestFactory().get(path)
    return Template("{% load shell %}{% page_header %}").render(Context({"request": request, **context}))


def _person(full_name="张三", username="zhifa01"):
    return SimpleNamespace(is_authenticated=True, full_name=full_name, username=username)


def test_signed_in_header():
    html = _render(user=_person(), nav=NAV, active="cases", unread_notifications=3, csrf_token="tok<en>",
                   current_agency=SimpleNamespace(name="平舆县文化广电和旅游局 & <某>"))
    assert html.startswith('<header class="top">') and html.endswith("</header>")
    assert f'<a href="{reverse("home")}">执法</a>' in html
    assert '<span class="agency">平舆县文化广电和旅游局 &amp; &lt;某&gt;</span>' in html
    assert '<li><a href="/cases/" aria-current="page">案件</a> <a class="badge warn" href="' \
           f'{reverse("cases:notifications")}" title="未读期限提醒">3</a></li>' in html
    assert '<li><a href="/">首页</a></li>' in html and html.count("aria-current") == 1
    assert "<span>张三</span>" in html and f'<a href="{reverse("password_change")}">修改密码</a>' in html
    assert html.count('<input type="hidden" name="csrfmiddlewaretoken" value="tok&lt;en&gt;">') == 2
    assert '<input type="hidden" name="next" value="/cases/?x=%3Cb%3E&amp;y=1">' in html
    assert '<option value="zh-hans" lang="zh-hans" selected>' in html and '<option value="en" lang="en">' in html


def test_no_bell_without_unread_and_username_without_a_name():
    html = _render(user=_person(full_name=""), nav=NAV, active="home", unread_notifications=0)
    assert 'class="badge warn"' not in html and "<span>zhifa01</span>" in html
    assert 'name="csrfmiddlewaretoken"' not in html  # no token in the context: none written


def test_gated_and_anonymous():
    gated = _render(user=_person(), nav=[], gated=True, csrf_token="t")
    assert "<nav" not in gated and "修改密码" not in gated and reverse("logout") in gated
    anonymous = _render(user=SimpleNamespace(is_authenticated=False), csrf_token="t")
    assert "<nav" not in anonymous and 'class="me"' not in anonymous and 'class="lang"' in anonymous
    assert 'class="agency"' not in anonymous
    bare = _render()  # an error page without the usual context
    assert 'class="lang"' in bare and "<nav" not in bare


def test_english():
    with translation.override("en"):
        html = _render(user=_person(), nav=NAV, active="cases", unread_notifications=1, csrf_token="t")
    assert 'type="submit">Sign out</button>' in html
    assert '<option value="en" lang="en" selected>' in html and 'aria-label="Main navigation"' in html
