"""The procedure as data: states, actions, who may act, guards, documents, records and clocks (DESIGN.md §4).

One table, :data:`TABLE`, says for each step of a case (issue 4 §1; law.md §1.10–1.13, §1.17, §2.3, §4):

- from which states (``sources``) it may be taken, in which procedure, and the state it leads to
  (``target``; ``None`` keeps the state, e.g. recording evidence; ``returns`` goes back to the state
  before a suspension);
- who may take it (``roles``: the role codes of ``zhifa.org.roles``: officer, reviewer, head, clerk);
- the named rules that must hold (``guards``, functions in :data:`GUARDS`);
- the documents (执法文书, law.md §3.5) and records that must exist when it is recorded, and the
  head's approval it needs (``approval``);
- the clocks it starts and stops (codes of ``clocks.CLOCKS``, or of :data:`POLICY_CLOCKS` for the two
  periods that only policy sets), the periods it opens or closes that do not count towards a clock
  (:data:`EXCLUSIONS`: 听证, 公告, 检测/鉴定, 中止), the clocks whose extension it records (``extends``);
- its legal basis.

The same table draws the public procedure chart (:func:`chart`, :func:`chart_dot`) and the "what is
missing" panel of a case (:func:`missing`).

**How the caller uses it.** The case service (a later step of issue 4) builds a :class:`CaseFacts`
snapshot from the locked case row and its related rows, then calls :func:`check` with the acting user as
an :class:`Actor`. An empty list means the step is lawful now; otherwise every failing rule is returned
at once, each a :class:`~zhifa.law.errors.RuleViolation` with a stable code, a Chinese message naming
what is missing, the field at fault and the article. The service then moves the case to
:func:`target_of`, starts the clocks of :func:`clocks_started` and stops those of the transition, and
records the event. Nothing here reads the database or the clock on the wall: ``facts.today`` is the day
the step is taken, and ``facts.calendar`` is the holiday calendar (``calendar.WorkCalendar``, built once
from the holiday table) that guards use to count working days with ``clocks.due``.

**What the caller computes.** Values that need other apps arrive as plain values: ``Handler.qualified``
(``org.services.may_enforce`` for every domain of the case's items on the act date, Art 42),
``review_required`` (``penalties.review_required`` with the agency's catalogue; true for every case when
the agency's policy sends all penalties to 法制审核), ``hearing_right`` (``penalties.hearing_required``
with the province's thresholds), the discretion ``recommended_range`` (``discretion.assess``), and the
policy values (``statement_days``, ``decision_extensions_allowed``). Flags the officer declares with the
request itself (``credentials_shown``, ``statement_heard``) are part of the snapshot too.

**Documented choices** (not in law.md): head approvals that precede an officer's act (先行登记保存,
查封扣押, the 拟处罚意见 before 事先告知) are :class:`Approval` rows of the case, produced by the approval
screens, not steps of this table; steps that *are* the head's decision (立案, 决定, 中止, 撤销立案, 延期 …)
are taken by the head. The review, hearing and statement rules are checked again at the decision, so a
case that went back and forth is judged on its latest facts. A decision may not add a penalty kind that
was not notified unless it replaces a dropped, heavier kind (Art 44–45). Closing needs no running
先行登记保存 or 查封扣押 and no cash collected on the spot still outside the agency.

**Clocks end with their purpose.** Every clock a step starts is stopped by the step that ends what it waits for,
so none runs on to 结案 and shows as overdue: the 陈述申辩 and 听证申请 periods end when the party asks for a
hearing (the statement and defence are then heard at the hearing, Art 64–65) and at the latest with the decision;
the payment period ends with payment, on-the-spot collection or 强制执行完毕; the remedy periods (复议, 诉讼) have
ended when the agency applies to court (行政强制法 Art 53), so that step stops them; a crime report must be decided
(移送 or 不予移送) before the case is decided, as a penalty may not replace a transfer (移送规定第十一条). The
publication of a penalty decision (国办发〔2018〕118号: 7 working days) is recorded by 记录公示 (date, web address
or place), in any state after the decision up to 结案; the public portal (issue 7) will later publish decisions and
record this step itself. Who a clock binds (the agency or the party, :func:`clock_binds`) decides whether its lapse
is the agency's overdue deadline.

A guard is ``guard(facts, actor, transition) -> list[RuleViolation]``: it gets the row too, because the
document, record, approval, clock and excluded-period checks read the row's own requirements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from .calendar import WorkCalendar, cn_date
from .citations import ART_42, ART_52, ART_55, XZCFF
from .clocks import (
    AGENCY,
    ART_36,
    ART_56,
    ART_60,
    ART_61,
    ART_64_1,
    ART_64_2,
    ART_67,
    ART_71,
    CLOCKS,
    GBF_118,
    GBF_118_PUBLISH,
    MSSSF,
    MSSSF_ART_95,
    PARTY,
    QZF,
    QZF_ART_19,
    QZF_ART_25,
    QZF_ART_53,
    QZF_ART_54,
    YSGD_ART_12,
    YSGD_TRANSFER,
    Binds,
    due,
)
from .discretion import ART_5, ART_29, ART_33_3, ART_34, MCT_DISCRETION
from .errors import Citation, RuleViolation
from .fines import yuan
from .penalties import (
    ART_51,
    ART_58_REVIEW,
    ART_63,
    ART_68,
    ART_69,
    ART_70,
    CONFISCATION_KINDS,
    KIND_LABELS,
    KIND_SEVERITY,
    PERSON,
    PenaltyKind,
    on_the_spot_collection_allowed,
    summary_eligible,
)
from .temporal import limitation

# --- Citations -------------------------------------------------------------------------------------

ART_22 = Citation(XZCFF, "第二十二条",
                  "行政处罚由违法行为发生地的行政机关管辖；法律、行政法规、部门规章另有规定的，从其规定")
ART_25 = Citation(XZCFF, "第二十五条", "两个以上行政机关都有管辖权的，由最先立案的行政机关管辖")
ART_27 = Citation(XZCFF, "第二十七条", "违法行为涉嫌犯罪的，行政机关应当及时将案件移送司法机关")
ART_43 = Citation(XZCFF, "第四十三条",
                  "执法人员与案件有直接利害关系或者有其他关系可能影响公正执法的，应当回避；回避由行政机关负责人决定")
ART_44 = Citation(XZCFF, "第四十四条",
                  "作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据，"
                  "并告知当事人依法享有的陈述、申辩、要求听证等权利")
ART_45 = Citation(XZCFF, "第四十五条",
                  "当事人有权进行陈述和申辩，行政机关应当复核；行政机关不得因当事人陈述、申辩而给予更重的处罚")
ART_46 = Citation(XZCFF, "第四十六条", "证据的种类；证据必须经查证属实，方可作为认定案件事实的根据")
ART_47 = Citation(XZCFF, "第四十七条", "对行政处罚的启动、调查取证、审核、决定、送达、执行等进行全过程记录，归档保存")
ART_48_PUBLIC = Citation(XZCFF, "第四十八条第一款", "具有一定社会影响的行政处罚决定应当依法公开")
ART_52_FILING = Citation(XZCFF, "第五十二条", "执法人员当场作出的行政处罚决定，应当报所属行政机关备案")
ART_53 = Citation(XZCFF, "第五十三条", "对当场作出的行政处罚决定，当事人应当依照第六十七条至第六十九条的规定履行")
ART_54 = Citation(XZCFF, "第五十四条", "符合立案标准的，行政机关应当及时立案；调查或者检查应当全面、客观、公正")
ART_56_SAMPLING = Citation(XZCFF, "第五十六条", "收集证据时可以采取抽样取证的方法")
ART_56_APPROVAL = Citation(XZCFF, "第五十六条",
                           "证据可能灭失或者以后难以取得的，经行政机关负责人批准，可以先行登记保存")
ART_57 = Citation(XZCFF, "第五十七条第一款",
                  "调查终结，行政机关负责人应当对调查结果进行审查，分别作出给予处罚、不予处罚、不得给予处罚、移送司法机关的决定")
ART_57_2 = Citation(XZCFF, "第五十七条第二款", "对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定")
ART_58_2 = Citation(XZCFF, "第五十八条第二款",
                    "行政机关中初次从事行政处罚决定法制审核的人员，应当通过国家统一法律职业资格考试取得法律职业资格")
ART_59 = Citation(XZCFF, "第五十九条", "行政处罚决定书应当载明法定事项，并盖有作出决定的行政机关的印章")
ART_61_2 = Citation(XZCFF, "第六十一条第二款", "当事人同意并签订确认书的，可以采用传真、电子邮件等方式送达")
ART_62 = Citation(XZCFF, "第六十二条",
                  "未告知拟作出的行政处罚内容及事实、理由、依据，或者拒绝听取当事人的陈述、申辩，不得作出行政处罚决定；"
                  "当事人明确放弃陈述或者申辩权利的除外")
ART_64 = Citation(XZCFF, "第六十四条", "听证程序；当事人无正当理由拒不出席或者未经许可中途退出的，视为放弃听证权利")
ART_64_4 = Citation(XZCFF, "第六十四条第四项", "听证由行政机关指定的非本案调查人员主持")
ART_65 = Citation(XZCFF, "第六十五条", "听证结束后，行政机关应当根据听证笔录，依照第五十七条的规定作出决定")
ART_66 = Citation(XZCFF, "第六十六条", "当事人确有经济困难，经当事人申请和行政机关批准，可以暂缓或者分期缴纳罚款")
ART_72 = Citation(XZCFF, "第七十二条",
                  "到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额；"
                  "或者申请人民法院强制执行")
QZF_ART_18 = Citation(QZF, "第十八条",
                      "实施行政强制措施应当事前向行政机关负责人报告并经批准，由两名以上执法人员实施，出示执法身份证件，"
                      "通知当事人到场，告知理由、依据和权利，听取陈述和申辩，制作现场笔录")
QZF_ART_24 = Citation(QZF, "第二十四条", "查封、扣押应当制作并当场交付查封、扣押决定书和清单")
QZF_ART_27 = Citation(QZF, "第二十七条", "查封、扣押后应当在期限内作出没收、销毁或者解除查封、扣押的决定")
QZF_ART_28 = Citation(QZF, "第二十八条", "查封、扣押期限已经届满等情形，应当及时作出解除查封、扣押决定")
QZF_ART_35 = Citation(QZF, "第三十五条", "作出强制执行决定前，应当事先以书面形式催告当事人履行义务")
QZF_ART_45 = Citation(QZF, "第四十五条", "加处罚款的标准应当告知当事人；加处罚款的数额不得超出金钱给付义务的数额")
MSSSF_SERVICE = Citation(MSSSF, "第八十七条至第九十一条", "送达回证；直接送达、留置送达、电子送达、邮寄送达")
GBF_118_AV = Citation(GBF_118, "",
                      "查封扣押财产等直接涉及重大财产权益的现场执法活动，推行全程音像记录；现场执法、调查取证、举行听证、"
                      "留置送达和公告送达等，根据实际情况进行音像记录（law.md §2.2，网页摘要）")
ENDED_RULE = Citation("《中华人民共和国行政处罚法》", "第四十七条",
                      "全过程记录：结案后案件内容和证据不得更改，更正以补正记录附理由（国办发〔2018〕118号）")
SEPARATION_OF_DUTIES = Citation("本系统职责分离规则（DESIGN.md §4）", "", "法制审核人员不得审核本人承办或者调查的案件")
MCT_PROCEDURE = Citation("文化和旅游部门规章（文化市场综合行政执法管理办法等）", "",
                         "立案期限、办案期限的延长和不计入期间、案件中止与恢复、撤销立案、结案：law.md §3.2 [U]，"
                         "未核实，由政策参数设定")
YSGD_NO_SUBSTITUTE = Citation("《行政执法机关移送涉嫌犯罪案件的规定》", "第十一条",
                              "行政执法机关对应当向公安机关移送的涉嫌犯罪案件，不得以行政处罚代替移送")
REPORT_RULES = Citation("《文化市场举报办理规范》", "", "投诉举报的登记和处理（law.md §4 第1行；条号未核实）")
ARCHIVE_RULES = Citation("行政执法案卷管理规定", "", "案卷封面、卷内目录和备考表（law.md §3.5 建议文书；条号未核实）")

# --- Roles ------------------------------------------------------------------------------------------

OFFICER, REVIEWER, HEAD, CLERK = "officer", "reviewer", "head", "clerk"
ROLES = frozenset({OFFICER, REVIEWER, HEAD, CLERK})
ROLE_LABELS = {OFFICER: "执法人员", REVIEWER: "法制审核人员", HEAD: "负责人", CLERK: "内勤/档案"}


# --- Procedures, states, actions ---------------------------------------------------------------------


class Procedure(StrEnum):
    GENERAL = "general"  # 普通程序
    SUMMARY = "summary"  # 简易程序（当场处罚）


PROCEDURE_LABELS = {Procedure.GENERAL: "普通程序", Procedure.SUMMARY: "简易程序"}


class State(StrEnum):
    # general procedure
    CLUE = "clue"
    NOT_FILED = "not_filed"
    FILED = "filed"
    INVESTIGATING = "investigating"
    INVESTIGATION_CLOSED = "investigation_closed"
    UNDER_REVIEW = "under_review"
    REVIEW_PASSED = "review_passed"
    REVIEW_FAILED = "review_failed"
    AWAITING_DECISION = "awaiting_decision"
    NOTIFIED = "notified"
    HEARING_REQUESTED = "hearing_requested"
    HEARING_SCHEDULED = "hearing_scheduled"
    HEARING_HELD = "hearing_held"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"
    # summary procedure
    ON_THE_SPOT = "on_the_spot"
    FILED_WITH_AGENCY = "filed_with_agency"
    # both
    DECIDED = "decided"
    SERVED = "served"
    PERFORMING = "performing"
    PAID = "paid"
    ENFORCED = "enforced"
    CLOSED = "closed"
    ARCHIVED = "archived"


STATE_LABELS: Mapping[State, str] = MappingProxyType({
    State.CLUE: "案源登记",
    State.NOT_FILED: "不予立案",
    State.FILED: "已立案",
    State.INVESTIGATING: "调查取证",
    State.INVESTIGATION_CLOSED: "调查终结",
    State.UNDER_REVIEW: "法制审核中",
    State.REVIEW_PASSED: "法制审核通过",
    State.REVIEW_FAILED: "法制审核未通过",
    State.AWAITING_DECISION: "负责人审批/集体讨论",
    State.NOTIFIED: "已事先告知（陈述申辩期）",
    State.HEARING_REQUESTED: "已申请听证",
    State.HEARING_SCHEDULED: "已通知听证",
    State.HEARING_HELD: "已举行听证",
    State.SUSPENDED: "中止",
    State.WITHDRAWN: "撤销立案",
    State.TRANSFERRED: "已移送",
    State.ON_THE_SPOT: "当场处罚",
    State.FILED_WITH_AGENCY: "已备案",
    State.DECIDED: "已决定",
    State.SERVED: "已送达",
    State.PERFORMING: "执行中",
    State.PAID: "已履行",
    State.ENFORCED: "已强制执行",
    State.CLOSED: "结案",
    State.ARCHIVED: "归档",
})

# Where a new case starts, and the states each procedure uses.
INITIAL: Mapping[Procedure, State] = MappingProxyType({
    Procedure.GENERAL: State.CLUE, Procedure.SUMMARY: State.ON_THE_SPOT,
})
# States no step leaves (the end of a case's life in this table).
TERMINAL = frozenset({State.ARCHIVED, State.NOT_FILED})
# A case that has ended (结案, 撤销立案, 不予立案, 归档): its content and evidence no longer change (Art 47); only
# 归档 and a correction (结案后补正) follow.
FINISHED = frozenset({State.CLOSED, State.WITHDRAWN}) | TERMINAL

# The general-procedure states between 立案 and the decision: suspension, extension and the excluded periods
# apply here.
PRE_DECISION = frozenset({
    State.FILED, State.INVESTIGATING, State.INVESTIGATION_CLOSED, State.UNDER_REVIEW, State.REVIEW_PASSED,
    State.REVIEW_FAILED, State.AWAITING_DECISION, State.NOTIFIED, State.HEARING_REQUESTED,
    State.HEARING_SCHEDULED, State.HEARING_HELD,
})
# States in which a running 先行登记保存 or 查封扣押 may still be handled (its term runs on whatever the case does).
MEASURE_STATES = PRE_DECISION | {State.SUSPENDED, State.DECIDED, State.SERVED, State.PERFORMING, State.PAID,
                                 State.ENFORCED, State.TRANSFERRED}


class DecisionKind(StrEnum):
    """What the head decided at the end of the investigation (Art 57(1)); 移送 is the state TRANSFERRED."""

    PENALTY = "penalty"  # 给予行政处罚
    NO_PENALTY = "no_penalty"  # 违法行为轻微等，依法不予行政处罚（教育）
    NOT_ESTABLISHED = "not_established"  # 违法事实不能成立，不予行政处罚


DECISION_LABELS = {
    DecisionKind.PENALTY: "给予行政处罚",
    DecisionKind.NO_PENALTY: "不予行政处罚",
    DecisionKind.NOT_ESTABLISHED: "违法事实不能成立，不予行政处罚",
}


class Action(StrEnum):
    # creation
    REGISTER_CLUE = "register_clue"
    START_SUMMARY = "start_summary"
    # filing
    FILE = "file"
    NOT_FILE = "not_file"
    TRANSFER_JURISDICTION = "transfer_jurisdiction"
    # investigation
    START_INVESTIGATION = "start_investigation"
    INSPECT = "inspect"
    INTERVIEW = "interview"
    RECORD_EVIDENCE = "record_evidence"
    SAMPLE = "sample"
    PRESERVE = "preserve"
    HANDLE_PRESERVATION = "handle_preservation"
    SEIZE = "seize"
    SEIZE_EMERGENCY = "seize_emergency"
    CONFIRM_EMERGENCY_SEIZURE = "confirm_emergency_seizure"
    EXTEND_SEIZURE = "extend_seizure"
    HANDLE_SEIZURE = "handle_seizure"
    RELEASE_SEIZURE = "release_seizure"
    START_TESTING = "start_testing"
    END_TESTING = "end_testing"
    START_PUBLIC_NOTICE = "start_public_notice"
    END_PUBLIC_NOTICE = "end_public_notice"
    EXTEND_DEADLINE = "extend_deadline"
    REPORT_CRIME = "report_crime"
    DECLINE_TRANSFER = "decline_transfer"
    TRANSFER_CRIMINAL = "transfer_criminal"
    RECORD_POLICE_FILING = "record_police_filing"
    HAND_OVER = "hand_over"
    CLOSE_INVESTIGATION = "close_investigation"
    # review and the head
    SUBMIT_REVIEW = "submit_review"
    PASS_REVIEW = "pass_review"
    FAIL_REVIEW = "fail_review"
    REINVESTIGATE = "reinvestigate"
    SUBMIT_FOR_DECISION = "submit_for_decision"
    HOLD_COLLECTIVE_DISCUSSION = "hold_collective_discussion"
    # notice, statements, hearing
    NOTIFY = "notify"
    RECORD_STATEMENT = "record_statement"
    WAIVE_STATEMENT = "waive_statement"
    CONCLUDE_STATEMENTS = "conclude_statements"
    REQUEST_HEARING = "request_hearing"
    DECLINE_HEARING = "decline_hearing"
    WITHDRAW_HEARING = "withdraw_hearing"
    SCHEDULE_HEARING = "schedule_hearing"
    HOLD_HEARING = "hold_hearing"
    # decision and service
    DECIDE_PENALTY = "decide_penalty"
    DECIDE_NO_PENALTY = "decide_no_penalty"
    DECIDE_NOT_ESTABLISHED = "decide_not_established"
    SERVE = "serve"
    SERVE_ELECTRONIC = "serve_electronic"
    SERVE_BY_PUBLIC_NOTICE = "serve_by_public_notice"
    DEEM_SERVED = "deem_served"
    # summary procedure
    DECIDE_ON_THE_SPOT = "decide_on_the_spot"
    TO_GENERAL = "to_general"
    COLLECT_ON_THE_SPOT = "collect_on_the_spot"
    DEPOSIT_CASH = "deposit_cash"
    FILE_WITH_AGENCY = "file_with_agency"
    # performance
    PAY = "pay"
    APPROVE_DEFERRAL = "approve_deferral"
    MARK_OVERDUE = "mark_overdue"
    IMPOSE_SURCHARGE = "impose_surcharge"
    URGE = "urge"
    APPLY_COURT_ENFORCEMENT = "apply_court_enforcement"
    RECORD_ENFORCED = "record_enforced"
    # publication
    RECORD_PUBLICATION = "record_publication"
    # suspension, withdrawal, end
    SUSPEND = "suspend"
    RESUME = "resume"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    ARCHIVE = "archive"


ACTION_LABELS: Mapping[Action, str] = MappingProxyType({
    Action.REGISTER_CLUE: "案源登记",
    Action.START_SUMMARY: "适用简易程序",
    Action.FILE: "立案",
    Action.NOT_FILE: "不予立案",
    Action.TRANSFER_JURISDICTION: "移送管辖",
    Action.START_INVESTIGATION: "开始调查",
    Action.INSPECT: "现场检查（勘验）",
    Action.INTERVIEW: "调查询问",
    Action.RECORD_EVIDENCE: "登记证据",
    Action.SAMPLE: "抽样取证",
    Action.PRESERVE: "先行登记保存",
    Action.HANDLE_PRESERVATION: "先行登记保存处理决定",
    Action.SEIZE: "查封、扣押",
    Action.SEIZE_EMERGENCY: "当场实施查封、扣押",
    Action.CONFIRM_EMERGENCY_SEIZURE: "补办查封、扣押批准",
    Action.EXTEND_SEIZURE: "延长查封、扣押期限",
    Action.HANDLE_SEIZURE: "查封、扣押处理决定",
    Action.RELEASE_SEIZURE: "解除查封、扣押",
    Action.START_TESTING: "检测、鉴定开始（期间不计入）",
    Action.END_TESTING: "检测、鉴定结束",
    Action.START_PUBLIC_NOTICE: "公告开始（期间不计入）",
    Action.END_PUBLIC_NOTICE: "公告结束",
    Action.EXTEND_DEADLINE: "延长办案期限",
    Action.REPORT_CRIME: "报告涉嫌犯罪",
    Action.DECLINE_TRANSFER: "不予移送",
    Action.TRANSFER_CRIMINAL: "移送司法机关",
    Action.RECORD_POLICE_FILING: "登记公安机关立案",
    Action.HAND_OVER: "移交涉案物品和材料",
    Action.CLOSE_INVESTIGATION: "调查终结",
    Action.SUBMIT_REVIEW: "提请法制审核",
    Action.PASS_REVIEW: "法制审核通过",
    Action.FAIL_REVIEW: "法制审核不通过",
    Action.REINVESTIGATE: "补充调查",
    Action.SUBMIT_FOR_DECISION: "报请负责人审批",
    Action.HOLD_COLLECTIVE_DISCUSSION: "集体讨论",
    Action.NOTIFY: "事先告知",
    Action.RECORD_STATEMENT: "记录陈述、申辩",
    Action.WAIVE_STATEMENT: "当事人放弃陈述、申辩",
    Action.CONCLUDE_STATEMENTS: "陈述申辩复核",
    Action.REQUEST_HEARING: "当事人要求听证",
    Action.DECLINE_HEARING: "不予听证",
    Action.WITHDRAW_HEARING: "当事人放弃听证",
    Action.SCHEDULE_HEARING: "通知听证",
    Action.HOLD_HEARING: "举行听证",
    Action.DECIDE_PENALTY: "作出行政处罚决定",
    Action.DECIDE_NO_PENALTY: "不予行政处罚（教育）",
    Action.DECIDE_NOT_ESTABLISHED: "违法事实不能成立",
    Action.SERVE: "送达（直接、留置、邮寄）",
    Action.SERVE_ELECTRONIC: "电子送达",
    Action.SERVE_BY_PUBLIC_NOTICE: "公告送达",
    Action.DEEM_SERVED: "公告期满视为送达",
    Action.DECIDE_ON_THE_SPOT: "当场作出处罚决定",
    Action.TO_GENERAL: "转为普通程序",
    Action.COLLECT_ON_THE_SPOT: "当场收缴罚款",
    Action.DEPOSIT_CASH: "交缴当场收缴的罚款",
    Action.FILE_WITH_AGENCY: "报所属机关备案",
    Action.PAY: "履行（缴纳罚款）",
    Action.APPROVE_DEFERRAL: "批准延期、分期缴纳",
    Action.MARK_OVERDUE: "逾期未履行",
    Action.IMPOSE_SURCHARGE: "加处罚款",
    Action.URGE: "催告",
    Action.APPLY_COURT_ENFORCEMENT: "申请法院强制执行",
    Action.RECORD_ENFORCED: "强制执行完毕",
    Action.RECORD_PUBLICATION: "记录公示",
    Action.SUSPEND: "中止",
    Action.RESUME: "恢复",
    Action.WITHDRAW: "撤销立案",
    Action.CLOSE: "结案",
    Action.ARCHIVE: "归档",
})

# --- Documents, records, approvals, excluded periods, clue sources ----------------------------------

# The 28 formats of the 文化部 "文化市场综合行政执法文书格式" (law.md §3.5), by code.
MCT_FORMATS: Mapping[str, str] = MappingProxyType({
    "complaint_form": "文化市场举报处理单",
    "inspection_record": "现场检查（勘验）笔录",
    "filing_approval_form": "立案审批表",
    "correction_order": "责令改正通知书",
    "on_the_spot_decision": "当场处罚决定书",
    "interview_notice": "调查询问通知书",
    "interview_record": "调查询问笔录",
    "approval_form": "审批表",
    "preservation_notice": "证据先行登记保存通知书",
    "preservation_handling_notice": "证据先行登记保存处理告知书",
    "sampling_receipt": "抽样取证凭证",
    "seizure_decision": "查封（扣押）决定书",
    "seizure_handling_notice": "查封（扣押）处理告知书",
    "seizure_release_decision": "解除查封（扣押）决定书",
    "item_list": "物品清单",
    "appraisal_report": "鉴定书",
    "investigation_closing_form": "案件调查终结审批表",
    "case_transfer_form": "案件移送单",
    "collective_discussion_record": "集体讨论笔录",
    "penalty_notice": "行政处罚事先告知书",
    "statement_review_form": "陈述（申辩）情况审核表",
    "hearing_notice": "行政处罚听证通知书",
    "hearing_record": "行政处罚听证笔录",
    "hearing_report": "行政处罚听证意见书",
    "penalty_decision": "行政处罚决定书",
    "service_receipt": "送达回证",
    "performance_reminder": "行政处罚履行催告书",
    "case_closing_report": "结案报告",
})
# Documents the 2021 law makes necessary (law.md §3.5 "recommend adding"; names are suggestions there) and a
# few this table needs (marked "本表").
SUGGESTED_DOCUMENTS: Mapping[str, str] = MappingProxyType({
    "not_filing_approval_form": "不予立案审批表",  # 本表：不予立案须说明理由（issue 4 §1）
    "hearing_rights_notice": "行政处罚听证告知书",
    "legal_review_opinion": "法制审核意见书",
    "service_address_confirmation": "送达地址确认书",
    "electronic_service_consent": "电子送达确认书",
    "no_penalty_decision": "不予行政处罚决定书",
    "deferral_application": "延期（分期）缴纳罚款申请书",
    "deferral_approval_form": "延期（分期）缴纳罚款审批表",
    "deferral_notice": "延期（分期）缴纳罚款通知书",
    "enforcement_application": "行政处罚强制执行申请书",
    "criminal_transfer_letter": "涉嫌犯罪案件移送书",
    "recusal_record": "回避申请/决定记录",
    "case_file_index": "案卷封面、卷内目录和备考表",
    "investigation_report": "调查终结报告",
    "statement_record": "陈述、申辩笔录",
    "seizure_extension_notice": "延长查封（扣押）期限通知书",  # 本表：行政强制法第二十五条“书面告知”
    "hearing_refusal_notice": "不予听证通知书",  # 本表
    "service_public_notice": "公告送达公告",  # 本表：民事诉讼法第九十五条
    "clue_registration_form": "案件来源登记表",  # issue 6 §1
    "mediation_guidance": "行政调解告知引导书",  # issue 6 §1（本局“行政调解告知”制度）
})
DOCUMENT_LABELS: Mapping[str, str] = MappingProxyType({**MCT_FORMATS, **SUGGESTED_DOCUMENTS})

RECORD_LABELS: Mapping[str, str] = MappingProxyType({
    "av_record": "全程音像记录",  # mandatory for 查封扣押 (国办发〔2018〕118号, law.md §2.2)
    "av_record_or_reason": "音像记录（或未能录制的书面理由）",  # "as circumstances require", blocking (law.md §2.2)
    "evidence": "证据材料（第四十六条所列证据）",
    "education_record": "教育记录",
    "collective_attendance": "集体讨论出席人员和表决情况",
    "waiver_statement": "当事人明确放弃的书面表示",
    "payment_proof": "缴款凭证",
    "fiscal_receipt": "罚没款专用票据",
    "deposit_proof": "交至行政机关和缴付银行的凭证",
    "public_notice_reason": "公告送达的原因和经过",
    "electronic_delivery_proof": "电子送达到达记录",
    "emergency_report": "当场实施强制措施后的报告",
    "enforcement_result": "法院强制执行结果",
    "police_filing_notice": "公安机关立案通知书",
    "handover_list": "移交涉案物品和材料清单",
    "testing_notice": "检测、鉴定期间书面告知",
})

# What the two 音像记录 records need before they count (国办发〔2018〕118号, law.md §2.2): the case service checks
# each entry against the case's uploaded files (zhifa.cases.files.check_entries); an entry that does not meet it
# does not count as the record (records_present).
AV_RULES: Mapping[str, str] = MappingProxyType({
    "av_record": "须附本案已上传的音频或视频文件，并注明执法记录仪等设备编号（国办发〔2018〕118号，law.md §2.2）",
    "av_record_or_reason": "须附音像记录文件，或写明未能录制的理由（国办发〔2018〕118号，law.md §2.2）",
})

# The steps whose 音像记录 is "as circumstances require" (国办发〔2018〕118号; law.md §2.2 [U] as national text): each
# needs an 音像记录 or the written reason for its absence unless the agency's policy (``record.av_steps``) leaves
# it out. 查封、扣押 always need the full recording (``av_record``) and are not in this set.
AV_POLICY_STEPS = frozenset({Action.INSPECT, Action.PRESERVE, Action.HOLD_HEARING, Action.SERVE_BY_PUBLIC_NOTICE,
                             Action.DECIDE_ON_THE_SPOT})
# 留置送达 is 送达 (Action.SERVE) with the method "lodged": its 音像记录 is asked of the step's own request when the
# policy lists this code (the case service; the table cannot see the method).
AV_LODGED_SERVICE = "serve_lodged"
AV_POLICY_CODES: Mapping[str, str] = MappingProxyType({
    **{a.value: ACTION_LABELS[a] for a in sorted(AV_POLICY_STEPS)}, AV_LODGED_SERVICE: "留置送达"})

# The eight kinds of evidence of Art 46, for the evidence register of a case.
EVIDENCE_KINDS: Mapping[str, str] = MappingProxyType({
    "documentary": "书证",
    "physical": "物证",
    "audio_visual": "视听资料",
    "electronic": "电子数据",
    "witness": "证人证言",
    "party_statement": "当事人的陈述",
    "expert_opinion": "鉴定意见",
    "inspection_record": "勘验笔录、现场笔录",
})

# Head approvals that precede an officer's act; each is an Approval row of the case.
APPROVAL_LABELS: Mapping[str, str] = MappingProxyType({
    "preservation": "先行登记保存审批",
    "seizure": "查封、扣押审批",
    "penalty_proposal": "案件处理（拟处罚意见）审批",
})
APPROVAL_BASIS: Mapping[str, tuple[Citation, ...]] = MappingProxyType({
    "preservation": (ART_56_APPROVAL,),
    "seizure": (QZF_ART_18,),
    "penalty_proposal": (ART_57, ART_44),
})


@dataclass(frozen=True)
class Exclusion:
    """A period that does not count towards ``pauses`` (recorded as an opening and a closing event)."""

    code: str
    label: str
    pauses: tuple[str, ...]
    basis: tuple[Citation, ...]


EXCLUSIONS: Mapping[str, Exclusion] = MappingProxyType({
    "hearing": Exclusion("hearing", "听证期间", ("decision",), (ART_60, MCT_PROCEDURE)),
    "public_notice": Exclusion("public_notice", "公告期间", ("decision",), (ART_60, MCT_PROCEDURE)),
    "testing": Exclusion("testing", "检测、检验、检疫、鉴定期间", ("decision", "seizure"),
                         (ART_60, MCT_PROCEDURE, QZF_ART_25)),
    "suspension": Exclusion("suspension", "中止期间", ("decision",), (ART_60, MCT_PROCEDURE)),
})

CLUE_SOURCES: Mapping[str, str] = MappingProxyType({
    "inspection": "日常检查发现",
    "complaint": "投诉举报",
    "referral": "上级交办、其他机关移送",
    "other": "其他途径",
})
# The document a clue of each source must come with (None: a free-text note suffices).
CLUE_DOCUMENTS: Mapping[str, str | None] = MappingProxyType({
    "inspection": "inspection_record", "complaint": "complaint_form", "referral": "case_transfer_form", "other": None,
})


@dataclass(frozen=True)
class PolicyClock:
    """A period whose length only policy sets (law.md §3.2 [U]); not in ``clocks.CLOCKS``."""

    code: str
    name: str
    unit: str
    basis: tuple[Citation, ...]
    binds: Binds = AGENCY  # who must act within the period (clocks.Clock.binds)


POLICY_CLOCKS: Mapping[str, PolicyClock] = MappingProxyType({
    # the agency must decide whether to file
    "filing": PolicyClock("filing", "立案期限", "working_days", (ART_54, MCT_PROCEDURE)),
    # the party's time to state and defend; the agency only waits for it to end
    "statement": PolicyClock("statement", "陈述、申辩期限", "working_days", (ART_44, ART_45, MCT_PROCEDURE),
                             binds=PARTY),
})


def clock_binds(code: str) -> Binds:
    """Who must act within clock ``code`` (``clocks.CLOCKS`` or :data:`POLICY_CLOCKS`): "agency" or "party"."""
    clock = CLOCKS.get(code) or POLICY_CLOCKS[code]
    return clock.binds


# The clocks that are the party's time, not the agency's deadlines (a lapse is not the agency's delay).
PARTY_CLOCKS: frozenset[str] = frozenset(
    c for c in (*CLOCKS, *POLICY_CLOCKS) if clock_binds(c) == PARTY)


# --- Facts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handler:
    """A person on the case (or its reviewer, or its hearing host) as the rules see them.

    ``qualified``: may enforce in every domain of the case's items on the act date (``may_enforce``, Art 42);
    ``qualification_reasons``: why not, as ``may_enforce`` said. ``conflict_declared``: a ground for recusal
    was declared or decided (Art 43); a pending application does not stop the investigation and is not this
    flag. ``reviewed_before``: was already doing 法制审核 before the 2021 rule reached them, so is not an
    "初次从事" reviewer (Art 58(2)). ``has_legal_qualification``: holds the 法律职业资格.
    """

    user_id: int | str
    name: str = ""
    roles: frozenset[str] = frozenset({OFFICER})
    qualified: bool = True
    qualification_reasons: tuple[str, ...] = ()
    conflict_declared: bool = False
    reviewed_before: bool = False
    has_legal_qualification: bool = False

    @property
    def display(self) -> str:
        return self.name or str(self.user_id)


@dataclass(frozen=True)
class Actor:
    """The user taking the step, with what the reviewer rules need to know about them."""

    user_id: int | str
    roles: frozenset[str]
    name: str = ""
    has_legal_qualification: bool = False
    reviewed_before: bool = False


@dataclass(frozen=True)
class Penalty:
    """A penalty as notified or as (to be) decided: kinds, fine and confiscated value in yuan."""

    kinds: frozenset[PenaltyKind]
    fine: Decimal | None = None
    confiscation: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", frozenset(PenaltyKind(k) for k in self.kinds))
        if self.fine is not None:
            object.__setattr__(self, "fine", Decimal(str(self.fine)))
        if self.confiscation is not None:
            object.__setattr__(self, "confiscation", Decimal(str(self.confiscation)))

    def describe(self) -> str:
        parts = []
        for kind in sorted(self.kinds, key=list(PenaltyKind).index):
            if kind is PenaltyKind.FINE and self.fine is not None:
                parts.append(f"罚款{yuan(self.fine)}")
            elif kind in CONFISCATION_KINDS and self.confiscation is not None:
                parts.append(f"{KIND_LABELS[kind]}（{yuan(self.confiscation)}）")
            else:
                parts.append(KIND_LABELS[kind])
        return "、".join(parts) or "无"


@dataclass(frozen=True)
class Approval:
    """A head's approval of ``kind`` (:data:`APPROVAL_LABELS`) given by ``user_id`` holding ``roles`` on ``on``."""

    kind: str
    user_id: int | str
    roles: frozenset[str]
    on: date


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    """A snapshot of one case: everything the guards read, as plain values (see the module docstring).

    Dates are ``None`` until the event happened. ``documents`` and ``records`` are the codes present on the
    case (:data:`DOCUMENT_LABELS`, :data:`RECORD_LABELS`); ``running_clocks`` the clock codes started and not
    stopped; ``open_exclusions`` the excluded periods opened and not closed (:data:`EXCLUSIONS`).
    """

    procedure: Procedure
    state: State | None
    today: date
    calendar: WorkCalendar
    prior_state: State | None = None  # the state before 中止, where 恢复 returns to

    # the case
    clue_source: str | None = None
    filed_on: date | None = None
    act_date: date | None = None
    act_end_date: date | None = None  # continuing violation: the day it ended (Art 36)
    discovered_on: date | None = None
    serious_limitation: bool = False  # life/health/safety or financial security, with harm (Art 36: 5 years)
    handlers: tuple[Handler, ...] = ()
    investigator_ids: frozenset[int | str] = frozenset()  # besides the handlers, anyone who investigated
    items: tuple[str, ...] = ()
    domains: frozenset[str] = frozenset()
    party_kind: str = PERSON  # penalties.PERSON / ORGANISATION
    credentials_shown: bool = False  # declared with this step (Art 52, 55)
    facts_established: bool = True  # 违法事实确凿并有法定依据 (Art 51)

    # penalties
    notified: Penalty | None = None  # as told in the 事先告知书
    proposed: Penalty | None = None  # as proposed for (or given in) the decision
    decision: DecisionKind | None = None
    prior_fines_same_act: int = 0  # fines already imposed for the same act (Art 29)
    recommended_range: tuple[Decimal, Decimal] | None = None  # discretion result, yuan
    outside_range_reason: str = ""

    # notice and statements
    notice_served_on: date | None = None
    statement_days: int | None = None  # policy, working days after service of the notice
    statement_waived: bool = False
    statement_heard: bool = False  # summary procedure: told and heard on the spot

    # hearing
    hearing_right: bool = False  # penalties.hearing_required(...).result
    hearing_requested_on: date | None = None
    hearing_waived: bool = False  # expressly waived, withdrawn, or failed to appear (Art 64)
    hearing_declined: bool = False  # the agency declined a request (recorded by decline_hearing)
    hearing_notice_on: date | None = None
    hearing_date: date | None = None
    hearing_held_on: date | None = None
    hearing_host_id: int | str | None = None

    # legal review and the head
    review_required: bool = False  # for the decision about to be taken: penalties.review_required, or policy
    review_status: str | None = None  # "pending" / "passed" / "failed" (the latest review)
    reviewer: Handler | None = None
    reviewed_on: date | None = None
    collective_discussion_needed: bool = False  # 情节复杂或者重大违法行为 (Art 57(2))
    collective_discussion_held: bool = False
    approvals: tuple[Approval, ...] = ()

    # extensions
    decision_extensions_allowed: int = 0  # policy (Art 60; MCT rule [U])
    av_steps: frozenset[str] | None = None  # policy record.av_steps: AV_POLICY_STEPS that need an 音像记录 (None: all)
    decision_extensions_used: int = 0
    seizure_extended: bool = False

    # service and performance
    decision_served_on: date | None = None
    public_notice_on: date | None = None  # 公告送达 published
    deferred_until: date | None = None  # approved deferral / last instalment (Art 66)
    urge_served_on: date | None = None  # 催告书 served (强制法 Art 35, 54)
    remedies_expired_on: date | None = None  # the later of the reconsideration and litigation periods' ends
    hard_to_enforce: bool = False  # Art 68
    remote_area: bool = False  # Art 69
    party_requests_collection: bool = False  # Art 69

    # bookkeeping
    documents: frozenset[str] = frozenset()
    records: frozenset[str] = frozenset()
    running_clocks: frozenset[str] = frozenset()
    open_exclusions: frozenset[str] = frozenset()

    @property
    def handler_ids(self) -> frozenset[int | str]:
        return frozenset(h.user_id for h in self.handlers)

    @property
    def investigators(self) -> frozenset[int | str]:
        return self.handler_ids | frozenset(self.investigator_ids)


