"""The policy parameters the case rules read (DESIGN.md §4 "Policies are dated data").

They are declared here, next to the rules that use them, and added to the catalog's register
(``zhifa.catalog.policies.PARAMETERS``, a plain dict) when the app is ready, so the policy screens list them
and ``value_of`` reads them (dated, per agency, inherited) like every other parameter. The values that
law.md §3.2 marks [U] (MCT departmental rules, unverified) are defaults for the seed bureau only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from zhifa.catalog.policies import Parameter, value_of
from zhifa.catalog.policies import register as add
from zhifa.law import procedure as proc

PROCEDURE_BASIS = ("《中华人民共和国行政处罚法》第五十四条、第六十条；文化和旅游部门规章的立案、办案期限规则"
                   "（law.md §3.2 [U]，未核实，由本机关设定）")
STATEMENT_BASIS = ("《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十二条（法律未规定陈述、申辩期限；"
                   "常见为三日或五日，law.md §3.2 [U]）")
ALERT_BASIS = "本机关内部管理规定（期限提醒，非法定期限）"
REVIEW_ALL_BASIS = ("《中华人民共和国行政处罚法》第五十八条；国办发〔2018〕118号；"
                    "本机关规定（种子机关对全部行政处罚决定进行法制审核）")


def _bool(value: Any) -> bool:
    from zhifa.law.errors import RuleViolation

    if not isinstance(value, bool):
        raise RuleViolation("policy_shape", "取值应为 是（true）或 否（false）", "value")
    return value


def _int_between(lo: int, hi: int):
    from zhifa.law.errors import RuleViolation

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise RuleViolation("policy_range", f"取值应为 {lo} 到 {hi} 之间的整数", "value")
        return value
    return check


# 集体讨论的法定人数: Art 57(2) says the heads decide collectively but fixes no quorum; no national text does.
QUORUM_BASIS = ("《中华人民共和国行政处罚法》第五十七条第二款（负责人集体讨论决定；法定人数法律、行政法规未规定，"
                "[U] 未核实，由本机关设定）")
QUORUM_RULES = {"more_than": "超过", "at_least": "不少于"}


def _quorum(value: Any):
    """{"more_than": "1/2"} (超过半数) or {"at_least": "2/3"} (不少于三分之二): a share of the agency's heads."""
    from fractions import Fraction

    from zhifa.law.errors import RuleViolation

    shape = RuleViolation("policy_shape", "取值应为 {\"more_than\": \"1/2\"}（超过半数）或 "
                          "{\"at_least\": \"2/3\"}（不少于三分之二）这样的比例", "value")
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in QUORUM_RULES:
        raise shape
    rule, share = next(iter(value.items()))
    if not isinstance(share, str):
        raise shape
    try:
        fraction = Fraction(share.strip())
    except (ValueError, ZeroDivisionError):
        raise shape from None
    if not 0 < fraction <= 1 or (rule == "more_than" and fraction == 1):
        raise RuleViolation("policy_range", "比例应大于 0 且不超过 1（“超过”时应小于 1）", "value")
    return {rule: f"{fraction.numerator}/{fraction.denominator}"}


CASE_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("case.review_all_penalties", "法制审核：全部行政处罚决定", True, "是/否", REVIEW_ALL_BASIS,
              "开启后，凡拟给予行政处罚的案件一律须经法制审核（第五十八条列举的情形和本机关目录之外也审核）。"
              "不予处罚的决定仍按第五十八条的法定情形判断。", _bool),
    Parameter("case.statement_days", "陈述、申辩期限", 5, "工作日", STATEMENT_BASIS,
              "事先告知书送达后，当事人提出陈述、申辩的期限（工作日）。期满前不得作出处罚决定，当事人明确放弃的除外。",
              _int_between(1, 30)),
    Parameter("case.filing_days", "立案期限", 15, "工作日", PROCEDURE_BASIS,
              "自收到案源之日起作出立案或者不予立案决定的期限（工作日）。法律只规定“及时立案”。", _int_between(1, 60)),
    Parameter("case.decision_extensions", "办案期限可延长次数", 1, "次", PROCEDURE_BASIS,
              "九十日办案期限经负责人批准可以延长的次数（第六十条“法律、法规、规章另有规定的，从其规定”）。",
              _int_between(0, 5)),
    Parameter("case.decision_extension_days", "办案期限每次延长天数", 30, "天", PROCEDURE_BASIS,
              "每次批准延长办案期限的自然日数。", _int_between(1, 90)),
    Parameter("case.alert_days", "期限提醒提前天数", 3, "工作日", ALERT_BASIS,
              "本机关办案期限届满前多少个工作日起，向承办人员（法制审核中的，还有审核人员）发出“即将届满”提醒；"
              "已逾期的同时提醒负责人。", _int_between(1, 15)),
    Parameter("case.collective_quorum", "集体讨论法定人数", {"more_than": "1/2"}, "负责人比例", QUORUM_BASIS,
              "[U] 未核实：国家法律、行政法规未规定负责人集体讨论的法定人数，默认“超过半数”参照常见的机关议事规则，"
              "由本机关设定。取值为 more_than（超过）或 at_least（不少于）加一个比例，例如 more_than 1/2（本机关负责人"
              "超过半数出席）、at_least 2/3（不少于三分之二）。承办本案的负责人可以列席汇报，但不计入出席人数。",
              _quorum),
)


AV_BASIS = ("国办发〔2018〕118号（现场执法、调查取证、举行听证、留置送达和公告送达等，根据实际情况进行音像记录；"
            "law.md §2.2，[U] 全国性文本未核实，各地音像记录事项清单）")


def _av_steps(value: Any) -> list[str]:
    from zhifa.law.errors import RuleViolation

    allowed = proc.AV_POLICY_CODES
    known = "、".join(f"{code}（{label}）" for code, label in allowed.items())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleViolation("policy_shape", f"取值应为步骤代码的列表，可选：{known}", "value")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise RuleViolation("policy_range", f"不能设定音像记录的步骤：{'、'.join(unknown)}；可选：{known}"
                            "（查封、扣押一律须全程音像记录，不在此列）", "value")
    return sorted(set(value))


AV_PARAMETER = Parameter(
    "record.av_steps", "须有音像记录的步骤", sorted(proc.AV_POLICY_CODES), "步骤", AV_BASIS,
    "列出的步骤办理时须附音像记录文件，或写明未能录制的理由（国办发〔2018〕118号“根据实际情况进行音像记录”）；"
    "未列出的步骤不要求。可选：现场检查、先行登记保存、举行听证、留置送达、公告送达、当场处罚。查封、扣押一律须附"
    "全程音像记录并注明设备编号，不受本参数影响。", _av_steps)


def register() -> None:
    """Add the case parameters to the catalog's register (idempotent)."""
    add(*CASE_PARAMETERS, AV_PARAMETER)


def policy(key: str, agency, on: date) -> Any:
    """The value of a case parameter for ``agency`` on ``on``."""
    register()  # a process that imports the services before the app registry is ready still sees them
    return value_of(key, agency, on)
