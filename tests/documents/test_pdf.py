"""Issued documents as PDF (zhifa.documents.pdf): LibreOffice, warm (unoserver) and cold (one-shot soffice), with
the Chinese faces the templates name — 仿宋_GB2312 set in a Song-style serif (Noto Serif CJK), not in a 黑体 face.

Needs LibreOffice (soffice, python3-uno), poppler-utils (pdftotext, pdffonts) and fontconfig. Without them the
module is skipped, unless CI is set (or ZHIFA_REQUIRE_PDF=1), where that is an error. No database.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from zhifa.documents import pdf

from .pdftools import fail_if, fonts_of, free_port, missing, skip_module_without, warm_converter

TITLE = "平舆县文化广电和旅游局行政处罚决定书"
NUMBER = "平文旅罚〔2026〕12号"
BODY = ("当事人：平舆县某某网络会所，统一社会信用代码91411723MA45XXXX0X。"
        "经查，当事人于2026年1月5日接纳未成年人进入营业场所，违反了《互联网上网服务营业场所管理条例》第二十一条的规定。")

MISSING = missing(fontconfig=True)
skip_module_without(MISSING, "文书 PDF 测试")


@pytest.fixture(scope="module", autouse=True)
def _tools():
    # in CI a missing tool fails each test here rather than skipping them unnoticed
    fail_if(MISSING, "文书 PDF 测试")


def _run(doc: Document, text: str, face: str, size: int, *, center: bool = False) -> None:
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    # Word keeps the Chinese face in w:eastAsia; python-docx's font.name sets only the Latin ones
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), face)


def decision_docx() -> bytes:
    doc = Document()
    _run(doc, TITLE, "方正小标宋简体", 22, center=True)
    _run(doc, NUMBER, "仿宋_GB2312", 16, center=True)
    for _ in range(3):
        _run(doc, BODY, "仿宋_GB2312", 16)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def text_of(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def assert_chinese_document(data: bytes, tmp_path: Path) -> None:
    assert data.startswith(b"%PDF-")
    text = text_of(data, tmp_path)
    assert TITLE in text and NUMBER in text and "互联网上网服务营业场所管理条例" in text
    fonts = fonts_of(data, tmp_path)
    assert fonts and all(f["emb"] == "yes" for f in fonts), fonts
    names = [f["name"] for f in fonts]
    # the number and the body are 仿宋_GB2312, the title 方正小标宋简体: all set in the serif, none in Noto Sans (黑体)
    assert any("NotoSerifCJK" in n for n in names), names
    assert not any("Sans" in n for n in names), names


@pytest.fixture
def configure(monkeypatch, settings):
    """Set a ZHIFA_* value both ways pdf reads it: Django settings first, then the environment."""

    def configure(name: str, value: str) -> None:
        setattr(settings, name, value)
        monkeypatch.setenv(name, value)

    return configure


@pytest.fixture
def cold(configure):
    """No warm server: to_pdf takes the one-shot soffice."""
    configure("ZHIFA_UNOSERVER", f"127.0.0.1:{free_port()}")


@pytest.fixture(scope="module")
def warm_server(tmp_path_factory):
    with warm_converter(tmp_path_factory.mktemp("lo-profile")) as server:
        yield server


@pytest.fixture
def warm(configure, warm_server):
    """Only the warm server: soffice 'missing', so a PDF can only have come from it."""
    address, _ = warm_server
    configure("ZHIFA_UNOSERVER", address)
    configure("ZHIFA_SOFFICE", "/nonexistent/soffice")
    return address


def test_font_aliases():
    """fc-match with the project's fonts.conf: what LibreOffice is given for each name Word templates use."""
    env = {**os.environ, "FONTCONFIG_FILE": str(pdf.FONTS_CONF)}
    serif = ["仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "方正仿宋_GBK", "宋体", "SimSun", "方正小标宋简体",
             "方正小标宋_GBK", "华文中宋"]
    kai = ["楷体_GB2312", "楷体", "KaiTi"]
    sans = ["黑体", "SimHei", "微软雅黑", "Microsoft YaHei"]
    ukai = subprocess.run(["fc-list", "AR PL UKai CN"], capture_output=True, text=True).stdout.strip()
    for name in serif + kai + sans:
        got = subprocess.run(["fc-match", "-f", "%{family[0]}", f"{name}:lang=zh-cn"], capture_output=True,
                             text=True, env=env, check=True).stdout
        want = ("Noto Sans CJK SC" if name in sans else "AR PL UKai CN" if name in kai and ukai
                else "Noto Serif CJK SC")
        assert got == want, (name, got)
    assert pdf.faces()["仿宋_GB2312"] == "Noto Serif CJK SC"


def test_cold_soffice(cold, tmp_path):
    assert_chinese_document(pdf.to_pdf(decision_docx()), tmp_path)
    assert pdf.status()["route"] == "soffice"


def test_without_aliases_fangsong_is_sans(cold, monkeypatch, tmp_path):
    """The trap the aliases are for: with the system's fontconfig alone 仿宋 comes out in Noto Sans CJK (黑体)."""
    monkeypatch.setattr(pdf, "FONTS_CONF", Path("/etc/fonts/fonts.conf"))
    names = [f["name"] for f in fonts_of(pdf.to_pdf(decision_docx()), tmp_path)]
    assert any("NotoSansCJK" in n for n in names), names


def test_cold_timeout_kills_libreoffice(cold):
    started = time.monotonic()
    with pytest.raises(pdf.PdfConversionError, match="秒内没有完成转换"):
        pdf.to_pdf(decision_docx(), timeout=0.3)
    assert time.monotonic() - started < 5


def test_cold_broken_docx(cold):
    with pytest.raises(pdf.PdfConversionError, match="无法转换该文档"):
        pdf.to_pdf(b"PK\x03\x04" + b"\0" * 100)


def test_warm_unoserver(warm, warm_server, tmp_path):
    _, info = warm_server
    assert info["api"] == "3" and info["libreoffice_version"]
    first = pdf.to_pdf(decision_docx())
    assert_chinese_document(first, tmp_path)
    # and again: the server keeps LibreOffice open between documents
    assert_chinese_document(pdf.to_pdf(decision_docx()), tmp_path)
    state = pdf.status()
    assert state["route"] == "unoserver" and state["unoserver"]["running"] and pdf.available()


def test_warm_broken_docx(warm):
    with pytest.raises(pdf.PdfConversionError, match="LibreOffice"):
        pdf.to_pdf(b"PK\x03\x04" + b"\0" * 100)
    # the server is still there for the next document
    assert pdf.to_pdf(decision_docx()).startswith(b"%PDF-")


def test_unavailable(configure):
    configure("ZHIFA_SOFFICE", "/nonexistent/soffice")
    configure("ZHIFA_UNOSERVER", f"127.0.0.1:{free_port()}")
    assert not pdf.available()
    assert pdf.status()["route"] is None
    with pytest.raises(pdf.PdfUnavailable) as raised:
        pdf.to_pdf(decision_docx())
    assert "PDF 暂不可用：未安装 LibreOffice" in str(raised.value) and "仍可下载 .docx" in str(raised.value)


def test_command_without_libreoffice(configure):
    configure("ZHIFA_SOFFICE", "/nonexistent/soffice")
    out = io.StringIO()
    call_command("unoserver", stdout=out)
    assert "PDF 暂不可用" in out.getvalue()