# --- Transitions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One row of the procedure table (see the module docstring for the fields)."""

    action: Action
    procedure: Procedure
    sources: frozenset[State]  # empty: the step creates the case
    target: State | None  # None: the state does not change
    roles: frozenset[str]
    guards: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()
    basis: tuple[Citation, ...] = ()
    approval: str | None = None
    opens: tuple[str, ...] = ()
    closes: tuple[str, ...] = ()
    extends: tuple[str, ...] = ()  # clocks whose extension this step records
    returns: bool = False  # go back to facts.prior_state (恢复)
    switches_to: Procedure | None = None  # the case continues in this procedure
    decision: DecisionKind | None = None  # the decision this step records
    stops_all: bool = False  # the case ends here: every running clock stops

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def creates(self) -> bool:
        return not self.sources


def _t(action: Action, procedure: Procedure, sources: Iterable[State], target: State | None,
       roles: Iterable[str], *guards: str, documents: tuple[str, ...] = (), records: tuple[str, ...] = (),
       approval: str | None = None, opens: tuple[str, ...] = (), closes: tuple[str, ...] = (),
       **kw: object) -> Transition:
    """A row; the document, record, approval and excluded-period checks follow from its requirements."""
    implied = []
    if documents:
        implied.append("documents_present")
    if records:
        implied.append("records_present")
    if approval:
        implied.append("head_approval")
    if opens:
        implied.append("exclusion_not_open")
    if closes:
        implied.append("exclusion_open")
    all_guards = tuple(dict.fromkeys((*guards, *implied)))
    return Transition(action, procedure, frozenset(sources), target, frozenset(roles), all_guards,
                      documents=documents, records=records, approval=approval, opens=opens, closes=closes,
                      **kw)  # type: ignore[arg-type]


