"""English as the second language: pages, form errors, Django's own texts, and the catalogue itself.

Chinese (zh-hans) is the source language and the default; English comes from
src/zhifa/locale/en/LC_MESSAGES/django.po, compiled to the committed django.mo.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

import zhifa

SRC = Path(zhifa.__file__).resolve().parent
PO_PATH = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

CJK = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
NAV_WORDS_ZH = ("首页", "执法人员", "行政相对人", "人员与角色", "政策参数", "审计日志")
NAV_WORDS_EN = ("Home", "Enforcement officers", "Regulated parties")



@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def officer(make_user, agency):
    return make_user(agency, roles=("officer",), full_name="执法队员甲")


@pytest.fixture
def sysadmin(make_user, agency):
    return make_user(agency, roles=("sysadmin",), full_name="系统管理员甲")


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _header(html: str) -> str:
    """The page's top bar: brand, navigation, account links and the language selector."""
    return html[html.index('<header class="top">'):html.index("</header>")]


def _nav(html: str) -> str:
    header = _header(html)
    return header[header.index("<nav"):header.index("</nav>")]


def _assert_english_shell(html: str) -> None:
    assert '<html lang="en">' in html
    nav = _nav(html)
    for word in NAV_WORDS_EN:
        assert f">{word}<" in nav, word
    assert not CJK.search(nav), nav  # no Chinese UI word left in the navigation
    header = _header(html)
    for word in ("修改密码", "退出", "跳到正文", "主导航"):
        assert word not in header, word
    assert "Change password" in header and "Sign out" in header
    assert "Skip to content" in html


# --- pages in English ---------------------------------------------------------------------------
def test_login_page_in_english(english, db):
    html = _html(english.get(reverse("login")))
    assert '<html lang="en">' in html
    assert "Sign in to the enforcement platform" in html
    assert ">Username<" in html and ">Password<" in html
    for word in ("登录执法平台", "用户名", "密码", "执法平台"):
        assert word not in html, word
    # the language selector names each language in its own language
    assert ">简体中文</option>" in html and ">English</option>" in html


def test_home_in_english(english, verified_login, officer):
    verified_login(english, officer)
    html = _html(english.get(reverse("home")))
    _assert_english_shell(html)
    assert "Dashboard" in html and "May enforce" in html and "Qualification alerts" in html
    assert "工作台" not in html and "可以执法" not in html


def test_roster_in_english(english, verified_login, officer):
    verified_login(english, officer)
    html = _html(english.get("/org/roster/"))
    _assert_english_shell(html)
    assert "Enforcement officer roster" in html
    assert "Name, staff number or certificate number" in html
    assert "All statuses" in html and "Expiring soon or training short" in html
    assert "1 person in total" in html  # the officer themselves, with a plural-aware count
    for word in ("执法人员名册", "全部状态", "筛选"):
        assert word not in html, word


def test_people_list_in_english(english, verified_login, sysadmin):
    verified_login(english, sysadmin)
    html = _html(english.get(reverse("org:people")))
    _assert_english_shell(html)
    assert "People and roles" in html and "Policy parameters" in _nav(html)
    for text in ("Register a person", "Internal units", "Account status", "System administrator",
                 "separation of the three administrator roles"):
        assert text in html, text
    for word in ("登记人员", "账户状态", "系统管理员</", "三员分立"):
        assert word not in html, word


def test_policy_list_in_english(english, verified_login, sysadmin):
    verified_login(english, sysadmin)
    html = _html(english.get(reverse("org:policies")))
    _assert_english_shell(html)
    for text in ("Policy parameters", "Current value", "Value history", "Set a new value"):
        assert text in html, text
    for word in ("现行取值", "取值记录", "设置新取值"):
        assert word not in html, word


def test_party_list_in_english(english, verified_login, officer):
    verified_login(english, officer)
    html = _html(english.get(reverse("parties:list")))
    _assert_english_shell(html)
    for text in ("Regulated parties", "Register a party", "No parties have been registered yet.",
                 "Natural person", "Internet access service venue (internet café)", "Licence status",
                 "Expiring soon (within 60 days)"):
        assert text in html, text
    for word in ("登记当事人", "查找", "自然人", "即将到期"):
        assert word not in html, word


def test_error_page_in_english(english, verified_login, officer):
    verified_login(english, officer)
    r = english.get("/org/people/")  # an officer may not manage people
    assert r.status_code == 403
    html = r.content.decode()
    assert "Permission denied" in html and "没有权限" not in html


# --- Chinese stays the default ------------------------------------------------------------------
def test_chinese_is_the_default(client, verified_login, officer):
    assert settings.LANGUAGE_CODE == "zh-hans"
    html = _html(client.get(reverse("login")))
    assert '<html lang="zh-hans">' in html and "登录执法平台" in html
    assert "Sign in to the enforcement platform" not in html
    verified_login(client, officer)
    html = _html(client.get(reverse("home")))
    assert '<html lang="zh-hans">' in html
    nav = _nav(html)
    for word in ("首页", "执法人员", "行政相对人"):
        assert f">{word}<" in nav, word
    assert "Dashboard" not in html and "工作台" in html


