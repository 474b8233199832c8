"""Acceptance (issue "Enforcement documents"): every document type renders from a demo case to .docx and PDF; the
PDF's text (pdftotext) holds the title, the number, the party and the amounts; every font is embedded, and the
仿宋 body is set in the serif (Noto Serif CJK), a sans face only for 黑体 headings.

One warm LibreOffice (unoserver) for the module. Needs LibreOffice (soffice, python3-uno) and poppler-utils: without
them the module is skipped, unless CI is set (or ZHIFA_REQUIRE_PDF=1), where that is an error.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.documents import render, services
from zhifa.documents.types import SPECS

from .pdftools import fail_if, fonts_of, missing, skip_module_without, warm_converter

pytestmark = pytest.mark.django_db

MISSING = missing()
skip_module_without(MISSING, "文书验收测试")

# A decided, served case whose fine is unpaid (performance stage): open, with a decided penalty, so that the
# decision-like and payment documents have what they state.
CASE = "trv-performing"
# The later documents that quote an earlier one's number (refs.*)
QUOTES = {"deferral_notice": "penalty_decision", "performance_reminder": "penalty_decision",
          "enforcement_application": "penalty_decision", "case_closing_report": "penalty_decision",
          "penalty_decision": "penalty_notice", "preservation_handling_notice": "preservation_notice",
          "seizure_extension_notice": "seizure_decision", "seizure_handling_notice": "seizure_decision",
          "seizure_release_decision": "seizure_decision"}


@pytest.fixture(scope="module")
def warm_server(tmp_path_factory):
    fail_if(MISSING, "文书验收测试")
    with warm_converter(tmp_path_factory.mktemp("lo-profile")) as (address, _info):
        yield address


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def title_of(code: str) -> str:
    # the file's cover carries 行政处罚案卷 and 卷内目录, not the type's long name
    return "卷内目录" if code == "case_file_index" else SPECS[code].name


def check(code: str, document, template: bytes, tmp_path: Path) -> list[str]:
    """What is wrong with the issued ``document``'s PDF (empty when nothing is)."""
    problems = []
    data = services.read_file(document, "pdf")
    if not data.startswith(b"%PDF-"):
        return ["不是 PDF"]
    text = squeeze(pdf_text(data))
    content = document.content
    if squeeze(title_of(code)) not in text:
        problems.append(f"缺标题“{title_of(code)}”")
    if document.number_id and squeeze(document.number.number) not in text:
        problems.append(f"缺文号“{document.number.number}”")
    if squeeze(content["party"]["name"]) not in text:
        problems.append(f"缺当事人“{content['party']['name']}”")
    source = zipfile.ZipFile(io.BytesIO(template)).read("word/document.xml").decode()
    if "penalty.fine" in source:
        fine, upper = content["penalty"]["fine"], content["penalty"]["fine_upper"]
        if not fine or (fine not in text and squeeze(upper) not in text):
            problems.append(f"缺罚款金额“{fine}”（{upper}）")
    if code in QUOTES and content["refs"][QUOTES[code]] and squeeze(content["refs"][QUOTES[code]]) not in text:
        problems.append(f"未引用前一文书的文号“{content['refs'][QUOTES[code]]}”")

    fonts = fonts_of(data, tmp_path)
    names = [f["name"] for f in fonts]
    if not fonts or any(f["emb"] != "yes" for f in fonts):
        problems.append(f"有字体未嵌入：{[(f['name'], f['emb']) for f in fonts]}")
    if not any("NotoSerifCJK" in n for n in names):
        problems.append(f"正文（仿宋）不是衬线字体：{names}")
    rendered = services.read_file(document, "docx")
    headings = 'w:val="zfHeading"' in zipfile.ZipFile(io.BytesIO(rendered)).read("word/document.xml").decode()
    sans = [n for n in names if "Sans" in n and not (headings and "NotoSansCJK" in n)]
    if sans:
        problems.append(f"用了无衬线字体：{sans}（黑体小标题之外）")
    return problems


def test_every_document_type_renders_to_docx_and_pdf(demo_loaded, warm_server, settings, tmp_path):
    settings.ZHIFA_UNOSERVER = warm_server
    settings.ZHIFA_PDF_AT_ISSUE = True
    case = Case.objects.get(creation_key__endswith=f":demo:{CASE}")
    assert case.decided_penalty and case.decided_penalty.get("fine"), "the demo case has a decided fine"
    actor = case.handlers.filter(is_lead=True, removed_on__isnull=True).first().user
    on = timezone.localdate()
    assert on >= case.filed_on and on >= case.decided_on

    failures: dict[str, list[str]] = {}
    for code in SPECS:
        try:
            draft = services.draft(case, code, render.sample_inputs(code), actor=actor)
            document = services.issue(draft, actor=actor, on=on)
            case.refresh_from_db()
            if not document.pdf_digest:
                failures[code] = ["签发时未生成 PDF"]
                continue
            if services.read_file(document, "docx")[:2] != b"PK":
                failures[code] = [".docx 不是 Word 文档"]
                continue
            problems = check(code, document, services.template_in_use(case.agency, code).content, tmp_path)
        except Exception as exc:  # one type's failure must not hide the others'
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            failures[code] = problems

    report = "\n".join(f"{code}（{SPECS[code].name}）：{'；'.join(p)}" for code, p in failures.items())
    assert not failures, f"{len(failures)} 种文书有问题：\n{report}"