G, S = Procedure.GENERAL, Procedure.SUMMARY
St = State
A = Action
OFF, REV, HD, CLK = {OFFICER}, {REVIEWER}, {HEAD}, {CLERK}
TEAM = ("two_qualified_officers", "no_conflict")  # Art 42, 43: every step the officers take together
OFFICER_STEP = ("actor_is_handler", *TEAM)
# A decision ends the waiting for the party (陈述申辩, 听证申请) whichever way the case came to it.
DECISION_STOPS = ("decision", "statement", "hearing_request")
# The general-procedure states after a decision, up to 结案 (记录公示 may be taken in each).
AFTER_DECISION = frozenset({St.DECIDED, St.SERVED, St.PERFORMING, St.PAID, St.ENFORCED, St.CLOSED})


def _performance(proc: Procedure, served: frozenset[State]) -> list[Transition]:
    """Performance and enforcement (Art 66–73; 行政强制法 Art 35, 45, 53–54), the same in both procedures."""
    owing = served | {St.PERFORMING}
    return [
        _t(A.PAY, proc, owing, St.PAID, OFF | CLK, records=("payment_proof",),
           stops=("payment", "court_enforcement_earliest"), basis=(ART_67,)),
        _t(A.APPROVE_DEFERRAL, proc, owing, St.PERFORMING, HD,
           documents=("deferral_application", "deferral_approval_form", "deferral_notice"), basis=(ART_66,)),
        _t(A.MARK_OVERDUE, proc, served, St.PERFORMING, OFF | CLK, "payment_overdue", basis=(ART_67, ART_72)),
        _t(A.IMPOSE_SURCHARGE, proc, {St.PERFORMING}, None, OFF, "payment_overdue",
           basis=(ART_72, QZF_ART_45)),
        _t(A.URGE, proc, {St.PERFORMING}, None, OFF, "payment_overdue", documents=("performance_reminder",),
           starts=("court_enforcement_earliest",), basis=(QZF_ART_35, QZF_ART_54)),
        _t(A.APPLY_COURT_ENFORCEMENT, proc, {St.PERFORMING}, None, HD, "court_application_window",
           documents=("enforcement_application",),
           stops=("court_enforcement_earliest", "reconsideration", "litigation"),  # their windows are over
           basis=(ART_72, QZF_ART_53, QZF_ART_54)),
        _t(A.RECORD_ENFORCED, proc, {St.PERFORMING}, St.ENFORCED, OFF | CLK, records=("enforcement_result",),
           stops=("payment", "court_enforcement_earliest", "reconsideration", "litigation"),
           basis=(ART_72, QZF_ART_53)),
    ]


