"""Penalty kinds (《行政处罚法》第九条) and the mapping of regulation wording onto them.

The statute lists six groups; regulations name the same kinds in their own words ("吊销许可证",
"责令停业整顿"). Every catalog item stores the kinds as :class:`PenaltyKind` codes so that rules
(hearing, legal review, summary procedure) can reason about them. Orders to correct (责令改正,
Art 28), 取缔, 查封 and 扣押 are *not* penalties: :func:`kind_from_wording` refuses them with the
reason, and :data:`MEASURE_WORDS` names them so the catalog can keep them as measures.

The procedure rules that depend on the kinds live here too, each returning a :class:`Decision`
(result, basis, reasons): :func:`summary_eligible` (Art 51), :func:`on_the_spot_collection_allowed`
(Art 68–69), :func:`hearing_required` (Art 63, thresholds as policy) and :func:`review_required`
(Art 58 and the agency's 重大执法决定目录). :data:`KIND_SEVERITY` orders the kinds for comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from .citations import XZCFF
from .errors import Citation, RuleViolation
from .fines import yuan

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


# --- Severity ------------------------------------------------------------------------------------

# How heavy each kind is, lightest first. Art 9 lists the kinds by group (声誉罚, 财产罚, 资格罚, 行为罚,
# 人身罚) but does not rank them, so this order is a documented choice of this module, used where two
# sets of kinds must be compared (the lex mitior comparison of 《行政处罚法》第三十七条, temporal.py):
#   警告 < 通报批评 < 罚款 < 没收违法所得 < 没收非法财物 < 限制开展生产经营活动 < 暂扣许可证件
#   < 降低资质等级 < 限制从业 < 责令停产停业 < 吊销许可证件 < 责令关闭 < 行政拘留.
# The regulations' own ladders agree with it: "责令停业整顿，直至吊销许可证" (网吧条例第三十一条),
# "限制开展生产经营活动、责令限期停业整顿或者降低资质等级直至吊销许可证" (出版管理条例 2024).
# 吊销 and 责令关闭 end an activity and are the heaviest kinds a culture agency imposes; 行政拘留
# restricts personal freedom and is heavier still, but only the police impose it (Art 18(3)).
# 其他行政处罚 (OTHER) has no place: its weight depends on what the law names, so it is unranked.
KIND_SEVERITY: dict[PenaltyKind, int] = {
    PenaltyKind.WARNING: 1,
    PenaltyKind.CRITICISM: 2,
    PenaltyKind.FINE: 3,
    PenaltyKind.CONFISCATE_GAINS: 4,
    PenaltyKind.CONFISCATE_PROPERTY: 5,
    PenaltyKind.RESTRICT_BUSINESS: 6,
    PenaltyKind.SUSPEND_LICENCE: 7,
    PenaltyKind.DOWNGRADE: 8,
    PenaltyKind.BAN_PRACTICE: 9,
    PenaltyKind.SUSPEND_BUSINESS: 10,
    PenaltyKind.REVOKE_LICENCE: 11,
    PenaltyKind.CLOSE: 12,
    PenaltyKind.DETENTION: 13,
}


def heaviest_kind(kinds: Iterable[PenaltyKind]) -> PenaltyKind | None:
    """The heaviest kind by :data:`KIND_SEVERITY` (``None`` for no kinds). Refuses OTHER, which is unranked."""
    ranked = []
    for kind in kinds:
        if kind not in KIND_SEVERITY:
            raise RuleViolation("penalty_kind_unranked", f"“{KIND_LABELS[kind]}”无法与其他处罚种类比较轻重",
                                "kinds", [ART_9])
        ranked.append(kind)
    return max(ranked, key=KIND_SEVERITY.__getitem__, default=None)


# --- Procedure decisions (summary procedure, collection on the spot, hearing, legal review) --------

ART_51 = Citation(XZCFF, "第五十一条",
                  "违法事实确凿并有法定依据，对公民处以二百元以下、对法人或者其他组织处以三千元以下罚款或者警告的"
                  "行政处罚的，可以当场作出行政处罚决定；法律另有规定的，从其规定")
ART_63 = Citation(XZCFF, "第六十三条", "拟作出较重行政处罚决定的，应当告知当事人有要求听证的权利")
ART_68 = Citation(XZCFF, "第六十八条",
                  "依照第五十一条当场作出行政处罚决定，依法给予一百元以下罚款或者不当场收缴事后难以执行的，"
                  "执法人员可以当场收缴罚款")
ART_69 = Citation(XZCFF, "第六十九条",
                  "在边远、水上、交通不便地区，当事人到指定银行或者通过电子支付系统缴纳罚款确有困难，经当事人提出，"
                  "可以当场收缴罚款")
ART_70 = Citation(XZCFF, "第七十条", "当场收缴罚款的，必须向当事人出具专用票据；不出具的，当事人有权拒绝缴纳")
ART_58_REVIEW = Citation(XZCFF, "第五十八条",
                         "法制审核情形：涉及重大公共利益；直接关系当事人或者第三人重大权益，经过听证程序；"
                         "案件情况疑难复杂、涉及多个法律关系；法律、法规规定的其他情形")
GBF_118_REVIEW = Citation(
    "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
    "（国办发〔2018〕118号）", "", "行政执法机关应当结合本机关行政执法行为的类别、执法层级、所属领域、涉案金额等，"
    "确定重大执法决定法制审核目录清单（节次未核实，law.md §2.3）")

PERSON, ORGANISATION = "person", "organisation"
PARTY_LABELS = {PERSON: "公民", ORGANISATION: "法人或者其他组织"}

SUMMARY_FINE_LIMIT = {PERSON: Decimal(200), ORGANISATION: Decimal(3000)}  # Art 51
SPOT_COLLECTION_LIMIT = Decimal(100)  # Art 68(1)
CONFISCATION_KINDS = frozenset({PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY})


@dataclass(frozen=True)
class Decision:
    """A yes/no answer of a rule with the articles that decide it and the reasons, in Chinese."""

    result: bool
    basis: tuple[Citation, ...] = ()
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"result": self.result, "basis": [str(c) for c in self.basis], "reasons": list(self.reasons)}


def _party(party: str, basis: Citation) -> str:
    if party not in PARTY_LABELS:
        raise RuleViolation("party_invalid",
                            "当事人类型（party）只能是 person（公民）或 organisation（法人或者其他组织）",
                            "party", [basis])
    return party


def _kinds(kinds: PenaltyKind | str | Iterable[PenaltyKind | str], basis: Citation) -> frozenset[PenaltyKind]:
    items = [kinds] if isinstance(kinds, str) else list(kinds)
    out = set()
    for item in items:
        try:
            out.add(PenaltyKind(item))
        except ValueError:
            raise RuleViolation("penalty_kind_unknown", f"处罚种类（kinds）无法识别：“{item}”", "kinds",
                                [ART_9]) from None
    if not out:
        raise RuleViolation("penalty_kinds_missing", "须提供拟作出的处罚种类（kinds）", "kinds", [basis])
    return frozenset(out)


def _amount(value: Any, field: str, basis: Citation) -> Decimal | None:
    """A money amount in yuan (Decimal, int or numeric string); ``None`` passes through."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise RuleViolation("amount_invalid", f"{field} 应为金额（元）", field, [basis])
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise RuleViolation("amount_invalid", f"{field} 应为金额（元）", field, [basis]) from None
    if not amount.is_finite() or amount < 0:
        raise RuleViolation("amount_invalid", f"{field} 应为不小于 0 的金额（元）", field, [basis])
    return amount


