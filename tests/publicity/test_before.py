"""The portal's pre-enforcement pages (事前公开, issue 7 §1) on the demo bureau: every page anonymous, Chinese,
cacheable and cookie-free under the strict CSP; officers with valid certificates only and nothing personal; the
权责清单 search against a plain substring filter; benchmarks published and in scope only; the procedure chart
without staff links; the party's deadlines read from zhifa.law. Real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from zhifa.catalog.models import Benchmark, EnforcementItem, ItemBenchmark, NoPenaltyEntry
from zhifa.law import clocks, surcharge
from zhifa.org.demo import AGENCY, PARENT_AGENCY
from zhifa.org.models import Agency, Certificate, User

pytestmark = pytest.mark.django_db

CODE = AGENCY["code"]
PAGES = ("agency", "officers", "items", "benchmarks", "no-penalty", "procedure", "guides", "supervision")


def _url(path: str = "", code: str = CODE) -> str:
    return f"/gs/{code}/{path}"


def _main(response) -> str:
    """The page's main content as text (tags dropped, entities decoded, white space collapsed)."""
    body = response.content.decode()
    main = re.search(r'<main id="main">(.*)</main>', body, re.S).group(1)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def _item_codes(response) -> set[str]:
    return set(re.findall(rf'href="/gs/{re.escape(CODE)}/items/([^/"]+)/"', response.content.decode()))


def _bands():
    row = Benchmark.objects.filter(agency__isnull=True).first()
    return row.bands


def _benchmark(agency, name, *, published=True, start=date(2024, 1, 1), end=None) -> Benchmark:
    return Benchmark.objects.create(agency=agency, name=name, effective_from=start, effective_to=end, bands=_bands(),
                                    aggravating=[{"code": "repeat", "label": "两年内再次违法"}],
                                    mitigating=[{"code": "first", "label": "初次违法且及时改正"}],
                                    published=published, published_on=start if published else None,
                                    source="测试依据")


def _check_public(response):
    assert response.status_code == 200
    assert response["Content-Language"].startswith("zh") or 'lang="zh' in response.content.decode()
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "no-store" not in cache_control and "private" not in cache_control
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert not response.cookies, f"a portal page set a cookie: {list(response.cookies)}"
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert "style=" not in body and "<script" not in body and "<style" not in body
    # every data cell of a stacking table carries its label for the phone layout
    for table in re.findall(r'<table class="stack[^"]*".*?</table>', body, re.S):
        tbody = re.search(r"<tbody>(.*?)</tbody>", table, re.S)
        for td in re.findall(r"<td[^>]*>", tbody.group(1) if tbody else ""):
            assert "data-label=" in td, td
        assert "<caption" in table or 'scope="col"' in table


# --- every page ------------------------------------------------------------------------------------------------
def test_every_page_is_public_chinese_cacheable_and_cookie_free(demo_loaded, client):
    parent = Agency.objects.get(code=PARENT_AGENCY["code"])
    bench = _benchmark(parent, "驻马店市文化市场行政处罚裁量基准")
    item = EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE).order_by("code").first()
    paths = [f"{p}/" for p in PAGES] + [f"items/{item.code}/", f"benchmarks/{bench.pk}/", "items/?q=许可",
                                        "items/?q=网", "items/?domain=NET"]
    for path in paths:
        response = client.get(_url(path))
        _check_public(response)
        assert "行政执法公示" in response.content.decode()
    assert client.get(_url("guides/")).wsgi_request.user.is_anonymous


def test_an_unknown_agency_is_404_on_every_page(demo_loaded, client):
    for path in [f"{p}/" for p in PAGES] + ["items/WH-NET-007/", "benchmarks/1/"]:
        assert client.get(_url(path, code="no-such-agency")).status_code == 404, path
    Agency.objects.filter(code=CODE).update(is_active=False)
    assert client.get(_url("agency/")).status_code == 404


def test_only_get(demo_loaded, client):
    assert client.post(_url("items/"), {"q": "许可"}).status_code == 405


