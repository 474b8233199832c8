"""The benchmark (裁量基准, 《行政处罚法》第三十四条) and 免罚清单 (第三十三条第一款) screens.

Everyone signed in reads them (a benchmark must be published; the 免罚清单 is public); the 法制审核人员
and 负责人 of an agency draft them; only the 负责人 publishes; a published benchmark is never edited.
Expected figures come from the platform default benchmark (law.md §3.3: 从轻 0–30%, 一般 30–70%,
从重 70–100%) and the seed catalog (WH-NET-004: 15000元以下罚款, 《互联网上网服务营业场所管理条例》第三十一条).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from zhifa.catalog import rules, services
from zhifa.catalog.models import Benchmark, EnforcementItem, ItemBenchmark, NoPenaltyEntry
from zhifa.law.discretion import DEFAULT_BENCHMARK, NO_PENALTY_CONDITIONS, benchmark_to_json
from zhifa.records.models import Event

LIST = reverse("catalog:benchmarks")
NEW = reverse("catalog:benchmark_new")
NP = reverse("catalog:no_penalty")
SHAPES = ("range", "max_only", "multiple")
DEFAULT_PCT = {"lighter": ("0", "30"), "general": ("30", "70"), "heavier": ("70", "100")}


def _detail(row):
    return reverse("catalog:benchmark", args=[row.pk])


@pytest.fixture
def login(client, verified_login, make_user, agency):
    def as_(*roles, at=None, **kw):
        user = make_user(at or agency, roles=roles, **kw)
        client.logout()
        verified_login(client, user)
        return user

    return as_


def _factor_data(prefix: str, factors: list[dict], extra: int = 3) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(factors) + extra), f"{prefix}-INITIAL_FORMS": str(len(factors)),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "40"}
    for i, f in enumerate(factors):
        basis = f.get("basis") or {}
        data[f"{prefix}-{i}-code"] = f["code"]
        data[f"{prefix}-{i}-label"] = f["label"]
        data[f"{prefix}-{i}-basis"] = (basis.get("source", "") + basis.get("article", "")) if basis else ""
        data[f"{prefix}-{i}-basis_note"] = basis.get("note", "") if basis else ""
        data[f"{prefix}-{i}-sources"] = "、".join(f.get("sources") or [])
        if f.get("ground"):
            data[f"{prefix}-{i}-ground"] = "on"
    return data


def form_data(bands: dict | None = None, **overrides) -> dict[str, str]:
    """A complete benchmark form: the platform default's bands, factors and parameters."""
    default = benchmark_to_json(DEFAULT_BENCHMARK)
    data = {"name": "测试县文化市场行政处罚裁量基准", "effective_from": "2026-01-01", "effective_to": "",
            "source": "测文旅〔2026〕1号", "mitigated_floor": "0", "mitigate_threshold": "2",
            "repeat_window_years": "2", "repeat_count": "1"}
    for shape in SHAPES:
        for outcome, (low, high) in {**DEFAULT_PCT, **(bands or {}).get(shape, {})}.items():
            data[f"band_{shape}_{outcome}_low"], data[f"band_{shape}_{outcome}_high"] = low, high
    data.update(_factor_data("aggravating", default["aggravating"]))
    data.update(_factor_data("mitigating", default["mitigating"]))
    data.update(overrides)
    return data


def _save(actor, agency, **kw):
    data = benchmark_to_json(DEFAULT_BENCHMARK)
    args = {"name": "测试基准", "effective_from": date(2026, 1, 1), "bands": data["bands"],
            "aggravating": data["aggravating"], "mitigating": data["mitigating"], "params": data["params"],
            "source": "测文旅〔2026〕1号"}
    args.update(kw)
    return services.save_benchmark(actor=actor, agency=agency, **args)


def _errors(response, field: str) -> list[str]:
    form = response.context["form"]
    return [str(e) for e in form.errors.get(field, [])]


