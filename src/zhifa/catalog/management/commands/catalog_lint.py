"""``zhifa catalog_lint [--json]``: the catalog's findings; exit code 1 when any is an error."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

EXIT_ERRORS = 1


class Command(BaseCommand):
    help = ("检查执法事项目录（处罚依据缺失或为规范性文件、重复交叉、条款新版本未审查、金额未核对等）。"
            "有“错误”级问题时退出码为 1。")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 列表输出")

    def handle(self, *args, **options):
        from zhifa.catalog.lint import SEVERITY_LABELS, has_errors, lint

        findings = lint()
        if options["json"]:
            self.stdout.write(json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2))
        else:
            errors = sum(f.severity == "error" for f in findings)
            for f in findings:
                basis = f"（依据：{'；'.join(f.basis)}）" if f.basis else ""
                self.stdout.write(f"[{SEVERITY_LABELS[f.severity]}] {f.item_code}  {f.code}  {f.message}{basis}")
            self.stdout.write(f"共 {len(findings)} 条：错误 {errors} 条，提示 {len(findings) - errors} 条。")
        if has_errors(findings):
            raise SystemExit(EXIT_ERRORS)