def _fine(kinds: frozenset[PenaltyKind], fine_amount: Any, basis: Citation) -> Decimal | None:
    """The fine amount, required exactly when the kinds include a fine (and then more than 0)."""
    amount = _amount(fine_amount, "fine_amount", basis)
    if PenaltyKind.FINE in kinds:
        if amount is None or amount == 0:
            raise RuleViolation("fine_amount_missing", "处罚种类含罚款，须提供大于 0 的罚款金额（fine_amount）",
                                "fine_amount", [basis])
    elif amount:
        raise RuleViolation("fine_without_kind", "提供了罚款金额（fine_amount），但处罚种类（kinds）不含罚款",
                            "fine_amount", [basis])
    return amount


def _confiscation(kinds: frozenset[PenaltyKind], confiscation_amount: Any, basis: Citation) -> Decimal | None:
    """The value confiscated (违法所得 plus 非法财物), required exactly when the kinds include a confiscation."""
    amount = _amount(confiscation_amount, "confiscation_amount", basis)
    if kinds & CONFISCATION_KINDS:
        if amount is None:
            raise RuleViolation("confiscation_amount_missing",
                                "处罚种类含没收，须提供没收违法所得或者非法财物的数额、价值（confiscation_amount）",
                                "confiscation_amount", [basis])
    elif amount:
        raise RuleViolation("confiscation_without_kind",
                            "提供了没收数额（confiscation_amount），但处罚种类（kinds）不含没收", "confiscation_amount",
                            [basis])
    return amount