# --- who may do what -------------------------------------------------------------------------------------------
def test_anonymous_goes_to_login(client, db):
    for url in (LIST, NEW, NP, reverse("catalog:benchmark", args=[1])):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("role, keeps", [
    ("officer", False), ("sysadmin", False), ("auditadmin", False), ("reviewer", True), ("head", True),
])
def test_read_for_all_drafting_for_reviewer_and_head(client, login, agency, role, keeps):
    login(role)
    assert client.get(LIST).status_code == 200
    assert client.get(NP).status_code == 200
    platform = Benchmark.objects.get(agency__isnull=True)
    assert client.get(_detail(platform)).status_code == 200
    assert client.get(NEW).status_code == (200 if keeps else 403)
    assert client.post(NEW, form_data()).status_code == (302 if keeps else 403)
    assert Benchmark.objects.filter(agency=agency).exists() == keeps
    html = client.get(LIST).content.decode()
    assert (f'href="{NEW}"' in html) == keeps
    r = client.post(NP, {"item": "WH-ENT-009"})
    assert r.status_code == (200 if keeps else 403)


def test_platform_superuser_without_agency_does_not_draft(client, verified_login, make_user):
    user = make_user(None, roles=(), is_superuser=True)
    verified_login(client, user)
    assert client.get(LIST).status_code == 200
    assert client.get(NEW).status_code == 403


def test_list_scope_and_what_applies_today(client, login, make_agency, make_user, domains):
    city = make_agency("测试市文化广电和旅游局")
    county = make_agency("测试县文化广电和旅游局", parent=city)
    other = make_agency("别县文化广电和旅游局")
    city_reviewer, city_head = make_user(city, roles=("reviewer",)), make_user(city, roles=("head",))
    city_published = _save(city_reviewer, city, name="市基准（已公开）", effective_from=date(2025, 1, 1))
    services.publish_benchmark(city_published, actor=city_head, on=date(2025, 1, 1))
    city_draft = _save(city_reviewer, city, name="市基准（草稿）")
    other_row = _save(make_user(other, roles=("reviewer",)), other, name="别县基准")
    login("officer", at=county)
    r = client.get(LIST)
    names = [row.name for row in r.context["rows"]]
    platform = Benchmark.objects.get(agency__isnull=True)
    assert platform.name in names and "市基准（已公开）" in names
    assert "市基准（草稿）" not in names and "别县基准" not in names  # a superior's draft is not public yet
    assert r.context["applies"] == city_published  # the nearest published benchmark above (第三十四条)
    assert "今日适用于本机关的裁量基准：市基准（已公开）" in r.content.decode()
    assert client.get(_detail(city_draft)).status_code == 404
    assert client.get(_detail(other_row)).status_code == 404
    assert client.get(reverse("catalog:benchmark", args=[10**20])).status_code == 404
    # the city's own people see its draft
    login("reviewer", at=city)
    assert "市基准（草稿）" in [row.name for row in client.get(LIST).context["rows"]]


# --- drafting ---------------------------------------------------------------------------------------------------
def test_reviewer_drafts_a_benchmark(client, login, agency):
    reviewer = login("reviewer")
    data = form_data(bands={"max_only": {"heavier": ("80", "100")}}, mitigated_floor="10", repeat_count="2")
    r = client.post(NEW, data)
    row = Benchmark.objects.get(agency=agency)
    assert r.status_code == 302 and r["Location"] == _detail(row)
    assert not row.published and row.name == "测试县文化市场行政处罚裁量基准"
    assert row.bands["max_only"]["heavier"] == {"low": "0.8", "high": "1"}
    assert row.bands["range"]["general"] == {"low": "0.3", "high": "0.7"}
    assert row.params == {"mitigated_floor": "0.1", "mitigate_threshold": 2, "repeat_window_years": 2,
                          "repeat_count": 2}
    # the factors round-trip: the default's citations, 减轻 grounds and source limits are kept
    default = benchmark_to_json(DEFAULT_BENCHMARK)
    assert row.aggravating == default["aggravating"] and row.mitigating == default["mitigating"]
    event = Event.objects.filter(action="catalog.benchmark_saved").latest("id")
    assert event.actor_id == reviewer.pk
    html = client.get(_detail(row)).content.decode()
    for text in ("80%–100%", "30%–70%", "未公开", "测文旅〔2026〕1号", "说明或者指认非法出版物来源，经查证属实",
                 "《出版管理条例》第六十九条", "出版管理条例", "10%"):
        assert text in html, text


