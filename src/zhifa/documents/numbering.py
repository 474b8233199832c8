"""Document numbers (文号), e.g. 平文旅罚〔2026〕12号 (issue 6 §4).

A number is given per agency, year and series (类别字: 罚, 告 …). The series of each document type and the pattern
of the number are policy (``documents.number_series``, ``documents.number_pattern``): the national rules fix no
format, and each bureau keeps its own [U]. Numbers are:

- **gapless** — the series' counter goes up in the transaction that issues the document, so a refused or failed
  issue gives its number back with everything else;
- **never reused** — a voided number (作废) stays, with who voided it, when and why, and the counter never goes back;
- **safe at the same moment** — the counter row is locked (``select_for_update``; on SQLite every write transaction
  is already serialised), so two officers issuing at once get two consecutive numbers.

Each number given and each voided is an event of the full-process record.
"""

from __future__ import annotations

import re
import string
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.catalog.policies import Parameter, value_of, values_of
from zhifa.catalog.policies import register as add
from zhifa.law import procedure as proc
from zhifa.law.errors import Citation, RuleViolation
from zhifa.records.services import record

from .models import DocumentNumber, NumberSequence

NUMBERING_BASIS = ("《党政机关公文格式》GB/T 9704-2012 第7.2.4条（发文字号由发文机关代字、年份、发文顺序号组成，"
                   "年份用六角括号“〔〕”括入，序号不编虚位、不加“第”字；[U] 条号未对照原文核实）；执法文书的机关"
                   "代字和类别字由本机关确定（[U] 未核实）")
RULE = Citation("《党政机关公文格式》GB/T 9704-2012", "第7.2.4条",
                "发文字号：机关代字、年份、发文顺序号；文号不重复使用（[U] 条号未核实）")

# [U] what many county bureaus use; each bureau sets its own
SERIES_DEFAULT = {
    "penalty_decision": "罚", "no_penalty_decision": "不罚", "penalty_notice": "告", "hearing_rights_notice": "听告",
    "hearing_notice": "听通", "hearing_refusal_notice": "不听", "correction_order": "责改",
    "preservation_notice": "先保", "seizure_decision": "扣", "seizure_release_decision": "解扣",
    "seizure_extension_notice": "延扣", "deferral_notice": "延缴", "performance_reminder": "催",
    "enforcement_application": "强申", "criminal_transfer_letter": "移",
}
PATTERN_DEFAULT = "{agency}{series}〔{year}〕{seq}号"
PLACES = {"agency": "机关代字", "series": "类别字", "year": "年份", "seq": "顺序号"}
_SERIES = re.compile(r"[\u4e00-\u9fff]{1,4}")


