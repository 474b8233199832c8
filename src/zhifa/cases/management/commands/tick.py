"""Raise the day's deadline reminders (期限提醒) and print a one-line summary.

    zhifa tick                      # today (Asia/Shanghai)
    zhifa tick --date 2026-03-02    # as of another day

Run it once a day from cron or a systemd timer, e.g. ``15 7 * * * cd /srv/zhifa && .venv/bin/zhifa tick``.
Running it twice adds nothing: each person hears of a clock once per kind. Each run is recorded
(cases.notifications_raised).

It also runs the weekly integrity check (``zhifa verify`` of the whole record and every file) when the last one is
older than ZHIFA_VERIFY_INTERVAL_DAYS (7); a failed check alerts the audit administrators (zhifa.records.checks).
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from zhifa.records import checks

from ...notify import summary, tick


class Command(BaseCommand):
    help = ("发出期限提醒：本机关办案期限即将届满或已逾期的，提醒承办人员、法制审核人员，逾期的同时提醒负责人；"
            "打印一行汇总。每周一次核验全过程记录和证据文件，未通过的提醒审计管理员。公示期满的决定自动撤下。"
            "应由 cron 或 systemd 定时器每日运行一次（重复运行不会重复提醒）。")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **o):
        on = None
        if o["date"]:
            try:
                on = date.fromisoformat(o["date"])
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{o['date']}") from exc
        self.stdout.write(summary(tick(on)))
        self.stdout.write(checks.summary(checks.run_if_due()))
        from zhifa.publicity.services import take_down_expired

        self.stdout.write(f"公示期满撤下：{take_down_expired(on)} 件")