def test_switching_language_with_the_selector(client, db):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert r.status_code == 302
    assert "Sign in to the enforcement platform" in _html(client.get("/login/"))
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "登录执法平台" in _html(client.get("/login/"))


# --- form errors in English ---------------------------------------------------------------------
def test_login_failure_in_english(english, officer):
    r = english.post(reverse("login"), {"username": officer.username, "password": "wrong-password"})
    html = _html(r)
    assert f"Incorrect username or password. The account is locked after {settings.AXES_FAILURE_LIMIT} " \
           "failed attempts in a row." in html
    assert "用户名或密码不正确" not in html


def test_login_failure_in_chinese_by_default(client, officer):
    html = _html(client.post(reverse("login"), {"username": officer.username, "password": "wrong-password"}))
    assert "用户名或密码不正确" in html


def test_field_messages_name_their_field_in_english(english, verified_login, sysadmin, officer):
    """The qualification forms build "{label} …" messages; both parts are translated."""
    verified_login(english, sysadmin)
    r = english.post(reverse("org:certificate_add", args=[officer.pk]),
                     {"number": "", "issuing_authority": "某某省人民政府", "issued_on": "2025-13-01",
                      "valid_until": "2030-01-01"})
    errors = r.context["form"].errors
    assert errors["number"] == ["Certificate number is required."]
    assert errors["issued_on"] == ["Date of issue is not in a valid format. Please enter it as "
                                   "year-month-day, e.g. 2025-03-01."]
    assert errors["domains"] == ["Please select at least one enforcement domain "
                                 "(the enforcement categories stated on the certificate)."]
    html = _html(r)
    assert "Not saved: please correct the marked fields and submit again." in html


def test_party_form_messages_in_english(english, verified_login, officer):
    verified_login(english, officer)
    r = english.post(reverse("parties:create"), {"kind": "organisation", "name": ""})
    assert r.context["form"].errors["name"] == ["Name is required"]
    assert "Not saved: please correct the marked items." in _html(r)


def test_success_message_in_english(english, verified_login, sysadmin, agency):
    verified_login(english, sysadmin)
    r = english.post(reverse("org:unit_create"), {"agency": agency.pk, "name": "执法二中队", "kind": "squad",
                                                  "sort": "0", "is_active": "on"}, follow=True)
    assert "The internal unit “执法二中队” has been saved." in _html(r)


def test_djangos_own_messages_in_english(english, verified_login, officer):
    """Password validators come from Django's own English catalogue."""
    verified_login(english, officer)
    r = english.post(reverse("password_change"), {"old_password": "nope", "new_password1": "abc",
                                                  "new_password2": "abc"})
    html = _html(r)
    assert "Current password" in html and "New password again" in html
    assert "This password is too short." in html
    assert "此密码太短" not in html


def test_admin_login_in_english(english, db):
    html = _html(english.get("/platform-admin/login/"))
    assert 'value="Log in"' in html


# --- the catalogue --------------------------------------------------------------------------------
def test_catalogue_is_complete():
    po = polib.pofile(str(PO_PATH))
    assert len(po) > 500
    assert po.percent_translated() == 100
    assert not po.untranslated_entries()
    assert not po.fuzzy_entries()
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "en"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    for entry in po:
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.get(i) for i in (0, 1)), entry.msgid
        else:
            assert entry.msgstr.strip(), entry.msgid


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}|</?a\b[^>]*>")


def test_translations_keep_every_placeholder():
    """%(name)s, {label} and links survive translation, or formatting would fail or drop a value."""
    po = polib.pofile(str(PO_PATH))
    for entry in po:
        wanted = sorted(_PLACEHOLDER.findall(entry.msgid))
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            assert sorted(_PLACEHOLDER.findall(text)) == wanted, (entry.msgid, text)
            assert not CJK.search(text.replace("简体中文", "").replace("平文旅", "")), (entry.msgid, text)


def _messages(mo) -> dict:
    return {(e.msgctxt, e.msgid, e.msgid_plural): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in mo}


def test_committed_mo_matches_the_po(tmp_path):
    """The committed .mo is the .po compiled (scripts/compile-messages), not a stale copy."""
    compiled = tmp_path / "django.mo"
    polib.pofile(str(PO_PATH)).save_as_mofile(str(compiled))
    committed = _messages(polib.mofile(str(MO_PATH)))
    assert committed == _messages(polib.mofile(str(compiled)))
    assert len(committed) == len(polib.pofile(str(PO_PATH)))


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalogue_has_every_source_text(tmp_path, monkeypatch, settings):
    """Re-extracting the texts from the sources adds nothing untranslated: the .po is up to date."""
    copy = tmp_path / "zhifa"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "data", "static"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_obsolete=True, no_location=True, verbosity=0)
    fresh = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fresh if not e.translated() or e.fuzzy]
    assert not missing, f"texts without an English translation (run makemessages and translate): {missing}"
    assert {(e.msgctxt, e.msgid) for e in fresh} == {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO_PATH))}