# --- 执法主体 --------------------------------------------------------------------------------------------------------
def test_agency_page_shows_the_agency_its_units_and_duties(demo_loaded, client):
    Agency.objects.filter(code=CODE).update(phone="0396-8012345")
    text = _main(client.get(_url("agency/")))
    for value in (AGENCY["name"], AGENCY["brigade_name"], AGENCY["address"], PARENT_AGENCY["name"], "局队合一",
                  "0396-8012345", "12318", "执法一中队", "执法二中队", "法制股", "执法中队"):
        assert value in text, value
    body = client.get(_url("agency/")).content.decode()
    active = EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE)
    assert f'href="/gs/{CODE}/items/?domain=NET"' in body
    net = active.filter(domain__code="NET").count()
    assert re.search(rf'domain=NET">互联网上网服务</a></td>\s*<td class="num"[^>]*>{net}</td>', body)
    assert re.search(rf"合计</th><td[^>]*>{active.count()}</td>", body)


# --- 执法人员 -------------------------------------------------------------------------------------------------------
def test_officers_lists_valid_certificates_and_nothing_personal(demo_loaded, client):
    people = User.objects.filter(agency__code=CODE)
    for n, person in enumerate(people, start=1):  # the demo has no phones: give everyone one, to see none leaks
        User.objects.filter(pk=person.pk).update(phone=f"139{n:08d}")
    response = client.get(_url("officers/"))
    _check_public(response)
    text = _main(response)
    body = response.content.decode()
    today = timezone.localdate()
    valid = Certificate.objects.get(holder__username="zhifa01", valid_until__gte=today)
    assert "王德胜" in text and valid.number in text and f"{valid.valid_until:%Y-%m-%d}" in text
    assert "互联网上网服务" in text
    assert "孙明亮" in text  # 法制股: a reviewer who is also an officer
    old = Certificate.objects.get(holder__username="zhifa01", valid_until__lt=today)
    assert old.number not in text  # the replaced, expired certificate
    for username in ("zhifa04", "zhifa05"):  # expired; suspended (暂扣)
        person = User.objects.get(username=username)
        assert person.full_name not in text, username
        for cert in person.certificates.all():
            assert cert.number not in text
    for person in User.objects.filter(agency__code=CODE):
        assert person.phone and person.phone not in body
        if person.employee_no:
            assert person.employee_no not in body
        assert person.username not in body
    for word in ("电话", "工号", "身份证", "出生", "职务"):
        assert word not in text
    # 执法一中队 before 执法二中队; within a unit by name
    assert text.index("王德胜") < text.index("马卫东")
    assert text.index("法制股") < text.index("执法一中队") < text.index("执法二中队")


def test_a_revoked_or_newly_suspended_certificate_leaves_the_list(demo_loaded, client):
    from zhifa.org import services

    today = timezone.localdate()
    clerk = User.objects.get(username="neiqin")
    revoked = Certificate.objects.get(holder__username="zhifa06", valid_until__gte=today)
    suspended = Certificate.objects.get(holder__username="zhifa08", valid_until__gte=today)
    services.change_certificate_status(revoked, status="revoked", effective_on=today, reason="调离执法岗位",
                                       actor=clerk)
    services.change_certificate_status(suspended, status="suspended", effective_on=today, reason="测试暂扣",
                                       actor=clerk)
    later = Certificate.objects.get(holder__username="zhifa11", valid_until__gte=today)
    services.change_certificate_status(later, status="suspended", effective_on=today + timedelta(days=30),
                                       reason="下月起暂扣", actor=clerk)
    text = _main(client.get(_url("officers/")))
    assert revoked.number not in text and "高俊杰" not in text
    assert suspended.number not in text and "罗静" not in text
    assert later.number in text  # suspended only from next month: valid today
    User.objects.filter(username="zhifa01").update(is_active=False)  # a person who left
    assert "王德胜" not in _main(client.get(_url("officers/")))


def test_officers_page_reads_a_bounded_number_of_rows(demo_loaded, client, django_assert_max_num_queries):
    client.get(_url("officers/"))  # warm the per-process caches (policies, sessions)
    with django_assert_max_num_queries(12):
        client.get(_url("officers/"))


# --- 权责清单 -------------------------------------------------------------------------------------------------------
def _expected(q: str) -> set[str]:
    out = set()
    for item in EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE).select_related("domain"):
        texts = (item.code, item.name, item.domain.name, item.basis_violated_text, item.basis_penalty_text)
        if any(q.lower() in t.lower() for t in texts):
            out.add(item.code)
    return out


SEARCHES = ("许可", "营业", "演出", "旅行", "文物", "条例", "罚款", "NET", "net", "网吧", "证件")