def _series(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise RuleViolation("policy_shape", "取值应为 文书代码 → 类别字 的对应，如 {\"penalty_decision\": \"罚\"}",
                            "value")
    for code, series in value.items():
        if code not in proc.DOCUMENT_LABELS:
            raise RuleViolation("policy_range", f"没有代码为 {code} 的文书", "value")
        if not isinstance(series, str) or not _SERIES.fullmatch(series):
            raise RuleViolation("policy_range", f"{proc.DOCUMENT_LABELS[code]}的类别字应为 1 至 4 个汉字", "value")
    if len(set(value.values())) != len(value):
        raise RuleViolation("policy_range", "不同文书的类别字不能相同（同一序列的文号会混编）", "value")
    return dict(sorted(value.items()))


def _pattern(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 40:
        raise RuleViolation("policy_shape", "取值应为不超过 40 个字的格式，如 {agency}{series}〔{year}〕{seq}号",
                            "value")
    try:
        names = [name for _text, name, _spec, _conv in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise RuleViolation("policy_shape", f"格式有误（{exc}）；花括号只用于 {{agency}} 等位置", "value") from None
    unknown = set(names) - set(PLACES)
    if unknown:
        raise RuleViolation("policy_range", f"未知的位置：{'、'.join(sorted(unknown))}；可用："
                            + "、".join(f"{{{k}}}（{v}）" for k, v in PLACES.items()), "value")
    missing = [f"{{{k}}}（{PLACES[k]}）" for k in ("series", "year", "seq") if k not in names]
    if missing:
        raise RuleViolation("policy_range", f"格式须含有{'、'.join(missing)}，文号才不会重复", "value")
    return value


PARAMETERS_OF_DOCUMENTS = (
    Parameter("documents.number_series", "文号类别字", SERIES_DEFAULT, "文书 → 类别字", NUMBERING_BASIS,
              "[U] 未核实：各类执法文书编文号时使用的类别字，如行政处罚决定书“罚”、事先告知书“告”。未列出的文书不编"
              "文号。每个类别字按年度从 1 起连续编号。", _series),
    Parameter("documents.number_pattern", "文号格式", PATTERN_DEFAULT, "格式", NUMBERING_BASIS,
              "文号的写法：{agency} 机关代字（执法主体的简称，如“平文旅”），{series} 类别字，{year} 年份，"
              "{seq} 顺序号。默认“平文旅罚〔2026〕12号”的样式（GB/T 9704-2012 第7.2.4条：年份用六角括号，"
              "序号不编虚位）。", _pattern),
)


def register() -> None:
    add(*PARAMETERS_OF_DOCUMENTS)


def series_of(document: str, agency, on: date) -> str | None:
    """The 类别字 of ``document`` for ``agency`` on ``on``, or None: the document takes no number."""
    register()
    return value_of("documents.number_series", agency, on).get(document)


def allocate(agency, document: str, *, on: date | None = None, case=None, actor=None) -> DocumentNumber:
    """Give ``document`` the next number of its series for ``agency`` in the year of ``on`` (today), inside the
    caller's transaction: if that transaction is rolled back, so is the number."""
    on = on or timezone.localdate()
    if document not in proc.DOCUMENT_LABELS:
        raise RuleViolation("document_unknown", f"没有代码为 {document} 的文书", "document")
    register()
    values = values_of(["documents.number_series", "documents.number_pattern"], agency, on)
    series, pattern = values["documents.number_series"].get(document), values["documents.number_pattern"]
    if series is None:
        raise RuleViolation("document_not_numbered", f"{proc.DOCUMENT_LABELS[document]}不编文号（政策参数"
                            "“文号类别字”未列出）", "document", [RULE])
    with transaction.atomic():
        NumberSequence.objects.bulk_create([NumberSequence(agency=agency, year=on.year, series=series)],
                                           ignore_conflicts=True)
        seq = NumberSequence.objects.select_for_update().get(agency=agency, year=on.year, series=series)
        seq.last += 1
        seq.save(update_fields=["last"])
        text = pattern.format(agency=agency.short_name or agency.name, series=series, year=on.year, seq=seq.last)
        given = DocumentNumber.objects.create(
            agency=agency, year=on.year, series=series, seq=seq.last, number=text, document=document, case=case,
            allocated_by=actor, allocated_at=timezone.now())
        record("documents.number_allocated", actor=actor, agency=agency, case_id=getattr(case, "pk", None),
               subject=f"number:{text}", payload={"number": text, "document": document, "series": series,
                                                  "year": on.year, "seq": seq.last})
    return given


def void(given: DocumentNumber, *, reason: str, actor) -> DocumentNumber:
    """Void a number (作废): it stays recorded with the reason and is never given again."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("payload_required", "请写明作废的理由", "reason", [RULE])
    with transaction.atomic():
        given = DocumentNumber.objects.select_for_update().get(pk=given.pk)
        if given.voided_at is not None:
            raise RuleViolation("number_voided", f"文号 {given.number} 已于 "
                                f"{timezone.localtime(given.voided_at):%Y-%m-%d} 作废", "number", [RULE])
        given.voided_at, given.voided_by, given.void_reason = timezone.now(), actor, reason
        given.save(update_fields=["voided_at", "voided_by", "void_reason"])
        record("documents.number_voided", actor=actor, agency=given.agency, case_id=given.case_id,
               subject=f"number:{given.number}", payload={"number": given.number, "reason": reason})
    return given
