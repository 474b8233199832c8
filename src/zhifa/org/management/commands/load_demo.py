"""`zhifa load_demo`: the demo bureau 平舆县文化广电和旅游局 (zhifa.org.demo). Safe to repeat."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhifa.law.errors import RuleViolation
from zhifa.org import demo


class Command(BaseCommand):
    help = ("载入演示数据：平舆县文化广电和旅游局（局队合一）的人员、执法证、培训记录和辖区经营单位。"
            "可重复执行，只补充缺少的数据。演示账户密码取环境变量 ZHIFA_DEMO_PASSWORD，"
            f"未设置时为 {demo.DEFAULT_PASSWORD}。")

    def add_arguments(self, parser):
        parser.add_argument("--reset-passwords", action="store_true",
                            help="把已存在的演示账户的密码恢复为演示密码，并解除登录锁定")
        parser.add_argument("--without-cases", action="store_true",
                            help="不载入演示案件（只载入人员、证件、培训和经营单位）")

    def handle(self, *args, **options):
        password = demo.demo_password()
        problems = demo.password_problems(password)
        if problems:
            raise CommandError(f"演示密码不符合密码规则（环境变量 {demo.PASSWORD_ENV}）："
                               + "；".join(problems))
        call_command("load_reference", stdout=self.stdout, stderr=self.stderr,
                     verbosity=options.get("verbosity", 1))
        try:
            result = demo.load(password=password, reset_passwords=options["reset_passwords"])
        except (demo.DemoConflict, RuleViolation) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc

        if any(result.created.values()):
            labels = {"agencies": "执法主体", "units": "内设机构", "people": "人员", "certificates": "执法证",
                      "annual_reviews": "年审记录", "certificate_status_changes": "证件状态变更",
                      "trainings": "培训记录", "parties": "行政相对人", "premises": "经营场所",
                      "licences": "许可证"}
            done = "，".join(f"{labels.get(k, k)} {v}" for k, v in result.created.items() if v)
            self.stdout.write(f"演示数据已载入：{done}。")
        else:
            self.stdout.write("演示数据已存在，未新增数据。")
        if result.passwords_reset:
            self.stdout.write(f"已将 {result.passwords_reset} 个已有演示账户的密码恢复为演示密码，"
                              "并解除登录锁定。")
        for line in result.skipped:
            self.stdout.write(f"未载入：{line}")
        if not options["without_cases"]:
            self._load_cases()
        if options.get("verbosity", 1) >= 2:
            for line in result.warnings:
                self.stdout.write(f"登记提示：{line}")
        self.stdout.write("")
        for line in demo.login_lines(password):
            self.stdout.write(line)

    def _load_cases(self) -> None:
        """The demo cases, walked through the case service (zhifa.cases.demo); one line per state group."""
        from zhifa.cases.demo import load_demo_cases
        from zhifa.org.models import Agency

        agency = Agency.objects.get(code=demo.AGENCY["code"])
        cases = load_demo_cases(agency, today=timezone.localdate())
        self.stdout.write(cases.summary())
        for line in cases.refused:
            self.stdout.write(f"演示案件未载入：{line}")
