"""Import and export of the catalog (JSON and Excel): a round trip gives the same catalog, importing never
edits an item silently (pending 权责清单 adjustments instead), and a bad file is refused with the sheet, row
and column named, saving nothing."""

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from zhifa.catalog import exchange
from zhifa.catalog.exchange import ExchangeError, export_data, export_json, export_xlsx, import_file, read_file
from zhifa.catalog.models import (
    Benchmark,
    EnforcementItem,
    ItemBenchmark,
    ItemChange,
    LegalSource,
    NoPenaltyEntry,
    Provision,
    ProvisionVersion,
)
from zhifa.catalog.services import approve_change, publish_benchmark, save_benchmark, save_no_penalty_entry
from zhifa.law.discretion import DEFAULT_BENCHMARK, benchmark_to_json
from zhifa.org.models import User
from zhifa.org.services import set_roles
from zhifa.records.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(agency, make_user):
    root = User.objects.create_superuser("root", "", "Root-Pass-7734!", full_name="平台管理员")
    set_roles(root, ["head"], actor=None)  # a platform operator who may also publish benchmarks
    return {"root": root, "reviewer": make_user(agency, roles=("reviewer",)),
            "head": make_user(agency, roles=("head",)), "officer": make_user(agency, roles=("officer",))}


@pytest.fixture
def local_data(people, agency):
    """An agency benchmark (published, with an item's own bands) and a 免罚清单 line, beside the seed."""
    data = benchmark_to_json(DEFAULT_BENCHMARK)
    row = save_benchmark(actor=people["reviewer"], agency=agency, name="测试县文化市场行政处罚裁量基准",
                         effective_from=date(2026, 1, 1), bands=data["bands"], aggravating=data["aggravating"],
                         mitigating=data["mitigating"], params=data["params"], source="测文旅〔2026〕1号")
    from zhifa.catalog.services import save_item_benchmark

    save_item_benchmark(actor=people["reviewer"], benchmark=row,
                        item=EnforcementItem.objects.get(code="WH-NET-003"),
                        bands={"max_only": {"lighter": ["0", "0.2"], "general": ["0.2", "0.5"],
                                            "heavier": ["0.5", "1"]}}, conditions="按累计被查处次数分档")
    publish_benchmark(row, actor=people["head"], on=date(2025, 12, 25))
    save_no_penalty_entry(actor=people["reviewer"], agency=agency, item=EnforcementItem.objects.get(code="WH-ENT-009"),
                          list_name="测试县首违不罚清单", conditions=["first_violation", "corrected_promptly"],
                          description="从业人员未统一着装", source="测文旅〔2026〕2号", effective_from=date(2026, 1, 1))


def _wipe():
    NoPenaltyEntry.objects.all().delete()
    ItemBenchmark.objects.all().delete()
    Benchmark.objects.all().delete()
    ItemChange.objects.all().delete()
    EnforcementItem.objects.all().delete()
    ProvisionVersion.objects.all().delete()
    Provision.objects.all().delete()
    LegalSource.objects.all().delete()


