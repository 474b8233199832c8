"""The list-valued policy `review.kinds` (《行政处罚法》第五十八条; the agency's 重大执法决定法制审核目录) and the
yuan thresholds of 第六十三条/第五十八条 on the policy screens: shown in words, edited with one checkbox per
第九条 kind, refused on the field with the typed values kept."""

import json
import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from zhifa.catalog.models import PolicyValue
from zhifa.catalog.policies import PARAMETERS, value_of
from zhifa.law.penalties import KIND_LABELS, PenaltyKind
from zhifa.records.models import Event

KEY = "review.kinds"
CITATION = "本局重大执法决定法制审核目录（2026年修订）"


@pytest.fixture
def sysadmin(make_user, agency):
    return make_user(agency, roles=("sysadmin",))


@pytest.fixture
def admin_client(client, verified_login, sysadmin):
    return verified_login(client, sysadmin)


def _post(client, key=KEY, **kw):
    data = {"value": ["revoke_licence", "fine"], "effective_from": "2026-01-01", "citation": CITATION,
            "note": "罚款一律审核"}
    data.update(kw)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("org:policy_edit", args=[key]), data)


def _entries(client):
    r = client.get(reverse("org:policies"))
    assert r.status_code == 200
    return {e["param"].key: e for e in r.context["entries"]}, r.content.decode()


def _checked(html: str) -> set[str]:
    """The kinds whose checkbox is ticked on the page."""
    return {m.group(1) for m in re.finditer(r'<input type="checkbox" name="value" value="([a-z_]+)"[^>]*checked', html)}


def test_list_shows_kinds_in_words_and_thresholds_in_yuan(admin_client):
    entries, html = _entries(admin_client)
    # default of review.kinds: 第九条 kinds 责令停产停业、吊销许可证件、责令关闭
    assert entries[KEY]["current"] == "责令停产停业、吊销许可证件、责令关闭"
    assert entries[KEY]["default"] == entries[KEY]["current"] and entries[KEY]["is_default"]
    assert "['suspend_business'" not in html and '["suspend_business"' not in html
    # 第六十三条 (hearing) and 第五十八条 (review) thresholds, whole yuan
    assert entries["hearing.fine_person"]["current"] == "10000 元"
    assert entries["hearing.fine_organisation"]["current"] == "100000 元"
    assert entries["review.confiscation_organisation"]["default"] == "100000 元"
    assert entries["hearing.fine_person"]["unit"] == "元"
    assert entries["certificate.expiry_alert_days"]["current"] == "60 天"


def test_edit_form_has_one_checkbox_per_article_9_kind(admin_client):
    r = admin_client.get(reverse("org:policy_edit", args=[KEY]))
    assert r.status_code == 200
    html = r.content.decode()
    for kind in PenaltyKind:
        assert f'value="{kind.value}"' in html and KIND_LABELS[kind] in html
    assert _checked(html) == {"suspend_business", "revoke_licence", "close"}  # the value in force
    assert "<legend>处罚种类" in html
    assert "取值（JSON）" not in html and "<textarea" not in html


def test_setting_kinds_through_the_screen(admin_client, agency, sysadmin):
    r = _post(admin_client)
    assert r.status_code == 302 and r["Location"] == reverse("org:policies")
    # stored in the order of 第九条, whatever the order ticked
    assert value_of(KEY, agency, date(2026, 1, 1)) == ["fine", "revoke_licence"]
    assert value_of(KEY, agency, date(2025, 12, 31)) == PARAMETERS[KEY].default
    row = PolicyValue.objects.get(key=KEY)
    assert row.agency == agency and row.set_by == sysadmin and row.citation == CITATION
    payload = json.loads(Event.objects.get(action="catalog.policy_set").payload)
    assert payload["value"] == ["fine", "revoke_licence"]
    assert payload["previous"] == PARAMETERS[KEY].default
    r = admin_client.get(reverse("org:policies"))
    html = r.content.decode()
    assert "已设置“法制审核：一律审核的处罚种类”为 罚款、吊销许可证件，自 2026-01-01 起施行。" in html
    entry = {e["param"].key: e for e in r.context["entries"]}[KEY]
    assert [h["value"] for h in entry["history"]] == ["罚款、吊销许可证件"]
    if date.today() >= date(2026, 1, 1):
        assert entry["current"] == "罚款、吊销许可证件"
    # the edit form starts from the value in force
    r = admin_client.get(reverse("org:policy_edit", args=[KEY]))
    expected = {"fine", "revoke_licence"} if date.today() >= date(2026, 1, 1) else \
        {"suspend_business", "revoke_licence", "close"}
    assert _checked(r.content.decode()) == expected


def test_no_kind_ticked_is_an_empty_list(admin_client, agency):
    r = _post(admin_client, value=None)
    assert r.status_code == 302
    assert value_of(KEY, agency, date(2026, 1, 1)) == []
    entry = {e["param"].key: e for e in admin_client.get(reverse("org:policies")).context["entries"]}[KEY]
    assert entry["history"][0]["value"] == "（无）"


@pytest.mark.parametrize("data,field,message", [
    # an unknown code is refused on the kinds field (《行政处罚法》第九条 lists the kinds)
    ({"value": ["revoke_licence", "public_shaming"]}, "value", "无法识别的处罚种类"),
    ({"citation": ""}, "citation", "请填写依据"),
    ({"effective_from": "2026-02-30"}, "effective_from", "有效日期"),
])
def test_invalid_submission_keeps_values_and_names_the_field(admin_client, data, field, message):
    r = _post(admin_client, **data)
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert field in errors and message in errors[field][0], errors
    html = r.content.decode()
    assert message in html and "提交的内容有误" in html
    assert "revoke_licence" in _checked(html)  # the ticked kinds are kept
    if field == "value":
        assert "处罚种类" in errors[field][0]  # the message names the field
        assert re.search(r'<fieldset class="field has-error" id="id_value"', html)
        assert CITATION in html
    assert not PolicyValue.objects.exists()
    assert not Event.objects.filter(action="catalog.policy_set").exists()


def test_yuan_threshold_edited_as_an_integer(admin_client, agency):
    key = "hearing.fine_person"
    html = admin_client.get(reverse("org:policy_edit", args=[key])).content.decode()
    assert "取值（元）" in html and 'value="10000"' in html
    r = _post(admin_client, key=key, value="20000")
    assert r.status_code == 302
    assert value_of(key, agency, date(2026, 1, 1)) == 20000
    entry = {e["param"].key: e for e in admin_client.get(reverse("org:policies")).context["entries"]}[key]
    assert entry["history"][0]["value"] == "20000 元"
    r = _post(admin_client, key=key, value="0")
    assert r.status_code == 200 and "value" in r.context["form"].errors
    assert "1 到 1000000000" in r.context["form"].errors["value"][0]


def test_kinds_and_yuan_in_english(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    entries, html = _entries(admin_client)
    # the kinds keep the statute's Chinese names; the separator and the unit are translated
    assert entries[KEY]["current"] == "责令停产停业, 吊销许可证件, 责令关闭"
    assert entries["hearing.fine_person"]["current"] == "10000 yuan"
    assert entries["certificate.expiry_alert_days"]["current"] == "60 days"
    assert entries["hearing.fine_person"]["unit"] == "yuan"
    html = admin_client.get(reverse("org:policy_edit", args=[KEY])).content.decode()
    assert "Penalty types" in html and "Tick the penalty types" in html
