"""What each action of a case accepts: a schema per action, and the parser that checks a payload against it.

A payload is a JSON object (the API's request body, or a form's cleaned data). Every field is declared here with
its kind and its Chinese label; an unknown field, a missing required one or a value of the wrong kind is refused
with the field's name (``RuleViolation.field``), all of them at once. A field with ``attr`` sets that attribute of
the case before the rules judge the step (the snapshot "at the request", procedure.py); the others are read by
the step's own effects (``services``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zhifa.catalog.models import EnforcementItem
from zhifa.law import procedure as proc
from zhifa.law.errors import RuleViolation
from zhifa.law.penalties import ART_18_3, CONFISCATION_KINDS, KIND_LABELS, PenaltyKind
from zhifa.org.models import User
from zhifa.parties.models import Party

from .facts import penalty_to_json
from .models import SERVICE_METHODS

A = proc.Action


@dataclass(frozen=True)
class Field:
    """One payload field of an action: its kind, its Chinese label, and the case attribute it sets (if any)
    before the rules judge the step."""

    kind: str  # text, longtext, date, bool, int, money, penalty, user, users, party, items, choice, documents,
    #            records, evidence, checks, facts, names
    label: str
    required: bool = False
    attr: str | None = None
    choices: Mapping[str, str] | None = None
    today_default: bool = False  # a date left out is the day of the step
    future: bool = False  # a date may lie ahead (a hearing date, the end of a deferral)
    max_length: int = 200


def _reason(label: str = "理由") -> Field:
    return Field("longtext", label, required=True)


CREDENTIALS = Field("bool", "已出示执法证件")
# The reviewer's note on each check of law.md §2.3 ({check code: note}); an object field like the discretion facts
# ("facts" kind for the screens and the OpenAPI description), read by ``PayloadParser._check_notes``.
CHECK_NOTES = Field("facts", "审核事项意见", max_length=1000)
PENALTY = Field("penalty", "处罚（种类、罚款金额、没收数额）")
OUTSIDE_REASON = Field("longtext", "超出裁量建议幅度的理由", attr="outside_range_reason")

COMMON: dict[str, Field] = {
    "expected_version": Field("int", "案件版本"),
    "documents": Field("documents", "文书"),
    "records": Field("records", "记录"),
    "note": Field("longtext", "说明"),
}

PARTICULARS: dict[str, Field] = {
    "title": Field("text", "案由", attr="title"),
    "party": Field("party", "当事人", attr="party"),
    "items": Field("items", "执法事项"),
    "act_date": Field("date", "违法行为发生日期", attr="act_date"),
    "act_end_date": Field("date", "违法行为终了日期", attr="act_end_date"),
    "discovered_on": Field("date", "发现违法行为日期", attr="discovered_on"),
    "serious_limitation": Field("bool", "适用五年追责时效", attr="serious_limitation"),
    "clue_note": Field("longtext", "案源情况", attr="clue_note"),
}

SCHEMAS: dict[str, dict[str, Field]] = {
    # creation
    A.REGISTER_CLUE: {
        **PARTICULARS,
        "title": Field("text", "案由", required=True, attr="title"),
        "clue_source": Field("choice", "案源来源", required=True, attr="clue_source", choices=proc.CLUE_SOURCES),
        "clue_received_on": Field("date", "案源登记日期", attr="clue_received_on", today_default=True),
        "handlers": Field("users", "承办人员"),
    },
    A.START_SUMMARY: {
        **PARTICULARS,
        "title": Field("text", "案由", required=True, attr="title"),
        "party": Field("party", "当事人", required=True, attr="party"),
        "items": Field("items", "执法事项", required=True),
        "act_date": Field("date", "违法行为发生日期", attr="act_date", today_default=True),
        "discovered_on": Field("date", "发现违法行为日期", attr="discovered_on", today_default=True),
        "handlers": Field("users", "承办人员"),
    },
    # filing
    A.FILE: {"filed_on": Field("date", "立案日期", attr="filed_on", today_default=True)},
    A.NOT_FILE: {"reason": _reason("不予立案的理由")},
    A.TRANSFER_JURISDICTION: {"receiving_agency": Field("text", "受移送机关", required=True), "reason": _reason()},
    # investigation
    A.START_INVESTIGATION: {},
    A.INSPECT: {"credentials_shown": CREDENTIALS, "place": Field("text", "检查地点")},
    A.INTERVIEW: {"credentials_shown": CREDENTIALS, "interviewee": Field("text", "被询问人")},
    A.RECORD_EVIDENCE: {"evidence": Field("evidence", "证据", required=True)},
    A.SAMPLE: {"credentials_shown": CREDENTIALS},
    A.PRESERVE: {"credentials_shown": CREDENTIALS},
    A.HANDLE_PRESERVATION: {"outcome": _reason("处理决定")},
    A.SEIZE: {"credentials_shown": CREDENTIALS},
    A.SEIZE_EMERGENCY: {"credentials_shown": CREDENTIALS, "reason": _reason("情况紧急的理由")},
    A.CONFIRM_EMERGENCY_SEIZURE: {},
    A.EXTEND_SEIZURE: {"reason": _reason("延长理由")},
    A.HANDLE_SEIZURE: {"outcome": _reason("处理决定")},
    A.RELEASE_SEIZURE: {"reason": Field("longtext", "解除理由")},
    A.START_TESTING: {"subject": Field("text", "检测、鉴定事项")},
    A.END_TESTING: {},
    A.START_PUBLIC_NOTICE: {},
    A.END_PUBLIC_NOTICE: {},
    A.EXTEND_DEADLINE: {"reason": _reason("延长理由")},
    A.REPORT_CRIME: {"reason": _reason("涉嫌犯罪的事实")},
    A.DECLINE_TRANSFER: {"reason": _reason("不予移送的理由")},
    A.TRANSFER_CRIMINAL: {"receiving_authority": Field("text", "接受移送的机关", required=True)},
    A.RECORD_POLICE_FILING: {"police_filed_on": Field("date", "公安机关立案日期", today_default=True)},
    A.HAND_OVER: {},
    A.CLOSE_INVESTIGATION: {"penalty": PENALTY, "outside_range_reason": OUTSIDE_REASON,
                            "major_case": Field("bool", "情节复杂或者重大违法行为", attr="major_case")},
    # review and the head
    A.SUBMIT_REVIEW: {"reviewer": Field("user", "指定审核人")},
    A.PASS_REVIEW: {"opinion": _reason("审核意见"), "checks": Field("checks", "审核事项", required=True),
                    "check_notes": CHECK_NOTES},
    A.FAIL_REVIEW: {"opinion": _reason("审核意见"), "checks": Field("checks", "审核事项"), "check_notes": CHECK_NOTES},
    A.REINVESTIGATE: {"reason": _reason("补充调查的事项")},
    A.SUBMIT_FOR_DECISION: {"penalty": PENALTY, "outside_range_reason": OUTSIDE_REASON,
                            "major_case": Field("bool", "情节复杂或者重大违法行为", attr="major_case")},
    # 集体讨论 (Art 57(2)): the structured record, checked by ``discussion_record`` (end of this module); a caller
    # that only lists the attendees' names (``attendees``) and the conclusion is still accepted
    A.HOLD_COLLECTIVE_DISCUSSION: {
        "held_on": Field("date", "召开日期"),
        "place": Field("text", "地点"),
        "host": Field("user", "主持人"),
        "recorder": Field("user", "记录人"),
        "leaders": Field("users", "出席的负责人"),
        "others": Field("names", "列席人员"),
        "absentees": Field("facts", "缺席的负责人及缺席理由"),
        "opinions": Field("facts", "出席人员的意见"),
        "attendees": Field("names", "出席人员"),
        "conclusion": _reason("讨论决定（拟作出的处理决定）"),
    },
    # notice, statements, hearing
    A.NOTIFY: {"penalty": PENALTY, "outside_range_reason": OUTSIDE_REASON,
               "notice_served_on": Field("date", "事先告知书送达日期", attr="notice_served_on", today_default=True)},
    A.RECORD_STATEMENT: {"statement": _reason("陈述、申辩内容")},
    A.WAIVE_STATEMENT: {},
    A.CONCLUDE_STATEMENTS: {"conclusion": _reason("复核意见"), "adopted": Field("bool", "采纳陈述、申辩"),
                            "penalty": PENALTY},
    A.REQUEST_HEARING: {"requested_on": Field("date", "要求听证日期", attr="hearing_requested_on",
                                              today_default=True)},
    A.DECLINE_HEARING: {"reason": _reason("不予听证的理由")},
    A.WITHDRAW_HEARING: {},
    A.SCHEDULE_HEARING: {
        "hearing_date": Field("date", "听证日期", required=True, attr="hearing_date", future=True),
        "hearing_notice_on": Field("date", "听证通知送达日期", attr="hearing_notice_on", today_default=True),
        "hearing_host": Field("user", "听证主持人", required=True, attr="hearing_host"),
        "hearing_place": Field("text", "听证地点", attr="hearing_place"),
    },
    A.HOLD_HEARING: {"hearing_host": Field("user", "听证主持人", attr="hearing_host")},
    # decision and service
    A.DECIDE_PENALTY: {"penalty": PENALTY, "outside_range_reason": OUTSIDE_REASON},
    A.DECIDE_NO_PENALTY: {"reason": _reason("不予处罚的理由")},
    A.DECIDE_NOT_ESTABLISHED: {"reason": _reason("违法事实不能成立的理由")},
    A.SERVE: {"served_on": Field("date", "送达日期", attr="decision_served_on", today_default=True),
              "method": Field("choice", "送达方式",
                              choices={k: SERVICE_METHODS[k] for k in ("direct", "lodged", "post")})},
    A.SERVE_ELECTRONIC: {"served_on": Field("date", "送达日期", attr="decision_served_on", today_default=True),
                         "address": Field("text", "电子送达地址", required=True)},
    A.SERVE_BY_PUBLIC_NOTICE: {"published_on": Field("date", "公告日期", attr="public_notice_on", today_default=True),
                               "medium": Field("text", "公告方式")},
    A.DEEM_SERVED: {},
    # summary procedure
    A.DECIDE_ON_THE_SPOT: {"penalty": Field("penalty", "处罚", required=True), "credentials_shown": CREDENTIALS,
                           "statement_heard": Field("bool", "已当场告知并听取陈述、申辩"),
                           "outside_range_reason": OUTSIDE_REASON, "place": Field("text", "地点")},
    A.TO_GENERAL: {"reason": _reason("转为普通程序的理由")},
    A.COLLECT_ON_THE_SPOT: {
        "receipt_no": Field("text", "罚没款专用票据号码", required=True),
        "hard_to_enforce": Field("bool", "不当场收缴事后难以执行", attr="hard_to_enforce"),
        "remote_area": Field("bool", "边远、水上、交通不便地区", attr="remote_area"),
        "party_requests_collection": Field("bool", "当事人提出当场缴纳", attr="party_requests_collection"),
    },
    A.DEPOSIT_CASH: {"deposited_on": Field("date", "交至行政机关日期", today_default=True)},
    A.FILE_WITH_AGENCY: {},
    # performance
    A.PAY: {"paid_on": Field("date", "缴纳日期", today_default=True), "amount": Field("money", "缴纳金额（元）"),
            "method": Field("choice", "缴纳方式", choices={"bank": "银行缴纳", "electronic": "电子支付"}),
            "receipt_no": Field("text", "票据号码")},
    A.APPROVE_DEFERRAL: {"deferred_until": Field("date", "延期（分期）缴纳至", required=True, attr="deferred_until",
                                                 future=True), "reason": _reason("经济困难的情况")},
    A.MARK_OVERDUE: {},
    A.IMPOSE_SURCHARGE: {},
    A.URGE: {"served_on": Field("date", "催告书送达日期", attr="urge_served_on", today_default=True)},
    A.APPLY_COURT_ENFORCEMENT: {"court": Field("text", "受理法院", required=True)},
    A.RECORD_ENFORCED: {"result": _reason("执行结果")},
    # publication of the penalty decision (国办发〔2018〕118号); the public portal (issue 7) will record it itself
    A.RECORD_PUBLICATION: {"published_on": Field("date", "公示日期", today_default=True),
                           "where": Field("text", "公示网址或者地点", required=True, max_length=500)},
    # suspension, withdrawal, end
    A.SUSPEND: {"reason": _reason("中止的理由")},
    A.RESUME: {"reason": Field("longtext", "恢复的理由")},
    A.WITHDRAW: {"reason": _reason("撤销立案的理由")},
    A.CLOSE: {},
    A.ARCHIVE: {"archive_no": Field("text", "档案号", attr="archive_no")},
}

# Bookkeeping acts outside the procedure table (see the module docstring), with their Chinese names.
AUX_ACTIONS: Mapping[str, str] = {
    "update_particulars": "修改案件基本情况",
    "add_handler": "指派承办人员",
    "remove_handler": "撤换承办人员",
    "declare_conflict": "登记回避情形",
    "decide_approval": "负责人审批",
    "record_document": "登记文书",
    "record_material": "登记记录材料",
    "assess": "裁量计算",
    "correct_after_closing": "结案后补正",
}

SCHEMAS.update({
    "update_particulars": {
        **PARTICULARS,
        "prior_fines_same_act": Field("int", "同一违法行为已受罚款次数", attr="prior_fines_same_act"),
        "facts_established": Field("bool", "违法事实确凿并有法定依据", attr="facts_established"),
        "major_case": Field("bool", "情节复杂或者重大违法行为", attr="major_case"),
        "review_public_interest": Field("bool", "涉及重大公共利益", attr="review_public_interest"),
        "review_complex": Field("bool", "案件情况疑难复杂、涉及多个法律关系", attr="review_complex"),
        "review_other_law": Field("bool", "法律、法规规定应当法制审核", attr="review_other_law"),
        "hearing_other_heavy": Field("bool", "其他较重的行政处罚", attr="hearing_other_heavy"),
    },
    "add_handler": {"user": Field("user", "执法人员", required=True), "is_lead": Field("bool", "主办人")},
    "remove_handler": {"user": Field("user", "执法人员", required=True), "reason": _reason("撤换原因")},
    "declare_conflict": {"user": Field("user", "执法人员", required=True), "reason": _reason("回避情形")},
    "decide_approval": {"kind": Field("choice", "审批事项", required=True, choices=proc.APPROVAL_LABELS),
                        "approved": Field("bool", "批准"), "opinion": Field("longtext", "审批意见")},
    "record_document": {"documents": Field("documents", "文书", required=True)},
    "record_material": {"records": Field("records", "记录", required=True)},
    "assess": {"facts": Field("facts", "裁量事实", required=True), "item": Field("text", "执法事项编码")},
    # after 结案 nothing on the case changes; a correction is a new event that says what was wrong and why
    "correct_after_closing": {"correction": Field("longtext", "补正内容", required=True),
                              "reason": _reason("补正的理由"),
                              "refers_to": Field("int", "所补正的记录事件序号")},
})

# Review checks of law.md §2.3 (what the 法制股 looks at); a passed review confirms every one.
REVIEW_CHECKS: Mapping[str, str] = {
    "body_and_officers": "执法主体合法，执法人员具备执法资格",
    "procedure": "执法程序合法",
    "facts_and_evidence": "案件事实清楚，证据合法充分",
    "law_and_discretion": "适用法律、法规、规章准确，裁量基准运用适当",
    "within_power": "未超越法定权限",
    "documents": "执法文书完备、规范",
    "criminal_transfer": "不涉嫌犯罪或者已依法移送",
}


def action_label(action: str) -> str:
    try:
        return proc.ACTION_LABELS[proc.Action(action)]
    except ValueError:
        return AUX_ACTIONS.get(action, action)


def payload_schema(action: str) -> dict[str, Field]:
    """The fields an action accepts (its own and the common ones), for the screens and the API."""
    return {**COMMON, **SCHEMAS.get(action, {})}


# --- the parser -------------------------------------------------------------------------------------------------

# The Chinese names of the keys of a document, record or evidence entry.
ENTRY_LABELS = {"title": "标题", "number": "文号", "note": "说明", "description": "内容",
                "issued_on": "制作（送达）日期", "made_on": "形成日期"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HASH = re.compile(r"[0-9a-f]{16,64}")


class PayloadParser:
    """Checks one payload against a schema; collects every error with its field name."""

    def __init__(self, agency, today: date) -> None:
        self.agency = agency
        self.today = today
        self.errors: list[RuleViolation] = []

    def bad(self, field: str, message: str, code: str = "payload_invalid") -> None:
        self.errors.append(RuleViolation(code, message, field))

    def parse(self, schema: Mapping[str, Field], payload: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(values, stored): Python values, and their JSON form for the step and the event."""
        if not isinstance(payload, Mapping):
            self.bad("payload", "提交的内容应为对象（字段名: 值）")
            return {}, {}
        values: dict[str, Any] = {}
        for key in payload:
            if key not in schema:
                known = "、".join(f"{k}（{f.label}）" for k, f in schema.items())
                self.bad(str(key), f"未知字段“{key}”；可用字段：{known}", "payload_unknown_field")
        for name, f in schema.items():
            raw = payload.get(name)
            if raw is None or raw == "" or raw == [] or raw == {}:
                if f.today_default:
                    values[name] = self.today
                elif f.required:
                    self.bad(name, f"请填写{f.label}", "payload_required")
                continue
            value = getattr(self, f"_{f.kind}")(name, f, raw)
            if value is not None:
                values[name] = value
        return values, {k: json_value(v) for k, v in values.items()}

    # kinds
    def _text(self, name: str, f: Field, raw: Any) -> str | None:
        if not isinstance(raw, str):
            return self.bad(name, f"{f.label}应为文字")
        value = raw.strip()
        if len(value) > f.max_length:
            return self.bad(name, f"{f.label}不超过 {f.max_length} 个字")
        if not value and f.required:
            return self.bad(name, f"请填写{f.label}", "payload_required")
        return value or None

    def _longtext(self, name: str, f: Field, raw: Any) -> str | None:
        return self._text(name, dataclasses.replace(f, max_length=5000), raw)

    def _date(self, name: str, f: Field, raw: Any) -> date | None:
        if isinstance(raw, datetime):
            raw = raw.date()
        if isinstance(raw, str) and _DATE.fullmatch(raw.strip()):
            try:
                raw = date.fromisoformat(raw.strip())
            except ValueError:
                return self.bad(name, f"{f.label}不是有效日期，例如 2026-03-05")
        if not isinstance(raw, date):
            return self.bad(name, f"{f.label}应为日期，例如 2026-03-05")
        if raw.year < 2000 or raw.year > 2100:
            return self.bad(name, f"{f.label}应在 2000 年至 2100 年之间")
        if raw > self.today and not f.future:
            return self.bad(name, f"{f.label}不能晚于办理当日（{self.today.isoformat()}）")
        return raw

    def _bool(self, name: str, f: Field, raw: Any) -> bool | None:
        if not isinstance(raw, bool):
            return self.bad(name, f"{f.label}应为 是（true）或 否（false）")
        return raw

    def _int(self, name: str, f: Field, raw: Any) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            return self.bad(name, f"{f.label}应为不小于 0 的整数")
        return raw

    def _money(self, name: str, f: Field, raw: Any) -> Decimal | None:
        return self.money(name, f.label, raw)

    def money(self, name: str, label: str, raw: Any, *, zero: bool = False) -> Decimal | None:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
            return self.bad(name, f"{label}应为金额（元）")
        try:
            amount = Decimal(str(raw).strip())
        except InvalidOperation:
            return self.bad(name, f"{label}应为金额（元），例如 5000 或 5000.50")
        if not amount.is_finite() or amount < 0 or (amount == 0 and not zero) or amount > Decimal("1e12"):
            return self.bad(name, f"{label}应为大于 0 的金额（元）")
        if amount != amount.quantize(Decimal("0.01")):
            return self.bad(name, f"{label}最多到分（两位小数）")
        return amount.quantize(Decimal("0.01"))

    def _choice(self, name: str, f: Field, raw: Any) -> str | None:
        assert f.choices is not None
        if raw not in f.choices:
            names = "、".join(f"{k}（{v}）" for k, v in f.choices.items())
            return self.bad(name, f"{f.label}只能是：{names}")
        return raw

    def _penalty(self, name: str, f: Field, raw: Any) -> proc.Penalty | None:
        if not isinstance(raw, Mapping):
            return self.bad(name, f"{f.label}应为对象，如 {{\"kinds\": [\"fine\"], \"fine\": 5000}}")
        unknown = set(raw) - {"kinds", "fine", "confiscation"}
        if unknown:
            return self.bad(f"{name}.{sorted(unknown)[0]}", "处罚只有 kinds（种类）、fine（罚款金额）、"
                            "confiscation（没收的数额或者价值）三项")
        kinds_raw = raw.get("kinds")
        if not isinstance(kinds_raw, list) or not kinds_raw or not all(isinstance(k, str) for k in kinds_raw):
            return self.bad(f"{name}.kinds", "请选择处罚种类（第九条）")
        try:
            kinds = frozenset(PenaltyKind(k) for k in kinds_raw)
        except ValueError:
            names = "、".join(f"{k.value}（{KIND_LABELS[k]}）" for k in PenaltyKind)
            return self.bad(f"{name}.kinds", f"无法识别的处罚种类；可用：{names}")
        if PenaltyKind.DETENTION in kinds:
            self.errors.append(RuleViolation("penalty_kind_not_ours", "行政拘留只能由公安机关决定", f"{name}.kinds",
                                             [ART_18_3]))
            return None
        fine = confiscation = None
        if PenaltyKind.FINE in kinds:
            if raw.get("fine") in (None, ""):
                return self.bad(f"{name}.fine", "处罚种类含罚款，请填写罚款金额", "payload_required")
            fine = self.money(f"{name}.fine", "罚款金额", raw["fine"])
        elif raw.get("fine") not in (None, ""):
            return self.bad(f"{name}.fine", "处罚种类不含罚款，不应填写罚款金额")
        if kinds & CONFISCATION_KINDS:
            if raw.get("confiscation") in (None, ""):
                return self.bad(f"{name}.confiscation", "处罚种类含没收，请填写没收的数额或者价值", "payload_required")
            confiscation = self.money(f"{name}.confiscation", "没收的数额或者价值", raw["confiscation"], zero=True)
        elif raw.get("confiscation") not in (None, ""):
            return self.bad(f"{name}.confiscation", "处罚种类不含没收，不应填写没收数额")
        if (PenaltyKind.FINE in kinds and fine is None) or (kinds & CONFISCATION_KINDS and confiscation is None):
            return None
        return proc.Penalty(kinds, fine, confiscation)

    def _user(self, name: str, f: Field, raw: Any) -> User | None:
        if isinstance(raw, User):
            raw = raw.pk
        if isinstance(raw, bool) or not isinstance(raw, int):
            return self.bad(name, f"{f.label}应为人员编号")
        user = User.objects.filter(pk=raw, agency=self.agency, is_active=True).first()
        if user is None:
            return self.bad(name, f"{f.label}不是本执法主体的在职人员")
        return user

    def _users(self, name: str, f: Field, raw: Any) -> list[User] | None:
        if not isinstance(raw, list):
            return self.bad(name, f"{f.label}应为人员编号的列表")
        out = []
        for i, one in enumerate(raw):
            user = self._user(f"{name}[{i}]", f, one)
            if user is not None and user not in out:
                out.append(user)
        return out

    def _party(self, name: str, f: Field, raw: Any) -> Party | None:
        if isinstance(raw, Party):
            raw = raw.pk
        if isinstance(raw, bool) or not isinstance(raw, int):
            return self.bad(name, f"{f.label}应为当事人编号")
        party = Party.objects.filter(pk=raw, agency__path__startswith=self.agency.path).first()
        if party is None:
            return self.bad(name, f"{f.label}不是本执法主体登记的当事人")
        return party

    def _items(self, name: str, f: Field, raw: Any) -> list[EnforcementItem] | None:
        if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
            return self.bad(name, f"{f.label}应为事项编码的列表，如 [\"WH-NET-004\"]")
        found = {i.code: i for i in EnforcementItem.objects.filter(code__in=raw).select_related("domain")}
        out = []
        for i, code in enumerate(raw):
            item = found.get(code)
            if item is None:
                self.bad(f"{name}[{i}]", f"没有编码为 {code} 的执法事项")
            elif item.status != EnforcementItem.Status.ACTIVE:
                self.bad(f"{name}[{i}]", f"执法事项 {code} {item.get_status_display()}，不得适用")
            elif item not in out:
                out.append(item)
        return out

    def _entries(self, name: str, raw: Any, what: str) -> list[Mapping[str, Any]] | None:
        if isinstance(raw, (str, Mapping)):
            raw = [raw]
        if not isinstance(raw, list):
            return self.bad(name, f"{what}应为列表")
        return [{"code": e} if isinstance(e, str) else e for e in raw]

    def _entry_common(self, where: str, e: Mapping[str, Any], allowed: set[str], date_key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in set(e) - allowed:
            self.bad(f"{where}.{key}", f"未知字段“{key}”；可用字段：{'、'.join(sorted(allowed))}",
                     "payload_unknown_field")
        for key in allowed - {"code", "kind", date_key, "file_hash"}:
            if e.get(key) not in (None, ""):
                long = key in ("note", "description")
                text = self._text(f"{where}.{key}", Field("text", ENTRY_LABELS[key], max_length=5000 if long else 200),
                                  e[key])
                if text:
                    out[key] = text
        out[date_key] = self._date(f"{where}.{date_key}", Field("date", ENTRY_LABELS[date_key]), e[date_key]) \
            if e.get(date_key) not in (None, "") else self.today
        if e.get("file_hash") not in (None, ""):
            h = e["file_hash"]
            if not isinstance(h, str) or not _HASH.fullmatch(h.lower()):
                self.bad(f"{where}.file_hash", "文件哈希应为 16 至 64 位十六进制数字")
            else:
                out["file_hash"] = h.lower()
        return out

    def _documents(self, name: str, f: Field, raw: Any) -> list[dict[str, Any]] | None:
        entries = self._entries(name, raw, f.label)
        if entries is None:
            return None
        out = []
        for i, e in enumerate(entries):
            where = f"{name}[{i}]"
            if not isinstance(e, Mapping) or e.get("code") not in proc.DOCUMENT_LABELS:
                self.bad(f"{where}.code", "未知的文书代码")
                continue
            one = {"code": e["code"], **self._entry_common(where, e, {"code", "title", "number", "issued_on", "note"},
                                                           "issued_on")}
            out.append(one)
        return out

    def _records(self, name: str, f: Field, raw: Any) -> list[dict[str, Any]] | None:
        entries = self._entries(name, raw, f.label)
        if entries is None:
            return None
        out = []
        for i, e in enumerate(entries):
            where = f"{name}[{i}]"
            if not isinstance(e, Mapping) or e.get("code") not in proc.RECORD_LABELS:
                self.bad(f"{where}.code", "未知的记录代码")
                continue
            one = {"code": e["code"], **self._entry_common(where, e, {"code", "kind", "description", "file_hash",
                                                                      "made_on"}, "made_on")}
            if e["code"] == "evidence":
                if e.get("kind") not in proc.EVIDENCE_KINDS:
                    kinds = "、".join(proc.EVIDENCE_KINDS.values())
                    self.bad(f"{where}.kind", f"证据须注明种类（第四十六条）：{kinds}")
                    continue
                one["kind"] = e["kind"]
            out.append(one)
        return out

    def _evidence(self, name: str, f: Field, raw: Any) -> list[dict[str, Any]] | None:
        entries = self._entries(name, raw, f.label)
        if entries is None:
            return None
        out = []
        for i, e in enumerate(entries):
            where = f"{name}[{i}]"
            if not isinstance(e, Mapping):
                self.bad(where, "每件证据应为对象：kind（种类）、description（内容）")
                continue
            if e.get("kind") not in proc.EVIDENCE_KINDS:
                self.bad(f"{where}.kind", "证据种类（第四十六条）只能是：" + "、".join(
                    f"{k}（{v}）" for k, v in proc.EVIDENCE_KINDS.items()))
                continue
            if not isinstance(e.get("description"), str) or not e["description"].strip():
                self.bad(f"{where}.description", "请写明证据的内容", "payload_required")
                continue
            one = self._entry_common(where, {k: v for k, v in e.items() if k != "kind"},
                                     {"description", "file_hash", "made_on"}, "made_on")
            out.append({"code": "evidence", "kind": e["kind"], **one})
        return out

    def _checks(self, name: str, f: Field, raw: Any) -> dict[str, dict[str, Any]] | None:
        if not isinstance(raw, Mapping):
            return self.bad(name, f"{f.label}应为对象：审核事项代码 → 是否符合")
        out: dict[str, dict[str, Any]] = {}
        for code, value in raw.items():
            if code not in REVIEW_CHECKS:
                known = "、".join(f"{k}（{v}）" for k, v in REVIEW_CHECKS.items())
                self.bad(f"{name}.{code}", f"未知的审核事项；可用：{known}")
                continue
            if isinstance(value, bool):
                out[code] = {"ok": value, "note": ""}
            elif isinstance(value, Mapping) and isinstance(value.get("ok"), bool):
                note = value.get("note") or ""
                out[code] = {"ok": value["ok"], "note": note.strip() if isinstance(note, str) else ""}
            else:
                self.bad(f"{name}.{code}", "应为 是（true）或 否（false），或 {\"ok\": true, \"note\": \"…\"}")
        return out

    def _facts(self, name: str, f: Field, raw: Any) -> dict[str, Any] | None:
        if name == "check_notes":
            return self._check_notes(name, f, raw)
        if not isinstance(raw, Mapping):
            return self.bad(name, f"{f.label}应为对象")
        return dict(raw)

    def _check_notes(self, name: str, f: Field, raw: Any) -> dict[str, str] | None:
        """{check code: note} of the review checks (``REVIEW_CHECKS``); empty notes are left out."""
        if not isinstance(raw, Mapping):
            return self.bad(name, f"{f.label}应为对象：审核事项代码 → 意见")
        out: dict[str, str] = {}
        for code, note in raw.items():
            where = f"{name}.{code}"
            if code not in REVIEW_CHECKS:
                known = "、".join(f"{k}（{v}）" for k, v in REVIEW_CHECKS.items())
                self.bad(where, f"{f.label}：未知的审核事项“{code}”；可用：{known}", "payload_unknown_field")
                continue
            label = f"“{REVIEW_CHECKS[code]}”的审核意见"
            if note is None:
                continue
            if not isinstance(note, str):
                self.bad(where, f"{label}应为文字")
                continue
            note = note.strip()
            if len(note) > f.max_length:
                self.bad(where, f"{label}不超过 {f.max_length} 个字（现为 {len(note)} 个字）")
            elif note:
                out[code] = note
        return out

    def _names(self, name: str, f: Field, raw: Any) -> list[str] | None:
        if not isinstance(raw, list) or not raw or not all(isinstance(n, (str, int)) and str(n).strip() for n in raw):
            return self.bad(name, f"{f.label}应为姓名（或人员编号）的列表")
        return [str(n).strip() for n in raw]


def json_value(value: Any) -> Any:
    if isinstance(value, (date, Decimal)):
        return value.isoformat() if isinstance(value, date) else f"{value:.2f}"
    if isinstance(value, proc.Penalty):
        return penalty_to_json(value)
    if isinstance(value, User):
        return {"id": value.pk, "name": value.full_name or value.username}
    if isinstance(value, Party):
        return {"id": value.pk, "name": value.name}
    if isinstance(value, EnforcementItem):
        return value.code
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: json_value(v) for k, v in value.items()}
    return value


