"""Export and import the catalog as JSON or Excel (issue 3, part 3).

One flat shape for both formats — sections of rows, each row a dict of named fields:

=================  =============  ==========================================================
section            Excel sheet    rows
=================  =============  ==========================================================
domains            执法领域        code, name, sort
sources            法律依据        name, level, issuer, doc_number, note
provisions         条款            source, article, note
versions           条款版本        source, article, label, effective_from … fine_rule, verified
items              执法事项        code, name, domain, status, violated, penalty_provisions … escalations
benchmarks         裁量基准        agency (code, empty = platform), name, effective_from, bands …
item_benchmarks    事项裁量标准    agency, benchmark (name), effective_from, item, bands, conditions
no_penalty         免罚清单        agency, item, list_name, conditions, effective_from …
=================  =============  ==========================================================

Excel has Chinese headers (the first row); structured fields (provisions, kinds, fine rules,
escalations, bands) are JSON in their cell. A file without the 法定升格处罚 column (an older export) leaves
the items' escalations as they are.

Importing never edits the 权责清单 silently: an item that is new becomes a pending "create"
:class:`~zhifa.catalog.models.ItemChange`, an item that differs a pending "update" (or a status
change), proposed by the importing user; someone else approves them. Domains, sources, provisions,
versions, benchmarks and 免罚清单 lines are saved directly, each recorded. The import is atomic: a bad
row stops it with a Chinese message naming the sheet (or section), the row and the column, and
nothing is saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.law.errors import RuleViolation

from . import services
from .models import (
    Benchmark,
    Domain,
    EnforcementItem,
    ItemBenchmark,
    ItemChange,
    LegalSource,
    NoPenaltyEntry,
    Provision,
    ProvisionVersion,
)
from .rules import benchmark_fields, provision_key

FORMAT = "zhifa.catalog"
FORMAT_VERSION = 1

LEVEL_LABELS = dict(LegalSource.Level.choices)
CATEGORY_LABELS = dict(EnforcementItem.Category.choices)
STATUS_LABELS = dict(EnforcementItem.Status.choices)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    type: str = "text"  # text | int | date | bool | json | level | category | status
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class Section:
    key: str
    sheet: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field == name), None)


SECTIONS: tuple[Section, ...] = (
    Section("domains", "执法领域", (
        Column("code", "代码", required=True), Column("name", "名称", required=True), Column("sort", "排序", "int"))),
    Section("sources", "法律依据", (
        Column("name", "名称", required=True), Column("level", "效力层级", "level", required=True),
        Column("issuer", "制定机关"), Column("doc_number", "文号"), Column("note", "说明"))),
    Section("provisions", "条款", (
        Column("source", "法律依据", required=True), Column("article", "条款", required=True),
        Column("note", "说明"))),
    Section("versions", "条款版本", (
        Column("source", "法律依据", required=True), Column("article", "条款", required=True),
        Column("label", "版本", required=True), Column("effective_from", "施行日期", "date", required=True),
        Column("effective_to", "失效日期", "date"), Column("summary", "内容摘要"),
        Column("is_offence", "规定为违法行为", "bool", default=True), Column("kinds", "处罚种类", "json", default=[]),
        Column("fine_rule", "罚款规则", "json"), Column("verified", "已核对原文", "bool", default=False),
        Column("source_ref", "出处"))),
    Section("items", "执法事项", (
        Column("code", "事项编码", required=True), Column("name", "事项名称", required=True),
        Column("domain", "执法领域", required=True), Column("category", "类别", "category"),
        Column("status", "状态", "status"), Column("violated", "违反条款", "json", default=[]),
        Column("penalty_provisions", "处罚依据", "json", default=[]),
        Column("basis_violated_text", "违反条款（原文表述）"), Column("basis_penalty_text", "处罚依据（原文表述）"),
        Column("kinds", "处罚种类", "json", default=[]), Column("fine_rule", "罚款规则", "json"),
        Column("escalations", "法定升格处罚", "json", default=[]),
        Column("measures", "措施", "json", default=[]), Column("authority", "实施主体"),
        Column("verified", "金额与条号已核对", "bool", default=False), Column("notes", "说明"),
        Column("source", "资料来源"), Column("reviewed_on", "最近审查日期", "date"),
        Column("version", "版本号", "int"))),
    Section("benchmarks", "裁量基准", (
        Column("agency", "适用机关代码"), Column("name", "名称", required=True),
        Column("effective_from", "施行日期", "date", required=True), Column("effective_to", "失效日期", "date"),
        Column("bands", "裁量档次", "json", required=True), Column("aggravating", "从重情节", "json", default=[]),
        Column("mitigating", "从轻、减轻情节", "json", default=[]), Column("params", "其他参数", "json", default={}),
        Column("source", "制定依据"), Column("published", "已公开", "bool", default=False),
        Column("published_on", "公开日期", "date"))),
    Section("item_benchmarks", "事项裁量标准", (
        Column("agency", "适用机关代码"), Column("benchmark", "裁量基准名称", required=True),
        Column("effective_from", "施行日期", "date", required=True), Column("item", "事项编码", required=True),
        Column("bands", "裁量档次", "json", default={}), Column("conditions", "适用条件"))),
    Section("no_penalty", "免罚清单", (
        Column("agency", "适用机关代码"), Column("item", "事项编码", required=True),
        Column("list_name", "清单名称", required=True), Column("conditions", "适用条件", "json", required=True),
        Column("description", "情形描述"), Column("source", "出处"),
        Column("effective_from", "施行日期", "date", required=True), Column("effective_to", "失效日期", "date"))),
)
SECTION = {s.key: s for s in SECTIONS}
ITEM_EXCHANGED = [c.field for c in SECTION["items"].columns
                  if c.field in services.ITEM_FIELDS]  # responsible_unit is local to a database: not exchanged


VERSION_DEFAULTS = {"label": "", "effective_to": None, "summary": "", "is_offence": True, "kinds": [],
                    "fine_rule": None, "verified": False, "source_ref": ""}


class ExchangeError(Exception):
    """A bad file: the message names where (sheet or section, row, column) and what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- export ------------------------------------------------------------------------------------------