def test_item_search_finds_exactly_the_items_containing_the_words(demo_loaded, client):
    """Two characters: the bigram index (publicity.search) finds exactly what a substring test finds."""
    found_any = 0
    for q in SEARCHES:
        expected = _expected(q)
        found_any += bool(expected)
        response = client.get(_url("items/"), {"q": q})
        assert response.status_code == 200
        assert _item_codes(response) == expected, q
        assert f"含“{q}”的事项 {len(expected)} 项" in _main(response)
    assert found_any >= len(SEARCHES) - 2  # the words were chosen to find something


def test_item_search_with_a_longer_query_and_a_domain(demo_loaded, client):
    q = "互联网上网服务营业场所"
    expected = _expected(q)
    assert expected
    assert _item_codes(client.get(_url("items/"), {"q": q})) == expected
    net = {c for c in expected if EnforcementItem.objects.get(code=c).domain.code == "NET"}
    assert _item_codes(client.get(_url("items/"), {"q": q, "domain": "NET"})) == net


def test_a_one_character_query_asks_for_two_and_lists_everything(demo_loaded, client):
    active = set(EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE).values_list("code", flat=True))
    for q in ("网", "网。", "  罚 "):
        response = client.get(_url("items/"), {"q": q})
        assert response.status_code == 200
        assert "请至少输入两个字" in _main(response)
        assert _item_codes(response) == active
    assert "请至少输入两个字" not in _main(client.get(_url("items/")))


def test_items_by_domain_and_an_unknown_domain(demo_loaded, client):
    active = EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE)
    response = client.get(_url("items/"), {"domain": "TRV"})
    assert _item_codes(response) == set(active.filter(domain__code="TRV").values_list("code", flat=True))
    assert "<h1>权责清单：旅游</h1>" in response.content.decode()
    response = client.get(_url("items/"), {"domain": "NOPE", "q": "x" * 500})
    assert response.status_code == 200
    assert "没有这个执法领域" in _main(response)
    assert _item_codes(client.get(_url("items/"), {"domain": "NOPE"})) == set(active.values_list("code", flat=True))


def test_the_list_shows_codes_names_categories_basis_and_kinds(demo_loaded, client):
    item = EnforcementItem.objects.get(code="WH-NET-007")
    text = _main(client.get(_url("items/"), {"domain": "NET"}))
    assert item.code in text and item.name in text and "行政处罚" in text and "互联网上网服务" in text
    assert item.basis_penalty_text[:20] in text
    assert "警告" in text and "罚款（可以并处）" in text


def test_inactive_items_are_not_listed_or_found(demo_loaded, client):
    item = EnforcementItem.objects.get(code="WH-NET-007")
    item.status = EnforcementItem.Status.SUSPENDED
    item.save()  # the search index follows (publicity.apps)
    assert item.code not in _item_codes(client.get(_url("items/")))
    assert item.code not in _item_codes(client.get(_url("items/"), {"q": "禁入标志"}))
    assert client.get(_url(f"items/{item.code}/")).status_code == 404


def test_items_page_reads_a_bounded_number_of_rows(demo_loaded, client, django_assert_max_num_queries):
    client.get(_url("items/"))
    with django_assert_max_num_queries(8):
        client.get(_url("items/"), {"q": "许可"})


# --- one item -------------------------------------------------------------------------------------------------------
def test_item_page_shows_basis_kinds_fine_and_no_penalty(demo_loaded, client):
    item = EnforcementItem.objects.get(code="WH-NET-007")
    response = client.get(_url(f"items/{item.code}/"))
    _check_public(response)
    text = _main(response)
    assert item.name in text and item.basis_violated_text in text and item.basis_penalty_text in text
    assert "《互联网上网服务营业场所管理条例》" in text and "第三十一条第（五）项" in text
    assert "处15000元以下罚款" in text  # the fine rule in words (catalog.views.present.rule_words)
    assert "警告" in text and "吊销许可证件" in text and "情节严重时" in text
    entry = NoPenaltyEntry.objects.get(item=item)
    assert entry.list_name in text and "初次违法" in text
    assert "尚无适用于本机关、现行有效且已公开的裁量基准" in text  # the demo has published none


def test_unknown_items_are_404(demo_loaded, client):
    for code in ("NOPE-001", "x" * 40, "WH-NET-007\x00"):
        assert client.get(_url(f"items/{code}/")).status_code == 404, code


