"""What the PDF tests share (test_pdf, test_acceptance): which tools are missing (skipped here, an error in CI), a
free local port, a warm converter for a module, and pdffonts' table as rows."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from zhifa.documents import pdf

REQUIRED = bool(os.environ.get("CI")) or os.environ.get("ZHIFA_REQUIRE_PDF") == "1"


def missing(*, fontconfig: bool = False) -> list[str]:
    tools = [("LibreOffice（apt-get install libreoffice-writer-nogui python3-uno）", pdf.soffice()),
             ("poppler-utils（pdftotext、pdffonts）", shutil.which("pdftotext") and shutil.which("pdffonts"))]
    if fontconfig:
        tools.append(("fontconfig（fc-match）", shutil.which("fc-match")))
    return [what for what, there in tools if not there]


def skip_module_without(absent: list[str], what: str) -> None:
    """Skip the calling module when a tool is missing — except in CI, where each test then fails (``fail_if``)."""
    if absent and not REQUIRED:
        pytest.skip(f"未安装{'、'.join(absent)}，跳过{what}", allow_module_level=True)


def fail_if(absent: list[str], what: str) -> None:
    if absent:
        pytest.fail(f"未安装{'、'.join(absent)}，{what}无法运行", pytrace=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def warm_converter(profile: Path):
    """A warm converter (unoserver) on free ports for the length of the block: its address and info()."""
    port, uno_port = free_port(), free_port()
    proc = pdf.start_server(port, uno_port, profile=profile, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        info = pdf.wait_ready(f"127.0.0.1:{port}", proc=proc)
        yield f"127.0.0.1:{port}", info
    finally:
        pdf.stop_server(proc)


def fonts_of(data: bytes, tmp_path: Path) -> list[dict[str, str]]:
    """pdffonts' table as rows (name, type, emb …), columns cut where its dashed rule says."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    head, rule = lines[0], lines[1]
    spans = [m.span() for m in re.finditer(r"-+", rule)]
    spans[-1] = (spans[-1][0], None)
    return [{head[a:b].strip(): line[a:b].strip() for a, b in spans} for line in lines[2:] if line.strip()]
