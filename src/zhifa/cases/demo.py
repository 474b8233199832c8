"""The demo bureau's cases: about thirty cases of 平舆县文化广电和旅游局 in every state of the procedure table.

Loaded by `zhifa load_demo` after the people and the businesses (``zhifa.org.demo``). Every case is walked
through the case service (``services.open_case`` and ``services.transition``) with the day of each step given
(``today=``), so each step is checked by the guards and recorded as an event, exactly as if the officers had
worked the case over the last months. Nothing is written to a table directly.

Dates are counted back from the day of loading in working days, so the demo looks the same in any year: the
last step of each case lands a fixed number of working days before today. The handlers are pairs of officers
of the squad whose domains cover the case's item (执法一中队: 网吧、娱乐场所、演出; 执法二中队: 旅游、出版、印刷、
文物、艺术品 …), never the officers the roster blocks (zhifa04, 05, 10, 12). 法制审核 is done by 法制股 (fazhi1,
who holds the 法律职业资格; fazhi2, reviewing since before 2021), decisions by the heads, service, payment
and archiving by the 内勤. Where a penalty is proposed, the discretion calculation is stored first
(``assess``), and the fine lies within its recommended range. A penalty decision is published (记录公示) on the
day it is served, as 国办发〔2018〕118号 asks within 7 working days; the case decided last still has its days to run.
Apart from the stalled investigation ("net-overdue"), no agency deadline is overdue on the day of loading; the
party's periods (缴纳罚款 of the surcharge case, 复议, 诉讼 …) may have lapsed, which the screens show neutrally.

Idempotent: each case has a stable creation key (``demo:<slug>``); a case that exists is left as it is, so a
second run (on any day) adds nothing. Each case is created in its own transaction: a refusal rolls back that
case only and is reported (``DemoCasesResult.refused``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from zhifa.law import procedure as proc
from zhifa.law.calendar import MissingYearError, WorkCalendar

A = proc.Action
KEY_PREFIX = "demo:"

ALL_CHECKS = {"body_and_officers": True, "procedure": True, "facts_and_evidence": True, "law_and_discretion": True,
              "within_power": True, "documents": True, "criminal_transfer": True}
LEADERS = ["张建国", "刘海燕", "陈志刚"]

Payload = dict[str, Any] | Callable[["_Walk"], dict[str, Any]]


@dataclass(frozen=True)
class Step:
    """One step: ``gap`` working days after the previous one (0: the same day)."""

    gap: int
    action: str
    actor: str  # username
    payload: Payload = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    slug: str
    title: str
    procedure: str  # general / summary
    party: str  # the party's name in the demo register
    items: tuple[str, ...]
    handlers: tuple[str, str]
    opener: str  # who registers the case
    steps: tuple[Step, ...]
    source: str = "inspection"
    act_days_before: int = 1  # calendar days between the act and its discovery (the case's first day)
    ends: int = 0  # working days between the last step and today
    clue_note: str = ""


@dataclass
class DemoCasesResult:
    created: int = 0
    existing: int = 0
    by_state: Counter = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)  # "slug: action: codes messages"

    def summary(self) -> str:
        parts = "，".join(f"{proc.STATE_LABELS[proc.State(s)]} {n}" for s, n in self.ordered())
        return f"演示案件 {sum(self.by_state.values())} 件（本次新增 {self.created} 件）：{parts}。"

    def ordered(self) -> list[tuple[str, int]]:
        order = [s.value for s in proc.State]
        return sorted(self.by_state.items(), key=lambda kv: order.index(kv[0]))


# --- dates -----------------------------------------------------------------------------------------------

class _Days:
    """Working days around ``today`` with the bureau's holiday calendar (weekends only for a year without data)."""

    def __init__(self, calendar: WorkCalendar, today: date) -> None:
        self.calendar, self.today = calendar, today

    def working(self, d: date) -> bool:
        try:
            return self.calendar.is_working_day(d)
        except MissingYearError:
            return d.weekday() < 5

    def add(self, d: date, n: int) -> date:
        while n:
            d += timedelta(days=1)
            if self.working(d):
                n -= 1
        return d

    def back(self, d: date, n: int) -> date:
        while not self.working(d):
            d -= timedelta(days=1)
        while n:
            d -= timedelta(days=1)
            if self.working(d):
                n -= 1
        return d


PUBLISH = "publish"  # not a step of the case: the portal publishes the decision (zhifa.publicity), which takes 记录公示

# --- the walk --------------------------------------------------------------------------------------------