# --- 裁量基准 -------------------------------------------------------------------------------------------------------
def test_benchmarks_published_in_scope_only(demo_loaded, client, make_agency):
    parent = Agency.objects.get(code=PARENT_AGENCY["code"])
    own = Agency.objects.get(code=CODE)
    other = make_agency("另一县文化广电和旅游局")
    city = _benchmark(parent, "驻马店市裁量基准")
    county = _benchmark(own, "平舆县裁量基准", start=timezone.localdate() - timedelta(days=10))
    future = _benchmark(own, "平舆县裁量基准（修订）", start=timezone.localdate() + timedelta(days=30))
    draft = _benchmark(own, "平舆县裁量基准（草稿）", published=False)
    foreign = _benchmark(other, "另一县裁量基准")
    ended = _benchmark(own, "平舆县旧裁量基准", start=date(2022, 1, 1), end=date(2023, 12, 31))
    item = EnforcementItem.objects.get(code="WH-NET-007")
    ItemBenchmark.objects.create(benchmark=county, item=item, bands={}, conditions="首次发现、及时整改的，从轻")
    ItemBenchmark.objects.create(benchmark=city, item=item, bands={}, conditions="市级细化：情节一般的")
    ItemBenchmark.objects.create(benchmark=draft, item=item, bands={}, conditions="草稿中的情形")

    response = client.get(_url("benchmarks/"))
    _check_public(response)
    text = _main(response)
    for row in (city, county, future):
        assert row.name in text
    for row in (draft, foreign, ended):
        assert row.name not in text
    assert "今日适用： 平舆县裁量基准 " in text  # the nearest published one in force (rules.benchmark_row_for)

    for row in (city, county, future, ended):
        assert client.get(_url(f"benchmarks/{row.pk}/")).status_code == 200
    for row in (draft, foreign):
        assert client.get(_url(f"benchmarks/{row.pk}/")).status_code == 404
    assert client.get(_url(f"benchmarks/{2**63}/")).status_code == 404
    assert client.get(_url(f"benchmarks/{county.pk}/", code=other.code)).status_code == 404

    detail = client.get(_url(f"benchmarks/{county.pk}/"))
    _check_public(detail)
    text = _main(detail)
    assert "今日适用于本机关" in text and "两年内再次违法" in text and "初次违法且及时改正" in text
    assert "从轻处罚" in text and "0%–30%" in text and item.code in text and "首次发现、及时整改的，从轻" in text
    assert "已失效" in _main(client.get(_url(f"benchmarks/{ended.pk}/")))

    text = _main(client.get(_url(f"items/{item.code}/")))
    assert "今日适用的裁量基准： 平舆县裁量基准" in text
    assert "首次发现、及时整改的，从轻" in text and "市级细化：情节一般的" in text
    assert "草稿中的情形" not in text and foreign.name not in text
    assert "0元–4500元" in text  # 从轻 0–30% of the 15000元 maximum, for this item


# --- 免罚清单 -------------------------------------------------------------------------------------------------------
def test_no_penalty_lists_in_force_for_the_agency(demo_loaded, client, make_agency):
    own = Agency.objects.get(code=CODE)
    other = make_agency("另一县文化广电和旅游局")
    item = EnforcementItem.objects.get(code="WH-ENT-001") if EnforcementItem.objects.filter(
        code="WH-ENT-001").exists() else EnforcementItem.objects.exclude(code="WH-NET-007").first()
    today = timezone.localdate()
    NoPenaltyEntry.objects.create(agency=own, item=item, list_name="平舆县首违不罚清单", conditions=["first_violation"],
                                  description="本县情形", source="平文旅〔2026〕1号", effective_from=today)
    NoPenaltyEntry.objects.create(agency=other, item=item, list_name="另一县清单", conditions=["first_violation"],
                                  effective_from=today)
    NoPenaltyEntry.objects.create(agency=own, item=item, list_name="已失效的清单", conditions=["first_violation"],
                                  effective_from=date(2020, 1, 1), effective_to=date(2021, 1, 1))
    NoPenaltyEntry.objects.create(agency=own, item=item, list_name="明年的清单", conditions=["first_violation"],
                                  effective_from=today + timedelta(days=400))
    response = client.get(_url("no-penalty/"))
    _check_public(response)
    text = _main(response)
    demo = NoPenaltyEntry.objects.get(item__code="WH-NET-007")
    assert demo.list_name in text and "WH-NET-007" in text and "初次违法（首次被发现）" in text
    assert "平舆县首违不罚清单" in text and item.code in text and "平文旅〔2026〕1号" in text and "本县情形" in text
    for absent in ("另一县清单", "已失效的清单", "明年的清单"):
        assert absent not in text
    assert "第三十三条" in text