def _comparable(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    data.pop("exported_at")
    for item in data["items"]:
        item.pop("reviewed_on")
        item.pop("version")
    return data


def test_json_round_trip_into_a_fresh_catalog(people, local_data, tmp_path):
    before = export_data()
    assert len(before["items"]) == 61 and before["benchmarks"] and before["no_penalty"]
    path = tmp_path / "catalog.json"
    path.write_text(export_json(), encoding="utf-8")
    _wipe()

    report = import_file(path, user=people["root"])
    assert report.counts["create"] == 61
    assert EnforcementItem.objects.count() == 0  # nothing applied before approval
    assert ItemChange.objects.filter(status="pending", action="create").count() == 61
    for change in ItemChange.objects.filter(status="pending"):
        approve_change(change, actor=people["head"])
    second = import_file(path, user=people["root"])  # lines that needed the items, once they exist
    assert second.counts.get("no_penalty", 0) == len(before["no_penalty"])
    assert second.counts.get("create", 0) == 0 and second.counts["unchanged"] == 61

    assert _comparable(export_data()) == _comparable(before)


def test_excel_round_trip_changes_nothing(people, local_data, tmp_path):
    path = tmp_path / "catalog.xlsx"
    export_xlsx(path)
    wb = load_workbook(path)
    assert wb.sheetnames[1:] == [s.sheet for s in exchange.SECTIONS]
    assert [c.value for c in wb["执法事项"][1]][:3] == ["事项编码", "事项名称", "执法领域"]
    events = Event.objects.count()
    report = import_file(path, user=people["reviewer"])
    assert not report.changes and report.counts.get("unchanged") == 61
    assert not any(report.counts.get(k) for k in ("sources", "provisions", "versions", "benchmarks", "no_penalty")), \
        report.counts
    assert Event.objects.count() == events
    rows = read_file(path)
    data = export_data()
    assert [r.values["code"] for r in rows["items"]] == [i["code"] for i in data["items"]]
    first = rows["items"][0].values
    assert first["kinds"] == data["items"][0]["kinds"] and first["fine_rule"] == data["items"][0]["fine_rule"]


def test_a_changed_item_becomes_a_pending_change(people, tmp_path):
    data = export_data()
    item = next(i for i in data["items"] if i["code"] == "WH-NET-003")
    item["name"] = "超出规定营业时间营业"
    item["kinds"][0]["note"] = "给予警告（本省）"
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    report = import_file(path, user=people["reviewer"], reason="省清单2026年版")
    (change,) = report.changes
    assert change.action == "update" and set(change.diff) == {"name", "kinds"} and change.reason == "省清单2026年版"
    assert EnforcementItem.objects.get(code="WH-NET-003").name != "超出规定营业时间营业"
    approve_change(change, actor=people["head"])
    assert EnforcementItem.objects.get(code="WH-NET-003").name == "超出规定营业时间营业"


def test_status_difference_becomes_a_status_change(people, tmp_path):
    data = export_data()
    next(i for i in data["items"] if i["code"] == "WH-ART-003")["status"] = "suspended"
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (change,) = import_file(path, user=people["reviewer"]).changes
    assert change.action == "suspend" and change.status == "pending"


def test_dry_run_saves_nothing(people, tmp_path):
    data = export_data()
    data["items"][0]["name"] += "（改）"
    data["sources"].append({"name": "某省文化市场条例", "level": "local_regulation"})
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    events = Event.objects.count()
    report = import_file(path, user=people["reviewer"], dry_run=True)
    assert report.counts["update"] == 1 and report.counts["sources"] == 1 and "试运行" in report.summary()
    assert not ItemChange.objects.exists() and not LegalSource.objects.filter(name="某省文化市场条例").exists()
    assert Event.objects.count() == events


def test_only_those_who_may_propose_changes_import(people, tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(export_json(), encoding="utf-8")
    with pytest.raises(ExchangeError, match="没有提出权责清单调整的权限"):
        import_file(path, user=people["officer"])


# --- bad files: the place and the reason, nothing saved --------------------------------------------------------------
def _xlsx(tmp_path, sheet: str, edit) -> str:
    path = tmp_path / "catalog.xlsx"
    export_xlsx(path)
    wb = load_workbook(path)
    edit(wb[sheet])
    wb.save(path)
    return path


def _column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


@pytest.mark.parametrize("sheet, header, row, value, expected", [
    pytest.param("执法事项", "处罚种类", 5, "[{\"kind\": ", "工作表“执法事项”第 5 行“处罚种类”列：不是有效的 JSON",
                 id="json-cell"),
    pytest.param("执法事项", "处罚种类", 3, "[{\"kind\": \"拘留\", \"mode\": \"mandatory\"}]",
                 "工作表“执法事项”第 3 行“处罚种类”列：处罚种类：第 1 项", id="Art9-unknown-kind"),
    pytest.param("执法事项", "罚款规则", 4, "{\"type\": \"range\", \"min\": 9, \"max\": 1}",
                 "工作表“执法事项”第 4 行“罚款规则”列", id="fine-rule-order"),
    pytest.param("条款版本", "施行日期", 2, "2025-13-45", "工作表“条款版本”第 2 行“施行日期”列：应为日期",
                 id="bad-date"),
    pytest.param("法律依据", "效力层级", 2, "红头文件", "工作表“法律依据”第 2 行“效力层级”列：“红头文件”无法识别",
                 id="unknown-level"),
    pytest.param("执法事项", "执法领域", 6, "XYZ", "工作表“执法事项”第 6 行“执法领域”列：执法领域：没有代码为“XYZ”",
                 id="unknown-domain"),
    pytest.param("执法事项", "事项名称", 7, None, "工作表“执法事项”第 7 行“事项名称”列：不得为空", id="required"),
])
def test_bad_excel_cells(people, tmp_path, sheet, header, row, value, expected):
    def edit(ws):
        ws.cell(row=row, column=_column(ws, header)).value = value
        if sheet == "执法事项":  # make the row differ from the database, so it is checked
            ws.cell(row=row, column=_column(ws, "说明"), value="改动")

    path = _xlsx(tmp_path, sheet, edit)
    events = Event.objects.count()
    with pytest.raises(ExchangeError) as err:
        import_file(path, user=people["reviewer"])
    assert expected in err.value.message
    assert Event.objects.count() == events and not ItemChange.objects.exists()


def test_missing_column(people, tmp_path):
    path = _xlsx(tmp_path, "执法事项", lambda ws: setattr(ws.cell(row=1, column=1), "value", "编号"))
    with pytest.raises(ExchangeError, match="工作表“执法事项”缺少“事项编码”列"):
        import_file(path, user=people["reviewer"])


def test_normative_penalty_basis_is_refused_with_the_row(people, tmp_path):
    """《行政处罚法》第十六条: a 规范性文件 may not set a penalty — even through an import."""
    data = export_data()
    data["sources"].append({"name": "某市网吧管理通知", "level": "normative"})
    data["provisions"].append({"source": "某市网吧管理通知", "article": "第三条"})
    data["items"][1]["penalty_provisions"] = [{"source": "某市网吧管理通知", "article": "第三条"}]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ExchangeError) as err:
        import_file(path, user=people["reviewer"])
    assert "“items”（执法事项）第 2 条的 penalty_provisions（处罚依据）" in err.value.message
    assert "规范性文件不得设定行政处罚" in err.value.message
    assert not LegalSource.objects.filter(name="某市网吧管理通知").exists()  # atomic: the source is not kept


@pytest.mark.parametrize("text, expected", [
    ("{not json", "文件不是有效的 JSON"),
    ("[]", "不是执法事项目录交换文件"),
    ('{"items": [{"name": "x"}]}', "“items”（执法事项）第 1 条：缺少 code（事项编码）"),
    ('{"items": {}}', "应为列表"),
    ('{"format": "other", "items": []}', "不是 zhifa.catalog"),
])
def test_bad_json_files(people, tmp_path, text, expected):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExchangeError) as err:
        import_file(path, user=people["reviewer"])
    assert expected in err.value.message