# --- 集体讨论 (Art 57(2)) ----------------------------------------------------------------------------------------

# The fields of the structured record; a payload with any of them is judged as one (``attendees`` is then built).
DISCUSSION_FIELDS = ("held_on", "place", "host", "recorder", "leaders", "others", "absentees", "opinions")
_DISCUSSION_REQUIRED = ("place", "host", "recorder", "leaders")
_SHARES = {"1/2": "半数", "2/3": "三分之二", "1/3": "三分之一", "3/4": "四分之三"}


def agency_heads(agency) -> list[User]:
    """The agency's leadership (负责人): its active users with the head role, in the order they were registered
    (usually the order of rank)."""
    return list(User.objects.filter(agency=agency, is_active=True, groups__name=proc.HEAD).distinct().order_by("pk"))


def quorum_needed(total: int, rule: Mapping[str, str]) -> int:
    """How many of ``total`` heads must attend under the policy ``case.collective_quorum`` (at least one)."""
    from fractions import Fraction
    from math import ceil, floor

    kind, share = next(iter(rule.items()))
    need = total * Fraction(share)
    return max(1, floor(need) + 1 if kind == "more_than" else ceil(need))


def quorum_text(rule: Mapping[str, str]) -> str:
    """“超过半数”, “不少于三分之二” …"""
    from .policies import QUORUM_RULES

    kind, share = next(iter(rule.items()))
    return f"{QUORUM_RULES[kind]}{_SHARES.get(share, share)}"