def test_new_form_starts_from_what_applies_today(client, login):
    login("reviewer")
    r = client.get(NEW)
    form = r.context["form"]
    assert form.initial["band_max_only_heavier_low"] == "70" and form.initial["band_range_lighter_high"] == "30"
    agg = r.context["aggravating"]
    assert [f.initial["code"] for f in agg.forms[:len(agg.initial)]][:2] == ["content_security", "holiday_or_event"]
    assert len(agg.forms) == len(DEFAULT_BENCHMARK.aggravating) + 3  # three blank rows to add more
    html = r.content.decode()
    assert 'name="band_range_lighter_low"' in html and html.count('type="number"') >= 18 + 4


@pytest.mark.parametrize("overrides, field, message", [
    # 《行政处罚法》第三十四条 (discretion.benchmark_from_json): each band low ≤ high, in 0..100 %
    pytest.param(form_data(bands={"range": {"lighter": ("50", "30")}}), "band_range_lighter_high", "大于上限",
                 id="Art34-band-low-above-high"),
    pytest.param(form_data(bands={"multiple": {"general": ("30", "120")}}), "band_multiple_general_high",
                 "0 至 100", id="Art34-band-over-100"),
    pytest.param(form_data(band_max_only_general_low="abc"), "band_max_only_general_low", "0 至 100",
                 id="Art34-band-not-a-number"),
    pytest.param(form_data(mitigated_floor="100"), "mitigated_floor", "应小于 1", id="Art34-floor-below-minimum"),
    pytest.param(form_data(repeat_count="0"), "repeat_count", "1 至 99", id="Art34-repeat-count"),
    pytest.param(form_data(source=""), "source", "制定依据", id="Art34-source-required"),
    pytest.param(form_data(name=""), "name", "名称", id="name-required"),
    pytest.param(form_data(effective_from="2026-02-30"), "effective_from", "有效日期", id="date-invalid"),
    pytest.param(form_data(effective_to="2025-01-01"), "effective_to", "失效日期不得早于施行日期", id="dates-order"),
])
def test_refusals_named_by_field_nothing_saved_values_kept(client, login, agency, overrides, field, message):
    login("reviewer")
    r = client.post(NEW, overrides)
    assert r.status_code == 200
    errors = _errors(r, field)
    assert errors and any(message in e for e in errors), (field, r.context["form"].errors)
    assert not Benchmark.objects.filter(agency=agency).exists()
    html = r.content.decode()
    assert 'value="测文旅〔2026〕1号"' in html or overrides["source"] == ""
    assert "提交的内容有误" in html


def test_shape_not_rising_is_shown_on_its_row(client, login, agency):
    """第五条 过罚相当 / 第三十四条: 从轻 ≤ 一般 ≤ 从重."""
    login("reviewer")
    r = client.post(NEW, form_data(bands={"range": {"lighter": ("40", "50")}}))
    assert r.context["form"].band_errors["range"] and "递增" in r.context["form"].band_errors["range"][0]
    html = r.content.decode()
    row = html[html.index('id="band-table-range-errors"'):]  # the row under the shape's inputs
    assert "递增" in row[:row.index("</tr>")]
    assert not Benchmark.objects.filter(agency=agency).exists()


