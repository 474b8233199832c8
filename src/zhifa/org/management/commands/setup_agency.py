"""Set up a real agency and its first administrators (instead of the demo bureau).

    zhifa setup_agency --code 411723001 --region 411723 --name 平舆县文化广电和旅游局 \
        --short-name 平文旅 --brigade-name 平舆县文化市场综合执法大队 \
        --admin sysadmin:xitong:吴某 --admin secadmin:anquan:郑某 --admin auditadmin:shenji:冯某

Each administrator gets a random temporary password, printed once; they must change it and enrol
the second factor at their first sign-in. The 系统管理员 then registers people and units on the
screens, the 安全管理员 grants roles. Running it again with the same code changes nothing.
"""

from __future__ import annotations

import re
import secrets
import string

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhifa.law.errors import RuleViolation
from zhifa.records.services import record

from ...models import Agency, User
from ...roles import ADMIN_ROLES, ROLE_LABELS, Role
from ...services import set_roles

_ALPHABET = string.ascii_letters + string.digits + "-_!@#%"


def temporary_password(user: User) -> str:
    """A random password that passes this installation's validators (including 等保 mode)."""
    for _ in range(100):
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate
    raise CommandError("无法生成符合密码规则的临时密码，请检查密码相关配置")


class Command(BaseCommand):
    help = "建立执法主体（机关）及其系统、安全、审计管理员账户（正式部署时代替演示数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="机关代码（平台内唯一），如 411723001")
        parser.add_argument("--region", required=True, help="6 位行政区划代码，如 411723")
        parser.add_argument("--name", required=True, help="机关全称")
        parser.add_argument("--document-name", default="", help="文书用名（默认同机关全称）")
        parser.add_argument("--short-name", default="", help="简称，用于文号，如 平文旅")
        parser.add_argument("--brigade-name", default="", help="执法队伍名称")
        parser.add_argument("--parent", default="", help="上级机关的机关代码")
        parser.add_argument("--admin", action="append", default=[], metavar="角色:用户名:姓名",
                            help="管理员账户，角色为 sysadmin、secadmin 或 auditadmin；可重复")

    def handle(self, *args, **o):
        call_command("load_reference", verbosity=0, stdout=self.stdout)
        if not re.fullmatch(r"\d{6}", o["region"]):
            raise CommandError(f"行政区划代码应为 6 位数字，实际为“{o['region']}”（--region）")
        code = o["code"].strip()
        if not code or len(code) > 32:
            raise CommandError("机关代码不能为空，且不超过 32 个字符（--code）")
        admins = [self._parse_admin(spec) for spec in o["admin"]]
        roles = [r for r, _u, _n in admins]
        if len(set(roles)) != len(roles):
            raise CommandError("每种管理员角色只能指定一个账户（--admin）")
        usernames = [u for _r, u, _n in admins]
        if len({u.lower() for u in usernames}) != len(usernames):
            raise CommandError("三个管理员须是三个不同的账户（三员分立，GB/T 22239-2019）（--admin）")

        parent = None
        if o["parent"]:
            parent = Agency.objects.filter(code=o["parent"]).first()
            if parent is None:
                raise CommandError(f"找不到机关代码为 {o['parent']} 的上级机关（--parent）")

        created_passwords: list[tuple[str, str, str, str]] = []
        with transaction.atomic():
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                agency = Agency.objects.create(
                    code=code, region_code=o["region"], name=o["name"].strip(),
                    document_name=(o["document_name"] or o["name"]).strip(), short_name=o["short_name"].strip(),
                    brigade_name=o["brigade_name"].strip(), merged_brigade=True, parent=parent)
                record("org.agency_created", actor=None, agency=agency, subject=f"agency:{agency.pk}",
                       payload={"code": code, "name": agency.name, "region_code": agency.region_code,
                                "parent": parent.code if parent else None, "by": "setup_agency"})
                self.stdout.write(f"已建立执法主体：{agency.name}（{agency.code}）")
            elif agency.name != o["name"].strip():
                raise CommandError(f"机关代码 {code} 已属于“{agency.name}”，与 --name 不符")
            else:
                self.stdout.write(f"执法主体已存在：{agency.name}（{agency.code}），未作改动")

            for role, username, full_name in admins:
                existing = User.objects.filter(username__iexact=username).first()
                if existing is not None:
                    if existing.agency_id != agency.pk or not existing.has_role(role):
                        raise CommandError(f"用户名 {username} 已被其他账户使用（--admin）")
                    self.stdout.write(f"账户已存在：{username}（{ROLE_LABELS[Role(role)]}），未作改动")
                    continue
                user = User(username=username, full_name=full_name, agency=agency, must_change_password=True)
                password = temporary_password(user)
                user.set_password(password)
                user.save()
                record("org.person_created", actor=None, agency=agency, subject=f"user:{user.pk}",
                       payload={"username": username, "full_name": full_name, "by": "setup_agency"})
                try:
                    set_roles(user, [role], actor=None)
                except RuleViolation as exc:
                    raise CommandError(exc.message) from None
                created_passwords.append((username, full_name, str(ROLE_LABELS[Role(role)]), password))

        if created_passwords:
            self.stdout.write("\n新建的管理员账户（临时密码只显示这一次，请当面或通过安全渠道交给本人）：")
            for username, full_name, label, password in created_passwords:
                self.stdout.write(f"  {username:<14} {full_name:<8} {label:<8} 临时密码：{password}")
            self.stdout.write("首次登录时须修改密码，并用手机验证器绑定动态验证码。")

    def _parse_admin(self, spec: str) -> tuple[str, str, str]:
        parts = [p.strip() for p in spec.split(":")]
        if len(parts) != 3 or not all(parts):
            raise CommandError(f"管理员应写作 角色:用户名:姓名，实际为“{spec}”（--admin）")
        role, username, full_name = parts
        if role not in {r.value for r in ADMIN_ROLES}:
            raise CommandError(f"管理员角色只能是 sysadmin、secadmin、auditadmin，实际为“{role}”（--admin）")
        if not re.fullmatch(r"[\w.@+-]{1,150}", username, flags=re.ASCII):
            raise CommandError(f"用户名只能包含字母、数字和 @ . + - _，实际为“{username}”（--admin）")
        return role, username, full_name
