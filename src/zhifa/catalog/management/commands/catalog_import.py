"""``zhifa catalog_import FILE --user USERNAME [--dry-run]``: import an exchange file.

New and changed items become pending 权责清单 adjustments proposed by USERNAME (someone else approves
them); sources, provisions, versions, benchmarks and 免罚清单 lines are saved directly and recorded.
A bad file prints a Chinese message naming the sheet, row and column, saves nothing and exits 2.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "导入执法事项目录文件（JSON 或 Excel）。执法事项的新增和调整作为待审批的权责清单调整提出。"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="目录文件（.json 或 .xlsx）")
        parser.add_argument("--user", metavar="USERNAME",
                            help="以该用户的名义导入（必填；须为法制审核人员、负责人或系统管理员）")
        parser.add_argument("--dry-run", action="store_true", help="试运行：检查并报告，不保存")
        parser.add_argument("--reason", default="", help="调整理由（默认：由目录文件导入）")

    def _fail(self, message: str):
        self.stderr.write(f"导入失败，未保存任何内容：{message}")
        raise SystemExit(EXIT_BAD_INPUT)

    def handle(self, *args, **options):
        from zhifa.catalog.exchange import ExchangeError, import_file
        from zhifa.org.models import User

        username = (options.get("user") or "").strip()
        if not username:
            self._fail("请用 --user 指定导入人的用户名")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            self._fail(f"用户 --user “{username}”不存在或已停用")
        try:
            report = import_file(options["file"], user=user, dry_run=options["dry_run"], reason=options["reason"])
        except ExchangeError as err:
            self._fail(err.message)
        self.stdout.write(report.summary())
        for note in report.notes:
            self.stdout.write(f"  · {note}")
        if report.changes and not report.dry_run:
            self.stdout.write(f"待审批的权责清单调整 {len(report.changes)} 项："
                              + "、".join(f"{c.item_code}（{c.get_action_display()}）" for c in report.changes[:20])
                              + ("……" if len(report.changes) > 20 else ""))