class _Walk:
    def __init__(self, scenario: Scenario, ctx: _Context, start: date) -> None:
        self.s, self.ctx, self.day, self.n = scenario, ctx, start, 0
        self.case_id: int | None = None

    def key(self) -> str:
        self.n += 1
        return f"{KEY_PREFIX}{self.s.slug}" if self.n == 1 else f"{KEY_PREFIX}{self.s.slug}:{self.n}"

    def pk(self, username: str) -> int:
        return self.ctx.users[username].pk

    def number(self, document: str) -> str:
        """The next number of ``document``'s series on the walk's day."""
        from zhifa.documents.numbering import allocate

        from .models import Case

        case = Case.objects.select_related("agency").get(pk=self.case_id)
        return allocate(case.agency, document, on=self.day, case=case).number

    def after(self, n: int) -> date:
        return self.ctx.days.add(self.day, n)

    def run(self) -> None:
        from . import services

        s, ctx = self.s, self.ctx
        act = self.day - timedelta(days=s.act_days_before)
        payload: dict[str, Any] = {"title": s.title, "party": ctx.party(s.party).pk, "items": list(s.items),
                                   "handlers": [self.pk(h) for h in s.handlers], "act_date": act,
                                   "discovered_on": self.day}
        if s.procedure == "general":
            doc = proc.CLUE_DOCUMENTS[s.source]
            payload.update(clue_source=s.source, documents=[doc] if doc else [],
                           clue_note=s.clue_note or s.title)
        step = services.open_case(agency=ctx.agency, procedure=s.procedure, actor=ctx.users[s.opener],
                                  payload=_json(payload), idempotency_key=self.key(), today=self.day)
        self.case_id = step.case_id
        for st in s.steps:
            self.day = self.after(st.gap)
            if self.day > ctx.today:
                raise AssertionError(f"演示案件 {s.slug} 的步骤 {st.action} 日期 {self.day} 晚于今天 {ctx.today}")
            body = st.payload(self) if callable(st.payload) else dict(st.payload)
            if any(isinstance(e, dict) and "upload" in e for e in body.get("records") or ()):
                body["records"] = [self.upload_av(e, st, n) for n, e in enumerate(body["records"])]
            if st.action == PUBLISH:
                from zhifa.publicity.services import publish

                from .models import Case

                self.key()
                publish(Case.objects.get(pk=self.case_id), actor=ctx.users[st.actor], on=self.day)
                continue
            services.transition(self.case_id, st.action, actor=ctx.users[st.actor], payload=_json(body),
                                idempotency_key=self.key(), today=self.day)


    def upload_av(self, entry: Any, st: Step, n: int) -> Any:
        """Upload the recording an ``av`` entry stands for and name it in the entry (by its digest)."""
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.utils import timezone

        from . import files
        from .models import Case

        if not isinstance(entry, dict) or "upload" not in entry:
            return entry
        spec = entry["upload"]
        start = timezone.make_aware(datetime.combine(self.day, time(9, 30)) + timedelta(minutes=37 * n))
        start = min(start, timezone.now() - timedelta(hours=2))
        data = demo_mp4(f"{self.s.slug}:{self.n}:{st.action}:{n}")
        name = f"{spec['device']}_{start.astimezone(timezone.get_current_timezone()):%Y%m%d_%H%M%S}.mp4"
        f = files.store_upload(Case.objects.get(pk=self.case_id), self.ctx.users[st.actor],
                               SimpleUploadedFile(name, data, "video/mp4"), captured_at=start,
                               captured_until=start + timedelta(minutes=spec["minutes"]), place=spec["place"],
                               device=spec["device"], note=entry.get("description", ""),
                               uploaded_at=start + timedelta(minutes=spec["minutes"] + 30))
        return {k: v for k, v in entry.items() if k != "upload"} | {"file_hash": f.digest}


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


@dataclass
class _Context:
    agency: Any
    today: date
    days: _Days
    users: dict[str, Any]
    parties: dict[str, Any]

    def party(self, name: str):
        return self.parties[name]


# --- building blocks -------------------------------------------------------------------------------------

def S(gap: int, action: str, actor: str, payload: Payload | None = None, **kw: Any) -> Step:
    return Step(gap, str(action), actor, payload if payload is not None else kw)


def investigation(lead: str, second: str, head: str, *, place: str, interviewee: str, evidence: list[dict],
                  gap: int = 2) -> list[Step]:
    """立案 and the usual first acts of an investigation: inspection, interview, evidence."""
    return [
        S(gap, A.FILE, head, documents=["filing_approval_form"]),
        S(0, A.START_INVESTIGATION, lead),
        S(1, A.INSPECT, lead, credentials_shown=True, documents=["inspection_record"],
          records=[av("执法记录仪全程录像", lead, place=place)], place=place),
        S(1, A.INTERVIEW, second, credentials_shown=True, documents=["interview_record"], interviewee=interviewee),
        S(0, A.RECORD_EVIDENCE, second, evidence=evidence),
    ]


def closing(lead: str, penalty: dict | None, facts: dict | None, *, gap: int = 5, major: bool = False) -> list[Step]:
    """调查终结 (with the proposed penalty) and the discretion calculation."""
    body: dict[str, Any] = {"documents": ["investigation_report", "investigation_closing_form"]}
    if penalty:
        body["penalty"] = penalty
    if major:
        body["major_case"] = True
    out = [S(gap, A.CLOSE_INVESTIGATION, lead, body)]
    if facts is not None:
        out.append(S(0, "assess", lead, facts=facts))
    return out


def review(lead: str, reviewer: str, *, gap: int = 1, days: int = 3) -> list[Step]:
    return [
        Step(gap, A.SUBMIT_REVIEW, lead, lambda w, r=reviewer: {"reviewer": w.pk(r)}),
        S(days, A.PASS_REVIEW, reviewer, documents=["legal_review_opinion"], checks=ALL_CHECKS,
          opinion="事实清楚，证据确凿，适用依据正确，程序合法，裁量适当，同意拟处罚意见"),
    ]


def notice(lead: str, head: str, opinion: str, *, gap: int = 1) -> list[Step]:
    return [
        S(gap, A.SUBMIT_FOR_DECISION, lead),
        S(1, "decide_approval", head, kind="penalty_proposal", approved=True, opinion=opinion),
        S(1, A.NOTIFY, lead, documents=["penalty_notice", "service_receipt"]),
    ]