def _labels(kinds: Iterable[PenaltyKind]) -> str:
    return "、".join(KIND_LABELS[k] for k in sorted(kinds, key=list(PenaltyKind).index))


def summary_eligible(party: str, kinds: PenaltyKind | str | Iterable[PenaltyKind | str],
                     fine_amount: Decimal | int | str | None = None, *, facts_established: bool = True) -> Decision:
    """May the penalty be decided on the spot under the summary procedure? (《行政处罚法》第五十一条)

    Only when the facts are conclusive and have a legal basis (``facts_established``) and the penalty is a
    warning, or a fine of 200 yuan or less for a citizen (``party="person"``) or 3000 yuan or less for a legal
    person or other organisation (``party="organisation"``). "以下" includes the amount itself. Any other kind
    (通报批评, 没收, 暂扣, 停业 …) takes the general procedure. A warning together with a fine within the limit is
    treated as eligible, because each kind is one Art 51 allows (a documented reading: the article says "罚款或者
    警告"). "法律另有规定的，从其规定" is not modelled: a special law must be applied by the officer.
    """
    party = _party(party, ART_51)
    kinds = _kinds(kinds, ART_51)
    amount = _fine(kinds, fine_amount, ART_51)
    reasons: list[str] = []
    ok = True
    if not facts_established:
        ok = False
        reasons.append("违法事实尚未确凿或者缺少法定依据，不适用简易程序")
    others = kinds - {PenaltyKind.WARNING, PenaltyKind.FINE}
    if others:
        ok = False
        reasons.append(f"拟作出的处罚含{_labels(others)}，简易程序只适用于警告或者小额罚款")
    if amount is not None:
        limit = SUMMARY_FINE_LIMIT[party]
        if amount > limit:
            ok = False
            reasons.append(f"对{PARTY_LABELS[party]}罚款{yuan(amount)}，超过当场处罚限额{yuan(limit)}")
        else:
            reasons.append(f"对{PARTY_LABELS[party]}罚款{yuan(amount)}，不超过当场处罚限额{yuan(limit)}")
    if PenaltyKind.WARNING in kinds:
        reasons.append("警告可以适用简易程序")
    if ok:
        reasons.append("符合当场作出行政处罚决定的条件")
    return Decision(ok, (ART_51,), tuple(reasons))


def on_the_spot_collection_allowed(fine_amount: Decimal | int | str, hard_to_enforce: bool = False,
                                   remote_area: bool = False, party_requests: bool = False, *,
                                   summary: bool = True) -> Decision:
    """May the officer collect the fine on the spot? (《行政处罚法》第六十八条、第六十九条)

    Art 68: after a summary decision (``summary``, Art 51), for a fine of 100 yuan or less, or where it would
    be hard to enforce later (``hard_to_enforce``). Art 69: in remote, waterborne or poorly connected areas
    (``remote_area``), after a summary or general-procedure decision, when paying at the bank or
    electronically is genuinely difficult and the party asks (``party_requests``). Otherwise the separation
    of decision and collection applies (Art 67). When allowed, a fiscal receipt is required (Art 70).
    """
    amount = _amount(fine_amount, "fine_amount", ART_68)
    if amount is None or amount == 0:
        raise RuleViolation("fine_amount_missing", "须提供大于 0 的罚款金额（fine_amount）", "fine_amount", [ART_68])
    reasons: list[str] = []
    basis: list[Citation] = [ART_68]
    ok = False
    if summary:
        if amount <= SPOT_COLLECTION_LIMIT:
            ok = True
            reasons.append(f"当场处罚罚款{yuan(amount)}，不超过{yuan(SPOT_COLLECTION_LIMIT)}，可以当场收缴")
        else:
            reasons.append(f"罚款{yuan(amount)}超过{yuan(SPOT_COLLECTION_LIMIT)}")
        if hard_to_enforce:
            ok = True
            reasons.append("不当场收缴事后难以执行，可以当场收缴")
    else:
        reasons.append("非当场作出的处罚决定，不适用第六十八条")
    if remote_area:
        basis.append(ART_69)
        if party_requests:
            ok = True
            reasons.append("在边远、水上、交通不便地区，当事人到银行或者电子支付缴纳确有困难并提出，可以当场收缴")
        else:
            reasons.append("在边远、水上、交通不便地区，但当事人未提出当场缴纳")
    if ok:
        basis.append(ART_70)
        reasons.append("当场收缴须出具专用票据")
    else:
        reasons.append("应当由当事人到指定银行或者通过电子支付系统缴纳（罚缴分离，第六十七条）")
    return Decision(ok, tuple(basis), tuple(reasons))


