"""Penalty kinds (《行政处罚法》第九条) and the mapping of regulation wording onto them.

The statute lists six groups; regulations name the same kinds in their own words ("吊销许可证",
"责令停业整顿"). Every catalog item stores the kinds as :class:`PenaltyKind` codes so that rules
(hearing, legal review, summary procedure) can reason about them. Orders to correct (责令改正,
Art 28), 取缔, 查封 and 扣押 are *not* penalties: :func:`kind_from_wording` refuses them with the
reason, and :data:`MEASURE_WORDS` names them so the catalog can keep them as measures.
"""

from __future__ import annotations

from enum import StrEnum

from .citations import XZCFF
from .errors import Citation, RuleViolation

ART_9 = Citation(XZCFF, "第九条", "行政处罚的种类")
ART_18_3 = Citation(XZCFF, "第十八条第三款", "限制人身自由的行政处罚权只能由公安机关和法律规定的其他机关行使")
ART_28 = Citation(XZCFF, "第二十八条", "实施行政处罚时，应当责令当事人改正或者限期改正违法行为")


class PenaltyKind(StrEnum):
    """The kinds of 《行政处罚法》第九条, in the order of the article."""

    WARNING = "warning"  # 警告
    CRITICISM = "criticism"  # 通报批评
    FINE = "fine"  # 罚款
    CONFISCATE_GAINS = "confiscate_gains"  # 没收违法所得
    CONFISCATE_PROPERTY = "confiscate_property"  # 没收非法财物
    SUSPEND_LICENCE = "suspend_licence"  # 暂扣许可证件
    DOWNGRADE = "downgrade"  # 降低资质等级
    REVOKE_LICENCE = "revoke_licence"  # 吊销许可证件
    RESTRICT_BUSINESS = "restrict_business"  # 限制开展生产经营活动
    SUSPEND_BUSINESS = "suspend_business"  # 责令停产停业（条例用语：责令停业整顿）
    CLOSE = "close"  # 责令关闭
    BAN_PRACTICE = "ban_practice"  # 限制从业
    DETENTION = "detention"  # 行政拘留（公安机关专属）
    OTHER = "other"  # 法律、行政法规规定的其他行政处罚


KIND_LABELS: dict[PenaltyKind, str] = {
    PenaltyKind.WARNING: "警告",
    PenaltyKind.CRITICISM: "通报批评",
    PenaltyKind.FINE: "罚款",
    PenaltyKind.CONFISCATE_GAINS: "没收违法所得",
    PenaltyKind.CONFISCATE_PROPERTY: "没收非法财物",
    PenaltyKind.SUSPEND_LICENCE: "暂扣许可证件",
    PenaltyKind.DOWNGRADE: "降低资质等级",
    PenaltyKind.REVOKE_LICENCE: "吊销许可证件",
    PenaltyKind.RESTRICT_BUSINESS: "限制开展生产经营活动",
    PenaltyKind.SUSPEND_BUSINESS: "责令停产停业",
    PenaltyKind.CLOSE: "责令关闭",
    PenaltyKind.BAN_PRACTICE: "限制从业",
    PenaltyKind.DETENTION: "行政拘留",
    PenaltyKind.OTHER: "其他行政处罚",
}

# The six groups of Art 9 (第一项 … 第六项).
KIND_GROUP: dict[PenaltyKind, int] = {
    PenaltyKind.WARNING: 1, PenaltyKind.CRITICISM: 1,
    PenaltyKind.FINE: 2, PenaltyKind.CONFISCATE_GAINS: 2, PenaltyKind.CONFISCATE_PROPERTY: 2,
    PenaltyKind.SUSPEND_LICENCE: 3, PenaltyKind.DOWNGRADE: 3, PenaltyKind.REVOKE_LICENCE: 3,
    PenaltyKind.RESTRICT_BUSINESS: 4, PenaltyKind.SUSPEND_BUSINESS: 4, PenaltyKind.CLOSE: 4,
    PenaltyKind.BAN_PRACTICE: 4,
    PenaltyKind.DETENTION: 5,
    PenaltyKind.OTHER: 6,
}

# Regulation wording → kind. Longest match wins, so "吊销许可证" and "吊销《网络文化经营许可证》" both map.
WORDING: dict[str, PenaltyKind] = {
    "警告": PenaltyKind.WARNING,
    "通报批评": PenaltyKind.CRITICISM,
    "罚款": PenaltyKind.FINE,
    "没收违法所得": PenaltyKind.CONFISCATE_GAINS,
    "没收非法财物": PenaltyKind.CONFISCATE_PROPERTY,
    "没收": PenaltyKind.CONFISCATE_PROPERTY,  # 没收专用工具、设备 / 没收违法出版物 …
    "暂扣许可证件": PenaltyKind.SUSPEND_LICENCE,
    "暂扣许可证": PenaltyKind.SUSPEND_LICENCE,
    "暂扣": PenaltyKind.SUSPEND_LICENCE,
    "降低资质等级": PenaltyKind.DOWNGRADE,
    "吊销许可证件": PenaltyKind.REVOKE_LICENCE,
    "吊销许可证": PenaltyKind.REVOKE_LICENCE,
    "吊销": PenaltyKind.REVOKE_LICENCE,  # 吊销《网络文化经营许可证》/ 吊销旅行社业务经营许可证 …
    "限制开展生产经营活动": PenaltyKind.RESTRICT_BUSINESS,
    "责令停产停业": PenaltyKind.SUSPEND_BUSINESS,
    "责令停业整顿": PenaltyKind.SUSPEND_BUSINESS,
    "停业整顿": PenaltyKind.SUSPEND_BUSINESS,
    "责令停业": PenaltyKind.SUSPEND_BUSINESS,
    "责令关闭": PenaltyKind.CLOSE,
    "限制从业": PenaltyKind.BAN_PRACTICE,
    "行政拘留": PenaltyKind.DETENTION,
}

# Words that regulations put next to penalties but that are not penalties.
MEASURE_WORDS: dict[str, Citation] = {
    "责令改正": ART_28,
    "责令限期改正": ART_28,
    "取缔": Citation(XZCFF, "第九条", "取缔不是行政处罚种类，是行政措施"),
    "查封": Citation("《中华人民共和国行政强制法》", "第九条", "查封场所、设施或者财物是行政强制措施"),
    "扣押": Citation("《中华人民共和国行政强制法》", "第九条", "扣押财物是行政强制措施"),
}


def kind_from_wording(text: str) -> PenaltyKind:
    """The Art 9 kind a regulation's wording names (e.g. "责令停业整顿" → SUSPEND_BUSINESS).

    Refuses words that are measures rather than penalties (Art 28 责令改正; 取缔、查封、扣押) and
    words that name no kind, with the reason and the article.
    """
    word = (text or "").strip()
    for measure, basis in MEASURE_WORDS.items():
        if word.startswith(measure):
            raise RuleViolation("not_a_penalty", f"“{word}”不是行政处罚种类，应作为措施记录", "penalties", [basis])
    for wording in sorted(WORDING, key=len, reverse=True):
        if word.startswith(wording) or word == wording:
            return WORDING[wording]
    try:
        return PenaltyKind(word)
    except ValueError:
        raise RuleViolation("penalty_kind_unknown", f"无法识别的处罚种类：“{word}”", "penalties", [ART_9]) from None
