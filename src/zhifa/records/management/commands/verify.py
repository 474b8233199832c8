"""Re-compute the full-process record and every stored file's digest, and name the first break.

    zhifa verify              # the whole chain and every file
    zhifa verify --case 42    # the events of case 42, each against its content and the event before it, and its files

Prints the number of events and files checked and the hash of the last event (keep them outside the database: they
show later that nothing was removed from the end). Exits with status 1, naming the first broken event and every
missing or changed file, when any event was changed, removed, inserted or moved or any file's bytes differ from
their digest (``zhifa.records.verify``, ``zhifa.cases.files.verify_files``). Each run is kept (the audit screen
lists them) and a failed run alerts the audit administrators (``zhifa.records.checks``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...checks import run
from ...models import Event, Verification


class Command(BaseCommand):
    help = ("核验全过程记录和证据文件：重新计算每个事件的哈希和前后链接、每个文件的摘要，发现被修改、删除、插入"
            "或调换的事件，或者缺失、被改动的文件时，逐一指出并以状态 1 退出。")

    def add_arguments(self, parser):
        parser.add_argument("--case", type=int, help="只核验该案件（编号）的事件和文件")

    def handle(self, *args, **o):
        from zhifa.cases.models import Case  # the cases app builds on the records app

        if o["case"] is not None and not Case.objects.filter(pk=o["case"]).exists() \
                and not Event.objects.filter(case_id=o["case"]).exists():
            raise CommandError(f"没有编号为 {o['case']} 的案件（--case 取案件的编号，即案件页地址中的数字）")
        found = run(Verification.Trigger.COMMAND, o["case"])
        v = found.run
        scope = f"案件 {o['case']} 的" if o["case"] is not None else ""
        counted = f"已核验{scope}事件 {v.events_checked} 个、文件 {v.files_checked} 个"
        if not v.ok:
            raise CommandError(f"核验未通过：{'；'.join(v.message.splitlines())}（{counted}）")
        self.stdout.write(f"核验通过：{scope}事件 {v.events_checked} 个，文件 {v.files_checked} 个，"
                          f"最后一个事件的哈希 {v.last_hash or '（无）'}。")