def test_factor_refusals_on_their_row(client, login, agency):
    login("reviewer")
    # a bad code in the second aggravating row
    r = client.post(NEW, form_data(**{"aggravating-1-code": "Holiday!"}))
    form = r.context["aggravating"].forms[1]
    assert "小写英文代码" in str(form.errors["code"])
    # a 减轻 ground without a basis (《行政处罚法》第三十二条第（五）项), added in a blank row
    n = len(DEFAULT_BENCHMARK.mitigating)
    r = client.post(NEW, form_data(**{f"mitigating-{n}-code": "local_rule", f"mitigating-{n}-label": "地方规定的情形",
                                      f"mitigating-{n}-ground": "on"}))
    form = r.context["mitigating"].forms[n]
    assert "须注明 basis" in str(form.errors["basis"])
    assert "地方规定的情形</textarea>" in r.content.decode()
    # a label without a code
    r = client.post(NEW, form_data(**{"aggravating-8-label": "无代码"}))
    assert "请填写情节代码" in str(r.context["aggravating"].forms[8].errors["code"])
    # the same code twice
    r = client.post(NEW, form_data(**{"aggravating-8-code": "repeat", "aggravating-8-label": "再犯"}))
    assert "重复" in str(r.context["aggravating"].forms[8].errors["code"])
    assert not Benchmark.objects.filter(agency=agency).exists()


def test_emptied_rows_remove_factors(client, login, agency):
    login("reviewer")
    data = form_data(**{"aggravating-0-code": "", "aggravating-0-label": "", "aggravating-0-basis": "",
                        "aggravating-0-basis_note": ""})
    assert client.post(NEW, data).status_code == 302
    codes = [f["code"] for f in Benchmark.objects.get(agency=agency).aggravating]
    assert "content_security" not in codes and len(codes) == len(DEFAULT_BENCHMARK.aggravating) - 1


def test_a_county_stays_within_the_city_bands(client, login, make_agency, make_user, domains):
    """国办发〔2022〕27号: a subordinate refines the superior's bands, never leaves them."""
    city = make_agency("测试市文化广电和旅游局")
    county = make_agency("测试县文化广电和旅游局", parent=city)
    services.publish_benchmark(_save(make_user(city, roles=("reviewer",)), city),
                               actor=make_user(city, roles=("head",)))
    login("reviewer", at=county)
    r = client.post(NEW, form_data(bands={"range": {"heavier": ("60", "100")}}))
    assert r.status_code == 200 and any("超出上级机关基准" in e for e in r.context["form"].band_errors["all"])
    assert "超出上级机关基准" in r.content.decode()
    assert not Benchmark.objects.filter(agency=county).exists()


def test_edit_a_draft_and_never_a_published_benchmark(client, login, agency, make_user):
    reviewer = login("reviewer")
    row = _save(reviewer, agency)
    edit = reverse("catalog:benchmark_edit", args=[row.pk])
    r = client.get(edit)
    assert r.status_code == 200 and r.context["form"].initial["name"] == "测试基准"
    assert client.post(edit, form_data(name="改名后的基准")).status_code == 302
    row.refresh_from_db()
    assert row.name == "改名后的基准"
    services.publish_benchmark(row, actor=make_user(agency, roles=("head",)))
    # GET: sent back to the benchmark with the reason
    r = client.get(edit, follow=True)
    assert r.redirect_chain[-1][0] == _detail(row)
    assert "已公开的裁量基准不得修改" in r.content.decode()
    assert f'href="{edit}"' not in r.content.decode()
    # POST (published meanwhile): the service refuses, shown on the form, nothing changed, values kept
    r = client.post(edit, form_data(name="再改名"))
    assert r.status_code == 200 and "已公开的裁量基准不得修改" in str(r.context["form"].non_field_errors())
    assert 'value="再改名"' in r.content.decode()
    row.refresh_from_db()
    assert row.name == "改名后的基准"