def _name(user: User) -> str:
    return user.full_name or user.username


def discussion_record(values: Mapping[str, Any], *, agency, handler_ids, on: date
                      ) -> tuple[dict[str, Any] | None, list[RuleViolation]]:
    """The structured record of a 集体讨论 from the parsed payload, and every problem with it, each naming its
    field: the host is one of the agency's heads and attends; everyone listed among the heads present is a head;
    each head present gives an opinion; each head absent is listed with a reason; at least the quorum of the
    agency's heads (policy ``case.collective_quorum``) attends, the case's handlers not counted (they may attend
    to report, but do not decide their own case). ``(None, problems)`` for a payload that only lists names
    (``attendees``): that form is kept for existing callers and judged as before.

    The record is built as far as the values allow even when there are problems (the transaction is rolled back
    then anyway)."""
    from zhifa.law.errors import Citation

    from .policies import policy

    basis = [proc.ART_57_2]
    problems: list[RuleViolation] = []

    def bad(field: str, message: str, code: str = "discussion_invalid") -> None:
        problems.append(RuleViolation(code, message, field, basis if not code.startswith("payload_") else []))

    if not any(k in values for k in DISCUSSION_FIELDS):
        if "attendees" not in values:
            bad("attendees", "出席人员：请填写出席人员（或者按出席的负责人、主持人等逐项登记）", "payload_required")
        return None, problems
    if "attendees" in values:
        bad("attendees", "出席人员：已按出席的负责人和列席人员登记的，不再另填出席人员名单（将自动生成）",
            "payload_conflict")
    labels = {k: f.label for k, f in SCHEMAS[proc.Action.HOLD_COLLECTIVE_DISCUSSION].items()}
    for name in _DISCUSSION_REQUIRED:
        if name not in values:
            bad(name, f"{labels[name]}：请填写{labels[name]}", "payload_required")

    heads = agency_heads(agency)
    head_ids = {h.pk for h in heads}
    handler_ids = set(handler_ids)
    leaders: list[User] = list(values.get("leaders") or [])
    leader_ids = {u.pk for u in leaders}
    others = list(values.get("others") or [])
    host, recorder = values.get("host"), values.get("recorder")

    if host is not None and host.pk not in head_ids:
        bad("host", f"主持人：{_name(host)}不是本机关负责人，集体讨论应由负责人主持", "discussion_host_not_head")
    elif host is not None and "leaders" in values and host.pk not in leader_ids:
        bad("host", f"主持人：{_name(host)}不在出席的负责人之中", "discussion_host_absent")
    for i, user in enumerate(leaders):
        if user.pk not in head_ids:
            bad(f"leaders[{i}]", f"出席的负责人：{_name(user)}不是本机关负责人（其他出席人员请填入列席人员）",
                "discussion_not_head")

    def texts(name: str) -> tuple[dict[str, str], set[str]]:
        """{key: text} of an object field (empty texts left out), and the keys whose value is not a text."""
        out: dict[str, str] = {}
        wrong: set[str] = set()
        for key, text in (values.get(name) or {}).items():
            key = str(key).strip()
            if text is None or (isinstance(text, str) and not text.strip()):
                continue
            if not isinstance(text, str) or len(text.strip()) > 5000:
                bad(f"{name}.{key}", f"{labels[name]}：“{key}”对应的内容应为不超过 5000 个字的文字", "payload_invalid")
                wrong.add(key)
            else:
                out[key] = text.strip()
        return out, wrong

    opinions, wrong_opinions = texts("opinions")
    by_id = {str(u.pk): u for u in leaders}
    for key in opinions:
        if key not in by_id and key not in others:
            bad(f"opinions.{key}", f"出席人员的意见：“{key}”不是出席的负责人（人员编号）或者列席人员的姓名",
                "discussion_not_attendee")
    for user in leaders:
        if str(user.pk) not in opinions and str(user.pk) not in wrong_opinions:
            bad(f"opinions.{user.pk}", f"出席人员的意见：请填写{_name(user)}的意见", "discussion_opinion_missing")

    absentees: list[dict[str, Any]] = []
    reasons, wrong_reasons = texts("absentees")
    for key in (values.get("absentees") or {}):
        key = str(key).strip()
        if key in wrong_reasons:
            continue
        if key.isdigit() and int(key) in head_ids:
            user = next(h for h in heads if h.pk == int(key))
            if user.pk in leader_ids:
                bad(f"absentees.{key}", f"缺席的负责人：{_name(user)}已列为出席", "discussion_absent_present")
            elif key not in reasons:
                bad(f"absentees.{key}", f"缺席的负责人：请填写{_name(user)}的缺席理由", "discussion_absence_reason")
            else:
                absentees.append({"id": user.pk, "name": _name(user), "reason": reasons[key]})
        elif key.isdigit():
            bad(f"absentees.{key}", f"缺席的负责人：人员编号 {key} 不是本机关负责人", "discussion_not_head")
        elif key not in reasons:
            bad(f"absentees.{key}", f"缺席的负责人：请填写{key}的缺席理由", "discussion_absence_reason")
        else:
            absentees.append({"name": key, "reason": reasons[key]})
    listed = {a.get("id") for a in absentees} | {int(k) for k in (values.get("absentees") or {}) if str(k).isdigit()}
    if "leaders" in values:
        for h in heads:
            if h.pk not in leader_ids and h.pk not in listed:
                bad(f"absentees.{h.pk}", f"缺席的负责人：{_name(h)}未出席，请填写缺席理由", "discussion_absence_reason")

    rule = policy("case.collective_quorum", agency, on)
    need = quorum_needed(len(heads), rule)
    counted = [u for u in leaders if u.pk in head_ids and u.pk not in handler_ids]
    reporting = [u for u in leaders if u.pk in head_ids and u.pk in handler_ids]
    quorum = {"heads": len(heads), "present": len([u for u in leaders if u.pk in head_ids]),
              "counted": len(counted), "needed": need, "rule": rule}
    if "leaders" in values and len(counted) < need:
        note = f"（{'、'.join(_name(u) for u in reporting)}承办本案，不计入）" if reporting else ""
        problems.append(RuleViolation(
            "discussion_quorum",
            f"出席的负责人：本机关负责人共 {len(heads)} 人，集体讨论须{quorum_text(rule)}出席，即至少 {need} 人；"
            f"计入的出席负责人只有 {len(counted)} 人{note}",
            "leaders", [*basis, Citation("本机关规定：集体讨论法定人数（case.collective_quorum）", "",
                                               "[U] 法律、行政法规未规定法定人数，由本机关设定")]))

    record = {
        "held_on": (values.get("held_on") or on).isoformat(),
        "place": values.get("place", ""),
        "host": json_value(host) if host is not None else None,
        "recorder": json_value(recorder) if recorder is not None else None,
        "leaders": [{"id": u.pk, "name": _name(u), "opinion": opinions.get(str(u.pk), ""),
                     "handler": u.pk in handler_ids} for u in leaders],
        "others": [{"name": n, "opinion": opinions.get(n, "")} for n in others],
        "absentees": absentees,
        "quorum": quorum,
        "attendees": [*(_name(u) for u in leaders), *others],
    }
    return record, problems


def discussion_summary(record: Mapping[str, Any], conclusion: str) -> str:
    """The text of the 集体讨论出席人员和表决情况 record registered with the step."""
    parts = [f"召开日期：{record['held_on']}", f"地点：{record['place'] or '—'}",
             f"主持人：{(record['host'] or {}).get('name', '—')}",
             f"记录人：{(record['recorder'] or {}).get('name', '—')}",
             "出席的负责人：" + ("、".join(x["name"] + ("（承办人员，不计入）" if x["handler"] else "")
                                       for x in record["leaders"]) or "—")]
    if record["others"]:
        parts.append("列席人员：" + "、".join(x["name"] for x in record["others"]))
    if record["absentees"]:
        parts.append("缺席：" + "、".join(f"{x['name']}（{x['reason']}）" for x in record["absentees"]))
    q = record["quorum"]
    parts.append(f"应到负责人 {q['heads']} 人，实到 {q['present']} 人，计入 {q['counted']} 人")
    parts += [f"{x['name']}的意见：{x['opinion']}" for x in [*record["leaders"], *record["others"]] if x["opinion"]]
    parts.append(f"讨论决定：{conclusion}")
    return "；".join(parts)
