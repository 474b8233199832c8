"""The agency's publication policies (issue 7 §2; docs/publicity.md): which decisions are published besides the
statutory ones, how long they stay, how a natural person's name is written."""

from __future__ import annotations

from typing import Any

from zhifa.catalog.policies import Parameter
from zhifa.catalog.policies import register as add
from zhifa.law.errors import RuleViolation
from zhifa.law.masking import NAME_STYLES

PARTY_KINDS = {"person": "自然人", "individual": "个体工商户", "organisation": "法人和其他组织"}
MONTHS_DEFAULT = {"person": 24, "individual": 36, "organisation": 36}


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise RuleViolation("policy_shape", "取值应为 true 或 false", "value")
    return value


def _months(value: Any) -> dict[str, int]:
    if not isinstance(value, dict) or set(value) != set(PARTY_KINDS):
        raise RuleViolation("policy_shape", "取值应为 {\"person\": 月数, \"individual\": 月数, \"organisation\": 月数}",
                            "value")
    for kind, months in value.items():
        if isinstance(months, bool) or not isinstance(months, int) or not 3 <= months <= 120:
            raise RuleViolation("policy_range", f"{PARTY_KINDS[kind]}的公开期限应为 3 至 120 个月", "value")
    return dict(value)


def _style(value: Any) -> str:
    if value not in NAME_STYLES:
        raise RuleViolation("policy_range", "只能是 mou（张某某）、stars（张**）、surname（张某）", "value")
    return value


BASIS = "国办发〔2018〕118号；《中华人民共和国行政处罚法》第四十八条；信用修复规则（发改办财金〔2019〕527号，[U]）"
PARAMETERS_OF_PUBLICITY = (
    Parameter("publicity.warning_only", "公开仅警告的处罚", False, "是/否", BASIS,
              "[U] 仅给予警告的行政处罚决定是否公开（市场监管 2021 年做法为不公开）。", _bool),
    Parameter("publicity.summary", "公开简易程序的决定", False, "是/否", BASIS,
              "[U] 简易程序（当场处罚）的决定是否公开。", _bool),
    Parameter("publicity.months", "公开期限（月）", MONTHS_DEFAULT, "当事人类别 → 月", BASIS,
              "[U] 公开的决定自作出之日起经过此期限自动撤下，按当事人类别：自然人（person）、个体工商户（individual）、"
              "法人和其他组织（organisation）；信用修复规则为 3 个月至 3 年。", _months),
    Parameter("publicity.name_style", "自然人姓名的公开写法", "mou", "写法", BASIS,
              "[U] 作为当事人的自然人姓名隐去名、保留姓：mou（张某某）、stars（张**）、surname（张某）。", _style),
)


def register() -> None:
    add(*PARAMETERS_OF_PUBLICITY)