@dataclass(frozen=True)
class HearingThresholds:
    """The "较大数额" of Art 63(1)(2): policy set by provincial or departmental rules (law.md §1.12 [U]).

    Amounts at or above a threshold are "较大数额". The catalog side supplies the values in force.
    """

    person_fine: Decimal
    organisation_fine: Decimal
    person_confiscation: Decimal
    organisation_confiscation: Decimal

    def fine(self, party: str) -> Decimal:
        return self.person_fine if party == PERSON else self.organisation_fine

    def confiscation(self, party: str) -> Decimal:
        return self.person_confiscation if party == PERSON else self.organisation_confiscation


def hearing_required(party: str, kinds: PenaltyKind | str | Iterable[PenaltyKind | str],
                     fine_amount: Decimal | int | str | None, confiscation_amount: Decimal | int | str | None,
                     thresholds: HearingThresholds, other_rule: bool = False, *, other_heavy: bool = False) -> Decision:
    """Must the party be told of the right to a hearing? (《行政处罚法》第六十三条)

    Triggers: (一) a fine at or above the threshold (较大数额罚款); (二) confiscation of gains or property whose
    amount or value is at or above the threshold; (三) 降低资质等级, 吊销许可证件; (四) 责令停产停业, 责令关闭,
    限制从业; (五) another heavy penalty (``other_heavy``: the agency's judgement, e.g. for 暂扣许可证件 or
    限制开展生产经营活动, which the article does not list); (六) another case set by a law, regulation or rule
    (``other_rule``). The thresholds are policy ([U], law.md §1.12). ``reasons`` lists every trigger found.
    """
    party = _party(party, ART_63)
    kinds = _kinds(kinds, ART_63)
    fine = _fine(kinds, fine_amount, ART_63)
    confiscation = _confiscation(kinds, confiscation_amount, ART_63)
    reasons: list[str] = []
    if fine is not None:
        limit = thresholds.fine(party)
        if fine >= limit:
            reasons.append(f"较大数额罚款：对{PARTY_LABELS[party]}罚款{yuan(fine)}，达到{yuan(limit)}（第一项）")
    if confiscation is not None:
        limit = thresholds.confiscation(party)
        if confiscation >= limit:
            reasons.append(f"没收较大数额违法所得或者较大价值非法财物：{yuan(confiscation)}，达到{yuan(limit)}（第二项）")
    licence = kinds & {PenaltyKind.DOWNGRADE, PenaltyKind.REVOKE_LICENCE}
    if licence:
        reasons.append(f"{_labels(licence)}（第三项）")
    business = kinds & {PenaltyKind.SUSPEND_BUSINESS, PenaltyKind.CLOSE, PenaltyKind.BAN_PRACTICE}
    if business:
        reasons.append(f"{_labels(business)}（第四项）")
    if other_heavy:
        reasons.append("其他较重的行政处罚（第五项）")
    if other_rule:
        reasons.append("法律、法规、规章规定的其他情形（第六项）")
    required = bool(reasons)
    unlisted = kinds & {PenaltyKind.SUSPEND_LICENCE, PenaltyKind.RESTRICT_BUSINESS}
    if unlisted and not other_heavy:
        reasons.append(f"{_labels(unlisted)}未在第六十三条列明，是否属于“其他较重的行政处罚”由机关判断")
    if not required:
        reasons.insert(0, "不属于第六十三条规定的应当告知听证权利的情形")
    return Decision(required, (ART_63,), tuple(reasons))


@dataclass(frozen=True)
class ReviewCatalogue:
    """An agency's 重大执法决定法制审核目录 (国办发〔2018〕118号; policy, law.md §2.3).

    Money thresholds are "at or above" (``None``: the catalogue has no such ground); ``kinds`` are penalty
    kinds that are always major; ``after_hearing``: decisions after a hearing are major; ``outside_benchmark``:
    减轻 or heavier penalties outside the discretion benchmark are major.
    """

    person_fine: Decimal | None
    organisation_fine: Decimal | None
    person_confiscation: Decimal | None
    organisation_confiscation: Decimal | None
    kinds: frozenset[PenaltyKind] = frozenset()
    after_hearing: bool = False
    outside_benchmark: bool = False
    source: str = "本机关重大执法决定法制审核目录"

    def fine(self, party: str) -> Decimal | None:
        return self.person_fine if party == PERSON else self.organisation_fine

    def confiscation(self, party: str) -> Decimal | None:
        return self.person_confiscation if party == PERSON else self.organisation_confiscation


