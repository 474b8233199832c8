"""Issuing documents end to end, and a 30-document case file: seconds per document through the documents service.

    .venv/bin/python bench/issue.py [--documents 30] [--engine sqlite|postgres] [--json]

Unlike bench/documents.py (LibreOffice alone, on a .docx made here), this times what an officer waits for when
clicking 签发 on a demo case: ``services.issue`` — the number taken, the context built from the case, the built-in
template filled (docxtpl), the PDF made, both files hashed and stored, the document registered on the case (a case
step) and the event written, in one transaction. Measured, on a database of its own (bench/.data/issue-*.sqlite3 or
the PostgreSQL database ``zhifa_bench_issue``), with the demo bureau and its cases loaded:

- ``decision cold``: one 行政处罚决定书 issued with no warm LibreOffice (a one-shot soffice);
- ``decision warm``: the same, with the warm server running (after one conversion to warm it): median of 5;
- ``issue``: ``--documents`` documents of the document types in turn on one case, warm: median, p95, total;
- ``dossier``: the case file (电子卷宗) of that case exported with all of them (each document's PDF read back and
  re-hashed): seconds and size.

Target (issue "Enforcement documents"): ≤ 0.3 s a document warm on this 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import create_pg_database, database_env, percentile, setup_django

TARGET_S = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=30)
    parser.add_argument("--engine", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    name = "zhifa_bench_issue" if args.engine == "postgres" else f"issue-{os.getpid()}"
    if args.engine == "postgres":
        create_pg_database(name, drop=True)
    env = database_env(args.engine, name)
    work = Path(tempfile.mkdtemp(prefix="zhifa-bench-issue-"))
    env.update(ZHIFA_EVIDENCE_DIR=str(work / "evidence"), ZHIFA_DOSSIER_KEY=str(work / "dossier.pem"))
    if args.engine == "sqlite":
        Path(env["ZHIFA_SQLITE_PATH"]).unlink(missing_ok=True)
    setup_django(env)
    figures = run(args.documents, work)
    if args.engine == "sqlite":
        Path(env["ZHIFA_SQLITE_PATH"]).unlink(missing_ok=True)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        report(figures)


def _issue(case, code: str, actor, on):
    from zhifa.documents import render, services

    d = services.draft(case, code, render.sample_inputs(code), actor=actor)
    t = time.perf_counter()
    d = services.issue(d, actor=actor, on=on)
    return time.perf_counter() - t, d


def run(n_docs: int, work: Path) -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from zhifa.cases.models import Case
    from zhifa.documents import pdf
    from zhifa.documents.types import SPECS
    from zhifa.records import dossier

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    call_command("load_demo", stdout=io.StringIO())
    load_s = time.perf_counter() - t
    dossier.generate_key(work / "dossier.pem")
    case = Case.objects.get(creation_key__endswith=":demo:trv-decided")
    actor = case.handlers.filter(is_lead=True, removed_on__isnull=True).first().user
    on = timezone.localdate()
    settings.ZHIFA_PDF_AT_ISSUE = True
    out: dict = {"demo_load_s": round(load_s, 2), "target_s": TARGET_S}

    # cold: no server at the configured address (a free port nobody listens on)
    settings.ZHIFA_UNOSERVER = "127.0.0.1:9"
    cold, _ = _issue(case, "penalty_decision", actor, on)
    out["decision_cold_s"] = round(cold, 3)

    port = _free_port()
    settings.ZHIFA_UNOSERVER = f"127.0.0.1:{port}"
    proc = pdf.start_server(port=port, uno_port=_free_port(), profile=work / "profile",
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pdf.wait_ready(f"127.0.0.1:{port}", proc=proc, timeout=90)
        _issue(case, "penalty_decision", actor, on)  # the first conversion loads Writer and the fonts
        warm = [_issue(case, "penalty_decision", actor, on)[0] for _ in range(5)]
        out["decision_warm_median_s"] = round(statistics.median(warm), 3)
        codes = [c for c in SPECS if c not in ("penalty_decision", "case_file_index")]
        times = []
        t = time.perf_counter()
        for k in range(n_docs):
            times.append(_issue(case, codes[k % len(codes)], actor, on)[0])
        total = time.perf_counter() - t
        out.update(issue_n=n_docs, issue_median_s=round(statistics.median(times), 3),
                   issue_p95_s=round(percentile(times, 95), 3), issue_total_s=round(total, 2))
    finally:
        pdf.stop_server(proc)
    t = time.perf_counter()
    exported = dossier.export(case, work / "case.zip", actor=actor, key=work / "dossier.pem")
    out["dossier_s"] = round(time.perf_counter() - t, 2)
    out["dossier_documents"] = case.documents.count()
    out["dossier_mib"] = round(Path(exported.path).stat().st_size / 2 ** 20, 2)
    out["warm_within_target"] = out["decision_warm_median_s"] <= TARGET_S and out["issue_median_s"] <= TARGET_S
    return out


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def report(f: dict) -> None:
    print(f"demo bureau loaded in {f['demo_load_s']} s")
    print(f"decision issued, cold (one-shot soffice)   {f['decision_cold_s']:.3f} s")
    print(f"decision issued, warm (median of 5)        {f['decision_warm_median_s']:.3f} s")
    print(f"{f['issue_n']} documents issued, warm            median {f['issue_median_s']:.3f} s, "
          f"p95 {f['issue_p95_s']:.3f} s, total {f['issue_total_s']:.2f} s")
    print(f"case file with {f['dossier_documents']} documents exported   {f['dossier_s']:.2f} s, "
          f"{f['dossier_mib']} MiB")
    print(f"warm ≤ {f['target_s']} s a document: {'yes' if f['warm_within_target'] else 'NO'}")


if __name__ == "__main__":
    main()