def test_edit_another_agencys_or_the_platform_row_is_refused(client, login, agency, make_agency, make_user):
    child = make_agency("下级机关", parent=agency)
    child_row = _save(make_user(child, roles=("reviewer",)), child)
    login("head")
    platform = Benchmark.objects.get(agency__isnull=True)
    for row in (platform, child_row):
        assert client.get(_detail(row)).status_code == 200
        assert client.get(reverse("catalog:benchmark_edit", args=[row.pk])).status_code == 403
        assert client.post(reverse("catalog:benchmark_publish", args=[row.pk])).status_code == 403
        assert client.post(reverse("catalog:benchmark_item", args=[row.pk]), {"item": "WH-NET-004"}).status_code == 403
    assert not Benchmark.objects.get(pk=child_row.pk).published


# --- publishing -------------------------------------------------------------------------------------------------
def test_only_the_head_publishes_then_the_calculator_uses_it(client, login, agency, make_user):
    reviewer = login("reviewer")
    client.post(NEW, form_data(bands={"max_only": {"heavier": ("80", "100")}}, effective_from="2026-01-01"))
    row = Benchmark.objects.get(agency=agency)
    publish = reverse("catalog:benchmark_publish", args=[row.pk])
    assert client.post(publish).status_code == 403  # the reviewer drafts; the head publishes
    assert f'action="{publish}"' not in client.get(_detail(row)).content.decode()
    assert rules.benchmark_row_for(agency).agency is None
    login("head")
    html = client.get(_detail(row)).content.decode()
    assert f'action="{publish}"' in html and "data-confirm=" in html
    r = client.post(publish, follow=True)
    row.refresh_from_db()
    assert row.published and row.published_on is not None
    assert "已公开" in r.content.decode()
    assert Event.objects.filter(action="catalog.benchmark_published", subject=f"benchmark:{row.pk}").exists()
    assert rules.benchmark_row_for(agency) == row
    # publishing twice: the service says so
    r = client.post(publish, follow=True)
    assert "该裁量基准已公开" in r.content.decode()
    # WH-NET-004 (15000元以下): 从重 is now 80–100% → 12000–15000 元
    r = client.post(reverse("catalog:item", args=["WH-NET-004"]),
                    {"party": "organisation", "harm": "ordinary", "mental_state": "normal",
                     "prior_penalties_in_window": "0", "aggravating": ["minors"]})
    assert r.context["result"]["recommended"] == "12000元–15000元"
    assert Event.objects.get(action="catalog.benchmark_saved", subject=f"benchmark:{row.pk}").actor_id == reviewer.pk


# --- copying ----------------------------------------------------------------------------------------------------
def test_copy_a_published_benchmark_with_its_item_bands(client, login, agency, make_user):
    reviewer = login("reviewer")
    row = _save(reviewer, agency, name="2026年版")
    services.save_item_benchmark(actor=reviewer, benchmark=row, item=EnforcementItem.objects.get(code="WH-NET-004"),
                                 bands={"max_only": {"lighter": {"low": "0", "high": "0.2"},
                                                     "general": {"low": "0.2", "high": "0.6"},
                                                     "heavier": {"low": "0.6", "high": "1"}}},
                                 conditions="从轻：接纳 1 人")
    services.publish_benchmark(row, actor=make_user(agency, roles=("head",)), on=date(2026, 1, 1))
    r = client.get(NEW, {"copy": str(row.pk)})
    form = r.context["form"]
    assert form.initial["name"] == "2026年版" and form.initial["copy_of"] == row.pk
    assert form.initial.get("effective_from") is None
    assert "1 项事项细化标准将一并复制" in r.content.decode()
    data = form_data(name="2027年版", effective_from="2027-01-01", copy_of=str(row.pk))
    assert client.post(NEW, data).status_code == 302
    new = Benchmark.objects.get(name="2027年版")
    assert not new.published and new.pk != row.pk
    ib = ItemBenchmark.objects.get(benchmark=new)
    assert ib.item.code == "WH-NET-004" and ib.conditions == "从轻：接纳 1 人"
    assert ib.bands["max_only"]["general"] == {"low": "0.2", "high": "0.6"}
    # a copy source the user may not see is refused
    r = client.post(NEW, form_data(name="x", copy_of=str(10**12)))
    assert r.status_code == 200 and "复制来源" in r.content.decode()


