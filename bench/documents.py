"""Issued documents as PDF: LibreOffice cold (one-shot soffice) and warm (unoserver), seconds per document.

    .venv/bin/python bench/documents.py [--cold 3] [--warm 20] [--batch 30] [--json]

The document is a decision-like .docx built here with python-docx: A4 with the margins of GB/T 9704
(37/35/28/26 mm), title in 方正小标宋简体 22 pt, headings in 黑体 and 楷体_GB2312, four pages of 仿宋_GB2312 16 pt text
at 22 lines a page — the faces a county bureau's Word templates name, so fontconfig's aliases
(documents/fonts/fonts.conf) are on the path being timed. Each conversion goes through
``zhifa.documents.pdf.to_pdf`` as the application calls it, the .docx in memory and the PDF back as bytes. Measured:

- ``cold``: no server running, so ``to_pdf`` starts a one-shot ``soffice --convert-to pdf`` with a fresh profile
  of its own (what every document costs when the warm server is not running); ``--cold`` runs;
- ``warm start``: ``start_server`` until ``wait_ready`` answers (a new, empty profile), and the first conversion
  after it (LibreOffice loads Writer, its filters and the fonts then);
- ``warm``: the same document ``--warm`` times through the running server: median and p95;
- ``batch``: ``--batch`` different documents (each its own number and party) one after another through the warm
  server, as a head signing a day's decisions: total and per document;
- the resident memory of the server's processes (unoserver and LibreOffice) after the batch.

Target (issue "Enforcement documents"): warm ≤ 0.3 s a document on this 2-core machine. No database.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile

TARGET_S = 0.3

FACTS = ("经查，当事人于2026年1月5日至1月20日期间，在其经营的营业场所内多次接纳未成年人上网，现场检查时发现三名未成年人"
         "正在上网，当事人未能提供核对身份证件的登记记录。上述事实有现场检查笔录、询问笔录、视听资料和证人证言为证。")
REASONS = ("本机关认为，当事人的行为违反了《互联网上网服务营业场所管理条例》第二十一条“互联网上网服务营业场所经营单位"
           "不得接纳未成年人进入营业场所”的规定，依据该条例第三十一条第（二）项，应予处罚。当事人在陈述申辩中提出系初次"
           "违法，本机关经复核，认为其情节不属于依法可以不予处罚的情形，对其陈述申辩意见不予采纳。")
RIGHTS = ("当事人如不服本处罚决定，可以在收到本决定书之日起六十日内向平舆县人民政府申请行政复议，或者在六个月内依法向"
          "人民法院提起行政诉讼。行政复议和行政诉讼期间，本决定不停止执行。逾期不申请行政复议、不提起行政诉讼又不履行"
          "的，本机关将依法申请人民法院强制执行。")


def decision_docx(n: int = 12, *, party: str = "平舆县某某网络会所") -> bytes:
    """A decision of about four A4 pages in the faces of GB/T 9704 (its number: 平文旅罚〔2026〕``n``号)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), \
        Mm(26)

    def para(text: str, face: str, size: float, *, center: bool = False, indent: bool = True) -> None:
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28.95)  # 22 lines on the type area
        fmt.space_before = fmt.space_after = Pt(0)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif indent:
            fmt.first_line_indent = Pt(size * 2)
        run = p.add_run(text)
        run.font.size = Pt(size)
        fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), face)

    para("平舆县文化广电和旅游局", "方正小标宋简体", 22, center=True)
    para("行政处罚决定书", "方正小标宋简体", 22, center=True)
    para(f"平文旅罚〔2026〕{n}号", "仿宋_GB2312", 16, center=True)
    para(f"当事人：{party}", "仿宋_GB2312", 16, indent=False)
    para("统一社会信用代码：91411723MA45XXXX0X    法定代表人：张某某    地址：平舆县清河大道88号", "仿宋_GB2312", 16,
         indent=False)
    for heading, sub, body, repeats in (("一、违法事实和证据", "（一）现场检查情况", FACTS, 3),
                                        ("二、处罚的理由和依据", "（一）法律适用", REASONS, 3),
                                        ("三、处罚决定", "（一）处罚内容", REASONS, 2),
                                        ("四、履行方式和期限", "（一）缴款方式", FACTS, 2),
                                        ("五、救济途径", "（一）复议和诉讼", RIGHTS, 1)):
        para(heading, "黑体", 16)
        para(sub, "楷体_GB2312", 16)
        for _ in range(repeats):
            para(body, "仿宋_GB2312", 16)
    para("平舆县文化广电和旅游局", "仿宋_GB2312", 16, indent=False)
    para("2026年3月2日", "仿宋_GB2312", 16, indent=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pdf_pages(data: bytes) -> int | None:
    if not shutil.which("pdfinfo"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
    return next((int(line.split()[-1]) for line in out.splitlines() if line.startswith("Pages:")), None)


def pdf_fonts(data: bytes) -> list[str]:
    if not shutil.which("pdffonts"):
        return []
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdffonts", f.name], capture_output=True, text=True).stdout
    return sorted({line.split()[0].split("+")[-1] for line in out.splitlines()[2:] if line.strip()})


def group_rss_mib(pgid: int) -> float:
    """Resident memory of the processes in a process group (the server and its LibreOffice)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


def timed(fn) -> tuple[float, bytes]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", type=int, default=3, help="one-shot soffice conversions (default 3)")
    parser.add_argument("--warm", type=int, default=20, help="conversions of one document, warm (default 20)")
    parser.add_argument("--batch", type=int, default=30, help="different documents in the batch (default 30)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    # the addresses below are the benchmark's own, not the application's settings
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    from zhifa.documents import pdf

    if pdf.soffice() is None:
        raise SystemExit(str(pdf.PdfUnavailable()))
    docx = decision_docx()
    figures: dict = {"docx_bytes": len(docx), "soffice": pdf.soffice(),
                     "libreoffice": pdf.status()["soffice"]["version"]}

    os.environ["ZHIFA_UNOSERVER"] = f"127.0.0.1:{free_port()}"  # nobody there: to_pdf goes cold
    cold = []
    for _ in range(args.cold):
        seconds, out = timed(lambda: pdf.to_pdf(docx))
        cold.append(seconds)
    figures.update(cold=cold, pages=pdf_pages(out), pdf_bytes=len(out), fonts=pdf_fonts(out))

    port, uno_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="zhifa-bench-lo-") as profile:
        started = time.perf_counter()
        proc = pdf.start_server(port, uno_port, profile=profile, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            pdf.wait_ready(f"127.0.0.1:{port}", proc=proc)
            figures["warm_start"] = time.perf_counter() - started
            os.environ["ZHIFA_UNOSERVER"] = f"127.0.0.1:{port}"
            os.environ["ZHIFA_SOFFICE"] = "/nonexistent/soffice"  # a warm failure must not pass for a cold success
            figures["warm_first"], _ = timed(lambda: pdf.to_pdf(docx))
            warm = []
            for _ in range(args.warm):
                seconds, out = timed(lambda: pdf.to_pdf(docx))
                warm.append(seconds)
            figures["warm"] = warm
            figures["warm_fonts"] = pdf_fonts(out)
            batch = [decision_docx(n, party=f"平舆县第{n}网络会所") for n in range(1, args.batch + 1)]
            t = time.perf_counter()
            for one in batch:
                pdf.to_pdf(one)
            figures["batch_total"] = time.perf_counter() - t
            figures["server_rss_mib"] = group_rss_mib(proc.pid)
        finally:
            pdf.stop_server(proc)

    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    report(figures, args)


def report(f: dict, args) -> None:
    warm_median, warm_p95 = statistics.median(f["warm"]), percentile(f["warm"], 95)
    per_doc = f["batch_total"] / args.batch
    print(f"{f['libreoffice']} ({f['soffice']}); {os.cpu_count()} cores")
    print(f"document: decision, .docx {f['docx_bytes'] / 1024:.0f} KiB -> PDF {f['pages']} pages, "
          f"{f['pdf_bytes'] / 1024:.0f} KiB; fonts embedded: {', '.join(f['fonts'])}")
    print(f"{'conversion':<28} {'n':>4} {'median s':>9} {'p95 s':>7}  runs")
    print(f"{'cold (one-shot soffice)':<28} {len(f['cold']):>4} {statistics.median(f['cold']):>9.2f} "
          f"{percentile(f['cold'], 95):>7.2f}  {', '.join(f'{s:.2f}' for s in f['cold'])}")
    print(f"{'warm start (to ready)':<28} {1:>4} {f['warm_start']:>9.2f}")
    print(f"{'warm, first document':<28} {1:>4} {f['warm_first']:>9.2f}")
    print(f"{'warm (unoserver)':<28} {len(f['warm']):>4} {warm_median:>9.3f} {warm_p95:>7.3f}  "
          f"min {min(f['warm']):.3f}, max {max(f['warm']):.3f}")
    print(f"{f'batch of {args.batch} (warm)':<28} {args.batch:>4}  total {f['batch_total']:.2f} s = "
          f"{per_doc:.3f} s/doc")
    print(f"server memory (unoserver + LibreOffice) after the batch: {f['server_rss_mib']:.0f} MiB")
    ok = warm_median <= TARGET_S and per_doc <= TARGET_S
    print(f"warm ≤ {TARGET_S} s/doc: {'yes' if ok else 'NO'} (median {warm_median:.3f}, p95 {warm_p95:.3f}, "
          f"batch {per_doc:.3f} s/doc)")


if __name__ == "__main__":
    main()
