"""The electronic case file (电子卷宗, docs/case-file.md).

    zhifa dossier keygen [--out DIR] [--force] [--if-missing]   # the Ed25519 signing key (outside the database)
    zhifa dossier export CASE [--out FILE] [--user NAME]        # CASE: the case id or 平文旅案〔2026〕15号
    zhifa dossier verify FILE --key PUBLIC.pem                  # offline: the package and the key, nothing else
    zhifa dossier fingerprint [PUBLIC.pem]                      # the key's fingerprint, to publish

``verify`` exits with status 1 unless all four DA/T 70 properties pass (``zhifa.records.dossier_check``).
"""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("电子卷宗：生成签名密钥（keygen）、导出案件卷宗（export）、离线核验卷宗（verify）、"
            "打印公钥指纹（fingerprint）。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{keygen,export,verify,fingerprint}")
        keygen = sub.add_parser("keygen", help="生成 Ed25519 签名密钥对（私钥权限 0600，存放在数据库以外）")
        keygen.add_argument("--out", metavar="DIR",
                            help="写入该目录（默认：设置 ZHIFA_DOSSIER_KEY 指定的位置，var/keys/dossier-ed25519.pem）")
        keygen.add_argument("--force", action="store_true", help="覆盖已有的密钥（先备份！）")
        keygen.add_argument("--if-missing", action="store_true", help="密钥已存在时什么也不做（make run 使用）")
        export = sub.add_parser("export", help="导出案件的电子卷宗（ZIP）")
        export.add_argument("case", help="案件 id 或案件编号，如 平文旅案〔2026〕15号")
        export.add_argument("--out", metavar="FILE", help="卷宗文件（默认：当前目录下的 卷宗-<案件>.zip）")
        export.add_argument("--user", help="记为导出人的用户名（默认不记人员，记为命令行导出）")
        verify = sub.add_parser("verify", help="离线核验电子卷宗（不需要数据库）")
        verify.add_argument("file", help="卷宗 ZIP 文件")
        verify.add_argument("--key", required=True, help="出具机关公布的公钥（PEM）")
        fp = sub.add_parser("fingerprint", help="打印公钥指纹（SHA-256）")
        fp.add_argument("public", nargs="?", help="公钥文件（默认：签名私钥对应的公钥）")

    def handle(self, *args, **o):
        from zhifa.records.dossier import DossierError

        try:
            return getattr(self, f"_{o['action']}")(o)
        except DossierError as exc:
            raise CommandError(exc.message) from None

    def _keygen(self, o):
        from zhifa.records import dossier

        private = Path(o["out"]) / dossier.key_path().name if o["out"] else dossier.key_path()
        if o["if_missing"] and private.exists():
            self.stdout.write(f"电子卷宗签名密钥已存在：{private}")
            return
        pair = dossier.generate_key(private, force=o["force"])
        self.stdout.write(f"已生成电子卷宗签名密钥（Ed25519）。\n私钥：{pair.private}（权限 0600，请离线备份，"
                          f"不要放入数据库或代码仓库）\n公钥：{pair.public}\n公钥指纹（SHA-256）：{_grouped(pair.fingerprint)}\n"
                          "请公布公钥和指纹，收到卷宗的当事人、法院和档案馆据此核验（docs/case-file.md）。")
        if o["out"] and private != dossier.key_path():
            self.stdout.write(f"使用该密钥：设置环境变量 ZHIFA_DOSSIER_KEY={private}")

    def _export(self, o):
        from zhifa.org.models import User
        from zhifa.records import dossier

        case = dossier.find_case(o["case"])
        actor = None
        if o["user"]:
            actor = User.objects.filter(username=o["user"]).first()
            if actor is None:
                raise CommandError(f"没有用户 {o['user']}")
        out = Path(o["out"]) if o["out"] else Path(f"卷宗-{dossier.file_stem(case)}.zip")
        done = dossier.export(case, out, actor=actor)
        self.stdout.write(f"已导出电子卷宗：{done.path}\n案件：{case.reference or case.pk} {case.title}\n"
                          f"卷内文件 {done.items} 件，包内文件 {done.files} 个；保管期限 {done.retention}\n"
                          f"清单摘要 SHA-256 {done.manifest_sha256}\n清单摘要 SM3 {done.manifest_sm3}\n"
                          f"签名公钥指纹（SHA-256）：{_grouped(done.fingerprint)}")

    def _verify(self, o):
        from zhifa.records import dossier_check

        buf = io.StringIO()
        status = dossier_check.main([o["file"], "--key", o["key"]], out=buf)
        self.stdout.write(buf.getvalue().rstrip("\n"))
        if status:
            raise CommandError("电子卷宗核验未通过。" if status == 1 else "无法核验电子卷宗。",
                               returncode=status)

    def _fingerprint(self, o):
        from zhifa.records import dossier, dossier_check

        if o["public"]:
            try:
                pem = Path(o["public"]).read_bytes()
            except OSError as exc:
                raise CommandError(f"无法读取公钥文件 {o['public']}：{exc}") from None
        else:
            pem = dossier.load_key()[1]
        try:
            self.stdout.write(f"公钥指纹（SHA-256）：{_grouped(dossier_check.fingerprint(pem))}")
        except ValueError as exc:
            raise CommandError(f"不是 Ed25519 公钥：{exc}") from None


def _grouped(fp: str) -> str:
    from zhifa.records.dossier_check import grouped

    return grouped(fp)