# --- 执法流程 -------------------------------------------------------------------------------------------------------
def test_procedure_chart_is_inline_without_staff_links(demo_loaded, client):
    from zhifa.law import procedure as proc

    response = client.get(_url("procedure/"))
    _check_public(response)
    body = response.content.decode()
    assert body.count("<svg") == len(proc.Procedure)
    assert "/cases/" not in body
    for svg in re.findall(r"<svg.*?</svg>", body, re.S):
        assert "<a " not in svg and "href" not in svg.replace('marker-end="url(#', "")
    text = _main(response)
    for label in proc.PROCEDURE_LABELS.values():
        assert label in text
    assert "事先告知" in text and "第四十四条" in text  # a step and its article, from the procedure table


# --- 服务指南 -------------------------------------------------------------------------------------------------------
def test_guides_state_the_rights_deadlines_and_articles(demo_loaded, client):
    response = client.get(_url("guides/"))
    _check_public(response)
    text = _main(response)
    c = clocks.CLOCKS
    assert f"告知后 {c['hearing_request'].length}个工作日内" in text
    assert f"之日起 {c['payment'].length}日内" in text
    assert f"每日按罚款数额的 {int(surcharge.RATE * 100)}% 加处罚款" in text
    assert f"{c['reconsideration'].length}日内申请行政复议" in text
    assert f"{c['litigation'].length}个月内直接向人民法院提起行政诉讼" in text
    assert "5 个工作日内向本机关提出陈述、申辩" in text  # policy case.statement_days (default)
    for article in ("第四十五条", "第六十四条第一项", "第六十七条", "第七十二条第一款第一项", "第六十六条",
                    "《中华人民共和国行政复议法》第二十条", "《中华人民共和国行政诉讼法》第四十六条"):
        assert article in text, article
    # from the agency's policy documents.particulars (the demo's values)
    assert "平舆县人民政府" in text and "平舆县人民法院" in text and "中国农业银行平舆县支行" in text
    assert "对公民 10000元 以上" in text  # policy hearing.fine_person
    assert "对公民处以 200元 以下、对法人或者其他组织处以 3000元 以下罚款" in text  # 第五十一条 (penalties)


def test_guides_follow_the_agencys_policy(demo_loaded, client):
    from zhifa.catalog.models import PolicyValue

    own = Agency.objects.get(code=CODE)
    PolicyValue.objects.create(key="case.statement_days", agency=own, value=7, effective_from=date(2020, 1, 1))
    PolicyValue.objects.filter(key="documents.particulars", agency=own).delete()
    text = _main(client.get(_url("guides/")))
    assert "7 个工作日内向本机关提出陈述、申辩" in text
    assert "以《行政处罚决定书》载明的为准" in text


# --- 监督渠道 -------------------------------------------------------------------------------------------------------
def test_supervision_channels(demo_loaded, client):
    response = client.get(_url("supervision/"))
    _check_public(response)
    text = _main(response)
    body = response.content.decode()
    assert "12318" in text and 'href="tel:12318"' in body
    assert AGENCY["address"] in text and "信函" in text and "当面" in text
    assert "<form" not in body.split('<main id="main">')[1]
    assert f'href="/gs/{CODE}/guides/#reconsideration"' in body
    assert "平舆县人民政府" in text and PARENT_AGENCY["name"] in text
    Agency.objects.filter(code=CODE).update(supervision_phone="0396-12318", phone="0396-8012345")
    text = _main(client.get(_url("supervision/")))
    assert "0396-12318" in text and "0396-8012345" in text


# --- garbage --------------------------------------------------------------------------------------------------------
GARBAGE = ("", "\x00<script>", "丁" * 500, "'; DROP TABLE x; --", "a\"b<c>", "2026-13-45")


def test_garbage_in_the_query_string_never_breaks_a_page(demo_loaded, client):
    for value in GARBAGE:
        for path in [f"{p}/" for p in PAGES] + ["items/WH-NET-007/"]:
            response = client.get(_url(path), {"q": value, "domain": value, "page": value})
            assert response.status_code == 200, (path, value[:10])
            assert "<script>" not in response.content.decode()
        for code in (value or "x", "%00", "..", "WH-NET-007'"):
            assert client.get(_url(f"items/{code}/")).status_code == 404, code
