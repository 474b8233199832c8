"""``zhifa law …``: the statutory rules from the command line, JSON out (issue 3, part 2).

    zhifa law deadline KIND --from YYYY-MM-DD [--flag name=value …]
    zhifa law deadline --list
    zhifa law check-id NUMBER
    zhifa law check-uscc CODE

Success prints one JSON document on stdout and exits 0. Any input error (unknown kind, malformed
date, unknown or malformed flag, bad usage) prints ``{"code", "message", "field"}`` on stdout (message
in Chinese, naming the field) and exits 2, never a traceback.

The outer Django parser takes everything after ``law`` as raw words; the subcommands are parsed in
``handle`` by an argparse parser with subparsers whose ``error`` raises instead of printing usage. That
way the JSON error goes to the command's own stdout both from the shell and from ``call_command``
(where Django parses before the ``stdout`` option is in place).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, datetime

from django.core.management.base import BaseCommand

from zhifa.law.clocks import CLOCKS, Unit, due
from zhifa.law.errors import RuleViolation

EXIT_USAGE = 2
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")
_TRUE = {"true", "1", "yes", "y", "on", "是"}
_FALSE = {"false", "0", "no", "n", "off", "否"}

UNIT_NAMES = {
    Unit.WORKING_DAYS: "工作日",
    Unit.CALENDAR_DAYS: "日（自然日）",
    Unit.MONTHS: "个月",
    Unit.YEARS: "年",
    Unit.HOURS: "小时",
}


class UsageError(Exception):
    """An input error: becomes the JSON error and exit code 2."""

    def __init__(self, code: str, message: str, field: str | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


# argparse's own messages are English; name the field from the message and say it in Chinese.
_FIELD_NAMES = {"from": "起算日期 --from", "flag": "参数 --flag", "kind": "期限类型 KIND", "number": "号码 NUMBER",
                "command": "子命令", "arguments": "命令行参数"}


def _field_from_argparse(message: str) -> str:
    m = re.search(r"argument (--?[\w-]+|\{[^}]*\}|\w+)", message)
    if m:
        name = m.group(1)
        if name.startswith("{") or name == "command":
            return "command"
        return name.split("/")[-1].lstrip("-")
    if "required" in message and "command" in message:
        return "command"
    return "arguments"


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` and writes help to the command's stdout."""

    def __init__(self, *args, out=None, **kwargs) -> None:
        self._out = out
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        field = _field_from_argparse(message)
        label = _FIELD_NAMES.get(field, field)
        raise UsageError("usage", f"命令行参数错误（{label}）：{message}", field)

    def _print_message(self, message: str, file=None) -> None:
        if message:
            (self._out or sys.stdout).write(message)


def _length(clock, flags: dict[str, bool]) -> int:
    """The period's length with the flags applied, as ``clocks.due`` applies them."""
    length = clock.length
    for name, value in flags.items():
        if value:
            length = clock.flags[name]
    return length


