"""`zhifa demo_logins`: the demo accounts and how to sign in, as `load_demo` prints them at the end.

Reads the accounts from the database and changes nothing; `scripts/serve` runs it before starting.
"""

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from zhifa.org import demo


class Command(BaseCommand):
    help = ("列出演示账户（用户名、姓名、角色、是否须绑定动态验证码）和演示密码说明。只读取数据库，不作修改；"
            "未载入演示数据时给出提示。")

    def handle(self, *args, **options):
        try:
            lines = demo.login_lines()
        except DatabaseError:  # no tables yet: the database was never migrated
            self.stdout.write("数据库尚未初始化，演示数据未载入。请先运行 zhifa migrate，再运行 zhifa load_demo。")
            return
        if not lines:
            self.stdout.write(f"演示数据未载入：数据库中没有{demo.AGENCY['name']}的演示账户。"
                              "如需演示，请运行 zhifa load_demo。")
            return
        for line in lines:
            self.stdout.write(line)