def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def export_data() -> dict[str, Any]:
    """The whole catalog in the exchange shape (dates as ISO strings, JSON-ready)."""
    out: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION,
                           "exported_at": timezone.now().isoformat(timespec="seconds")}
    out["domains"] = [{"code": d.code, "name": d.name, "sort": d.sort} for d in Domain.objects.order_by("sort", "code")]
    out["sources"] = [{"name": s.name, "level": s.level, "issuer": s.issuer, "doc_number": s.doc_number,
                       "note": s.note} for s in LegalSource.objects.order_by("name")]
    provisions = sorted(Provision.objects.select_related("source"), key=provision_key)
    out["provisions"] = [{"source": p.source.name, "article": p.article, "note": p.note} for p in provisions]
    versions = sorted(ProvisionVersion.objects.select_related("provision__source"),
                      key=lambda v: (provision_key(v.provision), v.effective_from))
    out["versions"] = [{"source": v.provision.source.name, "article": v.provision.article, "label": v.label,
                        "effective_from": _iso(v.effective_from), "effective_to": _iso(v.effective_to),
                        "summary": v.summary, "is_offence": v.is_offence, "kinds": v.kinds, "fine_rule": v.fine_rule,
                        "verified": v.verified, "source_ref": v.source_ref} for v in versions]
    items = []
    for item in EnforcementItem.objects.select_related("domain").order_by("code"):
        values = services.item_values(item)
        items.append({"code": item.code, **{f: values[f] for f in ITEM_EXCHANGED}, "status": item.status,
                      "reviewed_on": _iso(item.reviewed_on), "version": item.version})
    out["items"] = items
    benchmarks, item_benchmarks = [], []
    for b in Benchmark.objects.select_related("agency").order_by("agency__code", "effective_from", "name", "id"):
        agency = b.agency.code if b.agency_id else None
        benchmarks.append({"agency": agency, "name": b.name, "effective_from": _iso(b.effective_from),
                           "effective_to": _iso(b.effective_to), "bands": b.bands, "aggravating": b.aggravating,
                           "mitigating": b.mitigating, "params": b.params, "source": b.source,
                           "published": b.published, "published_on": _iso(b.published_on)})
        for ib in b.items.select_related("item").order_by("item__code"):
            item_benchmarks.append({"agency": agency, "benchmark": b.name, "effective_from": _iso(b.effective_from),
                                    "item": ib.item.code, "bands": ib.bands, "conditions": ib.conditions})
    out["benchmarks"], out["item_benchmarks"] = benchmarks, item_benchmarks
    out["no_penalty"] = [
        {"agency": e.agency.code if e.agency_id else None, "item": e.item.code, "list_name": e.list_name,
         "conditions": e.conditions, "description": e.description, "source": e.source,
         "effective_from": _iso(e.effective_from), "effective_to": _iso(e.effective_to)}
        for e in NoPenaltyEntry.objects.select_related("agency", "item").order_by(
            "agency__code", "list_name", "item__code", "effective_from")]
    return out