# The local example law.md §2.3 cites ([V:PAGE http://public.gongyishi.gov.cn/D49Y/9628990.jhtml]); not a
# national or MCT figure. "Equivalent confiscations" is read as the same thresholds.
LOCAL_EXAMPLE_CATALOGUE = ReviewCatalogue(
    person_fine=Decimal(10000), organisation_fine=Decimal(100000),
    person_confiscation=Decimal(10000), organisation_confiscation=Decimal(100000),
    kinds=frozenset({PenaltyKind.SUSPEND_BUSINESS, PenaltyKind.REVOKE_LICENCE}),
    after_hearing=True, outside_benchmark=True,
    source="地方重大执法决定法制审核目录示例（law.md §2.3，非国家标准）",
)


def review_required(party: str, kinds: PenaltyKind | str | Iterable[PenaltyKind | str],
                    fine_amount: Decimal | int | str | None, confiscation_amount: Decimal | int | str | None, *,
                    catalogue: ReviewCatalogue, hearing_held: bool = False, major_public_interest: bool = False,
                    complex_case: bool = False, other_law: bool = False,
                    outside_benchmark: bool = False) -> Decision:
    """Must the decision pass 法制审核 before the head decides? (《行政处罚法》第五十八条; 国办发〔2018〕118号)

    Art 58: (一) major public interest (``major_public_interest``); (二) directly affects major interests of
    the party or a third party **and** went through a hearing: ``hearing_held`` is taken as this ground,
    since a hearing is only held for the heavy penalties of Art 63 (law.md §1.12); (三) difficult or complex,
    several legal relationships (``complex_case``); (四) another law or regulation requires it (``other_law``).
    Then the agency's own catalogue (118号: each agency lists its major decisions): money thresholds,
    kinds, decisions after a hearing, penalties outside the benchmark (``outside_benchmark``: 减轻 or beyond
    the benchmark). No decision may be made without a passed review (Art 58). ``reasons`` lists every ground.
    """
    party = _party(party, ART_58_REVIEW)
    kinds = _kinds(kinds, ART_58_REVIEW)
    fine = _fine(kinds, fine_amount, ART_58_REVIEW)
    confiscation = _confiscation(kinds, confiscation_amount, ART_58_REVIEW)
    statutory: list[str] = []
    if major_public_interest:
        statutory.append("涉及重大公共利益（第五十八条第一款第一项）")
    if hearing_held:
        statutory.append("直接关系当事人或者第三人重大权益，经过听证程序（第五十八条第一款第二项）")
    if complex_case:
        statutory.append("案件情况疑难复杂、涉及多个法律关系（第五十八条第一款第三项）")
    if other_law:
        statutory.append("法律、法规规定应当进行法制审核（第五十八条第一款第四项）")
    listed: list[str] = []
    limit = catalogue.fine(party)
    if fine is not None and limit is not None and fine >= limit:
        listed.append(f"目录：对{PARTY_LABELS[party]}罚款{yuan(fine)}，达到{yuan(limit)}")
    limit = catalogue.confiscation(party)
    if confiscation is not None and limit is not None and confiscation >= limit:
        listed.append(f"目录：没收违法所得或者非法财物{yuan(confiscation)}，达到{yuan(limit)}")
    major_kinds = kinds & catalogue.kinds
    if major_kinds:
        listed.append(f"目录：{_labels(major_kinds)}")
    if catalogue.after_hearing and hearing_held:
        listed.append("目录：经过听证程序的处罚决定")
    if catalogue.outside_benchmark and outside_benchmark:
        listed.append("目录：减轻处罚或者超出裁量基准作出的处罚决定")
    basis: list[Citation] = [ART_58_REVIEW]
    if listed:
        basis.append(GBF_118_REVIEW)
        basis.append(Citation(catalogue.source))
    reasons = statutory + listed
    if reasons:
        reasons.append("未经法制审核或者审核未通过的，不得作出决定")
    else:
        reasons.append("不属于第五十八条或者本机关重大执法决定目录规定的法制审核情形")
    return Decision(bool(statutory or listed), tuple(basis), tuple(reasons))
