"""`zhifa load_demo`: the demo bureau 平舆县文化广电和旅游局 (zhifa.org.demo). Safe to repeat."""

import os
import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from zhifa.law.errors import RuleViolation
from zhifa.org import demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


class Command(BaseCommand):
    help = ("载入演示数据：平舆县文化广电和旅游局（局队合一）的人员、执法证、培训记录和辖区经营单位。"
            "可重复执行，只补充缺少的数据。演示账户密码取环境变量 ZHIFA_DEMO_PASSWORD，"
            f"未设置时为 {demo.DEFAULT_PASSWORD}。")

    def add_arguments(self, parser):
        parser.add_argument("--reset-passwords", action="store_true",
                            help="把已存在的演示账户的密码恢复为演示密码，并解除登录锁定")

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
        self._print_logins(result, password)

    def _print_logins(self, result: demo.LoadResult, password: str) -> None:
        rows = [("用户名", "姓名", "角色", "机构/职务", "动态验证码")]
        for a in result.accounts:
            p = a.person
            rows.append((p.username, p.full_name, p.role_labels, f"{p.unit}/{p.position}",
                         "需要 ★" if p.needs_second_factor else "—"))
        out = self.stdout.write
        out("")
        out(f"演示账户（{demo.AGENCY['name']}）：")
        for line in table(rows):
            out("  " + line)
        out("")
        if os.environ.get(demo.PASSWORD_ENV, "").strip():
            out(f"所有演示账户的密码为环境变量 {demo.PASSWORD_ENV} 的值。")
        else:
            out(f"所有演示账户的密码：{password}（可用环境变量 {demo.PASSWORD_ENV} 另设）")
        out("★ 系统管理员、安全管理员、审计管理员和负责人（局长、副局长）须使用第二重身份验证：首次登录后"
            "按页面提示用手机验证器（TOTP）扫码绑定，以后每次登录输入验证器上的 6 位数字。")
        if any(not a.created for a in result.accounts) and not result.passwords_reset:
            out("已存在的账户未改动密码；如需恢复演示密码，请运行 zhifa load_demo --reset-passwords。")
        reasons = {"certificate_expired": "执法证已过期", "certificate_suspended": "执法证被暂扣",
                   "refresher_missing": "缺上年度复训", "onboarding_incomplete": "入职培训未完成"}
        blocked = "、".join(f"{u}（{reasons.get(code, code)}）" for u, code in demo.EXPECTED_BLOCKED.items())
        alert = "、".join(demo.EXPECTED_EXPIRY_ALERT)
        out(f"人员名册中有意设置的资格问题：{blocked}；{alert} 的执法证 30 天内到期。")
        out("演示账户的密码是公开的，切勿在生产环境中载入演示数据。")