_GENERAL: list[Transition] = [
    # 案源 and 立案 (Art 54; Art 22, 25 jurisdiction)
    _t(A.REGISTER_CLUE, G, (), St.CLUE, OFF | CLK, "clue_source_recorded", starts=("filing",),
       basis=(ART_54, REPORT_RULES)),
    _t(A.FILE, G, {St.CLUE}, St.FILED, HD, *TEAM, "within_limitation", documents=("filing_approval_form",),
       starts=("decision",), stops=("filing",), basis=(ART_54, ART_42, ART_43, ART_36, ART_60)),
    _t(A.NOT_FILE, G, {St.CLUE}, St.NOT_FILED, HD, documents=("not_filing_approval_form",),
       stops_all=True, basis=(ART_54, MCT_PROCEDURE)),
    _t(A.TRANSFER_JURISDICTION, G, {St.CLUE, St.FILED, St.INVESTIGATING}, St.TRANSFERRED, HD,
       documents=("case_transfer_form",), stops=("filing", "decision", "criminal_transfer_decision"),
       basis=(ART_22, ART_25)),
    # investigation (Art 42, 46, 54–56; 行政强制法 Art 18–19, 24–28)
    _t(A.START_INVESTIGATION, G, {St.FILED}, St.INVESTIGATING, OFF, *OFFICER_STEP, basis=(ART_42, ART_43, ART_54)),
    _t(A.INSPECT, G, {St.INVESTIGATING}, None, OFF, *OFFICER_STEP, "credentials_shown",
       documents=("inspection_record",), records=("av_record_or_reason",), basis=(ART_42, ART_55, ART_47, GBF_118_AV)),
    _t(A.INTERVIEW, G, {St.INVESTIGATING}, None, OFF, *OFFICER_STEP, "credentials_shown",
       documents=("interview_record",), basis=(ART_42, ART_55)),
    _t(A.RECORD_EVIDENCE, G, {St.INVESTIGATING}, None, OFF, "actor_is_handler", records=("evidence",),
       basis=(ART_46,)),
    _t(A.SAMPLE, G, {St.INVESTIGATING}, None, OFF, *OFFICER_STEP, "credentials_shown",
       documents=("sampling_receipt",), basis=(ART_56_SAMPLING, ART_55)),
    _t(A.PRESERVE, G, {St.INVESTIGATING}, None, OFF, *OFFICER_STEP, "credentials_shown",
       documents=("preservation_notice", "item_list"), records=("av_record_or_reason",), approval="preservation",
       starts=("preservation_handling",), basis=(ART_56_APPROVAL, ART_56, ART_42, ART_55, GBF_118_AV)),
    _t(A.HANDLE_PRESERVATION, G, MEASURE_STATES, None, HD, "clocks_running",
       documents=("preservation_handling_notice",), stops=("preservation_handling",), basis=(ART_56,)),
    _t(A.SEIZE, G, {St.INVESTIGATING}, None, OFF, *OFFICER_STEP, "credentials_shown",
       documents=("seizure_decision", "item_list", "inspection_record"), records=("av_record",),
       approval="seizure", starts=("seizure",), basis=(QZF_ART_18, QZF_ART_24, QZF_ART_25, GBF_118_AV)),
    _t(A.SEIZE_EMERGENCY, G, {St.INVESTIGATING}, None, OFF, *OFFICER_STEP, "credentials_shown",
       documents=("seizure_decision", "item_list", "inspection_record"), records=("av_record",),
       starts=("seizure", "emergency_measure_report"), basis=(QZF_ART_19, QZF_ART_18, QZF_ART_24, GBF_118_AV)),
    _t(A.CONFIRM_EMERGENCY_SEIZURE, G, MEASURE_STATES, None, HD, "clocks_running", records=("emergency_report",),
       stops=("emergency_measure_report",), basis=(QZF_ART_19,)),
    _t(A.EXTEND_SEIZURE, G, MEASURE_STATES, None, HD, "clocks_running", "seizure_extension_once",
       documents=("seizure_extension_notice",), extends=("seizure",), basis=(QZF_ART_25,)),
    _t(A.HANDLE_SEIZURE, G, MEASURE_STATES, None, HD, "clocks_running", documents=("seizure_handling_notice",),
       stops=("seizure", "emergency_measure_report"), basis=(QZF_ART_27,)),
    _t(A.RELEASE_SEIZURE, G, MEASURE_STATES, None, HD, "clocks_running", documents=("seizure_release_decision",),
       stops=("seizure", "emergency_measure_report"), basis=(QZF_ART_27, QZF_ART_28, QZF_ART_19)),
    _t(A.START_TESTING, G, PRE_DECISION, None, OFF, "actor_is_handler", records=("testing_notice",),
       opens=("testing",), basis=(QZF_ART_25, ART_60, MCT_PROCEDURE)),
    _t(A.END_TESTING, G, PRE_DECISION, None, OFF, "actor_is_handler", documents=("appraisal_report",),
       closes=("testing",), basis=(QZF_ART_25, ART_60, MCT_PROCEDURE)),
    _t(A.START_PUBLIC_NOTICE, G, PRE_DECISION, None, OFF, "actor_is_handler", documents=("service_public_notice",),
       records=("public_notice_reason",), opens=("public_notice",), basis=(MSSSF_ART_95, ART_60, MCT_PROCEDURE)),
    _t(A.END_PUBLIC_NOTICE, G, PRE_DECISION, None, OFF, "actor_is_handler", closes=("public_notice",),
       basis=(MSSSF_ART_95, ART_60, MCT_PROCEDURE)),
    _t(A.EXTEND_DEADLINE, G, PRE_DECISION | {St.SUSPENDED}, None, HD, "decision_extension_allowed",
       documents=("approval_form",), extends=("decision",), basis=(ART_60, MCT_PROCEDURE)),
    # suspected crime (Art 27, 57(1)(4); 移送规定)
    _t(A.REPORT_CRIME, G, {St.INVESTIGATING, St.INVESTIGATION_CLOSED, St.AWAITING_DECISION}, None, OFF,
       "actor_is_handler", starts=("criminal_transfer_decision",), basis=(ART_27, YSGD_TRANSFER)),
    _t(A.DECLINE_TRANSFER, G, {St.INVESTIGATING, St.INVESTIGATION_CLOSED, St.AWAITING_DECISION}, None, HD,
       "clocks_running", documents=("approval_form",), stops=("criminal_transfer_decision",),
       basis=(YSGD_TRANSFER,)),
    _t(A.TRANSFER_CRIMINAL, G, {St.INVESTIGATING, St.INVESTIGATION_CLOSED, St.AWAITING_DECISION}, St.TRANSFERRED,
       HD, documents=("criminal_transfer_letter", "case_transfer_form"),
       stops=("decision", "criminal_transfer_decision"), basis=(ART_27, ART_57, YSGD_TRANSFER)),
    _t(A.RECORD_POLICE_FILING, G, {St.TRANSFERRED}, None, OFF | CLK, records=("police_filing_notice",),
       starts=("criminal_transfer_handover",), basis=(YSGD_ART_12,)),
    _t(A.HAND_OVER, G, {St.TRANSFERRED}, None, OFF, "clocks_running", records=("handover_list",),
       stops=("criminal_transfer_handover",), basis=(YSGD_ART_12,)),
    _t(A.CLOSE_INVESTIGATION, G, {St.INVESTIGATING}, St.INVESTIGATION_CLOSED, OFF, *OFFICER_STEP,
       documents=("investigation_report", "investigation_closing_form"), records=("evidence",),
       basis=(ART_57, ART_46, ART_42)),
    # 法制审核 (Art 58) and the head (Art 57)
    _t(A.SUBMIT_REVIEW, G, {St.INVESTIGATION_CLOSED}, St.UNDER_REVIEW, OFF, "actor_is_handler",
       documents=("investigation_report",), basis=(ART_58_REVIEW,)),
    _t(A.SUBMIT_REVIEW, G, {St.HEARING_HELD}, St.UNDER_REVIEW, OFF, "actor_is_handler",
       documents=("hearing_record", "hearing_report"), basis=(ART_58_REVIEW, ART_65)),
    _t(A.PASS_REVIEW, G, {St.UNDER_REVIEW}, St.REVIEW_PASSED, REV, "reviewer_eligible",
       documents=("legal_review_opinion",), basis=(ART_58_REVIEW, ART_58_2, SEPARATION_OF_DUTIES)),
    _t(A.FAIL_REVIEW, G, {St.UNDER_REVIEW}, St.REVIEW_FAILED, REV, "reviewer_eligible",
       documents=("legal_review_opinion",), basis=(ART_58_REVIEW, ART_58_2, SEPARATION_OF_DUTIES)),
    _t(A.REINVESTIGATE, G, {St.REVIEW_FAILED}, St.INVESTIGATING, OFF, "actor_is_handler",
       basis=(ART_58_REVIEW, ART_54)),
    _t(A.REINVESTIGATE, G, {St.AWAITING_DECISION}, St.INVESTIGATING, HD, basis=(ART_57, ART_54)),
    _t(A.SUBMIT_FOR_DECISION, G, {St.INVESTIGATION_CLOSED, St.REVIEW_PASSED}, St.AWAITING_DECISION, OFF,
       "actor_is_handler", "review_passed_if_required", basis=(ART_57, ART_58_REVIEW)),
    _t(A.SUBMIT_FOR_DECISION, G, {St.HEARING_HELD}, St.AWAITING_DECISION, OFF, "actor_is_handler",
       "review_passed_if_required", documents=("hearing_record", "hearing_report"),
       basis=(ART_57, ART_58_REVIEW, ART_65)),
    _t(A.HOLD_COLLECTIVE_DISCUSSION, G, {St.AWAITING_DECISION}, None, HD,
       documents=("collective_discussion_record",), records=("collective_attendance",), basis=(ART_57_2,)),
    # 事先告知, 陈述申辩 (Art 44, 45, 62)
    _t(A.NOTIFY, G, {St.AWAITING_DECISION}, St.NOTIFIED, OFF, *OFFICER_STEP, "penalty_stated",
       "within_limitation", documents=("penalty_notice", "service_receipt"), approval="penalty_proposal",
       starts=("statement", "hearing_request"), basis=(ART_44, ART_62, ART_63, ART_64_1)),
    _t(A.RECORD_STATEMENT, G, {St.NOTIFIED}, None, OFF, "actor_is_handler", documents=("statement_record",),
       basis=(ART_45,)),
    _t(A.WAIVE_STATEMENT, G, {St.NOTIFIED}, None, OFF | CLK, records=("waiver_statement",), stops=("statement",),
       basis=(ART_62,)),
    _t(A.CONCLUDE_STATEMENTS, G, {St.NOTIFIED}, St.AWAITING_DECISION, OFF, "actor_is_handler",
       "statement_window_over_or_waived", "hearing_held_or_window_closed", documents=("statement_review_form",),
       stops=("statement", "hearing_request"), basis=(ART_45, ART_62, ART_64_1)),
    # 听证 (Art 63–65)
    # the statement and defence are heard at the hearing (Art 64, 65): the 陈述申辩 period ends here too
    _t(A.REQUEST_HEARING, G, {St.NOTIFIED}, St.HEARING_REQUESTED, OFF | CLK, opens=("hearing",),
       stops=("hearing_request", "statement"), basis=(ART_63, ART_64_1, ART_64, ART_65)),
    _t(A.DECLINE_HEARING, G, {St.HEARING_REQUESTED}, St.NOTIFIED, HD, "hearing_not_refused_in_window",
       documents=("hearing_refusal_notice",), closes=("hearing",), basis=(ART_63, ART_64_1)),
    _t(A.WITHDRAW_HEARING, G, {St.HEARING_REQUESTED, St.HEARING_SCHEDULED}, St.NOTIFIED, OFF | CLK,
       records=("waiver_statement",), closes=("hearing",), basis=(ART_64,)),
    _t(A.SCHEDULE_HEARING, G, {St.HEARING_REQUESTED}, St.HEARING_SCHEDULED, OFF | HD, "host_not_investigator",
       "hearing_notice_seven_days", documents=("hearing_notice",), basis=(ART_64_2, ART_64_4)),
    _t(A.HOLD_HEARING, G, {St.HEARING_SCHEDULED}, St.HEARING_HELD, OFF | HD, "host_not_investigator",
       "hearing_notice_seven_days", documents=("hearing_record",), records=("av_record_or_reason",),
       closes=("hearing",), basis=(ART_64, ART_64_2, ART_64_4, GBF_118_AV)),
    # 决定 (Art 57–62, 65)
    _t(A.DECIDE_PENALTY, G, {St.AWAITING_DECISION}, St.DECIDED, HD, *TEAM, "within_limitation", "penalty_stated",
       "notified_before_decision", "statement_window_over_or_waived", "hearing_held_or_window_closed",
       "hearing_record_if_held", "not_heavier_than_notified", "review_passed_if_required", "one_fine_per_act",
       "fine_within_discretion_or_reason", "collective_discussion_if_major", "crime_report_decided",
       documents=("penalty_decision",), decision=DecisionKind.PENALTY, starts=("service", "publish_penalty"),
       stops=DECISION_STOPS, basis=(ART_57, ART_57_2, ART_58_REVIEW, ART_59, ART_60, ART_62, ART_65)),
    _t(A.DECIDE_NO_PENALTY, G, {St.AWAITING_DECISION}, St.DECIDED, HD, "no_conflict", "review_passed_if_required",
       "crime_report_decided", documents=("no_penalty_decision",), records=("education_record",),
       decision=DecisionKind.NO_PENALTY, starts=("service",), stops=DECISION_STOPS, basis=(ART_57, ART_33_3, ART_60)),
    _t(A.DECIDE_NOT_ESTABLISHED, G, {St.AWAITING_DECISION}, St.DECIDED, HD, "no_conflict", "crime_report_decided",
       documents=("no_penalty_decision",), decision=DecisionKind.NOT_ESTABLISHED, starts=("service",),
       stops=DECISION_STOPS, basis=(ART_57, ART_60)),
    # 送达 (Art 61; 民诉法 Art 87–91, 95)
    _t(A.SERVE, G, {St.DECIDED}, St.SERVED, OFF | CLK, documents=("service_receipt",),
       starts=("payment", "reconsideration", "litigation"), stops=("service", "public_notice_service"),
       basis=(ART_61, MSSSF_SERVICE)),
    _t(A.SERVE_ELECTRONIC, G, {St.DECIDED}, St.SERVED, OFF | CLK, documents=("electronic_service_consent",),
       records=("electronic_delivery_proof",), starts=("payment", "reconsideration", "litigation"),
       stops=("service", "public_notice_service"), basis=(ART_61_2, MSSSF_SERVICE)),
    _t(A.SERVE_BY_PUBLIC_NOTICE, G, {St.DECIDED}, None, OFF | CLK, documents=("service_public_notice",),
       records=("public_notice_reason", "av_record_or_reason"), starts=("public_notice_service",),
       stops=("service",), basis=(ART_61, MSSSF_ART_95, GBF_118_AV)),
    _t(A.DEEM_SERVED, G, {St.DECIDED}, St.SERVED, OFF | CLK, "public_notice_elapsed",
       starts=("payment", "reconsideration", "litigation"), stops=("public_notice_service", "service"),
       basis=(MSSSF_ART_95,)),
    *_performance(G, frozenset({St.SERVED})),
    # 公示 (国办发〔2018〕118号; Art 48): recorded by hand until the public portal (issue 7) publishes by itself
    _t(A.RECORD_PUBLICATION, G, AFTER_DECISION, None, OFF | CLK | HD, "penalty_decided",
       stops=("publish_penalty", "publish_other"), basis=(GBF_118_PUBLISH, ART_48_PUBLIC)),
    # 中止, 恢复, 撤销立案 (departmental rules, law.md §3.2 [U])
    _t(A.SUSPEND, G, PRE_DECISION, St.SUSPENDED, HD, documents=("approval_form",), opens=("suspension",),
       basis=(MCT_PROCEDURE, ART_60)),
    _t(A.RESUME, G, {St.SUSPENDED}, None, HD, documents=("approval_form",), closes=("suspension",), returns=True,
       basis=(MCT_PROCEDURE, ART_60)),
    _t(A.WITHDRAW, G, {St.FILED, St.INVESTIGATING, St.INVESTIGATION_CLOSED, St.SUSPENDED}, St.WITHDRAWN, HD,
       "no_open_measures", documents=("approval_form",), stops_all=True, basis=(MCT_PROCEDURE,)),
    # 结案, 归档 (Art 47)
    _t(A.CLOSE, G, {St.PAID, St.ENFORCED}, St.CLOSED, HD, "no_open_measures", documents=("case_closing_report",),
       stops_all=True, basis=(ART_47, MCT_PROCEDURE)),
    _t(A.CLOSE, G, {St.SERVED}, St.CLOSED, HD, "nothing_to_perform", "no_open_measures",
       documents=("case_closing_report",), stops_all=True, basis=(ART_47, MCT_PROCEDURE)),
    _t(A.CLOSE, G, {St.TRANSFERRED}, St.CLOSED, HD, "no_open_measures", documents=("case_closing_report",),
       stops_all=True, basis=(ART_47, ART_27)),
    _t(A.ARCHIVE, G, {St.CLOSED, St.WITHDRAWN}, St.ARCHIVED, CLK, documents=("case_file_index",),
       basis=(ART_47, ARCHIVE_RULES)),
]