# --- an item's own bands --------------------------------------------------------------------------------------------
def _item_data(code="WH-NET-004", **kw):
    data = {"item": code, "conditions": "从重：接纳 3 名以上未成年人"}
    for outcome, (low, high) in {"lighter": ("0", "20"), "general": ("20", "60"), "heavier": ("60", "100")}.items():
        data[f"item_max_only_{outcome}_low"], data[f"item_max_only_{outcome}_high"] = low, high
    data.update(kw)
    return data


def test_item_bands_on_a_draft(client, login, agency, make_user):
    reviewer = login("reviewer")
    row = _save(reviewer, agency)
    url = reverse("catalog:benchmark_item", args=[row.pk])
    assert 'id="item-band-form"' in client.get(_detail(row)).content.decode()
    r = client.post(url, _item_data())
    assert r.status_code == 302 and r["Location"].endswith("#item-bands")
    ib = ItemBenchmark.objects.get(benchmark=row)
    assert set(ib.bands) == {"max_only"} and ib.bands["max_only"]["heavier"] == {"low": "0.6", "high": "1"}
    html = client.get(_detail(row)).content.decode()
    assert "WH-NET-004" in html and "60%–100%" in html and "接纳 3 名以上未成年人" in html
    # the form reopens with the item's values
    r = client.get(_detail(row), {"item": "WH-NET-004"})
    assert r.context["item_form"].initial["item_max_only_general_high"] == "60"
    # refusals on the field, nothing changed
    r = client.post(url, _item_data(item_max_only_lighter_low="30"))
    assert "大于上限" in str(r.context["item_form"].errors["item_max_only_lighter_high"])
    r = client.post(url, _item_data(item_range_general_low="10"))
    assert "整行留空" in str(r.context["item_form"].errors["item_range_lighter_low"])
    r = client.post(url, _item_data(item="WH-NOPE"))
    assert "没有编码为“WH-NOPE”的执法事项" in str(r.context["item_form"].errors["item"])
    assert ItemBenchmark.objects.get(benchmark=row).bands["max_only"]["heavier"] == {"low": "0.6", "high": "1"}
    # officers read, never write
    login("officer")
    assert client.post(url, _item_data()).status_code == 403
    assert 'id="item-band-form"' not in client.get(_detail(row)).content.decode()
    # published: no more changes
    services.publish_benchmark(row, actor=make_user(agency, roles=("head",)))
    login("reviewer")
    r = client.post(url, _item_data(conditions="改"), follow=True)
    assert "已公开的裁量基准不得修改" in r.content.decode()
    assert ItemBenchmark.objects.get(benchmark=row).conditions == "从重：接纳 3 名以上未成年人"


# --- 免罚清单 ------------------------------------------------------------------------------------------------------
def _np_data(**kw):
    data = {"item": "WH-ENT-009", "list_name": "本县首违不罚清单",
            "conditions": ["first_violation", "corrected_promptly"],
            "description": "从业人员未统一着装，首次被发现并当场改正", "source": "测文旅〔2026〕2号",
            "effective_from": "2026-01-01", "effective_to": ""}
    data.update(kw)
    return data


def test_no_penalty_list_groups_by_list_with_condition_labels(client, login):
    login("officer")
    r = client.get(NP)
    groups = r.context["groups"]
    sample = next(g for g in groups if "广东省" in g["name"])
    entry = sample["entries"][0]
    assert entry.item.code == "WH-NET-007"
    assert entry.condition_labels == [NO_PENALTY_CONDITIONS[c] for c in ("first_violation", "corrected_promptly",
                                                                           "no_harm")]
    html = r.content.decode()
    assert NO_PENALTY_CONDITIONS["first_violation"] in html and "first_violation" not in html
    assert reverse("catalog:item", args=["WH-NET-007"]) in html and "2022-08-15" in html
    # a 出处 that is a web address is a link shown by its host; the rest of it stays as text
    assert re.search(r'<a href="https://[^"]+" rel="noopener noreferrer" title="[^"]+">leonstrydom\.com</a>'
                     r"（2022-08-10印发", html)
    assert 'id="np-add"' not in html  # officers read only