def decision(lead: str, head: str, *, statement: str | None = None, gap: int = 6) -> list[Step]:
    """陈述申辩 (or none) and its review after the window, then the decision."""
    out = []
    if statement:
        out.append(S(2, A.RECORD_STATEMENT, lead, documents=["statement_record"], statement=statement))
        gap = max(gap - 2, 1)
    out += [
        S(gap, A.CONCLUDE_STATEMENTS, lead, documents=["statement_review_form"],
          conclusion="当事人陈述理由不能成立，不予采纳" if statement
          else "当事人在期限内未提出陈述、申辩，亦未要求听证",
          adopted=False),
        # the decision's number (文号) is given from the agency's series, as the documents app gives it
        Step(1, A.DECIDE_PENALTY, head, lambda w: {"documents": [{"code": "penalty_decision",
                                                                  "number": w.number("penalty_decision")}]}),
    ]
    return out


def served(clerk: str = "neiqin", gap: int = 2) -> list[Step]:
    return [S(gap, A.SERVE, clerk, documents=["service_receipt"], method="direct")]


def published(gap: int = 0) -> list[Step]:
    """公示: the clerk publishes the decision on the bureau's portal within 7 working days (国办发〔2018〕118号);
    publishing takes the case's step 记录公示."""
    return [S(gap, PUBLISH, "neiqin")]


def paid(amount: str, receipt: str, gap: int = 8) -> list[Step]:
    return [S(gap, A.PAY, "neiqin", records=["payment_proof"], amount=amount, receipt_no=receipt, method="bank")]


# The body cameras (执法记录仪) of the demo officers, and the hearing room's recorder.
DEVICES = {"hearing-room": "PYWL-TZS-01"}


def av(description: str, who: str, *, code: str = "av_record_or_reason", place: str = "", minutes: int = 25) -> dict:
    """An 音像记录 entry whose file the walk uploads first (``_Walk.upload_av``): the recording of ``who``'s body
    camera (or the hearing room's recorder) on the day of the step."""
    return {"code": code, "description": description,
            "upload": {"device": DEVICES.get(who, f"PYWL-DSJ-{who[-2:]}"), "place": place, "minutes": minutes}}


