"""``zhifa search_index``: bring this server's copy of the portal's search index up to date (PostgreSQL; docs/
publicity.md §4) — after installing a new app server or a bulk import, so that no search waits for it."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "PostgreSQL：把本机的公示检索副本（SQLite FTS5）补齐到最新；SQLite 数据库自带全文索引，无需副本"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="删除本机副本，从头重建")

    def handle(self, *args, **options):
        from django.conf import settings

        from ... import replica

        if connection.vendor != "postgresql":
            self.stdout.write("SQLite 数据库自带全文索引，无需本机检索副本。")
            return
        if not replica.enabled():
            raise CommandError("本机检索副本已关闭（ZHIFA_SEARCH_REPLICA=0），检索直接查询 PostgreSQL。")
        if options["rebuild"]:
            replica.remove()
        started = time.perf_counter()

        def progress(done: int, top: int) -> None:
            self.stdout.write(f"  已同步到日志序号 {done:,} / {top:,}")

        copy = replica.sync(progress)
        self.stdout.write(f"本机检索副本已是最新：{copy.count():,} 条检索条目，日志序号 {copy.seq():,}，"
                          f"用时 {time.perf_counter() - started:.1f} 秒（{copy.path}，目录 "
                          f"ZHIFA_SEARCH_REPLICA_DIR={settings.ZHIFA_SEARCH_REPLICA_DIR}）。")