def export_json() -> str:
    return json.dumps(export_data(), ensure_ascii=False, indent=2)


def _cell(column: Column, value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    if column.type == "json":
        return json.dumps(value, ensure_ascii=False)
    if column.type == "date":
        return date.fromisoformat(value)
    if column.type == "bool":
        return "是" if value else "否"
    if column.type == "level":
        return LEVEL_LABELS.get(value, value)
    if column.type == "category":
        return CATEGORY_LABELS.get(value, value)
    if column.type == "status":
        return STATUS_LABELS.get(value, value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def export_xlsx(path: str | Path) -> None:
    """Write the catalog to an Excel workbook: a 说明 sheet, then one sheet per section."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    data = export_data()
    wb = Workbook()
    about = wb.active
    about.title = "说明"
    about.append(["zhifa 执法事项目录交换文件", FORMAT, FORMAT_VERSION, data["exported_at"]])
    about.append(["每个工作表第一行为列名；“违反条款”“处罚依据”“处罚种类”“罚款规则”“裁量档次”等列为 JSON。"])
    about.append(["导入时执法事项的新增和调整作为待审批的权责清单调整提出，经他人审批后生效。"])
    for section in SECTIONS:
        ws = wb.create_sheet(section.sheet)
        ws.append([c.header for c in section.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in data[section.key]:
            ws.append([_cell(c, row.get(c.field)) for c in section.columns])
        for i, c in enumerate(section.columns, 1):
            width = 40 if c.type == "json" else max(12, len(c.header) * 2 + 4)
            ws.column_dimensions[get_column_letter(i)].width = width
            if c.type == "date":
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
    wb.save(path)


# --- reading a file ------------------------------------------------------------------------------------
@dataclass
class Row:
    section: Section
    where: str  # "工作表“执法事项”第 5 行" / "items 第 3 条"
    values: dict[str, Any]
    excel: bool = False

    def at(self, field_name: str | None) -> str:
        column = self.section.column(field_name) if field_name else None
        if column is None:
            return self.where
        return f"{self.where}“{column.header}”列" if self.excel else f"{self.where}的 {column.field}（{column.header}）"


def _convert(column: Column, value: Any, at: str) -> Any:
    if isinstance(value, str) and column.type != "text":
        value = value.strip()
        if value == "":
            value = None
    if value is None:
        return "" if column.type == "text" and column.default is None else column.default
    try:
        if column.type == "text":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip()
        if column.type == "int":
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float) and value.is_integer():
                return int(value)
            return int(str(value))
        if column.type == "date":
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            return date.fromisoformat(str(value))
        if column.type == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"是", "true", "1", "yes", "y"}:
                return True
            if text in {"否", "false", "0", "no", "n"}:
                return False
            raise ExchangeError(f"{at}：应为“是”或“否”")
        if column.type == "json":
            if isinstance(value, (list, dict)):
                return value
            try:
                return json.loads(str(value))
            except ValueError as err:
                raise ExchangeError(f"{at}：不是有效的 JSON（第 {err.colno} 个字符附近）") from None
        labels = {"level": LEVEL_LABELS, "category": CATEGORY_LABELS, "status": STATUS_LABELS}[column.type]
        text = str(value).strip()
        if text in labels:
            return text
        code = next((k for k, v in labels.items() if v == text), None)
        if code is None:
            raise ExchangeError(f"{at}：“{text}”无法识别，可用：{'、'.join(labels.values())}")
        return code
    except ExchangeError:
        raise
    except (ValueError, TypeError):
        what = {"int": "整数", "date": "日期（YYYY-MM-DD）"}.get(column.type, "有效取值")
        raise ExchangeError(f"{at}：应为{what}，实际为“{value}”") from None


def _row(section: Section, where: str, raw: dict[str, Any], *, excel: bool) -> Row:
    row = Row(section, where, {}, excel)
    for column in section.columns:
        if column.field not in raw:
            continue
        value = _convert(column, raw[column.field], row.at(column.field))
        if column.required and value in (None, ""):
            raise ExchangeError(f"{row.at(column.field)}：不得为空")
        row.values[column.field] = value
    return row


def read_json(text: str) -> dict[str, list[Row]]:
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ExchangeError(f"文件不是有效的 JSON：第 {err.lineno} 行第 {err.colno} 列") from None
    if not isinstance(data, dict) or not any(s.key in data for s in SECTIONS):
        raise ExchangeError("文件不是执法事项目录交换文件：缺少 items、sources 等部分")
    if data.get("format") not in (None, FORMAT):
        raise ExchangeError(f"文件格式“{data.get('format')}”不是 {FORMAT}")
    out: dict[str, list[Row]] = {}
    for section in SECTIONS:
        rows = data.get(section.key, [])
        if not isinstance(rows, list):
            raise ExchangeError(f"“{section.key}”（{section.sheet}）应为列表")
        out[section.key] = []
        for i, raw in enumerate(rows, 1):
            where = f"“{section.key}”（{section.sheet}）第 {i} 条"
            if not isinstance(raw, dict):
                raise ExchangeError(f"{where}：应为对象")
            missing = [c for c in section.columns if c.required and c.field not in raw]
            if missing:
                raise ExchangeError(f"{where}：缺少 {missing[0].field}（{missing[0].header}）")
            out[section.key].append(_row(section, where, raw, excel=False))
    return out


def read_xlsx(path: str | Path) -> dict[str, list[Row]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:
        raise ExchangeError(f"无法读取 Excel 文件：{err.__class__.__name__}") from None
    if not any(s.sheet in wb.sheetnames for s in SECTIONS):
        raise ExchangeError("Excel 文件不是执法事项目录交换文件：没有“执法事项”“法律依据”等工作表")
    out: dict[str, list[Row]] = {}
    try:
        for section in SECTIONS:
            out[section.key] = []
            if section.sheet not in wb.sheetnames:
                continue
            rows = wb[section.sheet].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            by_header = {c.header: c for c in section.columns}
            missing = [c.header for c in section.columns if c.required and c.header not in header]
            if missing:
                raise ExchangeError(f"工作表“{section.sheet}”缺少“{missing[0]}”列")
            for n, values in enumerate(rows, 2):
                if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                raw = {by_header[h].field: v for h, v in zip(header, values, strict=False) if h in by_header}
                out[section.key].append(_row(section, f"工作表“{section.sheet}”第 {n} 行", raw, excel=True))
    finally:
        wb.close()
    return out


def read_file(path: str | Path) -> dict[str, list[Row]]:
    """Read an exchange file: ``.xlsx`` as Excel, anything else as JSON."""
    path = Path(path)
    if not path.exists():
        raise ExchangeError(f"文件不存在：{path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ExchangeError("文件不是 UTF-8 编码的 JSON，也不是 .xlsx 工作簿") from None
    return read_json(text)


# --- import ------------------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=dict)
    changes: list[ItemChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def summary(self) -> str:
        c = self.counts.get
        text = (f"执法领域新增 {c('domains', 0)} 个；法律依据新增或更新 {c('sources', 0)} 部、"
                f"条款 {c('provisions', 0)} 条、"
                f"条款版本 {c('versions', 0)} 个；执法事项：提出新增 {c('create', 0)} 项、调整 {c('update', 0)} 项、"
                f"状态调整 {c('status', 0)} 项（均待审批），未变化 {c('unchanged', 0)} 项；"
                f"裁量基准保存 {c('benchmarks', 0)} 个、公开 {c('published', 0)} 个、"
                f"事项裁量标准 {c('item_benchmarks', 0)} 条；"
                f"免罚清单 {c('no_penalty', 0)} 条。")
        if self.dry_run:
            text += "（试运行：以上均未保存）"
        return text


def _fail(row: Row, err: RuleViolation) -> ExchangeError:
    return ExchangeError(f"{row.at(err.field)}：{err.message}")


def _agency(row: Row):
    from zhifa.org.models import Agency

    code = row.values.get("agency") or None
    if code is None:
        return None
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ExchangeError(f"{row.at('agency')}：没有代码为“{code}”的机关")
    return agency


def import_file(path: str | Path, *, user, dry_run: bool = False, reason: str = "") -> ImportReport:
    """Import an exchange file as ``user`` (who must be allowed to propose changes). Atomic."""
    return import_rows(read_file(path), user=user, dry_run=dry_run,
                       reason=reason or f"由目录文件“{Path(path).name}”导入")


def import_rows(rows: dict[str, list[Row]], *, user, dry_run: bool = False,
                reason: str = "由目录文件导入") -> ImportReport:
    if not services.can_propose_changes(user):
        raise ExchangeError(f"用户“{getattr(user, 'username', user)}”没有提出权责清单调整的权限"
                            "（须为法制审核人员、负责人或系统管理员）")
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        _import_domains(rows.get("domains", []), user, report)
        _import_sources(rows, user, report)
        _import_items(rows.get("items", []), user, report, reason)
        _import_benchmarks(rows, user, report)
        _import_no_penalty(rows.get("no_penalty", []), user, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _import_domains(rows: list[Row], user, report: ImportReport) -> None:
    from zhifa.records.services import record

    for row in rows:
        code, name = row.values["code"], row.values["name"]
        domain = Domain.objects.filter(code=code).first()
        if domain is None:
            if Domain.objects.filter(name=name).exists():
                raise ExchangeError(f"{row.at('name')}：名称“{name}”已被其他执法领域使用")
            sort = row.values.get("sort") or 0
            Domain.objects.create(code=code, name=name, sort=sort)
            record("catalog.domain_saved", actor=user, subject=f"domain:{code}",
                   payload={"code": code, "name": name, "sort": sort})
            report.add("domains")
        elif domain.name != name:
            report.notes.append(f"{row.where}：执法领域 {code} 的名称与本系统不同（“{domain.name}”），未修改")


def _import_sources(rows: dict[str, list[Row]], user, report: ImportReport) -> None:
    for row in rows.get("sources", []):
        v = row.values
        before = LegalSource.objects.filter(name=v["name"]).values("level", "issuer", "doc_number", "note").first()
        data = {"level": v["level"], "issuer": v.get("issuer", before["issuer"] if before else ""),
                "doc_number": v.get("doc_number", before["doc_number"] if before else ""),
                "note": v.get("note", before["note"] if before else "")}
        if before == data:
            continue
        try:
            services.save_source(actor=user, name=v["name"], **data)
        except RuleViolation as err:
            raise _fail(row, err) from None
        report.add("sources")

    def source(row: Row) -> LegalSource:
        found = LegalSource.objects.filter(name=row.values["source"].strip("《》")).first()
        if found is None:
            raise ExchangeError(f"{row.at('source')}：法律依据“{row.values['source']}”不存在，请在“法律依据”中列出")
        return found

    for row in rows.get("provisions", []) + rows.get("versions", []):
        v = row.values
        src = source(row)
        existing = Provision.objects.filter(source=src, article=v["article"]).first()
        note = v.get("note", existing.note if existing else "") if row.section.key == "provisions" else \
            (existing.note if existing else "")
        if existing is not None and existing.note == note:
            continue
        try:
            services.save_provision(actor=user, source=src, article=v["article"], note=note)
        except RuleViolation as err:
            raise _fail(row, err) from None
        report.add("provisions")
    for row in rows.get("versions", []):
        v = row.values
        provision = Provision.objects.get(source=source(row), article=v["article"])
        existing = ProvisionVersion.objects.filter(provision=provision, effective_from=v["effective_from"]).first()
        data = {f: v[f] if f in v else getattr(existing, f) if existing else VERSION_DEFAULTS[f]
                for f in services.VERSION_FIELDS}
        try:
            saved = services.save_provision_version(actor=user, provision=provision,
                                                    effective_from=v["effective_from"], **data)
        except RuleViolation as err:
            raise _fail(row, err) from None
        if existing is None or any(getattr(existing, f) != getattr(saved, f) for f in services.VERSION_FIELDS):
            report.add("versions")


def _import_items(rows: list[Row], user, report: ImportReport, reason: str) -> None:
    for row in rows:
        v = row.values
        code = str(v["code"]).strip().upper()
        proposed = {f: v[f] for f in ITEM_EXCHANGED if f in v}
        item = EnforcementItem.objects.filter(code=code).first()
        pending = ItemChange.objects.filter(item_code=code, status=ItemChange.Status.PENDING).first()
        try:
            if item is None:
                if pending is not None:
                    report.notes.append(f"{row.where}：事项 {code} 已有待审批的新增，未重复提出")
                    continue
                report.changes.append(services.propose_change(actor=user, action=ItemChange.Action.CREATE,
                                                              proposed={"code": code, **proposed}, reason=reason))
                report.add("create")
                if v.get("status") not in (None, EnforcementItem.Status.ACTIVE):
                    report.notes.append(f"{row.where}：新增事项 {code} 的状态“{STATUS_LABELS[v['status']]}”"
                                        "须在新增获批后另行提出")
                continue
            before = services.item_values(item)
            after = services.validate_item(proposed, before)
            diff = {f: after[f] for f in ITEM_EXCHANGED if f in proposed and after[f] != before[f]}
            status = v.get("status")
            if not diff and status in (None, item.status):
                report.add("unchanged")
                continue
            if pending is not None:
                report.notes.append(f"{row.where}：事项 {code} 已有待审批的调整，本次差异未提出")
                continue
            if diff:
                report.changes.append(services.propose_change(actor=user, item=item, action=ItemChange.Action.UPDATE,
                                                              proposed=diff, reason=reason))
                report.add("update")
                if status not in (None, item.status):
                    report.notes.append(f"{row.where}：事项 {code} 的状态差异须在本次调整获批后另行提出")
                continue
            action = {EnforcementItem.Status.SUSPENDED: ItemChange.Action.SUSPEND,
                      EnforcementItem.Status.REPEALED: ItemChange.Action.REPEAL,
                      EnforcementItem.Status.ACTIVE: ItemChange.Action.RESTORE}[status]
            report.changes.append(services.propose_change(actor=user, item=item, action=action, proposed={},
                                                          reason=reason))
            report.add("status")
        except RuleViolation as err:
            raise _fail(row, err) from None


def _benchmark_key(row: Row, agency) -> tuple:
    return (agency.pk if agency else None, row.values["name"] if "name" in row.values else row.values["benchmark"],
            row.values["effective_from"])


def _import_benchmarks(rows: dict[str, list[Row]], user, report: ImportReport) -> None:
    per_item: dict[tuple, list[Row]] = {}
    for row in rows.get("item_benchmarks", []):
        per_item.setdefault(_benchmark_key(row, _agency(row)), []).append(row)
    for row in rows.get("benchmarks", []):
        v = row.values
        agency = _agency(row)
        key = _benchmark_key(row, agency)
        existing = Benchmark.objects.filter(agency=agency, name=v["name"], effective_from=v["effective_from"]).first()
        wanted = benchmark_fields({"params": v.get("params"), "bands": v["bands"], "aggravating": v.get("aggravating"),
                                   "mitigating": v.get("mitigating"), "source": v.get("source") or ""})
        wanted["effective_to"] = v.get("effective_to")
        same = existing is not None and all(getattr(existing, k) == val for k, val in wanted.items())
        items = per_item.pop(key, [])
        try:
            if existing is not None and existing.published and not same:
                raise ExchangeError(f"{row.where}：裁量基准“{v['name']}”已公开，不得修改；请以新的施行日期导入")
            if not same:
                existing = services.save_benchmark(
                    actor=user, agency=agency, name=v["name"], effective_from=v["effective_from"],
                    effective_to=v.get("effective_to"), bands=wanted["bands"], aggravating=wanted["aggravating"],
                    mitigating=wanted["mitigating"], params=wanted["params"], source=wanted["source"], row=existing)
                report.add("benchmarks")
            waiting = [irow for irow in items if not _import_item_benchmark(irow, existing, user, report)]
            if v.get("published") and not existing.published and waiting:
                report.notes.append(f"{row.where}：裁量基准“{v['name']}”所列事项尚未生效，暂不公开；审批后请重新导入")
            elif v.get("published") and not existing.published:
                if services.can_approve_changes(user):
                    services.publish_benchmark(existing, actor=user, on=v.get("published_on"))
                    report.add("published")
                else:
                    report.notes.append(f"{row.where}：裁量基准“{v['name']}”未公开（公开须由负责人或法制审核人员操作）")
        except RuleViolation as err:
            raise _fail(row, err) from None
    for key, items in per_item.items():
        raise ExchangeError(f"{items[0].where}：没有名称为“{key[1]}”、施行日期 {key[2]} 的裁量基准")


def _import_item_benchmark(row: Row, benchmark: Benchmark, user, report: ImportReport) -> bool:
    """Save one item's bands of a benchmark; False when the item does not exist yet (pending creation)."""
    v = row.values
    item = EnforcementItem.objects.filter(code=v["item"]).first()
    if item is None:
        report.notes.append(f"{row.where}：事项 {v['item']} 尚未生效（可能待审批新增），本条未导入，审批后请重新导入")
        return False
    existing = ItemBenchmark.objects.filter(benchmark=benchmark, item=item).first()
    bands, conditions = v.get("bands") or {}, v.get("conditions") or ""
    if existing is not None and existing.bands == bands and existing.conditions == conditions:
        return True
    if benchmark.published:
        raise ExchangeError(f"{row.where}：裁量基准“{benchmark.name}”已公开，不得修改")
    try:
        services.save_item_benchmark(actor=user, benchmark=benchmark, item=item, bands=bands, conditions=conditions)
    except RuleViolation as err:
        raise _fail(row, err) from None
    report.add("item_benchmarks")
    return True


def _import_no_penalty(rows: list[Row], user, report: ImportReport) -> None:
    for row in rows:
        v = row.values
        agency = _agency(row)
        item = EnforcementItem.objects.filter(code=v["item"]).first()
        if item is None:
            report.notes.append(f"{row.where}：事项 {v['item']} 尚未生效（可能待审批新增），本条未导入，"
                                "审批后请重新导入")
            continue
        existing = NoPenaltyEntry.objects.filter(agency=agency, item=item, list_name=v["list_name"],
                                                 effective_from=v["effective_from"]).first()
        data = {"conditions": v["conditions"], "description": v.get("description") or "",
                "source": v.get("source") or "", "effective_to": v.get("effective_to")}
        if existing is not None and all(getattr(existing, k) == val for k, val in data.items()):
            continue
        try:
            services.save_no_penalty_entry(actor=user, agency=agency, item=item, list_name=v["list_name"],
                                           effective_from=v["effective_from"], entry=existing, **data)
        except RuleViolation as err:
            raise _fail(row, err) from None
        report.add("no_penalty")
