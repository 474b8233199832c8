"""``zhifa law …``: the statutory rules from the command line, JSON out (issue 3, part 2).

    zhifa law deadline KIND --from YYYY-MM-DD [--flag name=value …]
    zhifa law deadline --list
    zhifa law check-id NUMBER
    zhifa law check-uscc CODE
    zhifa law discretion ITEM_CODE --facts FILE|- [--agency CODE] [--on YYYY-MM-DD]
    zhifa law summary-eligible --party person|organisation --penalty warning|fine [--amount N]
    zhifa law hearing-required --party … --penalty KIND … [--amount N] [--confiscation N] [--agency CODE]
    zhifa law review-required --party … --penalty KIND … [--amount N] [--confiscation N] [--hearing-held] …
    zhifa law surcharge --fine N --due YYYY-MM-DD --on YYYY-MM-DD [--pause YYYY-MM-DD:YYYY-MM-DD …]

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
                "command": "子命令", "arguments": "命令行参数", "item": "执法事项编码 ITEM_CODE",
                "facts": "事实文件 --facts", "party": "当事人类型 --party", "penalty": "处罚种类 --penalty",
                "amount": "罚款数额 --amount", "confiscation": "没收数额 --confiscation", "agency": "机关代码 --agency",
                "on": "日期 --on", "fine": "罚款数额 --fine", "due": "缴纳期限最后一日 --due",
                "pause": "暂停期间 --pause"}
_MONEY = re.compile(r"^\d+(\.\d{1,2})?$")


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

        disc = commands.add_parser("discretion", help="裁量计算：事项 + 事实 → 裁量结果", out=self.stdout,
                                   description="按执法事项、案件事实和适用的裁量基准计算裁量结果，输出 JSON。")
        disc.add_argument("item", nargs="?", metavar="ITEM_CODE", help="执法事项编码，如 WH-NET-004")
        disc.add_argument("--facts", metavar="FILE|-", help="事实 JSON 文件路径，- 表示从标准输入读取")
        self._scope_arguments(disc)

        summary = commands.add_parser("summary-eligible", help="能否适用简易程序（第五十一条）", out=self.stdout,
                                      description="判断能否适用简易程序当场处罚（《行政处罚法》第五十一条），"
                                                  "输出 JSON。")
        summary.add_argument("--party", metavar="person|organisation", help="当事人类型")
        summary.add_argument("--penalty", action="append", default=[], metavar="KIND", help="处罚种类，可重复")
        summary.add_argument("--amount", metavar="N", help="罚款数额（元）")

        for name, help_text in (("hearing-required", "是否应当告知听证权利（第六十三条）"),
                                ("review-required", "是否须经法制审核（第五十八条及重大执法决定目录）")):
            sub = commands.add_parser(name, help=help_text, out=self.stdout, description=help_text + "，输出 JSON。")
            sub.add_argument("--party", metavar="person|organisation", help="当事人类型")
            sub.add_argument("--penalty", action="append", default=[], metavar="KIND", help="拟作出的处罚种类，可重复")
            sub.add_argument("--amount", metavar="N", help="罚款数额（元）")
            sub.add_argument("--confiscation", metavar="N", help="没收违法所得或非法财物的数额/价值（元）")
            self._scope_arguments(sub)
            if name == "review-required":
                for flag, text in (("--hearing-held", "经过听证"), ("--major-public-interest", "涉及重大公共利益"),
                                   ("--complex", "案件情况疑难复杂、涉及多个法律关系"),
                                   ("--other-law", "法律、法规规定应当进行法制审核"),
                                   ("--outside-benchmark", "减轻处罚或者超出裁量基准")):
                    sub.add_argument(flag, action="store_true", help=text)

        surcharge = commands.add_parser("surcharge", help="加处罚款（第七十二条）", out=self.stdout,
                                        description="计算逾期缴纳罚款的加处罚款"
                                                    "（《行政处罚法》第七十二条、第七十三条），输出 JSON。")
        surcharge.add_argument("--fine", metavar="N", help="罚款数额（元）")
        surcharge.add_argument("--due", metavar="YYYY-MM-DD", help="缴纳罚款期限的最后一日")
        surcharge.add_argument("--on", metavar="YYYY-MM-DD", help="计算到哪一日")
        surcharge.add_argument("--pause", action="append", default=[], metavar="YYYY-MM-DD:YYYY-MM-DD",
                               help="行政复议或行政诉讼期间（首尾两日均含），可重复")
        return parser

    @staticmethod
    def _scope_arguments(parser) -> None:
        parser.add_argument("--agency", metavar="CODE",
                            help="机关代码：使用该机关的裁量基准和政策参数（默认平台默认值）")
        parser.add_argument("--on", metavar="YYYY-MM-DD", help="适用哪一日有效的基准和参数（默认今天）")

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
            elif ns.command == "discretion":
                self._emit(_discretion(ns))
            elif ns.command in ("summary-eligible", "hearing-required", "review-required"):
                self._emit(_procedure(ns))
            elif ns.command == "surcharge":
                self._emit(_surcharge(ns))
        except RuleViolation as err:  # a rule refused the input: the same JSON error, exit 2
            self._emit_error(UsageError(err.code, str(err), err.field))
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
                "binds": clock.binds,
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


# -- discretion and procedure questions ------------------------------------------------------------


def _date_arg(text: str | None, field: str, *, required: bool = True) -> date | None:
    if not text:
        if required:
            raise UsageError(f"{field}_missing", f"缺少{_FIELD_NAMES[field]}（格式 YYYY-MM-DD）", field)
        return None
    if _DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise UsageError(f"{field}_invalid", f"{_FIELD_NAMES[field]} 无效：“{text}”不是有效的日期（格式 YYYY-MM-DD）",
                     field)


def _money_arg(text: str | None, field: str, *, required: bool = False):
    from decimal import Decimal

    if text is None:
        if required:
            raise UsageError(f"{field}_missing", f"缺少{_FIELD_NAMES[field]}", field)
        return None
    if not _MONEY.match(text.strip()):
        raise UsageError(f"{field}_invalid",
                         f"{_FIELD_NAMES[field]} 无效：“{text}”（应为不小于 0 的金额，最多两位小数）", field)
    return Decimal(text.strip())


def _party_arg(text: str | None) -> str:
    if text not in ("person", "organisation"):
        shown = f"“{text}”" if text else "缺少"
        raise UsageError("party_invalid",
                         f"当事人类型 --party {shown}：应为 person（公民）或 organisation（法人或其他组织）", "party")
    return text


def _kinds_arg(words: list[str], *, required: bool = True) -> tuple:
    from zhifa.law.penalties import kind_from_wording

    if not words and required:
        raise UsageError("penalty_missing", "缺少处罚种类 --penalty（如 warning、fine、revoke_licence 或“吊销许可证”）",
                         "penalty")
    kinds = []
    for word in words:
        try:
            kinds.append(kind_from_wording(word))
        except RuleViolation as err:
            raise UsageError(err.code, f"处罚种类 --penalty 无效：{err}", "penalty") from err
    return tuple(dict.fromkeys(kinds))


def _agency_arg(code: str | None):
    if not code:
        return None
    from zhifa.org.models import Agency

    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise UsageError("agency_unknown", f"机关代码 --agency 无效：没有代码为“{code}”的机关", "agency")
    return agency


def _discretion(ns) -> dict:
    from django.utils import timezone

    from zhifa.catalog.models import EnforcementItem
    from zhifa.catalog.rules import assess_item

    if not ns.item:
        raise UsageError("item_missing", "缺少执法事项编码 ITEM_CODE（如 WH-NET-004）", "item")
    item = EnforcementItem.objects.filter(code=ns.item.strip().upper()).first()
    if item is None:
        raise UsageError("item_unknown", f"执法事项编码 ITEM_CODE 无效：目录中没有“{ns.item}”", "item")
    if not ns.facts:
        raise UsageError("facts_missing", "缺少事实文件 --facts（JSON 文件路径，或 - 表示标准输入）", "facts")
    try:
        text = sys.stdin.read() if ns.facts == "-" else open(ns.facts, encoding="utf-8").read()  # noqa: SIM115
    except OSError as err:
        raise UsageError("facts_unreadable", f"事实文件 --facts 无法读取：{ns.facts}（{err.strerror}）",
                         "facts") from err
    try:
        facts = json.loads(text)
    except ValueError as err:
        raise UsageError("facts_invalid", f"事实文件 --facts 不是有效的 JSON：第 {err.lineno} 行第 {err.colno} 列",
                         "facts") from err
    if not isinstance(facts, dict):
        raise UsageError("facts_invalid", "事实文件 --facts 应为一个 JSON 对象，如 {\"first_violation\": true}",
                         "facts")
    on = _date_arg(ns.on, "on", required=False) or timezone.localdate()
    return assess_item(item, facts, agency=_agency_arg(ns.agency), on=on).to_json()


def _procedure(ns) -> dict:
    from django.utils import timezone

    from zhifa.law import penalties

    party = _party_arg(ns.party)
    kinds = _kinds_arg(ns.penalty)
    amount = _money_arg(ns.amount, "amount")
    if ns.command == "summary-eligible":
        return penalties.summary_eligible(party, kinds, amount).to_json()

    from zhifa.catalog.rules import hearing_thresholds, review_catalogue

    agency = _agency_arg(ns.agency)
    on = _date_arg(ns.on, "on", required=False) or timezone.localdate()
    confiscation = _money_arg(ns.confiscation, "confiscation")
    if ns.command == "hearing-required":
        return penalties.hearing_required(party, kinds, amount, confiscation,
                                          hearing_thresholds(agency, on)).to_json()
    return penalties.review_required(
        party, kinds, amount, confiscation, catalogue=review_catalogue(agency, on),
        hearing_held=ns.hearing_held, major_public_interest=ns.major_public_interest, complex_case=ns.complex,
        other_law=ns.other_law, outside_benchmark=ns.outside_benchmark,
    ).to_json()


def _surcharge(ns) -> dict:
    from zhifa.law.surcharge import late_payment_surcharge

    fine = _money_arg(ns.fine, "fine", required=True)
    last_day = _date_arg(ns.due, "due")
    on = _date_arg(ns.on, "on")
    pauses = []
    for text in ns.pause:
        start, sep, end = text.partition(":")
        if not sep:
            raise UsageError("pause_invalid", f"暂停期间 --pause 无效：“{text}”（应为 YYYY-MM-DD:YYYY-MM-DD）", "pause")
        pauses.append((_date_arg(start, "pause"), _date_arg(end, "pause")))
    return late_payment_surcharge(fine, last_day, on, pauses).to_json()

