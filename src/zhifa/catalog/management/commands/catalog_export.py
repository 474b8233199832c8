"""``zhifa catalog_export --format json|xlsx --out FILE``: the whole catalog as an exchange file."""

from __future__ import annotations

from django.core.management.base import BaseCommand

EXIT_USAGE = 2


class Command(BaseCommand):
    help = "导出执法事项目录（法律依据、条款及版本、执法事项、裁量基准、免罚清单）为 JSON 或 Excel 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "xlsx"], default="json", help="文件格式（默认 json）")
        parser.add_argument("--out", metavar="FILE", help="输出文件；JSON 省略时输出到标准输出")

    def handle(self, *args, **options):
        from zhifa.catalog.exchange import export_json, export_xlsx

        fmt, out = options["format"], options.get("out")
        if fmt == "xlsx":
            if not out:
                self.stderr.write("导出 Excel 须用 --out 指定文件名，例如 --out 目录.xlsx")
                raise SystemExit(EXIT_USAGE)
            export_xlsx(out)
        elif out:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(export_json() + "\n")
        else:
            self.stdout.write(export_json())
            return
        self.stdout.write(f"已导出到 {out}")