# --- catalog words built in Python and punctuation around translated texts -----------------------
_GETTEXT_NAMES = frozenset({"gettext", "ngettext", "pgettext", "npgettext", "gettext_lazy", "ngettext_lazy",
                            "pgettext_lazy", "_"})


def test_no_translated_text_inside_f_strings():
    """``makemessages`` (xgettext) does not look inside the braces of an f-string: a ``gettext("…")`` there is never
    put in the catalogue, so its words stay Chinese in English. Every such call is made outside the f-string."""
    import io
    import tokenize

    found = []
    for path in sorted(SRC.rglob("*.py")):
        depth = 0
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for tok in tokens:
            if tok.type == tokenize.FSTRING_START:
                depth += 1
            elif tok.type == tokenize.FSTRING_END:
                depth -= 1
            elif depth and tok.type == tokenize.NAME and tok.string in _GETTEXT_NAMES:
                found.append(f"{path.relative_to(SRC)}:{tok.start[0]}")
    assert not found, found


def test_catalog_words_and_punctuation_in_english():
    """Outcome names, the 情节严重 range in a fine summary and the separators of a change's values are
    translated; the legal names themselves (kinds, sources) stay the statute's Chinese."""
    from django.utils import translation

    from zhifa.catalog.views import changes, present
    from zhifa.law.fines import parse_fine_rule

    rule = {"type": "range", "min": None, "max": 15000, "serious": {"type": "range", "min": None, "max": 50000}}
    bands = {"max_only": {o: {"low": 0, "high": 1} for o in present.OUTCOME_ORDER}}
    provisions = [{"source": "互联网上网服务营业场所管理条例", "article": "第三十条"},
                  {"source": "中华人民共和国行政处罚法", "article": "第二十八条"}]
    kinds = [{"kind": "fine", "mode": "mandatory"}, {"kind": "revoke_licence", "mode": "serious", "note": "情节严重的"}]
    with translation.override("zh-hans"):
        assert present.rule_summary(rule) == "≤15000元（严重 ≤5万元）"
        cells = present.band_rows(bands, None, parse_fine_rule(rule))[0]["cells"]
        assert [c["outcome"] for c in cells] == ["从轻处罚", "一般处罚", "从重处罚"]
        assert changes._value("violated", provisions) == \
            "《互联网上网服务营业场所管理条例》第三十条；《中华人民共和国行政处罚法》第二十八条"
        assert changes._value("kinds", kinds) == "罚款（应当给予）；吊销许可证件（情节严重时）：情节严重的"
    with translation.override("en"):
        assert present.rule_summary(rule) == "≤15000元 (serious: ≤5万元)"
        cells = present.band_rows(bands, None, parse_fine_rule(rule))[0]["cells"]
        assert [c["outcome"] for c in cells] == ["Lighter penalty", "Ordinary penalty", "Heavier penalty"]
        assert changes._value("violated", provisions) == \
            "《互联网上网服务营业场所管理条例》第三十条; 《中华人民共和国行政处罚法》第二十八条"
        assert changes._value("kinds", kinds) == \
            "罚款 (Mandatory); 吊销许可证件 (For serious circumstances): 情节严重的"


def test_calendar_day_weekday_in_english(english, verified_login, sysadmin):
    verified_login(english, sysadmin)
    html = _html(english.get(reverse("catalog:calendar_day", args=["2026-10-01"])))
    assert "2026-10-01 (Thursday)" in html and "（" not in html.split("<dd>", 1)[1].split("</dd>", 1)[0]


def test_lint_headings_and_citations_in_english(english, verified_login, sysadmin, monkeypatch):
    from zhifa.catalog import lint as catalog_lint
    from zhifa.catalog.views import lint as lint_view

    basis = ["《中华人民共和国行政处罚法》第十四条（地方政府规章）",
             "《中华人民共和国行政处罚法》第十六条（其他规范性文件）"]
    finding = catalog_lint.Finding("penalty_basis_normative", "warning", "WH-NET-004", "示例", basis)
    monkeypatch.setattr(lint_view.catalog_lint, "lint", lambda *a, **kw: [finding])
    verified_login(english, sysadmin)
    r = english.get(reverse("catalog:lint"))
    html = _html(r)
    warn = next(g for g in r.context["groups"] if g["code"] == "warning")
    assert f'{warn["label"]} (1)</h2>' in html and "（1）" not in html
    assert f'<td class="cite">{basis[0]}; {basis[1]}</td>' in html  # not the Chinese "；"