def demo_mp4(seed: str, size: int = 4096) -> bytes:
    """A small MP4 file (an ``ftyp`` box of brand isom and an ``mdat`` box of bytes made from ``seed``): enough for
    the type check to see a video, different for every seed, made here rather than shipped."""
    def box(kind: bytes, data: bytes) -> bytes:
        return (8 + len(data)).to_bytes(4, "big") + kind + data

    stream = b"".join(hashlib.sha256(f"{seed}:{n}".encode()).digest() for n in range(size // 32))
    return box(b"ftyp", b"isom" + (512).to_bytes(4, "big") + b"isomiso2avc1mp41") + box(b"mdat", stream)


def ev(kind: str, description: str) -> dict:
    return {"kind": kind, "description": description}


def fine(amount: int, *kinds: str, confiscation: int | None = None) -> dict:
    p: dict[str, Any] = {"kinds": [*kinds, "fine"], "fine": str(amount)}
    if confiscation is not None:
        p["confiscation"] = str(confiscation)
    return p


ORD = {"harm": "ordinary"}
ENT_PRIOR = {"prior_penalties_by_kind": {"any": 0, "warning_or_fine": 0, "suspend_business": 0}}
PER_PRIOR = {"prior_penalties_by_kind": {"any": 0}}
HEAD1, HEAD2, BOSS = "fujuzhang1", "fujuzhang2", "juzhang"  # 分管文化市场执法, 分管旅游, 局长


def _scenarios() -> list[Scenario]:
    net_evidence = [ev("audio_visual", "执法记录仪视频：检查时场内情况"),
                    ev("electronic", "上网服务管理系统登记数据导出"),
                    ev("documentary", "营业执照、网络文化经营许可证复印件")]
    ent_evidence = [ev("audio_visual", "执法记录仪视频：包厢及大厅现场情况"),
                    ev("documentary", "营业日志、消费单据复印件"),
                    ev("witness", "在场消费者证言")]
    trv_evidence = [ev("documentary", "团队行程单、游客名单及收款凭证"), ev("witness", "投诉游客证言"),
                    ev("party_statement", "旅行社负责人陈述")]
    pub_evidence = [ev("physical", "涉案出版物样本"), ev("documentary", "进货单据、销售记录")]
    out: list[Scenario] = []
    add = out.append

    # --- 执法一中队：网吧 ----------------------------------------------------------------------------
    add(Scenario("net-clue-complaint", "网吧接纳未成年人（投诉）", "general", "平舆县雷霆网络会所有限公司",
                 ("WH-NET-004",), ("zhifa03", "zhifa06"), "zhifa03", (), source="complaint", ends=1,
                 clue_note="群众电话举报：周末晚间有多名学生模样人员在雷霆网络会所上网"))
    add(Scenario("net-filed", "未按规定核对、登记上网消费者有效身份证件", "general", "平舆县极速风暴网络科技有限公司",
                 ("WH-NET-010",), ("zhifa01", "zhifa02"), "zhifa01", (
                     S(2, A.FILE, HEAD1, documents=["filing_approval_form"]),), ends=1))
    add(Scenario("net-investigating", "在规定的营业时间以外营业", "general", "平舆县竞界电竞文化有限公司",
                 ("WH-NET-003",), ("zhifa02", "zhifa03"), "zhifa02", tuple(investigation(
                     "zhifa02", "zhifa03", HEAD1, place="竞界电竞馆", interviewee="邓立新（法定代表人）",
                     evidence=net_evidence)), ends=3))
    # overdue: filed about five months ago, the investigation stalled; the 90-day clock has run out
    add(Scenario("net-overdue", "擅自停止实施经营管理技术措施", "general", "平舆县云端网络服务有限公司",
                 ("WH-NET-006",), ("zhifa01", "zhifa06"), "zhifa06", (
                     *investigation("zhifa06", "zhifa01", HEAD1, place="云端网咖",
                                    interviewee="范志远（法定代表人）",
                                    evidence=net_evidence),
                     S(2, A.START_TESTING, "zhifa06", records=["testing_notice"],
                       subject="经营管理技术措施软件运行状态检测"),
                     S(8, A.END_TESTING, "zhifa06", documents=["appraisal_report"]),
                     S(3, A.INTERVIEW, "zhifa01", credentials_shown=True, documents=["interview_record"],
                       interviewee="网管员王某"),
                 ), ends=70))
    add(Scenario("net-under-review", "接纳未成年人进入营业场所", "general", "平舆县星河互联网服务有限公司",
                 ("WH-NET-004",), ("zhifa01", "zhifa02"), "zhifa01", (
                     *investigation("zhifa01", "zhifa02", HEAD1, place="星河网咖",
                                    interviewee="曹雪峰（法定代表人）",
                                    evidence=[*net_evidence,
                                              ev("witness", "未成年人王某某（15岁）及其监护人询问笔录")]),
                     *closing("zhifa01", fine(6000, "warning"), ORD),
                     Step(1, A.SUBMIT_REVIEW, "zhifa01", lambda w: {"reviewer": w.pk("fazhi1")}),
                 ), ends=1))
    add(Scenario("net-hearing-held", "接纳未成年人进入营业场所（二年内再次违法）", "general",
                 "平舆县雷霆网络会所有限公司",
                 ("WH-NET-004",), ("zhifa02", "zhifa06"), "zhifa02", (
                     *investigation("zhifa02", "zhifa06", HEAD1, place="雷霆网络会所",
                                    interviewee="袁明辉（法定代表人）",
                                    evidence=net_evidence),
                     *closing("zhifa02", fine(12000, "warning", "suspend_business"),
                              {"harm": "ordinary", "prior_penalties_in_window": 1}),
                     *review("zhifa02", "fazhi1"),
                     *notice("zhifa02", HEAD1, "同意给予警告、罚款一万二千元并责令停业整顿十日"),
                     S(2, A.REQUEST_HEARING, "neiqin"),
                     Step(1, A.SCHEDULE_HEARING, HEAD1, lambda w: {
                         "documents": ["hearing_notice"], "hearing_date": w.after(9), "hearing_notice_on": w.day,
                         "hearing_host": w.pk("fazhi2"), "hearing_place": "局三楼听证室"}),
                     S(9, A.HOLD_HEARING, HEAD1, documents=["hearing_record"],
                       records=[av("听证全程录音录像", "hearing-room", place="局三楼听证室")]),
                 ), ends=1, act_days_before=2))
    # summary procedure: 100 yuan collected on the spot, handed in, filed, closed
    add(Scenario("net-summary-collected", "未悬挂未成年人禁入标志", "summary", "平舆县飞翔网吧",
                 ("WH-NET-007",), ("zhifa03", "zhifa06"), "zhifa03", (
                     S(0, "assess", "zhifa03", facts={"harm": "minor", "first_violation": True,
                                                      "corrected_promptly": True, "eliminated_harm": True, "age": 45}),
                     S(0, A.DECIDE_ON_THE_SPOT, "zhifa03", penalty={"kinds": ["fine"], "fine": "100"},
                       credentials_shown=True, statement_heard=True, documents=["on_the_spot_decision"],
                       records=[av("执法记录仪全程录像", "zhifa03", place="飞翔网吧")],
                       place="飞翔网吧"),
                     S(0, A.COLLECT_ON_THE_SPOT, "zhifa03", records=["fiscal_receipt"], receipt_no="豫财罚 0012031",
                       party_requests_collection=True),
                     S(1, A.DEPOSIT_CASH, "zhifa03", records=["deposit_proof"]),
                     S(0, A.FILE_WITH_AGENCY, "neiqin"),
                     S(0, A.PAY, "neiqin", records=["payment_proof"]),
                     S(1, A.CLOSE, "neiqin"),
                 ), ends=25, act_days_before=0))
    add(Scenario("net-summary-today", "未悬挂《网络文化经营许可证》", "summary", "平舆县阳光网吧",
                 ("WH-NET-007",), ("zhifa01", "zhifa03"), "zhifa01", (), ends=0, act_days_before=0))
    add(Scenario("net-no-penalty", "未悬挂未成年人禁入标志（首违不罚）", "general", "平舆县阳光网吧",
                 ("WH-NET-007",), ("zhifa02", "zhifa03"), "zhifa02", (
                     *investigation("zhifa02", "zhifa03", HEAD1, place="阳光网吧",
                                    interviewee="谢红梅（经营者）",
                                    evidence=net_evidence),
                     *closing("zhifa02", None, {"first_violation": True, "corrected_promptly": True, "harm": "none",
                                                "age": 40}),
                     S(1, A.SUBMIT_FOR_DECISION, "zhifa02"),
                     S(1, A.DECIDE_NO_PENALTY, HEAD1, documents=["no_penalty_decision"],
                       records=[{"code": "education_record",
                                 "description": "对经营者谢红梅进行批评教育，讲解《未成年人保护法》和网吧管理规定，"
                                                "当场补挂标志"}],
                       reason="初次违法且当场改正，没有造成危害后果，依《文化市场轻微违法行为免罚清单》不予处罚"),
                     *served(),
                     S(2, A.CLOSE, HEAD1, documents=["case_closing_report"]),
                 ), ends=12))
    add(Scenario("net-transferred", "未经许可擅自从事互联网上网服务经营活动（许可证过期后继续经营）", "general",
                 "平舆县蓝海网吧", ("WH-NET-001",), ("zhifa01", "zhifa03"), "zhifa01", (
                     *investigation("zhifa01", "zhifa03", BOSS, place="蓝海网吧",
                                    interviewee="彭建军（经营者）",
                                    evidence=[*net_evidence, ev("documentary", "收银系统营业流水（许可证过期后）")]),
                     S(0, "decide_approval", BOSS, kind="seizure", approved=True, opinion="同意扣押电脑主机三十台"),
                     S(1, A.SEIZE, "zhifa01", credentials_shown=True,
                       documents=["seizure_decision", "item_list", "inspection_record"],
                       records=[av("扣押全过程录像", "zhifa01", code="av_record", place="蓝海网吧")]),
                     S(2, A.REPORT_CRIME, "zhifa01", reason="许可证过期后继续经营，违法经营额逾五万元，涉嫌非法经营罪"),
                     S(1, A.TRANSFER_CRIMINAL, BOSS, documents=["criminal_transfer_letter", "case_transfer_form"],
                       receiving_authority="平舆县公安局"),
                     S(3, A.RECORD_POLICE_FILING, "neiqin", records=["police_filing_notice"]),
                     S(1, A.HAND_OVER, "zhifa01", records=["handover_list"]),
                     S(0, A.RELEASE_SEIZURE, BOSS, documents=["seizure_release_decision"], reason="随案移交公安机关"),
                 ), ends=6, act_days_before=3))

    # --- 执法一中队：娱乐场所 -------------------------------------------------------------------------
    add(Scenario("ent-not-filed", "娱乐场所容纳的消费者超过核定人数（举报）", "general", "平舆县麦霸娱乐管理有限公司",
                 ("WH-ENT-006",), ("zhifa01", "zhifa06"), "zhifa06", (
                     S(3, A.NOT_FILE, HEAD1, documents=["not_filing_approval_form"],
                       reason="经现场核查，举报时段在场消费者一百四十人，未超过核定人数一百八十人，违法事实不存在"),
                 ), source="complaint", ends=15))
    add(Scenario("ent-review-failed", "歌舞娱乐场所接纳未成年人", "general", "平舆县声动娱乐有限公司",
                 ("WH-ENT-004",), ("zhifa02", "zhifa03"), "zhifa03", (
                     *investigation("zhifa03", "zhifa02", HEAD1, place="声动量贩KTV",
                                    interviewee="沈建平（法定代表人）",
                                    evidence=ent_evidence),
                     *closing("zhifa03", fine(18000, "confiscate_gains", confiscation=1200), {**ORD, **ENT_PRIOR}),
                     Step(1, A.SUBMIT_REVIEW, "zhifa03", lambda w: {"reviewer": w.pk("fazhi2")}),
                     S(3, A.FAIL_REVIEW, "fazhi2", documents=["legal_review_opinion"],
                       checks={**ALL_CHECKS, "facts_and_evidence": {
                           "ok": False, "note": "未成年人年龄仅有口头陈述，缺少身份证明"}},
                       opinion="认定接纳未成年人的证据不足，须补充未成年人身份证明及其监护人询问笔录后重新提交"),
                 ), ends=2))
    add(Scenario("ent-review-passed", "游艺娱乐场所在法定节假日以外向未成年人提供游戏设备", "general",
                 "平舆县欢乐岛游艺有限公司", ("WH-ENT-004",), ("zhifa01", "zhifa02"), "zhifa02", (
                     *investigation("zhifa02", "zhifa01", HEAD1, place="欢乐岛电玩城",
                                    interviewee="田家明（法定代表人）",
                                    evidence=ent_evidence),
                     *closing("zhifa02", fine(16000, "confiscate_gains", confiscation=800), {**ORD, **ENT_PRIOR}),
                     *review("zhifa02", "fazhi2"),
                 ), ends=1))
    add(Scenario("ent-awaiting-decision", "在禁止营业时间内营业", "general", "平舆县夜莺歌厅",
                 ("WH-ENT-008",), ("zhifa03", "zhifa06"), "zhifa06", (
                     *investigation("zhifa06", "zhifa03", HEAD1, place="夜莺歌厅",
                                    interviewee="潘秀英（经营者）",
                                    evidence=ent_evidence),
                     *closing("zhifa06", {"kinds": ["warning"]}, {**ORD, **ENT_PRIOR, "age": 54}),
                     *review("zhifa06", "fazhi1"),
                     S(1, A.SUBMIT_FOR_DECISION, "zhifa06"),
                 ), ends=1))
    add(Scenario("ent-notified", "娱乐场所容纳的消费者超过核定人数", "general", "平舆县奇幻星球娱乐有限公司",
                 ("WH-ENT-006",), ("zhifa01", "zhifa02"), "zhifa01", (
                     *investigation("zhifa01", "zhifa02", HEAD1, place="奇幻星球游艺城",
                                    interviewee="秦永福（法定代表人）",
                                    evidence=ent_evidence),
                     *closing("zhifa01", fine(18000, "confiscate_gains", confiscation=2400), {**ORD, **ENT_PRIOR}),
                     *review("zhifa01", "fazhi1"),
                     *notice("zhifa01", HEAD1, "同意没收违法所得二千四百元并处罚款一万八千元"),
                 ), ends=2))
    add(Scenario("ent-hearing-requested", "歌舞娱乐场所接纳未成年人（情节较重）", "general",
                 "平舆县欢唱时代娱乐有限公司", ("WH-ENT-004",), ("zhifa02", "zhifa06"), "zhifa06", (
                     *investigation("zhifa06", "zhifa02", HEAD1, place="欢唱时代KTV",
                                    interviewee="蒋文斌（法定代表人）",
                                    evidence=ent_evidence),
                     *closing("zhifa06", fine(22000, "confiscate_gains", "suspend_business", confiscation=3500),
                              {**ORD, **ENT_PRIOR}),
                     *review("zhifa06", "fazhi2"),
                     *notice("zhifa06", HEAD1, "同意没收违法所得、罚款二万二千元并责令停业整顿十五日"),
                     S(3, A.REQUEST_HEARING, "neiqin"),
                 ), ends=1))
    # in a hearing: the notice was served more than seven working days before the hearing, which is ahead
    add(Scenario("ent-hearing-scheduled", "歌舞娱乐场所播放的曲目含有禁止内容", "general", "平舆县唱享汇娱乐有限公司",
                 ("WH-ENT-003",), ("zhifa01", "zhifa03"), "zhifa03", (
                     *investigation("zhifa03", "zhifa01", HEAD1, place="唱享汇KTV",
                                    interviewee="汪海涛（法定代表人）",
                                    evidence=[*ent_evidence, ev("electronic", "点播系统曲库导出文件")]),
                     *closing("zhifa03", fine(20000, "confiscate_gains", "suspend_business", confiscation=1500),
                              {**ORD, **ENT_PRIOR}),
                     *review("zhifa03", "fazhi1"),
                     *notice("zhifa03", BOSS, "同意没收违法所得、罚款二万元并责令停业整顿"),
                     S(2, A.REQUEST_HEARING, "neiqin"),
                     Step(1, A.SCHEDULE_HEARING, BOSS, lambda w: {
                         "documents": ["hearing_notice"], "hearing_date": w.after(10), "hearing_notice_on": w.day,
                         "hearing_host": w.pk("fazhi2"), "hearing_place": "局三楼听证室"}),
                 ), ends=3))
    add(Scenario("ent-summary-warning", "未按规定悬挂未成年人禁入标志", "summary", "平舆县童趣游艺厅",
                 ("WH-ENT-011",), ("zhifa02", "zhifa06"), "zhifa02", (
                     S(0, "assess", "zhifa02",
                       facts={"harm": "minor", "first_violation": True, **ENT_PRIOR, "age": 38}),
                     S(0, A.DECIDE_ON_THE_SPOT, "zhifa02", penalty={"kinds": ["warning"]}, credentials_shown=True,
                       statement_heard=True, documents=["on_the_spot_decision"],
                       records=[av("执法记录仪全程录像", "zhifa02", place="童趣游艺厅")],
                       place="童趣游艺厅"),
                     S(1, A.FILE_WITH_AGENCY, "neiqin"),
                     S(1, A.CLOSE, HEAD1),
                     S(3, A.ARCHIVE, "neiqin", archive_no="平文旅简档-001"),
                 ), ends=40, act_days_before=0))
    add(Scenario("ent-summary-filed", "从业人员在营业期间未统一着装并佩带工作标志", "summary", "平舆县夜莺歌厅",
                 ("WH-ENT-009",), ("zhifa01", "zhifa06"), "zhifa06", (
                     S(0, "assess", "zhifa06", facts={"harm": "minor", **ENT_PRIOR, "age": 54}),
                     S(0, A.DECIDE_ON_THE_SPOT, "zhifa06", penalty={"kinds": ["warning"]}, credentials_shown=True,
                       statement_heard=True, documents=["on_the_spot_decision"],
                       records=[av("执法记录仪全程录像", "zhifa06", place="夜莺歌厅")],
                       place="夜莺歌厅"),
                     S(1, A.FILE_WITH_AGENCY, "neiqin"),
                 ), ends=1, act_days_before=0))

    # --- 执法一中队：演出 -----------------------------------------------------------------------------
    add(Scenario("per-suspended", "未经批准举办营业性演出", "general", "平舆县凤鸣文化传媒有限公司",
                 ("WH-PER-004",), ("zhifa02", "zhifa03"), "zhifa02", (
                     *investigation("zhifa02", "zhifa03", HEAD1, place="凤鸣文化传媒办公室",
                                    interviewee="公司员工李某", evidence=[ev("documentary", "演出宣传海报、售票记录")]),
                     S(3, A.SUSPEND, HEAD1, documents=["approval_form"],
                       reason="法定代表人段晓燕因病住院治疗，无法接受调查询问，案件中止"),
                 ), ends=10, source="referral"))
    add(Scenario("per-withdrawn", "演出场所经营单位未办理备案手续", "general", "平舆县清河演艺中心有限公司",
                 ("WH-PER-015",), ("zhifa01", "zhifa06"), "zhifa01", (
                     *investigation("zhifa01", "zhifa06", HEAD1, place="清河演艺中心",
                                    interviewee="钟志成（法定代表人）",
                                    evidence=[ev("documentary", "营业执照、演出场所备案回执")]),
                     S(4, A.WITHDRAW, HEAD1, documents=["approval_form"],
                       reason="经核查，当事人已于开业前在县文化广电和旅游局办理演出场所备案，违法事实不存在"),
                 ), ends=20))

    # --- 执法二中队：旅行社 ---------------------------------------------------------------------------
    add(Scenario("trv-decided", "旅行社未与旅游者签订旅游合同", "general", "平舆县假日旅行社有限公司",
                 ("WH-TRV-014",), ("zhifa07", "zhifa08"), "zhifa08", (
                     *investigation("zhifa08", "zhifa07", HEAD2, place="假日旅行社营业部",
                                    interviewee="程玉梅（法定代表人）",
                                    evidence=trv_evidence),
                     *closing("zhifa08", fine(50000), ORD),
                     *review("zhifa08", "fazhi1"),
                     *notice("zhifa08", HEAD2, "同意罚款五万元"),
                     *decision("zhifa08", HEAD2, statement="当事人称系临时组团，来不及签订书面合同"),
                 ), source="complaint", ends=1))
    add(Scenario("trv-served", "未按规定安排导游全程陪同", "general", "平舆县青山国际旅行社有限公司",
                 ("WH-TRV-003",), ("zhifa07", "zhifa11"), "zhifa07", (
                     *investigation("zhifa07", "zhifa11", HEAD2, place="青山国旅营业部",
                                    interviewee="叶建新（法定代表人）",
                                    evidence=trv_evidence),
                     *closing("zhifa07", fine(20000, "confiscate_gains", confiscation=2000),
                              {**ORD, "amounts": {"违法所得": "2000"}}),
                     *review("zhifa07", "fazhi2"),
                     *notice("zhifa07", HEAD2, "同意没收违法所得二千元并处罚款二万元"),
                     *decision("zhifa07", HEAD2),
                     *served(),
                     *published(),
                 ), source="complaint", ends=4))
    # performance: not paid within 15 days; the 3 % daily surcharge runs
    add(Scenario("trv-performing", "旅行社进行虚假宣传误导旅游者", "general", "平舆县天中旅行社有限公司",
                 ("WH-TRV-006",), ("zhifa08", "zhifa11"), "zhifa11", (
                     *investigation("zhifa11", "zhifa08", HEAD2, place="天中旅行社营业部",
                                    interviewee="傅海军（法定代表人）",
                                    evidence=[*trv_evidence, ev("electronic", "微信公众号宣传页面截图及网页存证")]),
                     *closing("zhifa11", fine(25000), ORD),
                     *review("zhifa11", "fazhi1"),
                     *notice("zhifa11", HEAD2, "同意罚款二万五千元"),
                     *decision("zhifa11", HEAD2),
                     *served(),
                     *published(),
                     S(15, A.MARK_OVERDUE, "neiqin"),
                     S(1, A.IMPOSE_SURCHARGE, "zhifa11"),
                     S(2, A.URGE, "zhifa11", documents=["performance_reminder"]),
                 ), source="complaint", ends=3))
    add(Scenario("trv-paid", "旅行社未与旅游者签订旅游合同", "general", "平舆县途悦旅行社有限公司",
                 ("WH-TRV-014",), ("zhifa09", "zhifa11"), "zhifa09", (
                     *investigation("zhifa09", "zhifa11", HEAD2, place="途悦旅行社营业部",
                                    interviewee="吕静怡（法定代表人）",
                                    evidence=trv_evidence),
                     *closing("zhifa09", fine(46000), ORD),
                     *review("zhifa09", "fazhi2"),
                     *notice("zhifa09", HEAD2, "同意罚款四万六千元"),
                     *decision("zhifa09", HEAD2),
                     *served(),
                     *published(),
                     *paid("46000", "豫财缴 0045126"),
                 ), source="complaint", ends=2))
    # court enforcement: never paid; urged; applied to court after the remedy periods; enforced
    add(Scenario("trv-enforced", "旅行社未与旅游者签订旅游合同", "general", "平舆县畅行旅行社有限公司",
                 ("WH-TRV-014",), ("zhifa07", "zhifa09"), "zhifa07", (
                     *investigation("zhifa07", "zhifa09", HEAD2, place="畅行旅行社营业部",
                                    interviewee="魏国庆（法定代表人）",
                                    evidence=trv_evidence),
                     *closing("zhifa07", fine(44000), ORD),
                     *review("zhifa07", "fazhi1"),
                     *notice("zhifa07", HEAD2, "同意罚款四万四千元"),
                     *decision("zhifa07", HEAD2),
                     *served(),
                     *published(),
                     S(15, A.MARK_OVERDUE, "neiqin"),
                     S(1, A.IMPOSE_SURCHARGE, "zhifa07"),
                     S(10, A.URGE, "zhifa07", documents=["performance_reminder"]),
                     S(118, A.APPLY_COURT_ENFORCEMENT, BOSS, documents=["enforcement_application"],
                       court="平舆县人民法院"),
                     S(15, A.RECORD_ENFORCED, "neiqin", records=["enforcement_result"],
                       result="平舆县人民法院裁定准予强制执行，罚款及加处罚款已划拨入库"),
                 ), source="complaint", ends=6))

    # --- 执法二中队：出版物、印刷、文物、艺术品 -------------------------------------------------------------
    add(Scenario("pub-clue", "发行未署出版单位名称的出版物（举报）", "general", "平舆县博文书店",
                 ("WH-PUB-004",), ("zhifa08", "zhifa11"), "zhifa08", (), source="complaint", ends=0,
                 clue_note="家长举报：博文书店销售无出版单位名称的教辅材料"))
    add(Scenario("art-filed", "未明示艺术品名称、作者、年代、价格等信息", "general", "平舆县墨韵书画店",
                 ("WH-ART-003",), ("zhifa07", "zhifa08"), "zhifa07", (
                     S(3, A.FILE, HEAD2, documents=["filing_approval_form"]),), ends=2))
    add(Scenario("prt-investigation-closed", "印刷非出版单位出版的出版物", "general", "平舆县明达印刷有限公司",
                 ("WH-PRT-002",), ("zhifa08", "zhifa09"), "zhifa09", (
                     *investigation("zhifa09", "zhifa08", HEAD2, place="明达印刷厂",
                                    interviewee="熊德兴（法定代表人）",
                                    evidence=[*pub_evidence, ev("documentary", "印刷委托书、印刷合同")]),
                     *closing("zhifa09", fine(25000, "suspend_business", "confiscate_property", "confiscate_gains",
                                              confiscation=3600), ORD),
                 ), ends=1))
    add(Scenario("pub-closed", "发行未署出版单位名称的出版物", "general", "平舆县墨香图书有限公司",
                 ("WH-PUB-004",), ("zhifa08", "zhifa11"), "zhifa11", (
                     *investigation("zhifa11", "zhifa08", BOSS, place="墨香书城",
                                    interviewee="姚立群（法定代表人）",
                                    evidence=pub_evidence),
                     *closing("zhifa11", fine(80000, "confiscate_property", "confiscate_gains", confiscation=5200), ORD,
                              major=True),
                     *review("zhifa11", "fazhi1"),
                     S(1, A.SUBMIT_FOR_DECISION, "zhifa11"),
                     S(2, A.HOLD_COLLECTIVE_DISCUSSION, BOSS, documents=["collective_discussion_record"],
                       records=["collective_attendance"], attendees=LEADERS,
                       conclusion="同意没收非法出版物及违法所得，并处罚款八万元"),
                     S(0, "decide_approval", BOSS, kind="penalty_proposal", approved=True,
                       opinion="按集体讨论意见办理"),
                     S(1, A.NOTIFY, "zhifa11", documents=["penalty_notice", "service_receipt"]),
                     S(1, A.WAIVE_STATEMENT, "neiqin", records=["waiver_statement"]),
                     *decision("zhifa11", BOSS),
                     *served(),
                     *published(),
                     *paid("80000", "豫财缴 0043377", gap=10),
                     S(2, A.CLOSE, BOSS, documents=["case_closing_report"]),
                 ), ends=8))
    add(Scenario("rel-archived", "个人买卖国家禁止买卖的文物", "general", "刘翠英",
                 ("WH-REL-002",), ("zhifa07", "zhifa11"), "zhifa11", (
                     *investigation("zhifa11", "zhifa07", BOSS, place="平舆县东和店镇李湾村刘翠英住处",
                                    interviewee="刘翠英（当事人）",
                                    evidence=[ev("physical", "涉案陶罐二件、铜镜一面"),
                                              ev("expert_opinion", "文物鉴定意见"),
                                              ev("party_statement", "当事人陈述")]),
                     S(1, A.START_TESTING, "zhifa11", records=["testing_notice"], subject="涉案器物文物鉴定"),
                     S(10, A.END_TESTING, "zhifa11", documents=["appraisal_report"]),
                     *closing("zhifa11", fine(22000, "confiscate_gains", "confiscate_property", confiscation=3000),
                              {**ORD, "amounts": {"违法经营额": "3000"}, "age": 50}),
                     *review("zhifa11", "fazhi2"),
                     *notice("zhifa11", BOSS, "同意没收涉案文物及违法所得，并处罚款二万二千元"),
                     *decision("zhifa11", BOSS, statement="当事人称不知道出土器物禁止买卖，请求从轻处罚"),
                     *served(),
                     *published(),
                     *paid("22000", "豫财缴 0041208", gap=10),
                     S(2, A.CLOSE, BOSS, documents=["case_closing_report"]),
                     S(3, A.ARCHIVE, "neiqin", documents=["case_file_index"], archive_no="平文旅档-2-001"),
                 ), source="complaint", ends=30))
    return out


# --- loading ---------------------------------------------------------------------------------------------

def _context(agency, today: date) -> _Context:
    from zhifa.catalog.calendar import work_calendar
    from zhifa.org.models import User
    from zhifa.parties.models import Party

    users = {u.username: u for u in User.objects.filter(agency=agency)}
    parties = {p.name: p for p in Party.objects.filter(agency=agency).order_by("id")}
    return _Context(agency, today, _Days(work_calendar(), today), users, parties)


def _start(ctx: _Context, s: Scenario) -> date:
    return ctx.days.back(ctx.today, sum(st.gap for st in s.steps) + s.ends)


def load_demo_cases(agency, *, today: date) -> DemoCasesResult:
    """Create the demo cases of ``agency`` that are missing (see the module docstring)."""
    from django.db import transaction

    from zhifa.law.errors import RuleViolation

    from .models import Case

    result = DemoCasesResult()
    ctx = _context(agency, today)
    with transaction.atomic():  # one commit for all (each case is a savepoint of its own)
        _demo_particulars(agency)
        for s in _scenarios():
            if Case.objects.filter(creation_key=f"{agency.pk}:{KEY_PREFIX}{s.slug}").exists():
                result.existing += 1
                continue
            walk = _Walk(s, ctx, _start(ctx, s))
            try:
                with transaction.atomic():
                    walk.run()
            except RuleViolation as exc:
                codes = getattr(exc, "codes", [exc.code])
                detail = "；".join(str(v) for v in getattr(exc, "violations", [exc])) or exc.message
                result.refused.append(f"{s.slug}（{walk.day.isoformat()}）：{'、'.join(codes)}：{detail}")
                continue
            result.created += 1
    demo = Case.objects.filter(agency=agency, creation_key__startswith=f"{agency.pk}:{KEY_PREFIX}")
    result.by_state = Counter(demo.values_list("state", flat=True))
    return result


def _demo_particulars(agency) -> None:
    """What the demo bureau's documents state of remedies and payment (policy ``documents.particulars``)."""
    from zhifa.catalog.models import PolicyValue

    if PolicyValue.objects.filter(key="documents.particulars", agency=agency).exists():
        return
    PolicyValue.objects.create(
        key="documents.particulars", agency=agency, effective_from=date(2020, 1, 1),
        value={"review_organ": "平舆县人民政府", "court": "平舆县人民法院",
               "payment_bank": "中国农业银行平舆县支行（或通过河南省非税收入电子缴款平台）"},
        citation="演示数据", note="演示数据：决定书载明的复议机关、法院和缴款渠道")


SCENARIO_SLUGS = tuple(s.slug for s in _scenarios())