def test_reviewer_adds_and_corrects_an_entry(client, login, agency, make_agency, make_user):
    login("reviewer")
    r = client.post(NP, _np_data())
    entry = NoPenaltyEntry.objects.get(agency=agency)
    assert r.status_code == 302 and r["Location"].endswith(f"#np-{entry.pk}")
    assert entry.conditions == ["first_violation", "corrected_promptly"] and entry.item.code == "WH-ENT-009"
    assert Event.objects.filter(action="catalog.no_penalty_saved").exists()
    html = client.get(NP).content.decode()
    assert "本县首违不罚清单" in html and reverse("catalog:no_penalty_edit", args=[entry.pk]) in html
    edit = reverse("catalog:no_penalty_edit", args=[entry.pk])
    r = client.get(edit)
    assert r.status_code == 200 and r.context["form"].initial["conditions"] == ["first_violation",
                                                                                 "corrected_promptly"]
    assert client.post(edit, _np_data(conditions=["first_violation", "no_harm"])).status_code == 302
    entry.refresh_from_db()
    assert entry.conditions == ["first_violation", "no_harm"]
    # the platform's sample line and another agency's are not this agency's to edit
    sample = NoPenaltyEntry.objects.get(agency__isnull=True)
    assert client.get(reverse("catalog:no_penalty_edit", args=[sample.pk])).status_code == 403
    other = make_agency("别县")
    theirs = services.save_no_penalty_entry(actor=make_user(other, roles=("reviewer",)), agency=other,
                                            item=EnforcementItem.objects.get(code="WH-ENT-009"), list_name="别县清单",
                                            conditions=["first_violation"], description="", source="别文旅〔2026〕1号",
                                            effective_from=date(2026, 1, 1))
    assert client.get(reverse("catalog:no_penalty_edit", args=[theirs.pk])).status_code == 404
    assert "别县清单" not in client.get(NP).content.decode()
    assert client.get(reverse("catalog:no_penalty_edit", args=[10**20])).status_code == 404


@pytest.mark.parametrize("overrides, field, message", [
    # 《行政处罚法》第三十三条第一款: a line names its conditions, its source and an item in use
    pytest.param({"conditions": []}, "conditions", "至少选择一项", id="Art33-conditions-required"),
    pytest.param({"conditions": ["lucky"]}, "conditions", "无法识别", id="Art33-condition-unknown"),
    pytest.param({"source": ""}, "source", "出处", id="Art33-source-required"),
    pytest.param({"item": "WH-NOPE"}, "item", "没有编码为", id="item-unknown"),
    pytest.param({"list_name": ""}, "list_name", "清单名称", id="list-name-required"),
    pytest.param({"effective_to": "2025-01-01"}, "effective_to", "失效日期不得早于施行日期", id="dates-order"),
    pytest.param({"effective_from": "2026-13-45"}, "effective_from", "有效日期", id="date-invalid"),
])
def test_no_penalty_refusals_named_by_field(client, login, agency, overrides, field, message):
    login("head")
    r = client.post(NP, _np_data(**overrides))
    assert r.status_code == 200
    assert any(message in e for e in _errors(r, field)), r.context["form"].errors
    assert not NoPenaltyEntry.objects.filter(agency=agency).exists()
    assert 'value="测文旅〔2026〕2号"' in r.content.decode() or field == "source"