def test_not_a_workbook(people, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ExchangeError, match="无法读取 Excel 文件"):
        import_file(path, user=people["reviewer"])


def test_a_published_benchmark_is_not_edited_by_import(people, local_data, tmp_path):
    data = export_data()
    bench = next(b for b in data["benchmarks"] if b["agency"])
    bench["source"] = "改过的依据"
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ExchangeError, match="已公开，不得修改"):
        import_file(path, user=people["reviewer"])


# --- the items' escalations (《娱乐场所管理条例》第五十三条第三款 …) travel with them ---------------------------------
def test_escalations_are_exported_and_read_back(people, tmp_path):
    data = export_data()
    ent = next(i for i in data["items"] if i["code"] == "WH-ENT-008")
    assert [e["code"] for e in ent["escalations"]] == ["ent_suspend_after_warnings_or_fines",
                                                       "ent_revoke_after_suspensions"]
    path = tmp_path / "catalog.xlsx"
    export_xlsx(path)
    rows = read_file(path)
    row = next(r for r in rows["items"] if r.values["code"] == "WH-ENT-008")
    assert row.values["escalations"] == ent["escalations"]


def test_a_changed_escalation_becomes_a_pending_change(people, tmp_path):
    data = export_data()
    item = next(i for i in data["items"] if i["code"] == "WH-PER-005")
    item["escalations"][0]["note"] = "本省口径：2年自处罚决定之日起算"
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (change,) = import_file(path, user=people["reviewer"]).changes
    assert set(change.diff) == {"escalations"}
    approve_change(change, actor=people["head"])
    assert EnforcementItem.objects.get(code="WH-PER-005").escalations[0]["note"] == "本省口径：2年自处罚决定之日起算"


def test_an_older_file_without_escalations_leaves_them(people, tmp_path):
    data = export_data()
    for item in data["items"]:
        item.pop("escalations")
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    report = import_file(path, user=people["reviewer"])
    assert not report.changes and report.counts["unchanged"] == 61


def test_a_bad_escalation_names_the_row_and_column(people, tmp_path):
    data = export_data()
    item = next(i for i in data["items"] if i["code"] == "WH-PER-005")
    item["escalations"][0]["prior_kind"] = "repeat"
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ExchangeError, match="escalations（法定升格处罚）：法定升格处罚：escalations") as err:
        import_file(path, user=people["reviewer"])
    assert "prior_kind" in err.value.message
    assert not ItemChange.objects.exists()