_SUMMARY: list[Transition] = [
    _t(A.START_SUMMARY, S, (), St.ON_THE_SPOT, OFF, "actor_is_handler", basis=(ART_51,)),
    _t(A.DECIDE_ON_THE_SPOT, S, {St.ON_THE_SPOT}, St.DECIDED, OFF, *OFFICER_STEP, "penalty_stated",
       "summary_eligible", "credentials_shown", "summary_statement_heard", "within_limitation", "one_fine_per_act",
       "fine_within_discretion_or_reason", documents=("on_the_spot_decision",), records=("av_record_or_reason",),
       decision=DecisionKind.PENALTY, starts=("payment", "reconsideration", "litigation"),
       basis=(ART_51, ART_52, ART_44, ART_45, ART_62, ART_42, GBF_118_AV)),
    _t(A.TO_GENERAL, S, {St.ON_THE_SPOT}, St.CLUE, OFF, "actor_is_handler", switches_to=G, starts=("filing",),
       basis=(ART_51, ART_54)),
    _t(A.COLLECT_ON_THE_SPOT, S, {St.DECIDED, St.FILED_WITH_AGENCY}, None, OFF, "actor_is_handler",
       "spot_collection_allowed", records=("fiscal_receipt",), starts=("cash_to_agency",), stops=("payment",),
       basis=(ART_68, ART_69, ART_70)),
    _t(A.DEPOSIT_CASH, S, {St.DECIDED, St.FILED_WITH_AGENCY, St.PAID}, None, OFF | CLK, "clocks_running",
       records=("deposit_proof",), stops=("cash_to_agency",), basis=(ART_71,)),
    _t(A.FILE_WITH_AGENCY, S, {St.DECIDED}, St.FILED_WITH_AGENCY, OFF | CLK, documents=("on_the_spot_decision",),
       basis=(ART_52_FILING,)),
    *_performance(S, frozenset({St.FILED_WITH_AGENCY})),
    _t(A.CLOSE, S, {St.PAID, St.ENFORCED}, St.CLOSED, HD | CLK, "no_open_measures", stops_all=True,
       basis=(ART_53, ART_47)),
    _t(A.CLOSE, S, {St.FILED_WITH_AGENCY}, St.CLOSED, HD | CLK, "nothing_to_perform", stops_all=True,
       basis=(ART_53, ART_47)),
    _t(A.ARCHIVE, S, {St.CLOSED}, St.ARCHIVED, CLK, basis=(ART_47,)),
]

TABLE: tuple[Transition, ...] = (*_GENERAL, *_SUMMARY)

