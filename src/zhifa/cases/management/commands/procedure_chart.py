"""Print the procedure chart drawn from the procedure table (``zhifa.law.procedure.TABLE``).

    zhifa procedure_chart                                # Mermaid, both procedures
    zhifa procedure_chart --format dot --procedure summary
    zhifa procedure_chart --format markdown > docs/procedure-chart.md

``markdown`` is the whole of ``docs/procedure-chart.md`` (a test keeps the committed file equal to it). The text is
Chinese whatever the active language, so the doc does not change with a translation.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import translation

from zhifa.law import procedure as proc

FORMATS = ("mermaid", "dot", "markdown")


def render(fmt: str = "mermaid", procedure: str | None = None) -> str:
    only = proc.Procedure(procedure) if procedure else None
    if fmt == "mermaid":
        return proc.chart(only)
    if fmt == "dot":
        return proc.chart_dot(only)
    from ...views.chart import markdown

    with translation.override("zh-hans"):
        return markdown([only] if only else None)


class Command(BaseCommand):
    help = "打印由办案程序表生成的程序图：Mermaid、Graphviz DOT，或 docs/procedure-chart.md 的全文（markdown）。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="mermaid", help="输出格式，默认 mermaid")
        parser.add_argument("--procedure", choices=[p.value for p in proc.Procedure],
                            help="只输出一种程序（general 普通程序、summary 简易程序），默认两种都输出")

    def handle(self, *args, **o):
        self.stdout.write(render(o["format"], o["procedure"]), ending="")
