"""The document types as data (issue 6 §1) and their documentation: every document the procedure names has a type,
a template and a row in docs/documents.md; the field reference there is the one the code checks templates with."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from zhifa.documents import fields, services
from zhifa.documents.models import DocumentType
from zhifa.documents.types import KINDS, LAYOUTS, SIGNERS, SPECS, steps_requiring
from zhifa.law import procedure as proc

DOCS = Path(__file__).resolve().parents[2] / "docs" / "documents.md"

# The documents issue 6 §1 names at least (by their names in the procedure table).
REQUIRED = ["案件来源登记表", "立案审批表", "不予立案审批表", "现场检查（勘验）笔录", "调查询问通知书", "调查询问笔录",
            "证据先行登记保存通知书", "证据先行登记保存处理告知书", "抽样取证凭证", "查封（扣押）决定书", "物品清单",
            "解除查封（扣押）决定书", "责令改正通知书", "调查终结报告", "法制审核意见书", "集体讨论笔录",
            "行政处罚事先告知书", "行政处罚听证告知书", "行政处罚听证通知书", "行政处罚听证笔录", "行政处罚听证意见书",
            "陈述、申辩笔录", "陈述（申辩）情况审核表", "行政处罚决定书", "不予行政处罚决定书", "当场处罚决定书",
            "送达地址确认书", "电子送达确认书", "送达回证", "延期（分期）缴纳罚款审批表", "延期（分期）缴纳罚款通知书",
            "行政处罚履行催告书", "行政处罚强制执行申请书", "涉嫌犯罪案件移送书", "结案报告", "行政调解告知引导书",
            "案卷封面、卷内目录和备考表"]


def test_every_document_of_the_procedure_is_a_type_with_a_template() -> None:
    assert set(SPECS) == set(proc.DOCUMENT_LABELS)
    names = {s.name for s in SPECS.values()}
    assert [n for n in REQUIRED if n not in names] == []
    for code, spec in SPECS.items():
        assert spec.layout in LAYOUTS and spec.signer in SIGNERS, code
        assert resources.files("zhifa.documents").joinpath("templates_docx", f"{code}.docx").is_file(), code
        for i in spec.inputs:
            assert i.kind in KINDS, (code, i.name)
            assert (i.kind == "rows") == bool(i.columns), (code, i.name)
            if i.columns:
                assert i.columns in fields.ROW_COLUMNS, (code, i.name)


def test_steps_come_from_the_procedure_table() -> None:
    assert "decide_penalty" in steps_requiring("penalty_decision")
    assert "serve" in steps_requiring("service_receipt")
    assert steps_requiring("mediation_guidance") == ()


@pytest.mark.django_db
def test_types_are_seeded_once_and_admin_changes_kept() -> None:
    services.ensure_types()
    assert DocumentType.objects.count() == len(SPECS)
    DocumentType.objects.filter(code="correction_order").update(must_serve=False, name="责令改正通知书（本局）")
    services.ensure_types()
    row = DocumentType.objects.get(code="correction_order")
    assert (row.must_serve, row.name) == (False, "责令改正通知书（本局）")
    assert DocumentType.objects.count() == len(SPECS)


def test_docs_list_the_fields_the_checker_uses() -> None:
    text = DOCS.read_text(encoding="utf-8")
    begin, end = "<!-- fields:begin -->\n", "<!-- fields:end -->"
    assert text[text.index(begin) + len(begin):text.index(end)] == fields.markdown(), \
        "docs/documents.md 的字段表与 zhifa.documents.fields 不一致：请用 fields.markdown() 重新生成"
    for spec in SPECS.values():
        assert f"`{spec.code}`" in text
