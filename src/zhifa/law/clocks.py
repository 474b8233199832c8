"""The fixed-length statutory clocks of  as data, and one function to compute a due date.

Each :class:`Clock` says how long it runs, in which unit, what starts it, whether a last day falling
on a rest day rolls forward, and the article it comes from. :func:`due` computes the date with the
holiday calendar (``calendar.py``) and returns it with its warnings and its basis.

Counting (law.md §4): the start day is not counted (《民事诉讼法》第八十五条); "二日""三日""五日""七日"
in 《行政处罚法》 are working days (Art 85), and so is every period of ten days or less in
《行政强制法》 (Art 69); other day periods are calendar days. A last day on a rest day moves to the
next working day: law.md applies this (民诉法 Art 85) to service and remedy periods, and 《行政复议法》
第八十八条 and 《行政诉讼法》第一百零一条 apply the 民诉法 period rules directly. Periods that bind the
agency (decision, seizure, limitation, transfer) do not roll forward here: the earlier date is the
safe one for the agency. That choice is not in law.md and is marked in each clock's notes.

Suspension and extension are recorded events (DESIGN.md §4): the caller passes the flag (e.g.
``extended=True``) when the extension event exists; due dates are never edited.

Who a period binds (``Clock.binds``): ``"agency"`` when the bureau must act by the date (decide, serve, publish,
handle a seizure …), so a lapsed clock is the bureau's overdue deadline; ``"party"`` when it is the party's time
(to ask for a hearing, pay, perform after a 催告, seek reconsideration or sue), so its lapse is a fact, not the
bureau's fault, and the screens show it neutrally. Each clock's choice is in its notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from .calendar import ART_85_WORKING_DAYS, MSSSF_ART_85, QZF_ART_69, Due, WorkCalendar
from .errors import Citation, RuleViolation

XZCFF = "《中华人民共和国行政处罚法》"
QZF = "《中华人民共和国行政强制法》"
FYF = "《中华人民共和国行政复议法》"
SSF = "《中华人民共和国行政诉讼法》"
MSSSF = "《中华人民共和国民事诉讼法》"
GBF_118 = (
    "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
    "（国办发〔2018〕118号）"
)
YSGD = "《行政执法机关移送涉嫌犯罪案件的规定》"

ART_36 = Citation(XZCFF, "第三十六条",
                  "违法行为在二年内未被发现的，不再给予行政处罚；"
                  "涉及公民生命健康安全、金融安全且有危害后果的，延长至五年")
ART_48 = Citation(XZCFF, "第四十八条",
                  "公开的行政处罚决定被变更、撤销、确认违法或者确认无效的，应当在三日内撤回并公开说明理由")
ART_56 = Citation(XZCFF, "第五十六条", "先行登记保存的，应当在七日内及时作出处理决定")
ART_60 = Citation(XZCFF, "第六十条", "应当自行政处罚案件立案之日起九十日内作出行政处罚决定")
ART_61 = Citation(XZCFF, "第六十一条", "当事人不在场的，应当在七日内依照民事诉讼法的有关规定送达")
ART_64_1 = Citation(XZCFF, "第六十四条第一项", "当事人要求听证的，应当在行政机关告知后五日内提出")
ART_64_2 = Citation(XZCFF, "第六十四条第二项", "行政机关应当在举行听证的七日前，通知当事人及有关人员听证的时间、地点")
ART_67 = Citation(XZCFF, "第六十七条", "当事人应当自收到行政处罚决定书之日起十五日内缴纳罚款")
ART_71 = Citation(XZCFF, "第七十一条",
                  "当场收缴的罚款，应当自收缴之日起二日内交至行政机关，行政机关在二日内缴付指定的银行")
QZF_ART_19 = Citation(QZF, "第十九条",
                      "情况紧急当场实施行政强制措施的，应当在二十四小时内向行政机关负责人报告并补办批准手续")
QZF_ART_25 = Citation(QZF, "第二十五条",
                      "查封、扣押的期限不得超过三十日；情况复杂的，经负责人批准可以延长，延长不得超过三十日")
QZF_ART_53 = Citation(QZF, "第五十三条", "可以自期限届满之日起三个月内申请人民法院强制执行")
QZF_ART_54 = Citation(QZF, "第五十四条", "催告书送达十日后当事人仍未履行义务的，可以申请人民法院强制执行")
MSSSF_ART_95 = Citation(MSSSF, "第九十五条", "公告送达自发出公告之日起经过三十日即视为送达")
FYF_ART_20 = Citation(FYF, "第二十条", "自知道或者应当知道该行政行为之日起六十日内提出行政复议申请")
FYF_ART_62 = Citation(FYF, "第六十二条",
                      "自受理申请之日起六十日内作出行政复议决定；情况复杂的可以延长，最多不超过三十日")
FYF_ART_88 = Citation(FYF, "第八十八条", "期间的计算依照民事诉讼法关于期间的规定执行")
SSF_ART_45 = Citation(SSF, "第四十五条", "不服复议决定的，可以在收到复议决定书之日起十五日内向人民法院提起诉讼")
SSF_ART_46 = Citation(SSF, "第四十六条", "应当自知道或者应当知道作出行政行为之日起六个月内提出")
SSF_ART_101 = Citation(SSF, "第一百零一条", "期间、送达等，本法没有规定的，适用民事诉讼法的相关规定")
GBF_118_PUBLISH = Citation(GBF_118, "（四）", "行政处罚决定7个工作日内公开，其他行政执法决定20个工作日内公开")
YSGD_TRANSFER = Citation(YSGD, "", "正职负责人应当自接到报告之日起3日内作出批准移送或者不批准移送的决定（条号未核实）")
YSGD_ART_12 = Citation(YSGD, "第十二条", "接到公安机关立案通知书之日起3日内移交涉案物品及有关材料")


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    YEARS = "years"
    HOURS = "hours"


AGENCY, PARTY = "agency", "party"
Binds = Literal["agency", "party"]


class Result(StrEnum):
    """What the computed date means."""

    LAST_DAY = "last_day"  # the last day of the period (the act is due by then)
    FIRST_DAY_AFTER = "first_day_after"  # the first working day after the period ("……日后")
    LATEST_BEFORE = "latest_before"  # counted backwards from the start event (e.g. hearing notice)


@dataclass(frozen=True)
class Clock:
    """One fixed-length statutory period ().

    ``flags`` maps a flag name accepted by :func:`due` to the length that replaces ``length`` when the
    flag is true (an extension event exists, the 5-year limitation applies, …). ``binds``: who must act
    within the period (``"agency"``, the default, or ``"party"``; see the module docstring).
    """

    code: str
    name: str
    length: int
    unit: Unit
    starts: str
    basis: tuple[Citation, ...]
    notes: str = ""
    roll_forward: bool = True
    result: Result = Result.LAST_DAY
    flags: Mapping[str, int] = field(default_factory=dict)
    verified: bool = True
    binds: Binds = AGENCY

    def __post_init__(self) -> None:
        assert self.binds in (AGENCY, PARTY), self.binds


def _clocks(*clocks: Clock) -> Mapping[str, Clock]:
    table = {c.code: c for c in clocks}
    assert len(table) == len(clocks), "duplicate clock code"
    return MappingProxyType(table)


CLOCKS: Mapping[str, Clock] = _clocks(
    Clock(
        "limitation", "行政处罚追责时效", 2, Unit.YEARS, "违法行为发生之日（连续或者继续状态的，行为终了之日）",
        (ART_36,), flags={"serious": 5}, roll_forward=False,
        notes="serious=True：涉及公民生命健康安全、金融安全且有危害后果的，五年。法律另有规定的从其规定。"
              "结果为可发现违法行为的最后一日（对应日，民法典第二百零二条）；"
              "不顺延（平台法律事实库未规定是否顺延，按较早日期计）。",
        binds=AGENCY,  # 本机关须在时效内发现并追究（第三十六条），过期即不得处罚
    ),
    Clock(
        "emergency_measure_report", "当场实施强制措施报告补批", 24, Unit.HOURS, "情况紧急当场实施行政强制措施的时刻",
        (QZF_ART_19,), roll_forward=False,
        notes="以小时计，起算时刻须为 datetime；不因节假日顺延。",
        binds=AGENCY,  # 执法人员须在二十四小时内报告并补办批准
    ),
    Clock(
        "preservation_handling", "先行登记保存处理决定", 7, Unit.WORKING_DAYS, "先行登记保存经批准并实施之日",
        (ART_56, ART_85_WORKING_DAYS),
        notes="七日为工作日（第八十五条）。",
        binds=AGENCY,  # 本机关须在七日内作出处理决定
    ),
    Clock(
        "seizure", "查封、扣押期限", 30, Unit.CALENDAR_DAYS, "查封、扣押决定之日",
        (QZF_ART_25,), flags={"extended": 60}, roll_forward=False,
        notes="超过十日，故为自然日（行政强制法第六十九条反面）。extended=True：经负责人批准延长一次，共六十日。"
              "检测、检验、检疫、技术鉴定期间不计入（第二十五条第三款），须以暂停事件另行处理，本函数不扣除。"
              "不顺延（机关义务，按较早日期计；平台法律事实库未规定）。",
        binds=AGENCY,  # 本机关须在期限内作出处理或者解除决定
    ),
    Clock(
        "decision", "行政处罚决定期限", 90, Unit.CALENDAR_DAYS, "立案之日",
        (ART_60,), roll_forward=False,
        notes="九十日不在第八十五条所列，为自然日。法律、法规、规章另有规定的从其规定；"
              "文化和旅游部规章的延长规则未核实（ [U]），故无延长标志。"
              "不顺延（机关义务，按较早日期计；平台法律事实库未规定）。",
        binds=AGENCY,  # 本机关的办案期限
    ),
    Clock(
        "hearing_request", "听证申请期限", 5, Unit.WORKING_DAYS, "听证告知送达之日",
        (ART_64_1, ART_85_WORKING_DAYS),
        notes="五日为工作日；结果为当事人可以提出听证申请的最后一日。",
        binds=PARTY,  # 当事人要求听证的期间；届满未提出的，本机关方可决定
    ),
    Clock(
        "hearing_notice", "听证通知最迟送达日", 7, Unit.WORKING_DAYS, "举行听证之日",
        (ART_64_2, ART_85_WORKING_DAYS), result=Result.LATEST_BEFORE,
        notes="“举行听证的七日前”：本实现要求通知之日与听证之日之间（两端均不计）至少有七个工作日，"
              "结果为满足该条件的最后一个日期（可能是休息日）。是否计入听证当日，平台法律事实库未明确，此处取较严格的理解。",
        binds=AGENCY,  # 本机关须在此日前送达听证通知
    ),
    Clock(
        "service", "处罚决定书送达", 7, Unit.WORKING_DAYS, "当事人不在场时宣告处罚决定之日",
        (ART_61, ART_85_WORKING_DAYS),
        notes="依照民事诉讼法的有关规定送达；电子送达须当事人同意并签订确认书。",
        binds=AGENCY,  # 本机关须在七日内送达
    ),
    Clock(
        "public_notice_service", "公告送达视为送达", 30, Unit.CALENDAR_DAYS, "发出公告之日",
        (MSSSF_ART_95, MSSSF_ART_85),
        notes="经过三十日即视为送达；结果为视为送达之日。该期间为民诉法期间，最后一日为休息日的按第八十五条顺延"
              "（平台法律事实库未单独说明视为送达日是否顺延，此处顺延，据此起算的后续期限较晚）。",
        binds=AGENCY,  # 公告期间届满后由本机关登记视为送达，后续期限据此起算
    ),
    Clock(
        "payment", "罚款缴纳期限", 15, Unit.CALENDAR_DAYS, "当事人收到行政处罚决定书之日",
        (ART_67, MSSSF_ART_85),
        notes="十五日为自然日；最后一日为休息日的顺延。逾期次日起加处罚款（第七十二条）。",
        binds=PARTY,  # 当事人缴纳罚款的期间；逾期的后果是加处罚款和强制执行，不是本机关逾期
    ),
    Clock(
        "cash_to_agency", "当场收缴罚款交至行政机关", 2, Unit.WORKING_DAYS, "当场收缴之日",
        (ART_71, ART_85_WORKING_DAYS),
        notes="行政机关再于二个工作日内缴付指定银行（第七十一条），以交至之日另起算。",
        binds=AGENCY,  # 执法人员须在二日内交至本机关
    ),
    Clock(
        "court_enforcement_earliest", "申请法院强制执行最早日", 10, Unit.WORKING_DAYS, "催告书送达之日",
        (QZF_ART_54, QZF_ART_69), result=Result.FIRST_DAY_AFTER,
        notes="十日为工作日（行政强制法第六十九条）；“送达十日后”：结果为第十个工作日之后的第一个工作日。"
              "“后”是否含第十日当日，平台法律事实库未明确，此处取较晚日期。",
        binds=PARTY,  # 催告后留给当事人履行的期间；届满前本机关不得申请强制执行，届满不是本机关逾期
    ),
    Clock(
        "court_enforcement_last", "申请法院强制执行最后期限", 3, Unit.MONTHS,
        "复议、诉讼期限届满之日（或批准的延期、分期届满之日）",
        (QZF_ART_53, MSSSF_ART_85),
        notes="月按对应日计（民法典第二百零二条；平台法律事实库只写“3个月”）；最后一日为休息日的顺延。"
              "批准延期、分期的，自延期届满起算（行政处罚法第七十二条第二款）。",
        binds=AGENCY,  # 本机关申请法院强制执行的最后期限
    ),
    Clock(
        "publish_penalty", "行政处罚决定公示", 7, Unit.WORKING_DAYS, "行政处罚决定作出之日",
        (GBF_118_PUBLISH,),
        notes="国办发〔2018〕118号原文即为“工作日”；平台法律事实库标注来源为网页（V:PAGE），非全文核对。",
        binds=AGENCY,  # 本机关须在七个工作日内公示
    ),
    Clock(
        "publish_other", "其他行政执法决定公示", 20, Unit.WORKING_DAYS, "行政执法决定作出之日",
        (GBF_118_PUBLISH,),
        notes="国办发〔2018〕118号；平台法律事实库标注来源为网页（V:PAGE），非全文核对。",
        binds=AGENCY,  # 本机关须在二十个工作日内公示
    ),
    Clock(
        "withdraw_publication", "撤回已公开的处罚决定", 3, Unit.WORKING_DAYS,
        "公开的处罚决定被变更、撤销、确认违法或者确认无效之日",
        (ART_48, ART_85_WORKING_DAYS),
        notes="三日为工作日；撤回并公开说明理由。",
        binds=AGENCY,  # 本机关须在三日内撤回并说明理由
    ),
    Clock(
        "reconsideration", "申请行政复议期限", 60, Unit.CALENDAR_DAYS, "知道或者应当知道行政行为之日",
        (FYF_ART_20, FYF_ART_88, MSSSF_ART_85),
        notes="自然日，最后一日为休息日的顺延（行政复议法第八十八条适用民诉法期间规定）。"
              "未告知复议权利、期限的，另有起算规则和最长期限（第二十条第三款、第二十一条），本时钟不处理。",
        binds=PARTY,  # 当事人申请行政复议的期间
    ),
    Clock(
        "reconsideration_decision", "行政复议决定期限", 60, Unit.CALENDAR_DAYS, "行政复议机关受理申请之日",
        (FYF_ART_62, FYF_ART_88, MSSSF_ART_85), flags={"extended": 90},
        notes="extended=True：情况复杂经批准延长，最多三十日，共九十日。法律规定少于六十日的从其规定。",
        binds=AGENCY,  # 约束复议机关（行政机关），不是当事人
    ),
    Clock(
        "litigation", "直接提起行政诉讼期限", 6, Unit.MONTHS, "知道或者应当知道作出行政行为之日",
        (SSF_ART_46, SSF_ART_101, MSSSF_ART_85),
        notes="月按对应日计（民法典第二百零二条；平台法律事实库只写“6个月”）；最后一日为休息日的顺延。法律另有规定的除外。",
        binds=PARTY,  # 当事人提起行政诉讼的期间
    ),
    Clock(
        "litigation_after_reconsideration", "复议后提起行政诉讼期限", 15, Unit.CALENDAR_DAYS, "收到行政复议决定书之日",
        (SSF_ART_45, SSF_ART_101, MSSSF_ART_85),
        notes="自然日（十五日），最后一日为休息日的顺延。复议机关逾期不作决定的，自复议期满之日起十五日内（第四十五条），以期满日为起算日。",
        binds=PARTY,  # 当事人复议后提起行政诉讼的期间
    ),
    Clock(
        "criminal_transfer_decision", "涉嫌犯罪案件移送决定", 3, Unit.CALENDAR_DAYS, "正职负责人接到移送报告之日",
        (YSGD_TRANSFER,), roll_forward=False, verified=False,
        notes="平台法律事实库的期限表只写“3日”，未写条号，也未说明是否工作日。"
              "移送规定无“工作日”定义，此处按自然日且不顺延（较早日期）。"
              "条号与计日方式未核实，须核对原文。批准移送的，应当在24小时内移送（不在本时钟内）。",
        binds=AGENCY,  # 正职负责人须在三日内作出决定
    ),
    Clock(
        "criminal_transfer_handover", "移交涉案物品及材料", 3, Unit.CALENDAR_DAYS, "接到公安机关立案通知书之日",
        (YSGD_ART_12,), roll_forward=False,
        notes="平台法律事实库只写“3日”；此处按自然日且不顺延（较早日期），是否为工作日未核实。",
        binds=AGENCY,  # 本机关须在三日内移交
    ),
)


def due(kind: str, start: date, calendar: WorkCalendar, **flags: bool) -> Due:
    """The date clock ``kind`` gives for a start event on ``start``, with warnings and basis.

    ``flags`` are the clock's own (e.g. ``extended=True``); an unknown flag is refused, so a typo can
    never silently give the unextended date. For an hours clock ``start`` must be a ``datetime``.
    """
    clock = CLOCKS.get(kind)
    if clock is None:
        raise RuleViolation("clock_unknown", f"未知的期限类型：{kind}", field="kind")
    unknown = sorted(set(flags) - set(clock.flags))
    if unknown:
        raise RuleViolation(
            "clock_flag_unknown", f"期限“{clock.name}”不接受参数：{'、'.join(unknown)}", field=unknown[0]
        )
    length = clock.length
    for name, value in flags.items():
        if value:
            length = clock.flags[name]

    if clock.unit is Unit.HOURS:
        if not isinstance(start, datetime):
            raise RuleViolation("clock_needs_time", f"期限“{clock.name}”以小时计，起算须含时刻", field="start")
        return Due(start + timedelta(hours=length), (), clock.basis)

    if clock.unit is Unit.WORKING_DAYS:
        if clock.result is Result.LATEST_BEFORE:
            # The `length`-th working day before the event; the notice must be served before that day.
            earliest = calendar.subtract_working_days(start, length)
            result = Due(earliest.date - timedelta(days=1), earliest.warnings)
        else:
            result = calendar.add_working_days(start, length)
            if clock.result is Result.FIRST_DAY_AFTER:
                after = calendar.add_working_days(result.date, 1)
                result = Due(after.date, tuple(dict.fromkeys(result.warnings + after.warnings)))
    elif clock.unit is Unit.CALENDAR_DAYS:
        result = calendar.add_calendar_days(start, length, roll_forward=clock.roll_forward)
    elif clock.unit is Unit.MONTHS:
        result = calendar.add_months(start, length, roll_forward=clock.roll_forward)
    else:  # Unit.YEARS
        result = calendar.add_months(start, 12 * length, roll_forward=clock.roll_forward)

    basis = tuple(dict.fromkeys(clock.basis + result.basis))
    return Due(result.date, result.warnings, basis)


__all__ = ["AGENCY", "CLOCKS", "MSSSF_ART_85", "PARTY", "Binds", "Clock", "Result", "Unit", "due"]
