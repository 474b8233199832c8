"""Run the warm PDF converter (LibreOffice behind unoserver) in the foreground until killed.

    zhifa unoserver                 # at ZHIFA_UNOSERVER (default 127.0.0.1:2003)
    zhifa unoserver --port 2004

``scripts/serve`` starts it in the background next to the web server. While it runs an issued document becomes a
PDF in a fraction of a second; without it ``zhifa.documents.pdf.to_pdf`` starts a one-shot LibreOffice each time
(several seconds). Without LibreOffice the command says so and exits 0: documents are still there as .docx.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ... import pdf


class Command(BaseCommand):
    # the converter needs no database; the system checks would open one (and create an empty SQLite file)
    requires_system_checks = []
    help = ("在前台运行文书 PDF 转换服务（LibreOffice + unoserver），直到被终止；就绪时打印一行。"
            "未安装 LibreOffice 时提示 PDF 不可用并正常退出（文书仍可下载 .docx）。")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, help=f"XML-RPC 端口，默认取 ZHIFA_UNOSERVER（{pdf.DEFAULT_ADDRESS}）")
        parser.add_argument("--uno-port", type=int, default=pdf.DEFAULT_UNO_PORT,
                            help=f"LibreOffice 的 UNO 端口，默认 {pdf.DEFAULT_UNO_PORT}")

    def handle(self, *args, **o):
        host, default_port = pdf.host_port(pdf.address())
        port = o["port"] or default_port

        def ready(info):
            self.stdout.write(pdf.ready_line(info, f"{host}:{port}"))
            self.stdout.flush()

        def restart(code):
            self.stdout.write(f"LibreOffice 转换服务意外退出（退出码 {code}），正在重新启动；"
                              "其间文书 PDF 改用一次性转换")
            self.stdout.flush()

        # not errors: the platform works without them, and scripts/serve must go on starting the web server
        if pdf.soffice() is None:
            self.stdout.write(f"{pdf.PdfUnavailable()}。转换服务未启动"
                              "（安装：apt-get install libreoffice-writer-nogui python3-uno）")
            return
        if pdf.uno_python() is None:
            self.stdout.write(str(pdf.ServerUnavailable("找不到能导入 uno 的 Python（Debian：apt-get install "
                                                        "python3-uno，或设置 ZHIFA_UNO_PYTHON）")))
            return
        try:
            code = pdf.serve(port, o["uno_port"], on_ready=ready, on_restart=restart)
        except (pdf.PdfUnavailable, pdf.ServerUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        if code:
            self.stdout.write(f"LibreOffice 转换服务反复退出（退出码 {code}），已放弃；"
                              "此后文书 PDF 改用一次性的 soffice 转换")
        else:
            self.stdout.write("LibreOffice 转换服务已停止")
