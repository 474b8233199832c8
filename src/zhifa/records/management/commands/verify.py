"""Re-compute the full-process record and name the first break.

    zhifa verify              # the whole chain
    zhifa verify --case 42    # the events of case 42, each against its content and the event before it

Prints the number of events checked and the hash of the last one (keep them outside the database: they show
later that nothing was removed from the end). Exits with status 1, naming the first broken event, when any
event was changed, removed, inserted or moved (``zhifa.records.verify``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...verify import verify_events


class Command(BaseCommand):
    help = ("核验全过程记录：重新计算每个事件的哈希和前后链接，发现被修改、删除、插入或调换的事件时"
            "指出第一处并以状态 1 退出。")

    def add_arguments(self, parser):
        parser.add_argument("--case", type=int, help="只核验该案件（编号）的事件")

    def handle(self, *args, **o):
        result = verify_events(o["case"])
        scope = f"案件 {o['case']} 的" if o["case"] is not None else ""
        if result.broken is not None:
            raise CommandError(f"核验未通过：{result.broken.message}（已核验{scope}事件 {result.checked} 个）")
        self.stdout.write(f"核验通过：{scope}事件 {result.checked} 个，最后一个事件的哈希 {result.last_hash}。")