_INDEX: dict[tuple[Procedure, State | None, Action], Transition] = {}
for _row in TABLE:
    for _source in _row.sources or {None}:
        _key = (_row.procedure, _source, _row.action)
        assert _key not in _INDEX, f"two rows for {_key}"
        _INDEX[_key] = _row


# Clocks a step starts only when the case calls for them; the others start whenever the step is taken.
def _owes_money(facts: CaseFacts) -> bool:
    p = facts.proposed
    return bool(p and p.kinds & {PenaltyKind.FINE, PenaltyKind.CONFISCATE_GAINS})


CLOCK_CONDITIONS: Mapping[str, Callable[[CaseFacts], bool]] = MappingProxyType({
    "payment": _owes_money,
    "hearing_request": lambda facts: facts.hearing_right,
    "statement": lambda facts: not facts.statement_waived,
})


# --- Helpers for the guards ----------------------------------------------------------------------------



def _v(code: str, message: str, field_name: str | None, *basis: Citation) -> RuleViolation:
    return RuleViolation(code, message, field_name, list(basis))


def statement_window_end(facts: CaseFacts) -> date | None:
    """The last day of the 陈述申辩 period: ``statement_days`` working days after the notice was served."""
    if facts.notice_served_on is None or facts.statement_days is None:
        return None
    return facts.calendar.add_working_days(facts.notice_served_on, facts.statement_days).date


def hearing_request_end(facts: CaseFacts) -> date | None:
    """The last day to request a hearing: 5 working days after the notice (Art 64(1), ``clocks.due``)."""
    if facts.notice_served_on is None:
        return None
    return due("hearing_request", facts.notice_served_on, facts.calendar).date


def payment_end(facts: CaseFacts) -> date | None:
    """The last day to pay (Art 67), or the end of an approved deferral if later (Art 66)."""
    if facts.decision_served_on is None:
        return None
    end = due("payment", facts.decision_served_on, facts.calendar).date
    if facts.deferred_until is not None and facts.deferred_until > end:
        end = facts.deferred_until
    return end


Guard = Callable[[CaseFacts, Actor, Transition], list[RuleViolation]]


# --- Guards ----------------------------------------------------------------------------------------------