class Command(BaseCommand):
    help = (
        "法律规则命令行工具，输出 JSON。"
        "zhifa law deadline KIND --from YYYY-MM-DD [--flag 名称=值 …]：计算期限届满日；"
        "zhifa law deadline --list：列出全部期限类型。输入错误时输出 JSON 错误并以代码 2 退出。"
    )
    requires_system_checks: list = []  # a calculator: do not run the project's system checks each call

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.error = self._outer_error  # e.g. "zhifa law -v 7": JSON too, exit 2
        return parser

    def _outer_error(self, message: str):
        field = _field_from_argparse(message)
        self._emit_error(UsageError("usage", f"命令行参数错误（{_FIELD_NAMES.get(field, field)}）：{message}",
                                    field), out=sys.stdout)

    def add_arguments(self, parser) -> None:
        parser.add_argument("words", nargs=argparse.REMAINDER, metavar="deadline …",
                            help="子命令及其参数，见 zhifa law deadline --help")

    # -- parsing -------------------------------------------------------------------------------

    def _subparser(self) -> _Parser:
        parser = _Parser(prog="zhifa law", description=self.help, out=self.stdout)
        commands = parser.add_subparsers(dest="command", metavar="command", parser_class=_Parser)
        commands.required = True
        deadline = commands.add_parser("deadline", help="计算法定期限届满日", out=self.stdout,
                                       description="计算法定期限届满日，输出 JSON。")
        deadline.add_argument("kind", nargs="?", metavar="KIND", help="期限类型（见 --list）")
        deadline.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="起算日（起算日不计入）")
        deadline.add_argument("--flag", action="append", default=[], metavar="名称=值",
                              help="期限参数，如 extended=true（可重复）")
        deadline.add_argument("--list", action="store_true", help="列出全部期限类型")
        for name, help_text in (("check-id", "校验 18 位居民身份证号码（GB 11643-1999）"),
                                ("check-uscc", "校验统一社会信用代码（GB 32100-2015）")):
            sub = commands.add_parser(name, help=help_text, out=self.stdout, description=help_text + "，输出 JSON。")
            sub.add_argument("number", nargs="?", metavar="NUMBER", help="号码")
        return parser

    # -- output --------------------------------------------------------------------------------

    def _emit(self, data, out=None) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if out is None:
            self.stdout.write(text)
        else:
            out.write(text + "\n")

    def _emit_error(self, err: UsageError, out=None):
        self._emit({"code": err.code, "message": err.message, "field": err.field}, out=out)
        raise SystemExit(EXIT_USAGE)

    def handle(self, *args, **options):
        words = [str(w) for w in (options.get("words") or [])] + [str(a) for a in args]
        try:
            ns = self._subparser().parse_args(words)
            if ns.command == "deadline":
                self._emit(self._list() if ns.list else self._deadline(ns))
            elif ns.command in ("check-id", "check-uscc"):
                self._emit(self._check(ns.command, ns.number))
        except UsageError as err:
            self._emit_error(err)

    # -- identifiers ---------------------------------------------------------------------------

    @staticmethod
    def _check(command: str, number: str | None) -> dict:
        """An invalid number is an answer (valid: false, with the reason), not a usage error."""
        from zhifa.law.identifiers import check_resident_id, check_uscc

        if number is None or not number.strip():
            raise UsageError("number_missing", "缺少要校验的号码 NUMBER", "number")
        return (check_resident_id if command == "check-id" else check_uscc)(number).as_dict()

    # -- deadline ------------------------------------------------------------------------------

    @staticmethod
    def _list() -> list[dict]:
        return [
            {
                "kind": clock.code,
                "name": clock.name,
                "length": clock.length,
                "unit": str(clock.unit),
                "unit_name": UNIT_NAMES[clock.unit],
                "starts": clock.starts,
                "flags": dict(clock.flags),
                "basis": [str(c) for c in clock.basis],
            }
            for clock in CLOCKS.values()
        ]

    def _deadline(self, ns) -> dict:
        if not ns.kind:
            raise UsageError("kind_missing", "缺少期限类型 KIND（可用 zhifa law deadline --list 查看）", "kind")
        clock = CLOCKS.get(ns.kind)
        if clock is None:
            raise UsageError("clock_unknown", f"期限类型 KIND 无效：“{ns.kind}”不是已知的期限类型"
                             "（可用 zhifa law deadline --list 查看）", "kind")
        start = self._start(ns.start, hours=clock.unit is Unit.HOURS)
        flags = self._flags(ns.flag, clock)

        from zhifa.catalog.calendar import work_calendar

        try:
            result = due(clock.code, start, work_calendar(), **flags)
        except RuleViolation as err:  # the checks above should catch everything; never a traceback
            raise UsageError(err.code, err.message, err.field) from err
        return {
            "kind": clock.code,
            "name": clock.name,
            "from": start.isoformat(),
            "due": result.date.isoformat(),
            "length": _length(clock, flags),
            "unit": str(clock.unit),
            "result": str(clock.result),
            "basis": [str(c) for c in result.basis],
            "warnings": list(result.warnings),
        }

    @staticmethod
    def _start(text: str | None, hours: bool) -> date:
        if not text:
            raise UsageError("from_missing", "缺少起算日期 --from（格式 YYYY-MM-DD）", "from")
        pattern, shape = (_DATETIME, "YYYY-MM-DDTHH:MM") if hours else (_DATE, "YYYY-MM-DD")
        if pattern.match(text):
            try:
                return datetime.fromisoformat(text) if hours else date.fromisoformat(text)
            except ValueError:
                pass
        raise UsageError("from_invalid", f"起算日期 --from 无效：“{text}”不是有效的日期（格式 {shape}）", "from")

    @staticmethod
    def _flags(items: list[str], clock) -> dict[str, bool]:
        flags: dict[str, bool] = {}
        accepted = "、".join(clock.flags) or "无"
        for item in items:
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or not name:
                raise UsageError("flag_invalid", f"参数 --flag 格式无效：“{item}”（应为 名称=值，如 extended=true）",
                                 "flag")
            if name not in clock.flags:
                raise UsageError("clock_flag_unknown", f"参数 --flag 无效：期限“{clock.name}”不接受参数"
                                 f"“{name}”（可用：{accepted}）", "flag")
            lowered = value.strip().lower()
            if lowered in _TRUE:
                flags[name] = True
            elif lowered in _FALSE:
                flags[name] = False
            else:
                raise UsageError("flag_invalid", f"参数 --flag 的值无效：“{item}”（应为 true 或 false）", "flag")
        return flags
