"""Issue (or revoke) a person's API token.

    zhifa token zhangsan            # prints a new token once; only its hash is kept
    zhifa token zhangsan --revoke   # revokes every token of the person

Each issue and revocation is recorded (api.token_issued, api.token_revoked).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhifa.org.models import User

from ... import tokens


class Command(BaseCommand):
    help = "签发（或吊销）人员的数据接口令牌；令牌只显示一次，系统只保存其摘要。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="人员的登录名")
        parser.add_argument("--revoke", action="store_true", help="吊销该人员的全部令牌")

    def handle(self, *args, **o):
        user = User.objects.filter(username=o["username"]).select_related("agency").first()
        if user is None:
            raise CommandError(f"没有登录名为 {o['username']} 的人员")
        if o["revoke"]:
            n = tokens.revoke_all(user)
            self.stdout.write(f"已吊销 {user}（{user.username}）的 {n} 个令牌")
            return
        if not user.is_active:
            raise CommandError(f"{user}（{user.username}）已停用，不能签发令牌")
        _, secret = tokens.issue(user)
        self.stderr.write(f"已为 {user}（{user.username}）签发令牌。令牌只显示这一次，请妥善保存：")
        self.stdout.write(secret)
