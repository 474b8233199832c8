"""``zhifa document_check``: the document checker (文书检查) on the command line — one case's findings, or an
agency's findings per officer over a period (for the assessment of officers; docs/documents.md §4)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "文书检查：一个案件的缺漏和不一致，或一个执法主体一段时间内每名执法人员名下的检查结果"

    def add_arguments(self, parser):
        parser.add_argument("--case", help="案件 id 或案件编号：列出该案文书的检查结果")
        parser.add_argument("--agency", help="执法主体代码（默认：唯一的执法主体）")
        parser.add_argument("--from", dest="start", help="起始日期 YYYY-MM-DD（默认：本年 1 月 1 日）")
        parser.add_argument("--to", dest="end", help="截止日期 YYYY-MM-DD（默认：今天）")

    def handle(self, *args, **options):
        from django.utils import timezone

        from zhifa.org.models import Agency, User
        from zhifa.records.dossier import DossierError, find_case

        from ... import checker

        if options["case"]:
            try:
                case = find_case(options["case"])
            except DossierError as exc:
                raise CommandError(str(exc)) from None
            findings = checker.check_case(case)
            self.stdout.write(f"{case.reference or case.pk} {case.title}：{len(findings)} 条")
            for f in findings:
                who = f.officer.full_name or f.officer.username
                mark = "不一致" if f.severity == "error" else "待完善"
                self.stdout.write(f"  ［{mark}］{f.message} — {who}")
            return
        agencies = Agency.objects.filter(code=options["agency"]) if options["agency"] else Agency.objects.all()
        if agencies.count() != 1:
            raise CommandError("请用 --agency 指定执法主体代码" if not options["agency"]
                               else f"找不到执法主体 {options['agency']}")
        agency = agencies.get()
        today = timezone.localdate()
        start = _day(options["start"]) if options["start"] else date(today.year, 1, 1)
        end = _day(options["end"]) if options["end"] else today
        if end < start:
            raise CommandError("截止日期早于起始日期")
        counts = checker.for_agency(agency, start, end)
        people = {u.pk: u for u in User.objects.filter(pk__in={pk for pk, _sev in counts})}
        self.stdout.write(f"{agency.name} {start.isoformat()} 至 {end.isoformat()} 文书检查（每名执法人员名下）：")
        if not counts:
            self.stdout.write("  无")
        ranked = sorted({pk for pk, _sev in counts}, key=lambda p: (-counts[(p, "error")], -counts[(p, "warning")]))
        for pk in ranked:
            u = people[pk]
            self.stdout.write(f"  {u.full_name or u.username}（{u.username}）：不一致 {counts[(pk, 'error')]} 条，"
                              f"待完善 {counts[(pk, 'warning')]} 条")