def test_a_suspended_item_cannot_be_listed(client, login, agency):
    EnforcementItem.objects.filter(code="WH-ENT-009").update(status="suspended")
    login("reviewer")
    r = client.post(NP, _np_data())
    assert "不能列入免罚清单" in str(r.context["form"].errors["item"])


# --- links, language, garbage ---------------------------------------------------------------------------------------
def test_links_from_the_catalog(client, login):
    login("officer")
    html = client.get(reverse("catalog:items")).content.decode()
    assert f'href="{LIST}"' in html and f'href="{NP}"' in html
    html = client.get(reverse("catalog:item", args=["WH-NET-004"])).content.decode()
    section = html[html.index('id="benchmark"'):html.index('id="no-penalty"')]
    assert f'href="{LIST}"' in section and "查看/维护裁量基准" in section
    nav = client.get(reverse("home")).content.decode()
    nav = nav[nav.index("<nav"):nav.index("</nav>")]
    assert LIST not in nav and NP not in nav


def test_pages_render_in_english(client, login, agency, settings):
    reviewer = login("reviewer")
    row = _save(reviewer, agency)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (LIST, NEW, NP, _detail(row), reverse("catalog:benchmark_edit", args=[row.pk])):
        r = client.get(url)
        assert r.status_code == 200 and '<html lang="en">' in r.content.decode(), url


GARBAGE_VALUES = ["", "2026-13-45", "abc", "99999999999999999999", "\x00<script>", "丁" * 500, "-1", "1e999"]
GARBAGE_QUERY = {"copy": "\x00", "item": "丁" * 300, "page": "-3"}
OK = {200, 302, 400, 403, 404, 405}


def test_every_benchmark_page_survives_garbage(client, login, agency, make_user):
    reviewer = make_user(agency, roles=("reviewer",))
    draft = _save(reviewer, agency, name="草稿")
    published = _save(reviewer, agency, name="已公开")
    services.publish_benchmark(published, actor=make_user(agency, roles=("head",)))
    entry = services.save_no_penalty_entry(actor=reviewer, agency=agency,
                                           item=EnforcementItem.objects.get(code="WH-ENT-009"), list_name="本县清单",
                                           conditions=["first_violation"], description="", source="测文旅〔2026〕2号",
                                           effective_from=date(2026, 1, 1))
    pks = [str(draft.pk), str(published.pk), str(Benchmark.objects.get(agency__isnull=True).pk), str(10**20)]
    routes = ["catalog/benchmarks/", "catalog/benchmarks/new/", "catalog/no-penalty/"]
    routes += [f"catalog/benchmarks/{pk}/{tail}" for pk in pks for tail in ("", "edit/", "publish/", "items/")]
    routes += [f"catalog/no-penalty/{pk}/" for pk in (str(entry.pk), str(10**20))]
    before = {r.pk: (r.name, r.bands, r.params, r.aggravating) for r in Benchmark.objects.all()}
    checked = 0
    for role in ("officer", "reviewer", "head", "sysadmin"):
        login(role)
        for route in routes:
            url = "/" + route
            r = client.get(url, GARBAGE_QUERY)
            assert r.status_code in OK, (role, url, r.status_code)
            html = r.content.decode("utf-8", "replace") if r.status_code == 200 else ""
            fields = set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html))
            fields -= {"csrfmiddlewaretoken", "next", "language"}
            for value in GARBAGE_VALUES:
                data = dict.fromkeys(fields, value) or {"x": value}
                r = client.post(url, data)
                assert r.status_code in OK, (role, url, repr(value[:20]), r.status_code)
                checked += 1
    assert checked > 200
    # nothing garbled; the head's POST to "publish" publishes the draft (it takes no input), nothing else
    assert {r.pk: (r.name, r.bands, r.params, r.aggravating) for r in Benchmark.objects.all()} == before
    assert not ItemBenchmark.objects.exists()
    assert not Benchmark.objects.get(agency__isnull=True).published
    assert NoPenaltyEntry.objects.get(pk=entry.pk).list_name == "本县清单"