def two_qualified_officers(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """At least two officers qualified for the case's domains on the act date (Art 42; the `may_enforce` rule)."""
    qualified = [h for h in facts.handlers if h.qualified]
    if len(qualified) >= 2:
        return []
    detail = "；".join(f"{h.display}：{'、'.join(h.qualification_reasons) or '不具备执法资格'}"
                       for h in facts.handlers if not h.qualified)
    msg = f"须有两名以上具备本案执法领域执法资格的执法人员，目前只有{len(qualified)}名"
    return [_v("officers_too_few", msg + (f"（{detail}）" if detail else ""), "handlers", ART_42)]


def no_conflict(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """No handler with a declared ground for recusal (Art 43)."""
    return [_v("handler_conflict", f"执法人员{h.display}有应当回避的情形，须回避并另行指派执法人员", "handlers", ART_43)
            for h in facts.handlers if h.conflict_declared]


def within_limitation(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The violation was discovered within 2 (or 5) years of the act or its end (Art 36; temporal.limitation)."""
    act_end = facts.act_end_date or facts.act_date
    out = []
    if act_end is None:
        out.append(_v("act_date_missing", "缺少违法行为发生（终了）日期，无法计算追责时效", "act_date", ART_36))
    if facts.discovered_on is None:
        out.append(_v("discovered_on_missing", "缺少发现违法行为的日期，无法计算追责时效", "discovered_on", ART_36))
    if out or act_end is None or facts.discovered_on is None:
        return out
    try:
        result = limitation(act_end, facts.discovered_on, facts.calendar, serious=facts.serious_limitation)
    except RuleViolation as e:
        return [e]
    if result.result:
        return []
    return [_v("limitation_expired", "超过追责时效：" + "；".join(result.reasons), "discovered_on", ART_36)]


def penalty_stated(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The penalty to notify or decide is stated: its kinds and, for a fine, the amount (Art 44, 59)."""
    p = facts.proposed
    if p is None or not p.kinds:
        return [_v("penalty_missing", "缺少拟作出的行政处罚（处罚种类和金额）", "proposed", ART_44, ART_59)]
    if PenaltyKind.FINE in p.kinds and not p.fine:
        return [_v("fine_amount_missing", "处罚种类含罚款，缺少罚款金额", "proposed.fine", ART_44, ART_59)]
    if p.kinds & CONFISCATION_KINDS and p.confiscation is None:
        return [_v("confiscation_amount_missing", "处罚种类含没收，缺少没收的数额或者价值", "proposed.confiscation",
                   ART_44, ART_59)]
    return []


def notified_before_decision(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The 事先告知书 (facts, reasons, basis, intended penalty, rights) was served before the decision (Art 44, 62)."""
    if facts.notice_served_on is None or facts.notified is None:
        return [_v("notice_missing", "未送达行政处罚事先告知书，不得作出行政处罚决定", "notice_served_on",
                   ART_44, ART_62)]
    if facts.notice_served_on > facts.today:
        return [_v("notice_after_decision", f"事先告知书送达日期{cn_date(facts.notice_served_on)}晚于决定日期",
                   "notice_served_on", ART_44, ART_62)]
    return []


def statement_window_over_or_waived(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The 陈述申辩 period (policy, working days) has ended, or the party expressly waived (Art 45, 62)."""
    if facts.statement_waived or facts.notice_served_on is None:
        return []  # no notice: notified_before_decision says so
    if facts.statement_days is None:
        return [_v("statement_days_missing", "陈述、申辩期限（政策参数）未设定，无法判断期限是否届满", "statement_days",
                   ART_45, MCT_PROCEDURE)]
    end = statement_window_end(facts)
    assert end is not None
    if facts.today <= end:
        return [_v("statement_window_open",
                   f"陈述、申辩期限至{cn_date(end)}届满，期满前不得作出决定（当事人明确放弃的除外）",
                   "statement_waived",
                   ART_45, ART_62)]
    return []


def not_heavier_than_notified(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """No heavier penalty than the one notified (Art 45; kinds by penalties.KIND_SEVERITY, then amounts).

    A kind that was not notified is heavier, unless it replaces a dropped notified kind and is lighter than the
    heaviest notified kind (e.g. 警告 instead of 罚款). Amounts may not rise. 其他行政处罚 cannot be ranked, so a new
    one is refused.
    """
    n, p = facts.notified, facts.proposed
    if n is None or p is None:
        return []
    out = []
    added, dropped = p.kinds - n.kinds, n.kinds - p.kinds
    ranked = [KIND_SEVERITY[k] for k in n.kinds if k in KIND_SEVERITY]
    top = max(ranked, default=0)
    for kind in sorted(added, key=list(PenaltyKind).index):
        lighter = kind in KIND_SEVERITY and KIND_SEVERITY[kind] < top
        if not (dropped and lighter):
            out.append(_v("heavier_kind",
                          f"拟作出的处罚增加了事先告知中没有的“{KIND_LABELS[kind]}”（告知的处罚：{n.describe()}），"
                          "不得因陈述、申辩加重处罚；如需变更，应当重新告知", "proposed.kinds", ART_45, ART_44))
    if PenaltyKind.FINE in p.kinds & n.kinds and p.fine is not None and n.fine is not None and p.fine > n.fine:
        out.append(_v("heavier_fine", f"罚款{yuan(p.fine)}高于事先告知的{yuan(n.fine)}，不得因陈述、申辩加重处罚",
                      "proposed.fine", ART_45))
    if (p.kinds & n.kinds & CONFISCATION_KINDS and p.confiscation is not None and n.confiscation is not None
            and p.confiscation > n.confiscation):
        out.append(_v("heavier_confiscation",
                      f"没收数额{yuan(p.confiscation)}高于事先告知的{yuan(n.confiscation)}，不得因陈述、申辩加重处罚",
                      "proposed.confiscation", ART_45))
    return out


def _reviewer_problems(user_id: int | str, name: str, legal: bool, before: bool,
                       facts: CaseFacts) -> list[RuleViolation]:
    out = []
    if user_id in facts.investigators:
        out.append(_v("reviewer_is_handler", f"法制审核人员{name}承办或者调查了本案，不得审核本案", "reviewer",
                      SEPARATION_OF_DUTIES, ART_58_REVIEW))
    if not legal and not before:
        out.append(_v("reviewer_unqualified", f"法制审核人员{name}初次从事法制审核，未取得法律职业资格", "reviewer",
                      ART_58_2))
    return out


def reviewer_eligible(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The reviewer taking the step did not handle the case and, if new to review, holds the 法律职业资格 (Art 58)."""
    return _reviewer_problems(actor.user_id, actor.name or str(actor.user_id), actor.has_legal_qualification,
                              actor.reviewed_before, facts)


def review_passed_if_required(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """Where 法制审核 is required, it passed, by an eligible reviewer, and after any hearing (Art 58).

    Art 58(1)(2) makes a hearing itself a ground for review, so a review passed before the hearing does not count.
    """
    if not facts.review_required:
        return []
    if facts.review_status != "passed":
        msg = {"pending": "法制审核尚未完成", "failed": "法制审核未通过"}.get(facts.review_status or "", "未经法制审核")
        return [_v("review_not_passed", f"本案应当进行法制审核：{msg}，不得作出决定", "review_status", ART_58_REVIEW)]
    out = []
    if facts.reviewer is None:
        out.append(_v("reviewer_missing", "缺少法制审核人员", "reviewer", ART_58_REVIEW))
    else:
        r = facts.reviewer
        out += _reviewer_problems(r.user_id, r.display, r.has_legal_qualification, r.reviewed_before, facts)
    if facts.hearing_held_on and (facts.reviewed_on is None or facts.reviewed_on < facts.hearing_held_on):
        out.append(_v("review_before_hearing", f"{cn_date(facts.hearing_held_on)}举行听证后须重新进行法制审核",
                      "reviewed_on", ART_58_REVIEW, ART_65))
    return out


def one_fine_per_act(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """One violation, one fine (Art 29)."""
    p = facts.proposed
    if p and PenaltyKind.FINE in p.kinds and facts.prior_fines_same_act > 0:
        return [_v("second_fine", "同一违法行为已经给予过罚款，不得再次罚款（违反多个规范的，按罚款数额高的规定处罚）",
                   "proposed.kinds", ART_29)]
    return []


def fine_within_discretion_or_reason(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """A fine outside the discretion result's recommended range needs a recorded reason (Art 5, 34; 裁量办法)."""
    p, rng = facts.proposed, facts.recommended_range
    if not p or p.fine is None or rng is None or PenaltyKind.FINE not in p.kinds:
        return []
    lo, hi = rng
    if lo <= p.fine <= hi or facts.outside_range_reason.strip():
        return []
    return [_v("outside_discretion", f"罚款{yuan(p.fine)}超出裁量建议幅度{yuan(lo)}至{yuan(hi)}，须记录理由",
               "outside_range_reason", ART_5, ART_34, MCT_DISCRETION)]


def hearing_not_refused_in_window(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """A hearing requested in time by a party entitled to one may not be refused (Art 63, 64(1))."""
    if not facts.hearing_right or facts.hearing_requested_on is None:
        return []
    end = hearing_request_end(facts)
    if end is None or facts.hearing_requested_on <= end:
        when = f"（期限至{cn_date(end)}）" if end else ""
        return [_v("hearing_refused_in_window",
                   f"当事人于{cn_date(facts.hearing_requested_on)}在听证申请期限内要求听证{when}，应当组织听证，不得拒绝",
                   "hearing_requested_on", ART_63, ART_64_1)]
    return []


def hearing_held_or_window_closed(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """Where the party may ask for a hearing: the request period is over, waived, or the hearing held (Art 63–64)."""
    if not facts.hearing_right or facts.hearing_waived or facts.hearing_held_on or facts.notice_served_on is None:
        return []
    if facts.hearing_requested_on is not None and not facts.hearing_declined:
        return [_v("hearing_pending", "当事人已要求听证，听证尚未举行，不得作出决定", "hearing_held_on",
                   ART_63, ART_64)]
    end = hearing_request_end(facts)
    assert end is not None
    if facts.hearing_requested_on is None and facts.today <= end:
        return [_v("hearing_window_open",
                   f"听证申请期限至{cn_date(end)}届满，期满前不得作出决定（当事人明确放弃听证的除外）",
                   "hearing_waived", ART_64_1, ART_63)]
    return []


def hearing_record_if_held(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """After a hearing the decision rests on the 听证笔录 (Art 65)."""
    if facts.hearing_held_on and "hearing_record" not in facts.documents:
        return [_v("hearing_record_missing", "已举行听证，缺少行政处罚听证笔录，应当根据听证笔录作出决定", "documents",
                   ART_65)]
    return []


def hearing_notice_seven_days(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The hearing notice reaches the party at least 7 working days before the hearing (Art 64(2))."""
    out = []
    if facts.hearing_date is None:
        out.append(_v("hearing_date_missing", "缺少听证日期", "hearing_date", ART_64_2))
    if facts.hearing_notice_on is None:
        out.append(_v("hearing_notice_missing", "缺少听证通知送达日期", "hearing_notice_on", ART_64_2))
    if out or facts.hearing_date is None or facts.hearing_notice_on is None:
        return out
    latest = due("hearing_notice", facts.hearing_date, facts.calendar).date
    if facts.hearing_notice_on > latest:
        return [_v("hearing_notice_late",
                   f"听证通知于{cn_date(facts.hearing_notice_on)}送达，距{cn_date(facts.hearing_date)}听证不足七个工作日"
                   f"（最迟应于{cn_date(latest)}送达）", "hearing_notice_on", ART_64_2)]
    return []


def host_not_investigator(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The hearing host is appointed and is not one of the case's investigators (Art 64(4))."""
    if facts.hearing_host_id is None:
        return [_v("hearing_host_missing", "未指定听证主持人", "hearing_host_id", ART_64_4)]
    if facts.hearing_host_id in facts.investigators:
        return [_v("host_is_investigator", "听证主持人是本案调查人员，应当另行指定非本案调查人员主持",
                   "hearing_host_id", ART_64_4)]
    return []


def documents_present(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """Every document the step requires exists on the case (law.md §3.5)."""
    return [_v("document_missing", f"缺少文书：{DOCUMENT_LABELS[d]}", "documents", *t.basis)
            for d in t.documents if d not in facts.documents]


def records_present(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """Every record the step requires exists on the case (Art 47 full-process record; law.md §2.2). The
    "as circumstances require" 音像记录 of :data:`AV_POLICY_STEPS` is required where the agency's policy
    (``facts.av_steps``) lists the step; a step it leaves out needs no 音像记录 (and no reason)."""
    return [_v("record_missing", f"缺少记录：{RECORD_LABELS[r]}" + (f"，{AV_RULES[r]}" if r in AV_RULES else ""),
               "records", *t.basis)
            for r in t.records if r not in facts.records and not _av_waived(facts, t, r)]


def av_records_of_step(facts: CaseFacts, t: Transition) -> tuple[str, ...]:
    """The 音像记录 the step ``t`` must register itself (a recording of another step does not stand for it): its
    ``av_record`` / ``av_record_or_reason`` records, less those the agency's policy leaves out."""
    return tuple(r for r in t.records if r in AV_RULES and not _av_waived(facts, t, r))


def av_step_required(facts: CaseFacts, code: str) -> bool:
    """Does the agency's policy (``facts.av_steps``; None: all) ask an 音像记录 of the step ``code``
    (:data:`AV_POLICY_CODES`)?"""
    return facts.av_steps is None or code in facts.av_steps


def _av_waived(facts: CaseFacts, t: Transition, record: str) -> bool:
    return record == "av_record_or_reason" and t.action in AV_POLICY_STEPS and not av_step_required(facts, t.action)


def summary_eligible_guard(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The penalty may be decided on the spot: a warning or a small fine, facts established (Art 51)."""
    p = facts.proposed
    if p is None or not p.kinds:
        return []  # penalty_stated says so
    try:
        result = summary_eligible(facts.party_kind, p.kinds, p.fine, facts_established=facts.facts_established)
    except RuleViolation as e:
        return [e]
    if result.result:
        return []
    bad = [r for r in result.reasons if "超过" in r or "不适用" in r or "只适用" in r]
    return [_v("summary_not_eligible", "不符合简易程序条件：" + "；".join(bad or result.reasons) + "，应当适用普通程序",
               "proposed", ART_51)]


def credentials_shown(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """Officers showed their 执法证件 (Art 52 on the spot, Art 55 in investigation; 行政强制法 Art 18)."""
    if facts.credentials_shown:
        return []
    basis = ART_52 if facts.procedure is Procedure.SUMMARY else ART_55
    return [_v("credentials_not_shown", "未记录执法人员已出示执法证件", "credentials_shown", basis)]


def summary_statement_heard(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """On the spot too the party is told the facts, reasons and basis and heard, unless they waive (Art 44, 45, 62)."""
    if facts.statement_heard or facts.statement_waived:
        return []
    return [_v("statement_not_heard", "未记录已当场告知违法事实、理由、依据并听取当事人的陈述、申辩", "statement_heard",
               ART_44, ART_45, ART_62)]


def head_approval(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The head approved the step first (Art 56 先行登记保存; 行政强制法 Art 18 查封扣押; Art 57 拟处罚意见)."""
    if t.approval is None:
        return []
    basis = APPROVAL_BASIS.get(t.approval, t.basis)
    label = APPROVAL_LABELS[t.approval]
    found = [a for a in facts.approvals if a.kind == t.approval]
    if not found:
        return [_v("head_approval_missing", f"缺少行政机关负责人批准：{label}", "approvals", *basis)]
    if not any(HEAD in a.roles for a in found):
        return [_v("approval_not_by_head", f"{label}不是由行政机关负责人批准的", "approvals", *basis)]
    if all(a.on > facts.today for a in found):
        return [_v("approval_after_step", f"{label}的批准日期晚于实施日期", "approvals", *basis)]
    return []


def collective_discussion_if_major(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """情节复杂或者重大违法行为: the agency's leaders decide collectively (Art 57(2))."""
    if facts.collective_discussion_needed and not facts.collective_discussion_held:
        return [_v("collective_discussion_missing",
                   "情节复杂或者重大违法行为，须经负责人集体讨论决定，缺少集体讨论记录",
                   "collective_discussion_held", ART_57_2)]
    return []


def actor_is_handler(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """Officers' steps are taken by the officers assigned to the case (Art 42)."""
    if actor.user_id in facts.handler_ids:
        return []
    return [_v("actor_not_handler", f"{actor.name or actor.user_id}不是本案承办人员", "actor", ART_42)]


def spot_collection_allowed(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """On-the-spot collection only as Art 68–69 allow (≤100 yuan, hard to enforce, or remote area on request)."""
    p = facts.proposed
    if p is None or PenaltyKind.FINE not in p.kinds or not p.fine:
        return [_v("no_fine_to_collect", "本案没有罚款，无需当场收缴", "proposed.fine", ART_68)]
    result = on_the_spot_collection_allowed(p.fine, facts.hard_to_enforce, facts.remote_area,
                                            facts.party_requests_collection,
                                            summary=facts.procedure is Procedure.SUMMARY)
    if result.result:
        return []
    return [_v("spot_collection_not_allowed", "不得当场收缴罚款：" + "；".join(result.reasons), "proposed.fine",
               *result.basis)]


def nothing_to_perform(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """A case closes without performance only when no money is owed (documented choice: fine, 没收违法所得)."""
    if facts.decision is not DecisionKind.PENALTY or not _owes_money(facts):
        return []
    return [_v("performance_outstanding", "处罚决定含罚款或者没收违法所得，须先记录履行或者强制执行情况", "state",
               ART_67, ART_72)]


def no_open_measures(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """No 先行登记保存 or 查封扣押 left without a handling decision (Art 56; 行政强制法 Art 27–28), and no cash
    collected on the spot still outside the agency (Art 71)."""
    out = []
    if "preservation_handling" in facts.running_clocks:
        out.append(_v("preservation_open", "先行登记保存的物品尚未作出处理决定", "running_clocks", ART_56))
    if "seizure" in facts.running_clocks:
        out.append(_v("seizure_open", "查封、扣押的物品尚未作出处理或者解除决定", "running_clocks", QZF_ART_27,
                      QZF_ART_28))
    if "cash_to_agency" in facts.running_clocks:
        out.append(_v("cash_not_deposited", "当场收缴的罚款尚未交至行政机关", "running_clocks", ART_71))
    return out


def penalty_decided(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """A penalty decision was taken: only it is published within 7 working days (国办发〔2018〕118号; Art 48)."""
    if facts.decision is DecisionKind.PENALTY:
        return []
    return [_v("no_penalty_decision", "本案没有作出行政处罚决定，无需记录处罚决定公示", "decision", GBF_118_PUBLISH)]


def crime_report_decided(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """A reported suspected crime is first decided on (移送 or 不予移送): a penalty may not replace the transfer."""
    if "criminal_transfer_decision" not in facts.running_clocks:
        return []
    return [_v("crime_report_pending",
               "已报告涉嫌犯罪，负责人须先作出批准移送或者不予移送的决定，不得以行政处罚代替移送",
               "running_clocks", ART_27, YSGD_TRANSFER, YSGD_NO_SUBSTITUTE)]


def payment_overdue(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The payment period (15 days from service, or an approved deferral) is over (Art 67, 72)."""
    end = payment_end(facts)
    if end is None:
        return [_v("service_date_missing", "缺少处罚决定书送达日期，无法计算缴纳期限", "decision_served_on", ART_67)]
    if facts.today <= end:
        if facts.deferred_until is not None and end == facts.deferred_until:
            return [_v("payment_not_overdue", f"经批准延期（分期）缴纳至{cn_date(end)}，尚未逾期", "deferred_until",
                       ART_66, ART_72)]
        return [_v("payment_not_overdue", f"缴纳期限至{cn_date(end)}届满，尚未逾期", "today", ART_67, ART_72)]
    return []


def court_application_window(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """Apply to court only 10 working days after the 催告书 and within 3 months of the remedy periods' end
    (or of an approved deferral's end) (行政强制法 Art 53–54; 行政处罚法 Art 72(2))."""
    out = []
    if facts.urge_served_on is None:
        out.append(_v("urge_missing", "未送达行政处罚履行催告书，不得申请人民法院强制执行", "urge_served_on",
                      QZF_ART_54))
    else:
        earliest = due("court_enforcement_earliest", facts.urge_served_on, facts.calendar).date
        if facts.today < earliest:
            out.append(_v("urge_period_running", f"催告书送达满十个工作日后方可申请，最早{cn_date(earliest)}", "today",
                          QZF_ART_54))
    start = facts.remedies_expired_on
    if facts.deferred_until and (start is None or facts.deferred_until > start):
        start = facts.deferred_until
    if start is None:
        out.append(_v("remedies_expiry_missing", "缺少复议、诉讼期限届满日期", "remedies_expired_on", QZF_ART_53))
    elif facts.today <= start:
        out.append(_v("remedies_running", f"复议、诉讼期限（或批准的延期）至{cn_date(start)}届满，届满后方可申请",
                      "today", QZF_ART_53, ART_72))
    else:
        last = due("court_enforcement_last", start, facts.calendar).date
        if facts.today > last:
            out.append(_v("court_application_late", f"申请人民法院强制执行的期限已于{cn_date(last)}届满", "today",
                          QZF_ART_53))
    return out


def public_notice_elapsed(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """公告送达 counts as served 30 days after publication (民事诉讼法 Art 95)."""
    if facts.public_notice_on is None:
        return [_v("public_notice_missing", "缺少公告送达的公告日期", "public_notice_on", MSSSF_ART_95)]
    deemed = due("public_notice_service", facts.public_notice_on, facts.calendar).date
    if facts.today < deemed:
        return [_v("public_notice_running", f"公告期间未满，{cn_date(deemed)}起视为送达", "today", MSSSF_ART_95)]
    return []


def decision_extension_allowed(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The policy allows another extension of the 90-day decision period (Art 60; MCT rule [U])."""
    if facts.decision_extensions_used < facts.decision_extensions_allowed:
        return []
    return [_v("extension_not_allowed",
               f"政策允许延长办案期限{facts.decision_extensions_allowed}次，已延长{facts.decision_extensions_used}次",
               "decision_extensions_used", ART_60, MCT_PROCEDURE)]


def seizure_extension_once(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """A seizure may be extended once, by at most 30 days (行政强制法 Art 25)."""
    if facts.seizure_extended:
        return [_v("seizure_already_extended", "查封、扣押期限已经延长过一次，不得再次延长", "seizure_extended",
                   QZF_ART_25)]
    return []


def clocks_running(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """The period this step ends or extends is running (e.g. no handling decision without a 先行登记保存).

    The first clock of ``stops`` is the one the step is about; the others are stopped too if they run (解除查封
    also ends a pending 24-hour report).
    """
    return [_v("clock_not_running", f"没有进行中的“{_clock_name(c)}”", "running_clocks", *t.basis)
            for c in (*t.stops[:1], *t.extends) if c not in facts.running_clocks]


def exclusion_not_open(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """An excluded period is not opened twice."""
    return [_v("exclusion_already_open", f"{EXCLUSIONS[e].label}已经开始，尚未结束", "open_exclusions",
               *EXCLUSIONS[e].basis) for e in t.opens if e in facts.open_exclusions]


def exclusion_open(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """An excluded period is closed only after it was opened."""
    return [_v("exclusion_not_open", f"没有已经开始的{EXCLUSIONS[e].label}", "open_exclusions", *EXCLUSIONS[e].basis)
            for e in t.closes if e not in facts.open_exclusions]


def clue_source_recorded(facts: CaseFacts, actor: Actor, t: Transition) -> list[RuleViolation]:
    """A clue names its source (inspection, complaint, referral, other) and comes with that source's document."""
    if facts.clue_source not in CLUE_SOURCES:
        return [_v("clue_source_missing", "缺少案源来源（日常检查、投诉举报、交办移送或其他）", "clue_source", ART_54)]
    doc = CLUE_DOCUMENTS[facts.clue_source]
    if doc and doc not in facts.documents:
        return [_v("document_missing", f"缺少文书：{DOCUMENT_LABELS[doc]}", "documents", ART_54, REPORT_RULES)]
    return []


def _clock_name(code: str) -> str:
    if code in CLOCKS:
        return CLOCKS[code].name
    return POLICY_CLOCKS[code].name


GUARDS: Mapping[str, Guard] = MappingProxyType({
    "two_qualified_officers": two_qualified_officers,
    "no_conflict": no_conflict,
    "within_limitation": within_limitation,
    "penalty_stated": penalty_stated,
    "notified_before_decision": notified_before_decision,
    "statement_window_over_or_waived": statement_window_over_or_waived,
    "not_heavier_than_notified": not_heavier_than_notified,
    "review_passed_if_required": review_passed_if_required,
    "reviewer_eligible": reviewer_eligible,
    "one_fine_per_act": one_fine_per_act,
    "fine_within_discretion_or_reason": fine_within_discretion_or_reason,
    "hearing_not_refused_in_window": hearing_not_refused_in_window,
    "hearing_held_or_window_closed": hearing_held_or_window_closed,
    "hearing_record_if_held": hearing_record_if_held,
    "hearing_notice_seven_days": hearing_notice_seven_days,
    "host_not_investigator": host_not_investigator,
    "documents_present": documents_present,
    "records_present": records_present,
    "summary_eligible": summary_eligible_guard,
    "credentials_shown": credentials_shown,
    "summary_statement_heard": summary_statement_heard,
    "head_approval": head_approval,
    "collective_discussion_if_major": collective_discussion_if_major,
    "actor_is_handler": actor_is_handler,
    "spot_collection_allowed": spot_collection_allowed,
    "nothing_to_perform": nothing_to_perform,
    "no_open_measures": no_open_measures,
    "payment_overdue": payment_overdue,
    "penalty_decided": penalty_decided,
    "crime_report_decided": crime_report_decided,
    "court_application_window": court_application_window,
    "public_notice_elapsed": public_notice_elapsed,
    "decision_extension_allowed": decision_extension_allowed,
    "seizure_extension_once": seizure_extension_once,
    "clocks_running": clocks_running,
    "exclusion_not_open": exclusion_not_open,
    "exclusion_open": exclusion_open,
    "clue_source_recorded": clue_source_recorded,
})

# Guards that judge the person acting rather than the case: :func:`missing` leaves them out.
ACTOR_GUARDS = frozenset({"reviewer_eligible", "actor_is_handler"})


# --- The API ---------------------------------------------------------------------------------------------


def transitions_from(procedure: Procedure, state: State | None) -> list[Transition]:
    """The rows that may be taken in ``state`` (``None``: the rows that create a case), in table order."""
    return [t for t in TABLE if t.procedure is procedure and (t.creates if state is None else state in t.sources)]


def transition_for(procedure: Procedure, state: State | None, action: Action | str) -> Transition | None:
    """The row for ``action`` in ``state``, or ``None`` if the action cannot be taken there."""
    try:
        return _INDEX.get((procedure, state, Action(action)))
    except ValueError:
        return None


def available_actions(facts: CaseFacts, roles: Iterable[str]) -> list[Action]:
    """The actions the case's state allows to someone holding ``roles`` (guards not checked: see :func:`check`)."""
    held = frozenset(roles)
    out: list[Action] = []
    for t in transitions_from(facts.procedure, facts.state):
        if t.roles & held and t.action not in out:
            out.append(t.action)
    return out


def _not_available(facts: CaseFacts, action: Action | str) -> RuleViolation:
    try:
        label = ACTION_LABELS[Action(action)]
    except ValueError:
        label = str(action)
    where = STATE_LABELS[facts.state] if facts.state is not None else "新建案件"
    return _v("action_not_available", f"{PROCEDURE_LABELS[facts.procedure]}“{where}”阶段不能执行“{label}”", "action")


def check(facts: CaseFacts, action: Action | str, actor: Actor) -> list[RuleViolation]:
    """Every reason ``actor`` may not take ``action`` on the case now (empty: lawful). All guards run."""
    t = transition_for(facts.procedure, facts.state, action)
    if t is None:
        return [_not_available(facts, action)]
    out = []
    if not t.roles & actor.roles:
        who = "、".join(ROLE_LABELS[r] for r in sorted(t.roles))
        out.append(_v("role_not_allowed", f"“{t.label}”只能由{who}执行", "actor", *t.basis))
    for name in t.guards:
        out.extend(GUARDS[name](facts, actor, t))
    return out


def missing(facts: CaseFacts, action: Action | str) -> list[str]:
    """What is still missing before ``action`` can be taken, in words (the case page's panel).

    The same guards as :func:`check`, without those about the person acting; each item ends with its article.
    """
    t = transition_for(facts.procedure, facts.state, action)
    if t is None:
        return [_not_available(facts, action).message]
    nobody = Actor(user_id="", roles=frozenset())
    out: list[str] = []
    for name in t.guards:
        if name in ACTOR_GUARDS:
            continue
        for v in GUARDS[name](facts, nobody, t):
            text = v.message + (f"（{v.basis[0]}）" if v.basis else "")
            if text not in out:
                out.append(text)
    return out


def target_of(facts: CaseFacts, action: Action | str) -> State:
    """The state the case is in after ``action`` (the same state, or the prior state for 恢复)."""
    t = transition_for(facts.procedure, facts.state, action)
    if t is None:
        raise _not_available(facts, action)
    if t.returns:
        if facts.prior_state is None:
            raise _v("prior_state_missing", "缺少中止前的案件状态，无法恢复", "prior_state", *t.basis)
        return facts.prior_state
    if t.target is None:
        assert facts.state is not None
        return facts.state
    return t.target


def clocks_started(facts: CaseFacts, action: Action | str) -> tuple[str, ...]:
    """The clocks ``action`` starts for this case (conditional ones only when the case calls for them)."""
    t = transition_for(facts.procedure, facts.state, action)
    if t is None:
        return ()
    return tuple(c for c in t.starts if c not in CLOCK_CONDITIONS or CLOCK_CONDITIONS[c](facts))


# --- Charts ----------------------------------------------------------------------------------------------


def _node(procedure: Procedure, state: State) -> str:
    return f"{procedure.value}_{state.value}"


@dataclass(frozen=True)
class _Graph:
    """One procedure's chart: its states, the edges between node ids, and the steps that keep the state."""

    procedure: Procedure
    states: tuple[State, ...]
    edges: Mapping[tuple[str, str], tuple[str, ...]]
    loops: Mapping[State, tuple[str, ...]]  # same-state steps open in a few states: a note beside each
    everywhere: tuple[str, ...]  # same-state steps open in most states: one note
    returns: tuple[tuple[State, str], ...]  # 恢复: back to the state before the suspension
    foreign: Mapping[str, str]  # nodes of the other procedure this one leads to, with their labels


def _graph(procedure: Procedure) -> _Graph:
    order = list(State).index
    rows = [t for t in TABLE if t.procedure is procedure and not t.creates]
    states = {INITIAL[procedure]}
    edges: dict[tuple[str, str], list[str]] = {}
    loops: dict[State, list[str]] = {}
    everywhere: list[str] = []
    returns: list[tuple[State, str]] = []
    foreign: dict[str, str] = {}
    for t in rows:
        states |= t.sources
        sources = sorted(t.sources, key=order)
        if t.returns:
            returns += [(s, t.label) for s in sources]
        elif t.target is None or (len(sources) == 1 and t.target is sources[0]):
            if len(sources) > 4:
                everywhere.append(t.label)
            for s in sources if len(sources) <= 4 else ():
                loops.setdefault(s, []).append(t.label)
        else:
            into = t.switches_to or procedure
            target = _node(into, t.target)
            if into is procedure:
                states.add(t.target)
            else:
                foreign[target] = f"{PROCEDURE_LABELS[into]}：{STATE_LABELS[t.target]}"
            for s in sources:
                if s is not t.target:
                    edges.setdefault((_node(procedure, s), target), []).append(t.label)
                else:
                    loops.setdefault(s, []).append(t.label)
    return _Graph(
        procedure, tuple(sorted(states, key=order)),
        {k: tuple(dict.fromkeys(v)) for k, v in edges.items()},
        {k: tuple(dict.fromkeys(v)) for k, v in loops.items()},
        tuple(dict.fromkeys(everywhere)), tuple(returns), foreign,
    )


def chart(procedure: Procedure | None = None) -> str:
    """The procedure table as a Mermaid ``stateDiagram-v2`` (Chinese labels), for the docs.

    Both procedures by default; state ids are prefixed with the procedure (``general_clue``) because some
    states (已决定, 结案 …) belong to both. Steps that keep the state are notes beside it; the steps open in
    every stage of an open case (handling a seizure, excluded periods, extension) are one note.
    """
    graphs = [_graph(p) for p in ([procedure] if procedure else list(Procedure))]
    drawn = {_node(g.procedure, s) for g in graphs for s in g.states}
    lines = ["stateDiagram-v2"]
    for g in graphs:
        lines.append(f"    %% {PROCEDURE_LABELS[g.procedure]}")
        lines += [f'    state "{STATE_LABELS[s]}" as {_node(g.procedure, s)}' for s in g.states]
        lines += [f'    state "{label}" as {node}' for node, label in g.foreign.items() if node not in drawn]
        lines.append(f"    [*] --> {_node(g.procedure, INITIAL[g.procedure])}: {PROCEDURE_LABELS[g.procedure]}")
        lines += [f"    {a} --> {b}: {' / '.join(labels)}" for (a, b), labels in g.edges.items()]
        lines += [f"    {_node(g.procedure, s)} --> [*]" for s in g.states if s in TERMINAL]
        for s, labels in g.loops.items():
            lines.append(f"    note right of {_node(g.procedure, s)}")
            lines += [f"        {label}" for label in labels]
            lines.append("    end note")
        lines += [f"    note left of {_node(g.procedure, s)}: {label}：回到中止前的阶段" for s, label in g.returns]
        if g.everywhere:
            anchor = State.FILED if State.FILED in g.states else g.states[0]
            lines.append(f"    note left of {_node(g.procedure, anchor)}")
            lines.append("        立案后各办案阶段均可：")
            lines += [f"        {label}" for label in g.everywhere]
            lines.append("    end note")
    return "\n".join(lines) + "\n"


def chart_dot(procedure: Procedure | None = None) -> str:
    """The same chart as Graphviz DOT (same-state steps as dashed self-loops, 恢复 dotted)."""
    graphs = [_graph(p) for p in ([procedure] if procedure else list(Procedure))]
    drawn = {_node(g.procedure, s) for g in graphs for s in g.states}
    lines = ["digraph procedure {", "    rankdir=TB;",
             '    node [shape=box, style=rounded, fontname="Noto Sans CJK SC"];',
             '    edge [fontname="Noto Sans CJK SC", fontsize=10];']
    for g in graphs:
        p = g.procedure
        lines.append(f'    subgraph cluster_{p.value} {{ label="{PROCEDURE_LABELS[p]}";')
        for s in g.states:
            extra = ", peripheries=2" if s in TERMINAL else ""
            lines.append(f'        {_node(p, s)} [label="{STATE_LABELS[s]}"{extra}];')
        if g.everywhere:
            text = "\\n".join(("立案后各办案阶段均可：", *g.everywhere))
            lines.append(f'        {p.value}_everywhere [shape=note, label="{text}"];')
        lines.append("    }")
        lines += [f'    {node} [label="{label}", style=dashed];' for node, label in g.foreign.items()
                  if node not in drawn]
        lines += [f'    {a} -> {b} [label="{" / ".join(labels)}"];' for (a, b), labels in g.edges.items()]
        lines += [f'    {_node(p, s)} -> {_node(p, s)} [label="{"\\n".join(labels)}", style=dashed];'
                  for s, labels in g.loops.items()]
        lines += [f'    {_node(p, s)} -> {_node(p, s)} [label="{label}：回到中止前的阶段", style=dotted];'
                  for s, label in g.returns]
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = [
    "ACTION_LABELS",
    "ACTOR_GUARDS",
    "APPROVAL_LABELS",
    "AV_POLICY_STEPS",
    "AV_RULES",
    "CLOCK_CONDITIONS",
    "CLUE_SOURCES",
    "DECISION_LABELS",
    "DOCUMENT_LABELS",
    "EVIDENCE_KINDS",
    "EXCLUSIONS",
    "FINISHED",
    "GUARDS",
    "INITIAL",
    "MCT_FORMATS",
    "PARTY_CLOCKS",
    "POLICY_CLOCKS",
    "PROCEDURE_LABELS",
    "RECORD_LABELS",
    "ROLES",
    "STATE_LABELS",
    "TABLE",
    "TERMINAL",
    "Action",
    "Actor",
    "Approval",
    "CaseFacts",
    "DecisionKind",
    "Exclusion",
    "Handler",
    "Penalty",
    "PolicyClock",
    "Procedure",
    "State",
    "Transition",
    "available_actions",
    "chart",
    "chart_dot",
    "check",
    "clock_binds",
    "clocks_started",
    "hearing_request_end",
    "missing",
    "payment_end",
    "statement_window_end",
    "target_of",
    "transition_for",
    "transitions_from",
]
