"""Discretion (裁量): facts + item + benchmark → outcome, ranges, penalty kinds and the reasons.

The data shapes below are the contract between this module, the catalog app (which builds
:class:`ItemRule`, :class:`Benchmark` and :class:`NoPenaltyEntry` from its rows) and the
``zhifa law discretion`` command. :func:`assess` walks the statute in order and records every step
with its article:

1. capacity — 《行政处罚法》第三十条 (age on the date of the act) and 第三十一条 (mental state);
2. no penalty — 第三十三条: no subjective fault; 轻微 + 及时改正 + 无危害后果 (mandatory); a 免罚清单
   entry whose conditions all hold; 首违 + 后果轻微 + 及时改正 ("可以不予处罚", offered as an alternative);
3. circumstances — 第三十条、第三十二条 mandatory 从轻/减轻 grounds, 第三十一条 partial capacity, the
   benchmark's mitigating and aggravating factors, repeat offences in the window, serious harm, and the
   regulations' own repeat-offence escalations (法定升格, :class:`Escalation`: e.g. 《营业性演出管理条例》
   第五十三条第三款 "应当从重处罚", 《娱乐场所管理条例》第五十三条第三款 责令停业整顿 / 吊销);
4. the outcome (减轻 / 从轻 / 一般 / 从重), the statutory range (:func:`zhifa.law.fines.statutory_range`)
   and the recommended range from the benchmark's bands (第三十四条; 第五条 过罚相当);
5. the penalty kinds: 并处 (mandatory) and 可以并处 (optional), and those for 情节严重.

Invariants (tested): 从重 never exceeds the statutory maximum; nothing goes below the statutory
minimum except 减轻 with its legal ground (第三十条、第三十一条、第三十二条 or a sector rule); every
不予处罚 requires an education record (第三十三条第三款) and carries no penalty kind and no range.

Pure Python, no Django. Money is :class:`~decimal.Decimal` yuan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from .capacity import completed_age
from .citations import XZCFF
from .errors import Citation, RuleViolation
from .fines import CENT, Base, FineRange, FineRule, RuleType, statutory_range, yuan
from .penalties import KIND_LABELS, PenaltyKind

# -- the articles this module applies ---------------------------------------------------------------

ART_5 = Citation(XZCFF, "第五条第二款",
                 "实施行政处罚必须以事实为依据，与违法行为的事实、性质、情节以及社会危害程度相当")
ART_29 = Citation(XZCFF, "第二十九条",
                  "同一个违法行为违反多个法律规范应当给予罚款处罚的，按照罚款数额高的规定处罚")
ART_30 = Citation(XZCFF, "第三十条",
                  "不满十四周岁的不予行政处罚，责令监护人加以管教；已满十四周岁不满十八周岁的应当从轻或者减轻行政处罚")
ART_31 = Citation(XZCFF, "第三十一条",
                  "不能辨认或者不能控制自己行为时不予行政处罚；间歇性精神病人在精神正常时应当给予行政处罚；"
                  "尚未完全丧失辨认或者控制自己行为能力的，可以从轻或者减轻行政处罚")
ART_32 = Citation(XZCFF, "第三十二条", "应当从轻或者减轻行政处罚的情形")
ART_32_1 = Citation(XZCFF, "第三十二条第（一）项", "主动消除或者减轻违法行为危害后果")
ART_32_2 = Citation(XZCFF, "第三十二条第（二）项", "受他人胁迫或者诱骗实施违法行为")
ART_32_3 = Citation(XZCFF, "第三十二条第（三）项", "主动供述行政机关尚未掌握的违法行为")
ART_32_4 = Citation(XZCFF, "第三十二条第（四）项", "配合行政机关查处违法行为有立功表现")
ART_32_5 = Citation(XZCFF, "第三十二条第（五）项", "法律、法规、规章规定其他应当从轻或者减轻行政处罚的")
ART_33_1 = Citation(XZCFF, "第三十三条第一款",
                    "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚；"
                    "初次违法且危害后果轻微并及时改正的，可以不予行政处罚")
ART_33_2 = Citation(XZCFF, "第三十三条第二款",
                    "当事人有证据足以证明没有主观过错的，不予行政处罚；法律、行政法规另有规定的，从其规定")
ART_33_3 = Citation(XZCFF, "第三十三条第三款", "依法不予行政处罚的，行政机关应当对当事人进行教育")
ART_34 = Citation(XZCFF, "第三十四条", "行政机关可以依法制定行政处罚裁量基准，并向社会公布")
MINORS_AGE_RULE = Citation("最高人民法院《关于审理未成年人刑事案件具体应用法律若干问题的解释》", "第二条",
                           "周岁从周岁生日的第二天起算；本系统类推适用于行政处罚")
MCT_DISCRETION = Citation("《文化市场综合执法行政处罚裁量权适用办法》", "",
                          "文旅综执发〔2021〕11号；情节列举为通行做法，条号未核实")
PUBLICATION_ART_69 = Citation("《出版管理条例》", "第六十九条",
                              "说明或者指认非法出版物来源经查证属实的，没收出版物、违法所得，可以减轻或者免除其他行政处罚")

# The grounds that let a penalty go below the statutory minimum (减轻): 行政处罚法 Art 30–32 and sector rules.
LEGAL_GROUNDS = (ART_30, ART_31, ART_32_1, ART_32_2, ART_32_3, ART_32_4, ART_32_5)


class Outcome(StrEnum):
    """裁量阶次, lightest first."""

    NO_PENALTY = "no_penalty"  # 不予处罚
    MITIGATED = "mitigated"  # 减轻处罚
    LIGHTER = "lighter"  # 从轻处罚
    GENERAL = "general"  # 一般处罚
    HEAVIER = "heavier"  # 从重处罚


OUTCOME_LABELS = {
    Outcome.NO_PENALTY: "不予处罚",
    Outcome.MITIGATED: "减轻处罚",
    Outcome.LIGHTER: "从轻处罚",
    Outcome.GENERAL: "一般处罚",
    Outcome.HEAVIER: "从重处罚",
}

# Lightest first: compare outcomes with OUTCOME_ORDER[a] < OUTCOME_ORDER[b].
OUTCOME_ORDER = {outcome: i for i, outcome in enumerate(Outcome)}

# The outcomes a benchmark band exists for.
BAND_OUTCOMES = (Outcome.LIGHTER, Outcome.GENERAL, Outcome.HEAVIER)
# The shapes of a statutory range (see Benchmark).
SHAPES = ("range", "max_only", "multiple")
SHAPE_LABELS = {"range": "有上下限的幅度", "max_only": "仅有上限的幅度（“……以下”）", "multiple": "倍数罚款"}


class KindMode(StrEnum):
    MANDATORY = "mandatory"  # 应当给予 / 并处
    OPTIONAL = "optional"  # 可以并处
    SERIOUS = "serious"  # 情节严重的 / 拒不改正的 …（责令停业整顿、吊销 …）


@dataclass(frozen=True)
class KindRule:
    """One penalty kind of an item and how the clause imposes it.

    Optional qualifiers (the catalog's ``kinds`` JSON carries them under the same names):
    ``mode_below_threshold`` — the mode below a tiered fine's threshold (出版管理条例第六十二条: "不足1万元的，
    可以处"); ``alternative_group`` — kinds joined by "或者" share a group and only one of them is given;
    ``applies_to`` — ``"responsible_persons"`` for kinds imposed on 直接负责的主管人员和其他直接责任人员
    rather than the party; ``authority`` — another authority imposes it (the county bureau does not);
    ``escalation`` — the code of one of the item's :class:`Escalation` rows: the kind is imposed only
    when that escalation's conditions are met (《营业性演出管理条例》第四十七条: 2年内再次被公布的，吊销).
    """

    kind: PenaltyKind
    mode: KindMode
    note: str = ""  # e.g. "情节严重的，责令停业整顿直至吊销许可证"
    mode_below_threshold: KindMode | None = None
    alternative_group: str = ""
    applies_to: str = ""
    authority: str = ""
    escalation: str = ""


# -- the regulations' own repeat-offence escalations (法定升格) ---------------------------------------

# What the earlier penalties in the window must have been, as the regulations count them.
PRIOR_KINDS: dict[str, str] = {
    "any": "受到行政处罚",  # 《营业性演出管理条例》第五十三条第三款: 2年内2次受到行政处罚
    "warning_or_fine": "被处以警告或者罚款",  # 《娱乐场所管理条例》第五十三条第三款: 2年内被处以3次警告或者罚款
    "suspend_business": "被责令停业整顿",  # 同款: 2年内被2次责令停业整顿
    "named": "被向社会公布",  # 《营业性演出管理条例》第四十七条第一款: 2年内再次被公布
}
ESCALATION_EFFECTS: dict[str, str] = {
    "heavier": "应当从重处罚",
    "kinds": "应当给予规定的处罚种类",
}
CIVIL_CODE_PERIODS = Citation("《中华人民共和国民法典》", "第二百零一条、第二百零二条",
                              "按照年计算期间的，开始的当日不计入，自下一日开始计算；到期月的对应日为期间的最后一日，"
                              "没有对应日的，为月末日；本系统类推用于计算“2年内”")


@dataclass(frozen=True)
class Escalation:
    """A repeat-offence escalation that a regulation itself lays down for its violations (法定升格).

    Met when, within ``window_years`` before the act, the party had at least ``prior_count`` earlier
    penalties of ``prior_kind`` (:data:`PRIOR_KINDS`) and now commits a violation that is punishable
    (the 不予处罚 paths of 《行政处罚法》第三十条、第三十一条、第三十三条 come first). ``effect``:

    * ``"heavier"`` — a mandatory aggravating circumstance (应当从重处罚, 《营业性演出管理条例》第五十三条
      第三款): the outcome is 从重 unless a mandatory legal mitigating ground (第三十条、第三十二条) also
      exists, then 一般 with a warning that 法制审核 decides;
    * ``"kinds"`` — ``kinds`` become mandatory (《娱乐场所管理条例》第五十三条第三款: 责令停业整顿3个月至
      6个月; 吊销娱乐经营许可证), the detail (duration, which authority) in ``note``.

    ``party`` limits it to ``"person"`` or ``"organisation"`` (empty: both); ``supersedes`` names
    escalations of the same item it replaces when both are met (吊销 replaces 停业整顿 on the higher rung
    of the same paragraph); ``verified`` says whether the wording was read in the regulation's text.
    """

    code: str
    label: str
    window_years: int
    prior_count: int
    prior_kind: str
    effect: str
    kinds: tuple[PenaltyKind, ...]
    basis: Citation
    note: str = ""
    party: str = ""
    supersedes: tuple[str, ...] = ()
    verified: bool = True
    source_ref: str = ""

    def to_json(self) -> dict[str, Any]:
        return escalation_to_json(self)


@dataclass(frozen=True)
class ItemRule:
    """An enforcement item as the rules see it (built by the catalog from its rows)."""

    code: str
    name: str
    penalty_basis: Citation
    kinds: tuple[KindRule, ...]
    fine: FineRule | None = None
    violated_basis: tuple[Citation, ...] = ()
    verified: bool = True
    escalations: tuple[Escalation, ...] = ()  # the regulation's own repeat-offence escalations


@dataclass(frozen=True)
class Band:
    """A share of a range: ``low``..``high`` as fractions 0..1 of (max − min) above min."""

    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Factor:
    """An aggravating or mitigating circumstance of a benchmark.

    ``ground`` marks a mitigating factor whose ``basis`` is a law, regulation or rule that allows going
    below the statutory minimum (《行政处罚法》第三十二条第（五）项, e.g. 《出版管理条例》第六十九条); only
    such grounds (and 第三十条–第三十二条 themselves) can lead to 减轻处罚. ``sources`` limits the factor
    to items whose penalty basis is in one of the named legal sources (substring of the citation's
    source, e.g. "出版管理条例"); empty means every item.
    """

    code: str
    label: str
    basis: Citation | None = None
    ground: bool = False
    sources: tuple[str, ...] = ()

    def applies_to(self, item: ItemRule) -> bool:
        return not self.sources or any(s in item.penalty_basis.source for s in self.sources)


@dataclass(frozen=True)
class Benchmark:
    """A jurisdiction's discretion benchmark (裁量基准), published (《行政处罚法》第三十四条).

    ``bands`` maps a shape of statutory range — ``"range"`` (min and max), ``"max_only"`` ("…以下"),
    ``"multiple"`` (a multiple of an amount) — to the bands of :data:`Outcome.LIGHTER`,
    :data:`Outcome.GENERAL` and :data:`Outcome.HEAVIER`. ``mitigated_floor`` is the lowest share of the
    statutory minimum a 减轻 fine may go to (0 = any amount above nothing). ``mitigate_threshold`` is how
    many mitigating circumstances, with no aggravating one, lead to 减轻 rather than 从轻.
    ``repeat_window_years`` is the window in which earlier penalties count as repeat offences.
    """

    jurisdiction: str
    bands: dict[str, dict[Outcome, Band]]
    aggravating: tuple[Factor, ...] = ()
    mitigating: tuple[Factor, ...] = ()
    mitigated_floor: Decimal = Decimal(0)
    mitigate_threshold: int = 2
    repeat_window_years: int = 2
    repeat_count: int = 1  # this many earlier penalties in the window is an aggravating circumstance
    item_bands: dict[str, dict[str, dict[Outcome, Band]]] = field(default_factory=dict)  # per item code
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return benchmark_to_json(self)

    def factor(self, code: str) -> Factor | None:
        for f in (*self.aggravating, *self.mitigating):
            if f.code == code:
                return f
        return None

    @property
    def citation(self) -> Citation:
        return Citation(f"{self.jurisdiction or '本辖区'}行政处罚裁量基准", "", self.source)


# The conditions a 免罚清单 entry may name (NoPenaltyEntry.conditions), each a fact of Facts.
NO_PENALTY_CONDITIONS: dict[str, str] = {
    "first_violation": "初次违法（首次被发现）",
    "corrected_promptly": "及时（当场）改正",
    "no_harm": "未造成危害后果",
    "minor_harm": "危害后果轻微（或无危害后果）",
    "minor_violation": "违法行为轻微",
}


@dataclass(frozen=True)
class NoPenaltyEntry:
    """One line of a 免罚清单: the item and the conditions under which it is not punished.

    ``conditions`` are codes of :data:`NO_PENALTY_CONDITIONS`, all of which must hold:
    ``first_violation`` (Facts.first_violation), ``corrected_promptly`` (Facts.corrected_promptly),
    ``no_harm`` (harm "none"), ``minor_harm`` (harm "none" or "minor"), ``minor_violation``
    (Facts.minor_violation). An entry without conditions is refused (《行政处罚法》第三十三条 always
    has conditions).
    """

    item_code: str
    conditions: tuple[str, ...]  # facts that must all be true, e.g. ("first_violation", "corrected_promptly")
    source: str
    basis: Citation | None = None


def check_conditions(conditions: Iterable[Any], field: str = "conditions") -> tuple[str, ...]:
    """The condition codes of a 免罚清单 entry, checked: known codes, at least one (《行政处罚法》第三十三条)."""
    if isinstance(conditions, (str, bytes)) or not isinstance(conditions, Iterable):
        raise RuleViolation("no_penalty_conditions", f"免罚清单的适用条件 {field} 应为条件代码列表", field, [ART_33_1])
    out: list[str] = []
    for code in conditions:
        if code not in NO_PENALTY_CONDITIONS:
            known = "、".join(f"{k}（{v}）" for k, v in NO_PENALTY_CONDITIONS.items())
            raise RuleViolation("no_penalty_condition_unknown",
                                f"免罚清单的适用条件 {field} 含有未知条件“{code}”；可用：{known}", field, [ART_33_1])
        if code not in out:
            out.append(code)
    if not out:
        raise RuleViolation("no_penalty_conditions", f"免罚清单的适用条件 {field} 不能为空", field, [ART_33_1])
    return tuple(out)


@dataclass(frozen=True)
class Step:
    text: str
    basis: tuple[Citation, ...] = ()


def _money_json(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Assessment:
    item: str
    outcome: Outcome
    statutory_range: FineRange | None
    recommended_range: tuple[Decimal, Decimal] | None
    mandatory_kinds: tuple[PenaltyKind, ...]
    optional_kinds: tuple[PenaltyKind, ...]
    requires_education: bool
    steps: tuple[Step, ...]
    alternatives: tuple[Outcome, ...] = ()
    warnings: tuple[str, ...] = ()
    grounds: tuple[Citation, ...] = ()  # the legal grounds a 减轻 outcome rests on (not in to_json: see steps)
    kind_groups: tuple[tuple[PenaltyKind, ...], ...] = ()  # "或者" alternatives: one kind of each group is given
    escalations: tuple[Escalation, ...] = ()  # the regulation's escalations applied (not in to_json: see steps)

    @property
    def basis(self) -> tuple[Citation, ...]:
        """Every citation of every step, once, in order."""
        seen: dict[Citation, None] = {}
        for step in self.steps:
            for c in step.basis:
                seen.setdefault(c, None)
        return tuple(seen)

    def to_json(self) -> dict[str, Any]:
        def kinds(ks: tuple[PenaltyKind, ...]) -> list[dict[str, str]]:
            return [{"kind": k.value, "label": KIND_LABELS[k]} for k in ks]

        rec = None
        if self.recommended_range is not None:
            rec = {"min": _money_json(self.recommended_range[0]), "max": _money_json(self.recommended_range[1]),
                   "unit": "元"}
        return {
            "item": self.item,
            "outcome": self.outcome.value,
            "outcome_label": OUTCOME_LABELS[self.outcome],
            "statutory_range": self.statutory_range.to_json() if self.statutory_range is not None else None,
            "recommended_range": rec,
            "mandatory_kinds": kinds(self.mandatory_kinds),
            "optional_kinds": kinds(self.optional_kinds),
            "requires_education": self.requires_education,
            "alternatives": [{"outcome": o.value, "label": OUTCOME_LABELS[o]} for o in self.alternatives],
            "steps": [{"text": s.text, "basis": [str(c) for c in s.basis]} for s in self.steps],
            "basis": list(dict.fromkeys(str(c) for c in self.basis)),
            "warnings": list(self.warnings),
        }


PARTIES = {"person": "自然人", "organisation": "法人或者其他组织"}
HARMS = {"none": "没有造成危害后果", "minor": "危害后果轻微", "ordinary": "造成一般危害后果", "serious": "危害后果严重"}
MENTAL_STATES = {"normal": "正常", "incapable": "不能辨认或者不能控制自己行为",
                 "partial": "尚未完全丧失辨认或者控制能力", "lucid_intermittent": "间歇性精神病人在精神正常时"}


@dataclass(frozen=True)
class PriorPenalty:
    """One earlier penalty of the party under the same regulation, for the escalations (:class:`Escalation`).

    ``decided_on`` is the date of the penalty decision; ``kinds`` the Art 9 kinds it imposed (may be empty
    when the record is only a publication); ``named`` whether the party was publicly named for it
    (向社会公布, 《营业性演出管理条例》第四十七条).
    """

    decided_on: date
    kinds: tuple[PenaltyKind, ...] = ()
    named: bool = False


@dataclass(frozen=True)
class Facts:
    """The facts of one violation as the officer found them. Parse with :func:`parse_facts`."""

    party: str = "organisation"  # "person" | "organisation"
    act_date: date | None = None
    birth_date: date | None = None
    amounts: dict[str, Decimal] = field(default_factory=dict)  # 违法经营额 / 违法所得 / 货值金额
    first_violation: bool = False
    corrected_promptly: bool = False
    harm: str = "ordinary"  # "none" | "minor" | "ordinary" | "serious"
    no_fault: bool = False
    mental_state: str = "normal"  # "normal" | "incapable" | "partial" | "lucid_intermittent"
    coerced: bool = False
    confessed_unknown: bool = False
    merit: bool = False
    eliminated_harm: bool = False
    prior_penalties_in_window: int = 0
    serious: bool = False  # 情节严重 / 拒不改正
    aggravating: tuple[str, ...] = ()  # codes of the benchmark's aggravating factors that are present
    mitigating: tuple[str, ...] = ()  # codes of the benchmark's mitigating factors that are present
    minor_violation: bool = False  # 违法行为轻微 (《行政处罚法》第三十三条第一款第一句)
    age: int | None = None  # 行为时已满周岁数, when given instead of birth_date
    # For the regulations' escalations (Escalation), one of: counts of earlier penalties under the same
    # regulation within each escalation's window, by PRIOR_KINDS code; or the dated earlier penalties.
    prior_penalties_by_kind: dict[str, int] = field(default_factory=dict)
    prior_penalties: tuple[PriorPenalty, ...] = ()


# -- parsing facts ----------------------------------------------------------------------------------

FACT_LABELS: dict[str, str] = {
    "party": "当事人类型",
    "act_date": "违法行为发生日期",
    "birth_date": "出生日期",
    "age": "行为时年龄（周岁）",
    "amounts": "金额",
    "first_violation": "初次违法",
    "corrected_promptly": "及时改正",
    "minor_violation": "违法行为轻微",
    "harm": "危害后果",
    "no_fault": "没有主观过错",
    "mental_state": "精神状态",
    "coerced": "受他人胁迫或者诱骗",
    "confessed_unknown": "主动供述行政机关尚未掌握的违法行为",
    "merit": "立功表现",
    "eliminated_harm": "主动消除或者减轻危害后果",
    "prior_penalties_in_window": "期间内已受行政处罚次数",
    "serious": "情节严重或者拒不改正",
    "aggravating": "从重情节",
    "mitigating": "从轻、减轻情节",
    "prior_penalties_by_kind": "法定升格期间内已受处罚次数（按种类）",
    "prior_penalties": "已受行政处罚记录（法定升格用）",
}

# Amount keys: the Base names and their English aliases.
AMOUNT_KEYS: dict[str, Base] = {
    Base.TURNOVER.value: Base.TURNOVER, "illegal_turnover": Base.TURNOVER,
    Base.GAINS.value: Base.GAINS, "illegal_gains": Base.GAINS,
    Base.VALUE.value: Base.VALUE, "goods_value": Base.VALUE,
}

_BOOL_FIELDS = ("first_violation", "corrected_promptly", "minor_violation", "no_fault", "coerced",
                "confessed_unknown", "merit", "eliminated_harm", "serious")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _label(key: str) -> str:
    return f"{key}（{FACT_LABELS[key]}）" if key in FACT_LABELS else key


def _bad(code: str, key: str, expected: str) -> RuleViolation:
    return RuleViolation(code, f"事实字段 {_label(key)} {expected}", key)


def _parse_bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _bad("facts_type", key, f"应为布尔值 true 或 false，收到 {value!r}")
    return value


def _parse_choice(key: str, value: Any, choices: dict[str, str]) -> str:
    if not isinstance(value, str) or value not in choices:
        listed = "、".join(f"{k}（{v}）" for k, v in choices.items())
        raise _bad("facts_value", key, f"只能是：{listed}；收到 {value!r}")
    return value


def _parse_date(key: str, value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value.strip()):
        raise _bad("facts_date", key, f"应为 YYYY-MM-DD 格式的日期，收到 {value!r}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _bad("facts_date", key, f"不是有效日期：{value!r}") from None


def _parse_count(key: str, value: Any, *, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or (maximum is not None and value > maximum):
        limit = f"且不大于 {maximum}" if maximum is not None else ""
        raise _bad("facts_type", key, f"应为不小于 0 {limit}的整数，收到 {value!r}")
    return value


def _parse_amount(key: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise _bad("facts_amount", key, f"应为以元为单位的金额（数字），收到 {value!r}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _bad("facts_amount", key, f"应为以元为单位的金额（数字），收到 {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise _bad("facts_amount", key, f"应为不小于 0 的金额，收到 {value!r}")
    if amount != amount.quantize(CENT):
        raise _bad("facts_amount", key, f"金额最多精确到分（两位小数），收到 {value!r}")
    return amount


def _parse_codes(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise _bad("facts_type", key, f"应为情节代码的列表，如 [\"repeat\"]，收到 {value!r}")
    out: list[str] = []
    for code in value:
        if not isinstance(code, str) or not code.strip():
            raise _bad("facts_type", key, f"的每一项应为非空的情节代码字符串，收到 {code!r}")
        if code.strip() not in out:
            out.append(code.strip())
    return tuple(out)


def _parse_prior_counts(key: str, value: Any) -> dict[str, int]:
    """``prior_penalties_by_kind``: {PRIOR_KINDS code: count ≥ 0}; ``any`` is at least each penalty count."""
    if value is None:
        return {}
    listed = "、".join(f"{k}（{v}）" for k, v in PRIOR_KINDS.items())
    if not isinstance(value, Mapping):
        raise _bad("facts_type", key,
                   f"应为对象，如 {{\"warning_or_fine\": 3, \"suspend_business\": 0}}；可用：{listed}")
    out: dict[str, int] = {}
    for sub, raw in value.items():
        if sub not in PRIOR_KINDS:
            raise RuleViolation("facts_unknown_key", f"事实字段 {_label(key)} 中有未知项“{sub}”；可用：{listed}",
                                f"{key}.{sub}")
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise RuleViolation("facts_type", f"事实字段 {_label(key)} 的 {sub}（{PRIOR_KINDS[sub]}次数）"
                                f"应为不小于 0 的整数，收到 {raw!r}", f"{key}.{sub}")
        out[sub] = raw
    if "any" in out:
        for sub in ("warning_or_fine", "suspend_business"):
            if out.get(sub, 0) > out["any"]:
                raise RuleViolation("facts_conflict", f"事实字段 {_label(key)}：any（受到行政处罚 {out['any']} 次）"
                                    f"少于 {sub}（{PRIOR_KINDS[sub]} {out[sub]} 次）", f"{key}.any")
    return out


def _parse_prior_list(key: str, value: Any) -> tuple[PriorPenalty, ...]:
    """``prior_penalties``: [{"decided_on": "YYYY-MM-DD", "kinds": [...], "named": bool}, …]."""
    from .penalties import kind_from_wording

    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise _bad("facts_type", key, "应为列表，如 [{\"decided_on\": \"2025-03-01\", \"kinds\": [\"warning\"]}]")
    out: list[PriorPenalty] = []
    for i, raw in enumerate(value):
        f = f"{key}[{i}]"
        if not isinstance(raw, Mapping):
            raise RuleViolation("facts_type", f"事实字段 {_label(key)} 第 {i + 1} 条应为对象"
                                "（decided_on、kinds、named）", f)
        extra = sorted(str(k) for k in set(raw) - {"decided_on", "kinds", "named"})
        if extra:
            raise RuleViolation("facts_unknown_key", f"事实字段 {_label(key)} 第 {i + 1} 条有未知项“{extra[0]}”；"
                                "可用：decided_on（处罚决定日期）、kinds（处罚种类）、named（被向社会公布）",
                                f"{f}.{extra[0]}")
        if raw.get("decided_on") is None:
            raise RuleViolation("facts_missing", f"事实字段 {_label(key)} 第 {i + 1} 条缺少 decided_on（处罚决定日期）",
                                f"{f}.decided_on")
        decided = _parse_date(f"{f}.decided_on", raw["decided_on"])
        words = raw.get("kinds") or []
        if not isinstance(words, (list, tuple)):
            raise RuleViolation("facts_type", f"事实字段 {_label(key)} 第 {i + 1} 条的 kinds 应为处罚种类列表",
                                f"{f}.kinds")
        kinds: list[PenaltyKind] = []
        for word in words:
            try:
                kind = kind_from_wording(word) if isinstance(word, str) else None
            except RuleViolation:
                kind = None
            if kind is None:
                raise RuleViolation("facts_value", f"事实字段 {_label(key)} 第 {i + 1} 条的处罚种类“{word}”无法识别",
                                    f"{f}.kinds")
            if kind not in kinds:
                kinds.append(kind)
        named = raw.get("named", False)
        if not isinstance(named, bool):
            raise RuleViolation("facts_type", f"事实字段 {_label(key)} 第 {i + 1} 条的 named 应为 true 或 false",
                                f"{f}.named")
        if not kinds and not named:
            raise RuleViolation("facts_value", f"事实字段 {_label(key)} 第 {i + 1} 条应写明处罚种类 kinds "
                                "或 named: true", f"{f}.kinds")
        out.append(PriorPenalty(decided, tuple(kinds), named))
    return tuple(sorted(out, key=lambda p: p.decided_on))


def parse_facts(data: Any) -> Facts:
    """:class:`Facts` from a JSON object, strictly: unknown keys and wrong types are refused by field.

    Accepted keys (all optional):

    * ``party``: ``"person"`` (自然人) or ``"organisation"`` (法人或者其他组织; the default);
    * ``act_date``, ``birth_date``: ``"YYYY-MM-DD"``; ``birth_date`` needs ``act_date`` (age is counted
      on the date of the act, 《行政处罚法》第三十条) and must not be after it;
    * ``age``: whole years completed on the date of the act (周岁, counted from the day after the
      birthday), an alternative to ``birth_date`` — giving both is refused as ambiguous;
    * amounts in yuan (number or numeric string, ≥ 0, at most two decimals): ``违法经营额`` /
      ``illegal_turnover``, ``违法所得`` / ``illegal_gains``, ``货值金额`` / ``goods_value`` — at the top
      level or inside an ``amounts`` object; the same amount given twice is refused;
    * booleans (``true``/``false`` only): ``first_violation`` (初次违法), ``corrected_promptly`` (及时改正),
      ``minor_violation`` (违法行为轻微), ``no_fault`` (有证据足以证明没有主观过错), ``coerced`` (受胁迫或者诱骗),
      ``confessed_unknown`` (主动供述尚未掌握的违法行为), ``merit`` (立功), ``eliminated_harm``
      (主动消除或者减轻危害后果), ``serious`` (情节严重或者拒不改正);
    * ``harm``: ``"none"`` | ``"minor"`` | ``"ordinary"`` (default) | ``"serious"``;
    * ``mental_state``: ``"normal"`` (default) | ``"incapable"`` | ``"partial"`` | ``"lucid_intermittent"``;
    * ``prior_penalties_in_window``: integer ≥ 0, penalties for the same kind of violation within the
      benchmark's window;
    * ``aggravating``, ``mitigating``: lists of the benchmark's factor codes (checked by :func:`assess`);
    * for the regulations' own escalations (:class:`Escalation`), one of:
      ``prior_penalties_by_kind`` — ``{"any": n, "warning_or_fine": n, "suspend_business": n, "named": n}``
      (any subset; :data:`PRIOR_KINDS`), earlier penalties under the same regulation counted within the
      escalation's window (2年内) before the act; ``any`` may not be less than the others; or
      ``prior_penalties`` — the dated earlier penalties, ``[{"decided_on": "YYYY-MM-DD", "kinds":
      ["warning", "fine"], "named": false}, …]``, counted by :func:`assess` per window (needs ``act_date``).

    Contradictions are refused: ``first_violation`` with earlier penalties; ``birth_date``, ``age`` or a
    mental state other than normal for an organisation; both forms of the earlier penalties.
    """
    if not isinstance(data, Mapping):
        raise RuleViolation("facts_shape", "事实 facts 应为 JSON 对象，如 {\"first_violation\": true}", "facts")
    values: dict[str, Any] = {}
    amounts: dict[str, Decimal] = {}

    def put_amount(key: str, raw: Any) -> None:
        if raw is None:
            return
        base = AMOUNT_KEYS[key]
        if base.value in amounts:
            raise RuleViolation("facts_duplicate",
                                f"事实字段 {key}：{base.value}重复给出（中文名与英文别名只能用一个）", key)
        amounts[base.value] = _parse_amount(key, raw)

    for key, raw in data.items():
        if not isinstance(key, str):
            raise RuleViolation("facts_unknown_key", f"事实字段名应为字符串，收到 {key!r}", str(key))
        if key in AMOUNT_KEYS:
            put_amount(key, raw)
        elif key == "amounts":
            if raw is None:
                continue
            if not isinstance(raw, Mapping):
                raise _bad("facts_type", key, "应为对象，如 {\"违法所得\": 12000}")
            for sub, sub_raw in raw.items():
                if sub not in AMOUNT_KEYS:
                    names = "、".join(AMOUNT_KEYS)
                    raise RuleViolation("facts_unknown_key", f"金额 amounts 中有未知项“{sub}”；可用：{names}",
                                        "amounts")
                put_amount(sub, sub_raw)
        elif key == "party":
            values[key] = _parse_choice(key, raw, PARTIES)
        elif key in ("act_date", "birth_date"):
            values[key] = _parse_date(key, raw)
        elif key == "age":
            values[key] = None if raw is None else _parse_count(key, raw, maximum=150)
        elif key in _BOOL_FIELDS:
            values[key] = _parse_bool(key, raw)
        elif key == "harm":
            values[key] = _parse_choice(key, raw, HARMS)
        elif key == "mental_state":
            values[key] = _parse_choice(key, raw, MENTAL_STATES)
        elif key == "prior_penalties_in_window":
            values[key] = _parse_count(key, raw)
        elif key in ("aggravating", "mitigating"):
            values[key] = _parse_codes(key, raw)
        elif key == "prior_penalties_by_kind":
            values[key] = _parse_prior_counts(key, raw)
        elif key == "prior_penalties":
            values[key] = _parse_prior_list(key, raw)
        else:
            known = "、".join([*FACT_LABELS, *AMOUNT_KEYS])
            raise RuleViolation("facts_unknown_key", f"未知的事实字段“{key}”；可用字段：{known}", key)

    facts = Facts(amounts=amounts, **values)
    if facts.birth_date is not None and facts.age is not None:
        raise RuleViolation("facts_conflict", "事实字段 birth_date（出生日期）与 age（行为时年龄）只能给出一个", "age",
                            [ART_30])
    if facts.birth_date is not None:
        if facts.act_date is None:
            raise RuleViolation("facts_missing", "给出出生日期时须同时给出 act_date（违法行为发生日期），"
                                "年龄按行为发生之日计算", "act_date", [ART_30])
        if facts.birth_date > facts.act_date:
            raise RuleViolation("facts_conflict", "事实字段 birth_date（出生日期）晚于 act_date（违法行为发生日期）",
                                "birth_date")
    if facts.party == "organisation":
        for key, present in (("birth_date", facts.birth_date is not None), ("age", facts.age is not None),
                             ("mental_state", facts.mental_state != "normal")):
            if present:
                raise RuleViolation("facts_conflict", f"当事人为法人或者其他组织时不适用事实字段 {_label(key)}"
                                    "（年龄与精神状态只适用于自然人）", key, [ART_30, ART_31])
    if facts.first_violation and facts.prior_penalties_in_window > 0:
        raise RuleViolation("facts_conflict", "事实字段 first_violation（初次违法）与 prior_penalties_in_window"
                            "（期间内已受处罚次数）大于 0 相矛盾", "first_violation", [ART_33_1])
    if facts.prior_penalties_by_kind and facts.prior_penalties:
        raise RuleViolation("facts_conflict", "事实字段 prior_penalties_by_kind（按种类的次数）与 prior_penalties"
                            "（已受处罚记录）只能给出一个", "prior_penalties")
    if facts.prior_penalties and facts.act_date is None:
        raise RuleViolation("facts_missing", "给出已受处罚记录 prior_penalties 时须同时给出 act_date"
                            "（违法行为发生日期），法定升格的期间自该日向前计算", "act_date", [CIVIL_CODE_PERIODS])
    if facts.first_violation and any(facts.prior_penalties_by_kind.values()):
        raise RuleViolation("facts_conflict", "事实字段 first_violation（初次违法）与 prior_penalties_by_kind"
                            "（期间内已受处罚次数）大于 0 相矛盾", "first_violation", [ART_33_1])
    return facts


# -- benchmarks -------------------------------------------------------------------------------------

def _band(low: str, high: str) -> Band:
    return Band(Decimal(low), Decimal(high))


_SEED_BANDS = {Outcome.LIGHTER: _band("0", "0.3"), Outcome.GENERAL: _band("0.3", "0.7"),
               Outcome.HEAVIER: _band("0.7", "1")}

DEFAULT_BENCHMARK = Benchmark(
    jurisdiction="默认",
    bands={shape: dict(_SEED_BANDS) for shape in SHAPES},
    aggravating=(
        Factor("content_security", "含有危害国家安全、文化安全或者意识形态安全的内容", MCT_DISCRETION),
        Factor("holiday_or_event", "在重大节假日、重大活动期间实施违法行为", MCT_DISCRETION),
        Factor("minors", "以未成年人为对象或者侵害未成年人权益", MCT_DISCRETION),
        Factor("repeat", "在规定期间内再次实施违法行为（曾因同类违法行为受过行政处罚）", MCT_DISCRETION),
        Factor("refused_correction", "拒不改正或者在责令改正后继续实施违法行为", MCT_DISCRETION),
        Factor("obstruction", "阻碍、抗拒执法，或者伪造、隐匿、毁灭证据", MCT_DISCRETION),
        Factor("serious_consequence", "造成严重危害后果或者安全责任事故", MCT_DISCRETION),
        Factor("social_impact", "社会影响恶劣或者引起群众多次投诉", MCT_DISCRETION),
    ),
    mitigating=(
        Factor("source_identified", "说明或者指认非法出版物来源，经查证属实", PUBLICATION_ART_69, ground=True,
               sources=("出版管理条例",)),
        Factor("partial_capacity", "尚未完全丧失辨认或者控制自己行为能力的精神病人、智力残疾人", ART_31, ground=True),
        Factor("cooperated", "积极配合调查，如实陈述违法事实并主动提供证据", MCT_DISCRETION),
        Factor("stopped_voluntarily", "在行政机关发现前主动中止违法行为", MCT_DISCRETION),
    ),
    mitigated_floor=Decimal(0),
    mitigate_threshold=2,
    repeat_window_years=2,
    repeat_count=1,
    source="种子数据：文化市场行政处罚裁量的常见做法（从轻 0–30%、一般 30%–70%、从重 70%–100%），未经核实；"
           "应以本辖区依《行政处罚法》第三十四条公布的裁量基准替换",
)


def _dec(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _citation_json(c: Citation | None) -> dict[str, str] | None:
    return None if c is None else {"source": c.source, "article": c.article, "note": c.note}


def bands_to_json(bands: Mapping[str, Mapping[Outcome, Band]]) -> dict[str, Any]:
    """Bands as JSON: ``{"range": {"lighter": {"low": "0", "high": "0.3"}, …}, …}``."""
    return {shape: {o.value: {"low": _dec(b.low), "high": _dec(b.high)} for o, b in per.items()}
            for shape, per in bands.items()}


def _factor_json(f: Factor) -> dict[str, Any]:
    return {"code": f.code, "label": f.label, "basis": _citation_json(f.basis), "ground": f.ground,
            "sources": list(f.sources)}


def benchmark_to_json(b: Benchmark) -> dict[str, Any]:
    """A benchmark as the catalog stores it: ``bands``, ``aggravating``, ``mitigating``, ``params``
    (``mitigated_floor``, ``mitigate_threshold``, ``repeat_window_years``, ``repeat_count``),
    ``item_bands``, ``jurisdiction`` and ``source``. :func:`benchmark_from_json` reads it back."""
    return {
        "jurisdiction": b.jurisdiction,
        "bands": bands_to_json(b.bands),
        "aggravating": [_factor_json(f) for f in b.aggravating],
        "mitigating": [_factor_json(f) for f in b.mitigating],
        "params": {"mitigated_floor": _dec(b.mitigated_floor), "mitigate_threshold": b.mitigate_threshold,
                   "repeat_window_years": b.repeat_window_years, "repeat_count": b.repeat_count},
        "item_bands": {code: bands_to_json(per) for code, per in b.item_bands.items()},
        "source": b.source,
    }


def _share(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise RuleViolation("benchmark_band", f"裁量基准 {field} 应为 0 到 1 之间的数字", field, [ART_34])
    try:
        share = Decimal(str(value).strip())
    except InvalidOperation:
        raise RuleViolation("benchmark_band", f"裁量基准 {field} 应为 0 到 1 之间的数字", field, [ART_34]) from None
    if not share.is_finite() or share < 0 or share > 1:
        raise RuleViolation("benchmark_band", f"裁量基准 {field} 应在 0 到 1 之间，收到 {value!r}", field, [ART_34])
    return share


def _parse_shape_bands(data: Any, field: str) -> dict[Outcome, Band]:
    if not isinstance(data, Mapping):
        raise RuleViolation("benchmark_band", f"裁量基准 {field} 应为对象（lighter、general、heavier 三档）", field,
                            [ART_34])
    out: dict[Outcome, Band] = {}
    for key in data:
        if key not in {o.value for o in BAND_OUTCOMES}:
            raise RuleViolation("benchmark_band", f"裁量基准 {field} 含有未知档次“{key}”；"
                                "只能是 lighter（从轻）、general（一般）、heavier（从重）", f"{field}.{key}", [ART_34])
    for outcome in BAND_OUTCOMES:
        f = f"{field}.{outcome.value}"
        raw = data.get(outcome.value)
        if raw is None:
            raise RuleViolation("benchmark_band_missing",
                                f"裁量基准 {field} 缺少{OUTCOME_LABELS[outcome]}档 {outcome.value}", f, [ART_34])
        if isinstance(raw, Mapping):
            extra = set(raw) - {"low", "high"}
            if extra or "low" not in raw or "high" not in raw:
                raise RuleViolation("benchmark_band", f"裁量基准 {f} 应为 {{\"low\": 下限, \"high\": 上限}}", f,
                                    [ART_34])
            low, high = raw["low"], raw["high"]
        elif isinstance(raw, (list, tuple)) and len(raw) == 2:
            low, high = raw
        else:
            raise RuleViolation("benchmark_band", f"裁量基准 {f} 应为 {{\"low\": 下限, \"high\": 上限}}", f, [ART_34])
        band = Band(_share(low, f"{f}.low"), _share(high, f"{f}.high"))
        if band.low > band.high:
            raise RuleViolation("benchmark_band_order", f"裁量基准 {f} 的下限 {band.low} 大于上限 {band.high}", f,
                                [ART_34])
        out[outcome] = band
    lighter, general, heavier = (out[o] for o in BAND_OUTCOMES)
    if not (lighter.low <= general.low <= heavier.low and lighter.high <= general.high <= heavier.high):
        raise RuleViolation("benchmark_band_order", f"裁量基准 {field} 各档应依从轻、一般、从重递增", field,
                            [ART_34, ART_5])
    return out


def bands_from_json(data: Any, field: str = "bands", *, require_all: bool = True) -> dict[str, dict[Outcome, Band]]:
    """Bands from JSON (see :func:`bands_to_json`; a band may also be ``[low, high]``). Each band lies in
    0..1 with low ≤ high and the three bands rise from 从轻 to 从重; ``require_all`` asks for all three
    shapes (a benchmark's own bands), otherwise any subset (an item's bands, ``ItemBenchmark.bands``)."""
    if not isinstance(data, Mapping):
        raise RuleViolation("benchmark_band", f"裁量基准 {field} 应为对象：range、max_only、multiple 三种幅度", field,
                            [ART_34])
    out: dict[str, dict[Outcome, Band]] = {}
    for shape, per in data.items():
        if shape not in SHAPES:
            raise RuleViolation("benchmark_band", f"裁量基准 {field} 含有未知幅度类型“{shape}”；只能是 "
                                "range（有上下限）、max_only（仅有上限）、multiple（倍数）", f"{field}.{shape}",
                                [ART_34])
        out[shape] = _parse_shape_bands(per, f"{field}.{shape}")
    if require_all:
        for shape in SHAPES:
            if shape not in out:
                raise RuleViolation("benchmark_band_missing",
                                    f"裁量基准 {field} 缺少“{SHAPE_LABELS[shape]}”（{shape}）的分档",
                                    f"{field}.{shape}", [ART_34])
    return out


def _parse_citation(data: Any, field: str) -> Citation | None:
    if data is None:
        return None
    if isinstance(data, str) and data.strip():
        return Citation(data.strip())
    if not isinstance(data, Mapping) or not isinstance(data.get("source"), str) or not data["source"].strip():
        raise RuleViolation("benchmark_factor", f"裁量基准 {field} 应为 {{\"source\", \"article\", \"note\"}}", field)
    extra = set(data) - {"source", "article", "note"}
    if extra:
        raise RuleViolation("benchmark_factor", f"裁量基准 {field} 含有未知项：{'、'.join(sorted(extra))}", field)
    article, note = data.get("article") or "", data.get("note") or ""
    if not isinstance(article, str) or not isinstance(note, str):
        raise RuleViolation("benchmark_factor", f"裁量基准 {field} 的 article、note 应为文字", field)
    return Citation(data["source"].strip(), article, note)


def _parse_factors(data: Any, field: str) -> tuple[Factor, ...]:
    if data is None:
        return ()
    if not isinstance(data, (list, tuple)):
        raise RuleViolation("benchmark_factor", f"裁量基准 {field} 应为情节列表", field)
    out: list[Factor] = []
    for i, raw in enumerate(data):
        f = f"{field}[{i}]"
        if not isinstance(raw, Mapping):
            raise RuleViolation("benchmark_factor", f"裁量基准 {f} 应为对象（code、label、basis）", f)
        extra = set(raw) - {"code", "label", "basis", "ground", "sources"}
        if extra:
            raise RuleViolation("benchmark_factor", f"裁量基准 {f} 含有未知项：{'、'.join(sorted(extra))}", f)
        code, label = raw.get("code"), raw.get("label")
        if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise RuleViolation("benchmark_factor", f"裁量基准 {f}.code 应为小写英文代码，如 repeat", f"{f}.code")
        if not isinstance(label, str) or not label.strip():
            raise RuleViolation("benchmark_factor", f"裁量基准 {f}.label 应为情节的中文说明", f"{f}.label")
        ground = raw.get("ground", False)
        if not isinstance(ground, bool):
            raise RuleViolation("benchmark_factor", f"裁量基准 {f}.ground 应为 true 或 false", f"{f}.ground")
        sources = raw.get("sources") or []
        if not isinstance(sources, (list, tuple)) or not all(isinstance(s, str) and s.strip() for s in sources):
            raise RuleViolation("benchmark_factor", f"裁量基准 {f}.sources 应为法律文件名称列表", f"{f}.sources")
        basis = _parse_citation(raw.get("basis"), f"{f}.basis")
        if ground and basis is None:
            raise RuleViolation("benchmark_factor", f"裁量基准 {f} 作为减轻处罚的法定依据（ground）须注明 basis",
                                f"{f}.basis", [ART_32_5])
        if any(x.code == code for x in out):
            raise RuleViolation("benchmark_factor", f"裁量基准 {field} 中情节代码“{code}”重复", f"{f}.code")
        out.append(Factor(code, label.strip(), basis, ground, tuple(s.strip() for s in sources)))
    return tuple(out)


_PARAMS = ("mitigated_floor", "mitigate_threshold", "repeat_window_years", "repeat_count")


def benchmark_from_json(data: Any) -> Benchmark:
    """A :class:`Benchmark` from its JSON form (:func:`benchmark_to_json`), refusing bad data by field.

    Keys: ``bands`` (required: all three shapes, each with lighter/general/heavier bands in 0..1, low ≤
    high, rising), ``aggravating`` / ``mitigating`` (lists of ``{"code", "label", "basis", "ground",
    "sources"}``), ``params`` (``mitigated_floor`` in 0..1 exclusive of 1, ``mitigate_threshold``,
    ``repeat_window_years`` and ``repeat_count`` ≥ 1), ``item_bands`` (item code → bands of some shapes),
    ``jurisdiction`` (or ``name``) and ``source``. Other keys are refused.
    """
    if not isinstance(data, Mapping):
        raise RuleViolation("benchmark_shape", "裁量基准应为 JSON 对象", "benchmark")
    extra = set(data) - {"jurisdiction", "name", "bands", "aggravating", "mitigating", "params", "item_bands", "source"}
    if extra:
        raise RuleViolation("benchmark_shape", f"裁量基准含有未知项：{'、'.join(sorted(extra))}", sorted(extra)[0])
    if "bands" not in data:
        raise RuleViolation("benchmark_band_missing", "裁量基准缺少分档 bands", "bands", [ART_34])
    bands = bands_from_json(data["bands"], "bands")
    aggravating = _parse_factors(data.get("aggravating"), "aggravating")
    mitigating = _parse_factors(data.get("mitigating"), "mitigating")
    both = {f.code for f in aggravating} & {f.code for f in mitigating}
    if both:
        raise RuleViolation("benchmark_factor", f"情节代码 {'、'.join(sorted(both))} 同时出现在从重与从轻情节中",
                            "mitigating")
    params = data.get("params") or {}
    if not isinstance(params, Mapping):
        raise RuleViolation("benchmark_params", "裁量基准 params 应为对象", "params")
    unknown = set(params) - set(_PARAMS)
    if unknown:
        raise RuleViolation("benchmark_params", f"裁量基准 params 含有未知参数：{'、'.join(sorted(unknown))}；"
                            f"可用：{'、'.join(_PARAMS)}", f"params.{sorted(unknown)[0]}")
    kwargs: dict[str, Any] = {}
    if params.get("mitigated_floor") is not None:
        floor = _share(params["mitigated_floor"], "params.mitigated_floor")
        if floor >= 1:
            raise RuleViolation("benchmark_params",
                                "裁量基准 params.mitigated_floor（减轻处罚罚款下限占法定最低额的比例）应小于 1",
                                "params.mitigated_floor", [ART_34])
        kwargs["mitigated_floor"] = floor
    for key, label in (("mitigate_threshold", "适用减轻处罚所需的从轻、减轻情节数"),
                       ("repeat_window_years", "再次违法的计算期间（年）"),
                       ("repeat_count", "构成从重情节的期间内处罚次数")):
        if params.get(key) is not None:
            v = params[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise RuleViolation("benchmark_params", f"裁量基准 params.{key}（{label}）应为不小于 1 的整数",
                                    f"params.{key}", [ART_34])
            kwargs[key] = v
    item_bands_raw = data.get("item_bands") or {}
    if not isinstance(item_bands_raw, Mapping):
        raise RuleViolation("benchmark_band", "裁量基准 item_bands 应为对象：事项编码 → 分档", "item_bands")
    item_bands = {str(code): bands_from_json(per, f"item_bands.{code}", require_all=False)
                  for code, per in item_bands_raw.items()}
    jurisdiction = data.get("jurisdiction") if data.get("jurisdiction") is not None else data.get("name", "")
    source = data.get("source") or ""
    if not isinstance(jurisdiction, str) or not isinstance(source, str):
        raise RuleViolation("benchmark_shape", "裁量基准的 jurisdiction 与 source 应为文字", "jurisdiction")
    return Benchmark(jurisdiction=jurisdiction, bands=bands, aggravating=aggravating, mitigating=mitigating,
                     item_bands=item_bands, source=source, **kwargs)


# -- escalations as data ----------------------------------------------------------------------------

ESCALATION_KEYS = ("code", "label", "window_years", "prior_count", "prior_kind", "effect", "kinds", "basis", "note",
                   "party", "supersedes", "verified", "source_ref")
ART_18_3 = Citation(XZCFF, "第十八条第三款", "限制人身自由的行政处罚权只能由公安机关和法律规定的其他机关行使")
_CITATION_TEXT = re.compile(r"^(《[^》]+》(?:\([^)]*\))?)(.*)$")
_ESCALATION_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _esc_error(field: str, message: str, *basis: Citation) -> RuleViolation:
    return RuleViolation("escalation_invalid", f"法定升格 {field}：{message}", field, list(basis))


def _escalation_basis(raw: Any, field: str) -> Citation:
    """The article an escalation rests on: ``{"source", "article", "note"}`` or "《条例》第五十三条第三款"."""
    shape = ("应写明依据：{\"source\": 法规名称, \"article\": 条款, \"note\": 说明}，"
             "或“《娱乐场所管理条例》第五十三条第三款”")
    if isinstance(raw, str) and raw.strip():
        m = _CITATION_TEXT.match(raw.strip())
        if not m or not m.group(2).strip():
            raise _esc_error(field, shape)
        return Citation(m.group(1), m.group(2).strip())
    if not isinstance(raw, Mapping):
        raise _esc_error(field, shape)
    extra = set(raw) - {"source", "article", "note"}
    if extra:
        raise _esc_error(field, f"含有未知项：{'、'.join(sorted(map(str, extra)))}")
    source, article, note = raw.get("source"), raw.get("article") or "", raw.get("note") or ""
    if not isinstance(source, str) or not source.strip() or not isinstance(article, str) \
            or not isinstance(note, str):
        raise _esc_error(field, shape)
    if not article.strip():
        raise _esc_error(f"{field}.article", "须写明条款，如“第五十三条第三款”")
    source = source.strip()
    return Citation(source if source.startswith("《") else f"《{source}》", article.strip(), note.strip())


def _escalation_int(raw: Any, field: str, label: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise _esc_error(field, f"{label}应为 {low} 到 {high} 之间的整数，收到 {raw!r}")
    return raw


def _escalation_text(raw: Any, field: str, limit: int, *, required: bool = False) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str) or len(raw.strip()) > limit or (required and not raw.strip()):
        need = "不得为空、" if required else ""
        raise _esc_error(field, f"应为{need}不超过 {limit} 字的文字")
    return raw.strip()


def escalation_from_json(data: Any, field: str = "escalations[0]") -> Escalation:
    """One :class:`Escalation` from its JSON form (:func:`escalation_to_json`), refusing bad data by field.

    Keys: ``code`` (lowercase), ``label``, ``window_years`` (1–10), ``prior_count`` (≥ 1), ``prior_kind``
    (:data:`PRIOR_KINDS`), ``effect`` (:data:`ESCALATION_EFFECTS`), ``kinds`` (Art 9 kinds or the
    regulation's wording, required for ``"kinds"``, empty for ``"heavier"``; 行政拘留 is refused,
    《行政处罚法》第十八条第三款), ``basis`` (required, with the article), and optional ``note``, ``party``
    (``"person"`` / ``"organisation"``), ``supersedes`` (codes), ``verified`` (default false) and
    ``source_ref`` (where the wording was read).
    """
    from .penalties import kind_from_wording

    if not isinstance(data, Mapping):
        raise _esc_error(field, "应为对象（code、label、window_years、prior_count、prior_kind、effect、kinds、basis）")
    extra = sorted(str(k) for k in set(data) - set(ESCALATION_KEYS))
    if extra:
        raise _esc_error(f"{field}.{extra[0]}", f"未知项“{extra[0]}”；可用：{'、'.join(ESCALATION_KEYS)}")
    for key in ("code", "label", "window_years", "prior_count", "prior_kind", "effect", "basis"):
        if data.get(key) is None:
            raise _esc_error(f"{field}.{key}", "不得缺少")
    code = data["code"]
    if not isinstance(code, str) or not _ESCALATION_CODE.fullmatch(code):
        raise _esc_error(f"{field}.code", "应为小写英文代码，如 ent_suspend_after_warnings")
    label = _escalation_text(data["label"], f"{field}.label", 255, required=True)
    window = _escalation_int(data["window_years"], f"{field}.window_years", "期间（年）", 1, 10)
    count = _escalation_int(data["prior_count"], f"{field}.prior_count", "期间内已受处罚的次数", 1, 20)
    prior_kind = data["prior_kind"]
    if prior_kind not in PRIOR_KINDS:
        listed = "、".join(f"{k}（{v}）" for k, v in PRIOR_KINDS.items())
        raise _esc_error(f"{field}.prior_kind", f"只能是：{listed}；收到 {prior_kind!r}")
    effect = data["effect"]
    if effect not in ESCALATION_EFFECTS:
        listed = "、".join(f"{k}（{v}）" for k, v in ESCALATION_EFFECTS.items())
        raise _esc_error(f"{field}.effect", f"只能是：{listed}；收到 {effect!r}")
    raw_kinds = data.get("kinds") or []
    if not isinstance(raw_kinds, (list, tuple)):
        raise _esc_error(f"{field}.kinds", "应为处罚种类的列表，如 [\"suspend_business\"]")
    kinds: list[PenaltyKind] = []
    for i, word in enumerate(raw_kinds):
        if not isinstance(word, str):
            raise _esc_error(f"{field}.kinds[{i}]", f"应为处罚种类，收到 {word!r}")
        try:
            kind = kind_from_wording(word)
        except RuleViolation as err:
            raise _esc_error(f"{field}.kinds[{i}]", err.message, *err.basis) from None
        if kind is PenaltyKind.DETENTION:
            raise _esc_error(f"{field}.kinds[{i}]", "行政拘留只能由公安机关实施", ART_18_3)
        if kind not in kinds:
            kinds.append(kind)
    if effect == "kinds" and not kinds:
        raise _esc_error(f"{field}.kinds", "effect 为 kinds（应当给予规定的处罚种类）时须列出处罚种类")
    if effect == "heavier" and kinds:
        raise _esc_error(f"{field}.kinds", "effect 为 heavier（应当从重处罚）时不列处罚种类")
    party = data.get("party") or ""
    if party and party not in PARTIES:
        raise _esc_error(f"{field}.party",
                         f"只能是 person（自然人）、organisation（法人或者其他组织）或留空；收到 {party!r}")
    supersedes = data.get("supersedes") or []
    if not isinstance(supersedes, (list, tuple)) or not all(isinstance(c, str) and c.strip() for c in supersedes):
        raise _esc_error(f"{field}.supersedes", "应为同一事项其他法定升格代码的列表")
    verified = data.get("verified", False)
    if not isinstance(verified, bool):
        raise _esc_error(f"{field}.verified", "应为 true 或 false")
    return Escalation(
        code=code, label=label, window_years=window, prior_count=count, prior_kind=prior_kind, effect=effect,
        kinds=tuple(kinds), basis=_escalation_basis(data["basis"], f"{field}.basis"),
        note=_escalation_text(data.get("note"), f"{field}.note", 500), party=party,
        supersedes=tuple(dict.fromkeys(c.strip() for c in supersedes)), verified=verified,
        source_ref=_escalation_text(data.get("source_ref"), f"{field}.source_ref", 255))


def escalations_from_json(data: Any, field: str = "escalations") -> tuple[Escalation, ...]:
    """An item's escalations from a JSON list (``None`` is none): each checked by
    :func:`escalation_from_json`, codes unique, ``supersedes`` naming other escalations of the list."""
    if data is None:
        return ()
    if not isinstance(data, (list, tuple)):
        raise _esc_error(field, "应为列表")
    out: list[Escalation] = []
    for i, raw in enumerate(data):
        esc = escalation_from_json(raw, f"{field}[{i}]")
        if any(e.code == esc.code for e in out):
            raise _esc_error(f"{field}[{i}].code", f"代码“{esc.code}”重复")
        out.append(esc)
    codes = {e.code for e in out}
    for i, esc in enumerate(out):
        for other in esc.supersedes:
            if other == esc.code or other not in codes:
                raise _esc_error(f"{field}[{i}].supersedes", f"“{other}”不是本事项其他法定升格的代码")
    return tuple(out)


def escalation_to_json(e: Escalation) -> dict[str, Any]:
    """The canonical JSON of an escalation (what the catalog stores); :func:`escalation_from_json` reads it."""
    return {"code": e.code, "label": e.label, "window_years": e.window_years, "prior_count": e.prior_count,
            "prior_kind": e.prior_kind, "effect": e.effect, "kinds": [k.value for k in e.kinds],
            "basis": _citation_json(e.basis), "note": e.note, "party": e.party, "supersedes": list(e.supersedes),
            "verified": e.verified, "source_ref": e.source_ref}


def escalations_to_json(escalations: Iterable[Escalation]) -> list[dict[str, Any]]:
    return [escalation_to_json(e) for e in escalations]


# -- the engine -------------------------------------------------------------------------------------

def _anniversary(birth: date, year: int) -> date:
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a common year: the month's last day (《民法典》第二百零二条)
        return date(year, 2, 28)


@dataclass(frozen=True)
class _Circumstance:
    code: str
    label: str
    basis: tuple[Citation, ...]
    ground: bool = False  # a legal ground for 减轻 (Art 30/31/32 or a sector rule)
    mandatory: bool = False  # 应当从轻或者减轻 (Art 30, Art 32)


def _inward(lo: Decimal, hi: Decimal, smin: Decimal, smax: Decimal) -> tuple[Decimal, Decimal]:
    """``lo``..``hi`` rounded inward to whole yuan; to the cent when no whole yuan lies inside; a band
    narrower than a cent becomes its point, rounded to the cent and kept inside the statutory range."""
    a, b = lo.to_integral_value(rounding=ROUND_CEILING), hi.to_integral_value(rounding=ROUND_FLOOR)
    if a <= b:
        return a, b
    a, b = lo.quantize(CENT, rounding=ROUND_CEILING), hi.quantize(CENT, rounding=ROUND_FLOOR)
    if a <= b:
        return a, b
    p = min(max(lo.quantize(CENT, rounding=ROUND_HALF_UP), smin), smax)
    return p, p


def _below_threshold(rule: FineRule | None, facts: Facts) -> FineRule | None:
    """The tiered fine rule whose fixed range ("没有……或者不足……的") applies for these facts, else None."""
    if rule is None:
        return None
    if facts.serious and rule.serious is not None:
        rule = rule.serious
    if rule.type is not RuleType.TIERED:
        return None
    amount = facts.amounts.get(rule.base.value)
    if amount is None or Decimal(str(amount)) == 0 or Decimal(str(amount)) < rule.threshold:
        return rule
    return None


def _pct(share: Decimal) -> str:
    return f"{_dec(share * 100)}%"


def _labels(kinds: Iterable[PenaltyKind]) -> str:
    return "、".join(KIND_LABELS[k] for k in kinds) or "无"


def _check_factors(codes: tuple[str, ...], factors: tuple[Factor, ...], item: ItemRule, field: str,
                   benchmark: Benchmark) -> list[Factor]:
    out = []
    by_code = {f.code: f for f in factors}
    kind = "从重" if field == "aggravating" else "从轻、减轻"
    for code in codes:
        f = by_code.get(code)
        if f is None:
            known = "、".join(f"{x.code}（{x.label}）" for x in factors) or "无"
            raise RuleViolation("facts_factor_unknown", f"事实字段 {field}（{kind}情节）中的“{code}”不是本裁量基准"
                                f"（{benchmark.jurisdiction}）的{kind}情节；可用：{known}", field, [ART_34])
        if not f.applies_to(item):
            raise RuleViolation("factor_not_applicable", f"{kind}情节“{f.label}”（{code}）只适用于"
                                f"{'、'.join(f.sources)}规定的事项，不适用于 {item.code}", field,
                                [f.basis] if f.basis else [])
        out.append(f)
    return out


def _window_end(decided_on: date, years: int) -> date:
    """The last day of a window of ``years`` years opened by a decision on ``decided_on``: the day after it
    starts the count and the corresponding day ends it, the month's last day when there is none
    (《民法典》第二百零一条、第二百零二条, by analogy)."""
    return _anniversary(decided_on, decided_on.year + years)


def _prior_matches(prior: PriorPenalty, prior_kind: str) -> bool:
    if prior_kind == "named":
        return prior.named
    if prior_kind == "warning_or_fine":
        return PenaltyKind.WARNING in prior.kinds or PenaltyKind.FINE in prior.kinds
    if prior_kind == "suspend_business":
        return PenaltyKind.SUSPEND_BUSINESS in prior.kinds
    return bool(prior.kinds)  # "any": a penalty of any kind


def _escalation_count(esc: Escalation, facts: Facts) -> tuple[int, str, tuple[Citation, ...]] | None:
    """How many earlier penalties of ``esc.prior_kind`` fall in its window, how that was found, and the
    rule used; None when the facts do not say."""
    if facts.prior_penalties:
        act = facts.act_date
        assert act is not None  # parse_facts requires it with prior_penalties
        counted = [p for p in facts.prior_penalties if _prior_matches(p, esc.prior_kind)
                   and p.decided_on <= act <= _window_end(p.decided_on, esc.window_years)]
        dates = "、".join(f"{p.decided_on:%Y-%m-%d}" for p in counted) or "无"
        return (len(counted), f"按已受处罚记录，违法行为发生日 {act:%Y-%m-%d} 前 {esc.window_years} 年内"
                              f"{PRIOR_KINDS[esc.prior_kind]}的决定：{dates}", (CIVIL_CODE_PERIODS,))
    given = facts.prior_penalties_by_kind
    if esc.prior_kind in given:
        return given[esc.prior_kind], "按认定的期间内次数", ()
    if esc.prior_kind == "any" and any(k in given for k in ("warning_or_fine", "suspend_business")):
        n = max(given.get("warning_or_fine", 0), given.get("suspend_business", 0))
        return n, "未直接给出受到行政处罚的次数，按警告或者罚款、责令停业整顿的次数推定为至少该数", ()
    return None


def _escalations(item: ItemRule, facts: Facts, steps: list[Step], warnings: list[str]) -> list[Escalation]:
    """The item's escalations (法定升格) whose conditions the facts meet, each step citing its article;
    those another met escalation supersedes are dropped (said why)."""
    met: list[Escalation] = []
    unknown: list[Escalation] = []
    if item.escalations and facts.first_violation and not facts.prior_penalties:
        steps.append(Step("初次违法，此前未受过处罚：不适用法定升格（"
                          + "；".join(e.label for e in item.escalations) + "）",
                          tuple(dict.fromkeys(e.basis for e in item.escalations))))
        return []
    for esc in item.escalations:
        if esc.party and esc.party != facts.party:
            steps.append(Step(f"法定升格不适用：{esc.label}（只适用于{PARTIES[esc.party]}）"
                              f"{'；' + esc.note if esc.note else ''}", (esc.basis,)))
            continue
        found = _escalation_count(esc, facts)
        if found is None:
            unknown.append(esc)
            continue
        n, how, rule = found
        kinds = f"{_labels(esc.kinds)}" if esc.effect == "kinds" else ""
        effect = f"应当{kinds}" if kinds else ESCALATION_EFFECTS[esc.effect]
        if n >= esc.prior_count:
            met.append(esc)
            steps.append(Step(f"法定升格：{esc.label}——{esc.window_years} 年内已{PRIOR_KINDS[esc.prior_kind]} {n} 次"
                              f"（达到 {esc.prior_count} 次；{how}），又有应受处罚的违法行为：{effect}"
                              f"{'（' + esc.note + '）' if esc.note else ''}", (esc.basis, *rule)))
            if not esc.verified:
                warnings.append(f"法定升格“{esc.label}”的条文未核实（{esc.basis.source}{esc.basis.article}），"
                                "作出决定前须对照原文核实")
        else:
            steps.append(Step(f"未达到法定升格条件：{esc.label}——{esc.window_years} 年内{PRIOR_KINDS[esc.prior_kind]} "
                              f"{n} 次，不足 {esc.prior_count} 次（{how}）", (esc.basis, *rule)))
    if unknown:
        named = "；".join(f"{e.label}（{e.basis.source}{e.basis.article}；需 prior_penalties_by_kind.{e.prior_kind}："
                         f"{PRIOR_KINDS[e.prior_kind]}的次数）" for e in unknown)
        warnings.append("未提供法定升格所需的期间内已受处罚情况（事实字段 prior_penalties_by_kind 或 "
                        f"prior_penalties），未核对：{named}")
    if met and facts.first_violation:
        raise RuleViolation("facts_conflict", "事实字段 first_violation（初次违法）与已受处罚记录 prior_penalties"
                            f"（已满足“{met[0].label}”）相矛盾", "first_violation", [ART_33_1, met[0].basis])
    dropped = {code: e for e in met for code in e.supersedes}
    for esc in [e for e in met if e.code in dropped]:
        by = dropped[esc.code]
        steps.append(Step(f"“{esc.label}”与“{by.label}”同时满足：适用较重的后果（{_labels(by.kinds)}），"
                          f"不再{_labels(esc.kinds) if esc.kinds else ESCALATION_EFFECTS[esc.effect]}", (by.basis,)))
    return [e for e in met if e.code not in dropped]


def assess(item: ItemRule, facts: Facts, benchmark: Benchmark,
           no_penalty: tuple[NoPenaltyEntry, ...] = ()) -> Assessment:
    """The discretion for one violation of ``item`` (《行政处罚法》第五条、第二十九条至第三十四条).

    See the module docstring for the order of the steps. Outcomes:

    * 不予处罚 (NO_PENALTY): under 14 (第三十条); unable to recognise or control the conduct (第三十一条);
      no subjective fault (第三十三条第二款); 轻微 + 及时改正 + 无危害后果 (第三十三条第一款); a 免罚清单 entry of
      this item whose conditions all hold. Always with education (第三十三条第三款), no kinds, no range.
      首违 + 危害后果轻微 + 及时改正 gives ``alternatives=(NO_PENALTY,)`` ("可以不予处罚").
    * mitigating circumstances ≥ ``mitigate_threshold`` and no aggravating one → 减轻 when one of them is
      a legal ground (第三十条、第三十一条、第三十二条 or a sector rule), else 从轻 (said why); any
      mitigating and no aggravating → 从轻; aggravating only → 从重; both → 一般 (offset, with a warning
      when an 应当从轻或者减轻 ground is offset); none → 一般.
    * a met escalation (:class:`Escalation`) of the item's regulation: ``"heavier"`` is a mandatory
      aggravating circumstance — 从重 whatever the other (non-mandatory) mitigating circumstances, 一般 with a
      warning for 法制审核 when a 第三十条/第三十二条 "应当从轻或者减轻" ground exists too; ``"kinds"`` makes
      its kinds mandatory. The benchmark's generic "repeat" factor is not counted again beside a
      "heavier" escalation (the same earlier penalties).

    Raises :class:`RuleViolation` for factor codes the benchmark does not have, factors that do not apply
    to the item, bad 免罚清单 conditions, and amounts a fine rule needs but the facts lack.
    """
    steps: list[Step] = []
    warnings: list[str] = []
    if not item.verified:
        warnings.append("金额与条号未核实：本事项的罚款幅度或条号来自未读原文的资料，作出决定前须对照原文核实")
    steps.append(Step(f"执法事项 {item.code}：{item.name}。处罚依据：{item.penalty_basis}",
                      (item.penalty_basis, *item.violated_basis)))

    aggravating_f = _check_factors(facts.aggravating, benchmark.aggravating, item, "aggravating", benchmark)
    mitigating_f = _check_factors(facts.mitigating, benchmark.mitigating, item, "mitigating", benchmark)
    entries = [(e, check_conditions(e.conditions)) for e in no_penalty if e.item_code == item.code]

    def no_penalty_result(alternatives: tuple[Outcome, ...] = ()) -> Assessment:
        steps.append(Step("不予行政处罚：不给予任何处罚种类，不计算罚款幅度；应当对当事人进行教育，并记录教育情况",
                          (ART_33_3,)))
        return Assessment(item=item.code, outcome=Outcome.NO_PENALTY, statutory_range=None, recommended_range=None,
                          mandatory_kinds=(), optional_kinds=(), requires_education=True, steps=tuple(steps),
                          alternatives=alternatives, warnings=tuple(warnings))

    # 1. capacity (Art 30, Art 31) — natural persons only
    circumstances: list[_Circumstance] = []
    if facts.party == "person":
        age = facts.age
        if facts.birth_date is not None:
            if facts.act_date is None:
                raise RuleViolation("facts_missing", "给出出生日期时须同时给出 act_date（违法行为发生日期）",
                                    "act_date", [ART_30])
            age = completed_age(facts.birth_date, facts.act_date)
            steps.append(Step(f"出生日期 {facts.birth_date:%Y-%m-%d}，违法行为发生于 {facts.act_date:%Y-%m-%d}，"
                              f"行为时已满 {age} 周岁（周岁自生日次日起算）", (ART_30, MINORS_AGE_RULE)))
        elif age is not None:
            steps.append(Step(f"行为时已满 {age} 周岁（按事实认定）", (ART_30,)))
        else:
            warnings.append("当事人为自然人但未提供出生日期或年龄，未核对行为时是否未成年（《行政处罚法》第三十条）")
        if age is not None and age < 14:
            steps.append(Step(f"行为时不满十四周岁（{age} 周岁）：不予行政处罚，责令监护人加以管教", (ART_30,)))
            return no_penalty_result()
        if age is not None and age < 18:
            circumstances.append(_Circumstance(
                "minor_14_17", f"已满十四周岁不满十八周岁（{age} 周岁）：应当从轻或者减轻处罚", (ART_30,),
                ground=True, mandatory=True))
        if facts.mental_state == "incapable":
            steps.append(Step("精神病人、智力残疾人在不能辨认或者不能控制自己行为时实施违法行为：不予行政处罚，"
                              "责令其监护人严加看管和治疗", (ART_31,)))
            return no_penalty_result()
        if facts.mental_state == "lucid_intermittent":
            steps.append(Step("间歇性精神病人在精神正常时实施违法行为：应当给予行政处罚", (ART_31,)))
        if facts.mental_state == "partial":
            circumstances.append(_Circumstance(
                "partial_capacity", "尚未完全丧失辨认或者控制自己行为能力：可以从轻或者减轻处罚", (ART_31,),
                ground=True))

    # 2. no penalty (Art 33)
    if facts.no_fault:
        steps.append(Step("当事人有证据足以证明没有主观过错：不予行政处罚（法律、行政法规另有规定的，从其规定）",
                          (ART_33_2,)))
        warnings.append("以没有主观过错不予处罚：须核对本事项所依据的法律、行政法规是否另有规定"
                        "（《行政处罚法》第三十三条第二款）")
        return no_penalty_result()
    if facts.minor_violation and facts.corrected_promptly and facts.harm == "none":
        steps.append(Step("违法行为轻微并及时改正，没有造成危害后果：不予行政处罚", (ART_33_1,)))
        return no_penalty_result()
    held = {"first_violation": facts.first_violation, "corrected_promptly": facts.corrected_promptly,
            "no_harm": facts.harm == "none", "minor_harm": facts.harm in ("none", "minor"),
            "minor_violation": facts.minor_violation}
    for entry, conditions in entries:
        named = "、".join(NO_PENALTY_CONDITIONS[c] for c in conditions)
        basis = tuple(c for c in (entry.basis, ART_33_1) if c is not None)
        missing = [c for c in conditions if not held[c]]
        if not missing:
            steps.append(Step(f"本事项列入免罚清单（{entry.source}），适用条件“{named}”均已满足：不予行政处罚", basis))
            return no_penalty_result()
        steps.append(Step(f"本事项列入免罚清单（{entry.source}），但不满足条件："
                          f"{'、'.join(NO_PENALTY_CONDITIONS[c] for c in missing)}；不适用该清单", basis))
    alternatives: tuple[Outcome, ...] = ()
    if facts.first_violation and facts.harm in ("none", "minor") and facts.corrected_promptly:
        alternatives = (Outcome.NO_PENALTY,)
        steps.append(Step("初次违法且危害后果轻微并及时改正：可以不予行政处罚（由执法机关裁量决定；"
                          "决定不予处罚的，应当进行教育）", (ART_33_1, ART_33_3)))

    # 3. circumstances
    for flag, code, text, cite in (
        (facts.eliminated_harm, "eliminated_harm", "主动消除或者减轻违法行为危害后果", ART_32_1),
        (facts.coerced, "coerced", "受他人胁迫或者诱骗实施违法行为", ART_32_2),
        (facts.confessed_unknown, "confessed_unknown", "主动供述行政机关尚未掌握的违法行为", ART_32_3),
        (facts.merit, "merit", "配合行政机关查处违法行为有立功表现", ART_32_4),
    ):
        if flag:
            circumstances.append(_Circumstance(code, f"{text}：应当从轻或者减轻处罚", (cite,), ground=True,
                                               mandatory=True))
    for f in mitigating_f:
        if any(c.code == f.code for c in circumstances):
            continue
        basis = (f.basis,) if f.basis else (benchmark.citation,)
        if f.ground and f.basis not in LEGAL_GROUNDS:  # a sector rule: 第三十二条第（五）项 lets it count
            basis = (*basis, ART_32_5)
        circumstances.append(_Circumstance(f.code, f.label, basis, ground=f.ground))

    escalated = _escalations(item, facts, steps, warnings)
    aggravators: list[_Circumstance] = [
        _Circumstance(e.code, f"{e.label}：应当从重处罚", (e.basis,), mandatory=True)
        for e in escalated if e.effect == "heavier"]
    for f in aggravating_f:
        aggravators.append(_Circumstance(f.code, f.label, (f.basis,) if f.basis else (benchmark.citation,)))
    if facts.prior_penalties_in_window >= benchmark.repeat_count and not any(a.code == "repeat" for a in aggravators):
        f = benchmark.factor("repeat")
        aggravators.append(_Circumstance(
            "repeat", f"{benchmark.repeat_window_years} 年内已因违法行为受过 {facts.prior_penalties_in_window} 次"
                      f"行政处罚（达到基准的 {benchmark.repeat_count} 次）",
            (f.basis,) if f and f.basis else (benchmark.citation,)))
    statutory_heavier = [a for a in aggravators if a.mandatory]
    generic_repeat = [a for a in aggravators if a.code == "repeat"]
    if statutory_heavier and generic_repeat:
        aggravators = [a for a in aggravators if a.code != "repeat"]
        steps.append(Step(f"基准的从重情节“{generic_repeat[0].label}”与法定应当从重（{statutory_heavier[0].label}）"
                          "是同一事实（期间内已受处罚），不重复计算", (statutory_heavier[0].basis[0], ART_5)))
    elif generic_repeat and any(e.effect == "kinds" for e in escalated):
        warnings.append("期间内已受处罚的事实已作为法定升格（"
                        + "；".join(f"{e.basis.source}{e.basis.article}" for e in escalated if e.effect == "kinds")
                        + "）的条件；再作为基准的“再次违法”从重情节时须防止重复评价，由法制审核把关")
    if facts.harm == "serious" and not any(a.code == "serious_consequence" for a in aggravators):
        f = benchmark.factor("serious_consequence")
        aggravators.append(_Circumstance("serious_consequence", "危害后果严重",
                                         (f.basis,) if f and f.basis else (benchmark.citation,)))
    twice = [a.label for a in aggravators if a.code in ("serious_consequence", "refused_correction")]
    if facts.serious and twice:
        warnings.append(f"“{'、'.join(twice)}”已作为从重情节；如已据此认定“情节严重或者拒不改正”并适用加重的处罚，"
                        "不得重复评价")

    for c in circumstances:
        steps.append(Step(f"从轻、减轻情节：{c.label}", c.basis))
    for a in aggravators:
        steps.append(Step(f"从重情节：{a.label}", a.basis))

    # 4. the outcome
    grounds = tuple(dict.fromkeys(b for c in circumstances if c.ground for b in c.basis))
    n_mit, n_agg = len(circumstances), len(aggravators)
    must_heavier = [a for a in aggravators if a.mandatory]
    must_lighter = [c for c in circumstances if c.mandatory]
    heavier_basis = tuple(dict.fromkeys(b for a in must_heavier for b in a.basis))
    if must_heavier and must_lighter:
        outcome = Outcome.GENERAL
        lighter_basis = tuple(dict.fromkeys(b for c in must_lighter for b in c.basis))
        steps.append(Step(f"法定应当从重处罚的情节（{'；'.join(a.label for a in must_heavier)}）与法定应当从轻或者减轻"
                          f"的情节（{'；'.join(c.label for c in must_lighter)}）并存：相互抵消，一般处罚",
                          (*heavier_basis, *lighter_basis, ART_5)))
        warnings.append("法规规定应当从重处罚，同时存在《行政处罚法》第三十条或第三十二条规定“应当从轻或者减轻”的情节，"
                        "建议一般处罚；适用何种裁量阶次须经法制审核决定")
    elif must_heavier:
        outcome = Outcome.HEAVIER
        others = (f"；从轻情节（{n_mit} 个）不是法定应当从轻或者减轻的情形，不能抵消法定从重" if n_mit else "")
        steps.append(Step(f"法规规定应当从重处罚（{'；'.join(a.label for a in must_heavier)}）{others}："
                          "从重处罚，不得超过法定最高限", (*heavier_basis, benchmark.citation, ART_5)))
    elif n_mit and not n_agg:
        if n_mit >= benchmark.mitigate_threshold and grounds:
            outcome = Outcome.MITIGATED
            named = "；".join(g.source + g.article for g in grounds)
            steps.append(Step(f"有 {n_mit} 个从轻、减轻情节（达到基准的 {benchmark.mitigate_threshold} 个），"
                              f"无从重情节，且有减轻处罚的法定依据（{named}）：减轻处罚",
                              (*grounds, benchmark.citation)))
        elif n_mit >= benchmark.mitigate_threshold:
            outcome = Outcome.LIGHTER
            steps.append(Step(f"有 {n_mit} 个从轻情节（达到基准的 {benchmark.mitigate_threshold} 个），无从重情节；"
                              "但均为裁量基准列举的情节，没有法律、法规、规章规定的减轻处罚依据，不能低于法定最低限，"
                              "以从轻处罚为限", (ART_32_5, benchmark.citation)))
        else:
            outcome = Outcome.LIGHTER
            steps.append(Step(f"有 {n_mit} 个从轻、减轻情节（未达到减轻处罚所需的 {benchmark.mitigate_threshold} 个），"
                              "无从重情节：从轻处罚", (benchmark.citation,)))
    elif n_agg and not n_mit:
        outcome = Outcome.HEAVIER
        steps.append(Step(f"有 {n_agg} 个从重情节，无从轻、减轻情节：从重处罚，不得超过法定最高限",
                          (benchmark.citation, ART_5)))
    elif n_agg and n_mit:
        outcome = Outcome.GENERAL
        steps.append(Step(f"从轻、减轻情节（{n_mit} 个）与从重情节（{n_agg} 个）并存，综合考量后相互抵消：一般处罚",
                          (benchmark.citation, ART_5)))
        if any(c.mandatory for c in circumstances):
            warnings.append("存在《行政处罚法》第三十条或第三十二条规定“应当从轻或者减轻”的情节，与从重情节相抵后建议一般处罚；"
                            "须经法制审核确认不违反法定从轻、减轻要求")
    else:
        outcome = Outcome.GENERAL
        steps.append(Step("无从轻、减轻情节，也无从重情节：一般处罚", (benchmark.citation, ART_5)))

    # 5. the penalty kinds
    mandatory: list[PenaltyKind] = []
    optional: list[PenaltyKind] = []
    serious_kinds: list[KindRule] = []
    own: list[tuple[KindRule, KindMode]] = []
    below = _below_threshold(item.fine, facts)
    escalation_codes = {e.code for e in item.escalations}
    for rule in item.kinds:
        if rule.escalation and rule.escalation in escalation_codes:
            if not any(e.code == rule.escalation for e in escalated):
                steps.append(Step(f"{KIND_LABELS[rule.kind]}只在法定升格条件满足时适用，本案未满足"
                                  f"{'（' + rule.note + '）' if rule.note else ''}",
                                  tuple(e.basis for e in item.escalations if e.code == rule.escalation)))
            continue  # when met, the escalation gives the kind
        if rule.escalation:
            warnings.append(f"处罚种类“{KIND_LABELS[rule.kind]}”所指的法定升格“{rule.escalation}”不在本事项中，"
                            "按其适用方式处理，请核对事项数据")
        if rule.applies_to:
            steps.append(Step(f"对直接负责的主管人员和其他直接责任人员另行处罚（不计入本当事人的处罚种类）："
                              f"{KIND_LABELS[rule.kind]}{'（' + rule.note + '）' if rule.note else ''}",
                              (item.penalty_basis,)))
            continue
        if rule.authority:
            steps.append(Step(f"{KIND_LABELS[rule.kind]}由{rule.authority}作出，本机关不作出"
                              f"{'（' + rule.note + '）' if rule.note else ''}", (item.penalty_basis,)))
            continue
        mode = rule.mode
        if below is not None and rule.mode_below_threshold is not None and rule.mode_below_threshold is not mode:
            mode = rule.mode_below_threshold
            steps.append(Step(f"{below.base.value}不足{yuan(below.threshold)}（或没有）：{KIND_LABELS[rule.kind]}"
                              f"为{'可以给予' if mode is KindMode.OPTIONAL else '应当给予'}"
                              f"{'（' + rule.note + '）' if rule.note else ''}", (item.penalty_basis,)))
        own.append((rule, mode))
    for rule, mode in own:
        if mode is KindMode.MANDATORY and rule.kind not in mandatory:
            mandatory.append(rule.kind)
    for esc in escalated:
        if esc.effect != "kinds":
            continue
        for kind in esc.kinds:
            if kind not in mandatory:
                mandatory.append(kind)
        steps.append(Step(f"法定升格（{esc.label}）：应当给予 {_labels(esc.kinds)}"
                          f"{'（' + esc.note + '）' if esc.note else ''}", (esc.basis,)))
        if outcome is Outcome.MITIGATED:
            warnings.append(f"减轻处罚时，法规规定的升格处罚种类（{_labels(esc.kinds)}，{esc.basis.source}"
                            f"{esc.basis.article}）能否降低，须经法制审核决定")
    for rule, mode in own:
        if mode is KindMode.OPTIONAL and rule.kind not in mandatory and rule.kind not in optional:
            optional.append(rule.kind)
        elif mode is KindMode.SERIOUS:
            serious_kinds.append(rule)
    extra = [r for r in serious_kinds if r.kind not in mandatory and r.kind not in optional]
    if facts.serious and extra:
        notes = "；".join(dict.fromkeys(r.note for r in extra if r.note))
        if outcome is Outcome.MITIGATED:
            steps.append(Step(f"情节严重时的处罚种类（{_labels(dict.fromkeys(r.kind for r in extra))}）属较重种类，"
                              "减轻处罚不予适用，改按较轻的处罚种类处罚", (*grounds, item.penalty_basis)))
        else:
            for r in extra:
                if r.kind not in optional:
                    optional.append(r.kind)
            steps.append(Step(f"情节严重或者拒不改正：可以选择适用 {_labels(dict.fromkeys(r.kind for r in extra))}"
                              f"{'（' + notes + '）' if notes else ''}，由执法机关根据情节决定", (item.penalty_basis,)))
    elif extra:
        steps.append(Step(f"未认定情节严重：不适用 {_labels(dict.fromkeys(r.kind for r in extra))}",
                          (item.penalty_basis,)))

    groups: dict[str, list[PenaltyKind]] = {}
    for rule, _ in own:
        if rule.alternative_group and (rule.kind in mandatory or rule.kind in optional):
            groups.setdefault(rule.alternative_group, [])
            if rule.kind not in groups[rule.alternative_group]:
                groups[rule.alternative_group].append(rule.kind)
    kind_groups = tuple(tuple(g) for g in groups.values() if len(g) > 1)
    for g in kind_groups:
        must = all(k in mandatory for k in g)
        steps.append(Step(f"{'或者'.join(KIND_LABELS[k] for k in g)}：{'应当' if must else '可以'}择一给予，"
                          "不并用", (item.penalty_basis,)))

    has_fine_kind = PenaltyKind.FINE in mandatory or PenaltyKind.FINE in optional
    fine_listed = any(r.kind is PenaltyKind.FINE for r in item.kinds)
    if item.fine is not None and not fine_listed:
        warnings.append("事项有罚款规则但未列出罚款种类（并处或可以并处），罚款按“并处”计算，请核对事项数据")
        mandatory.append(PenaltyKind.FINE)
        has_fine_kind = True
    elif item.fine is None and fine_listed:
        warnings.append("事项列有罚款种类但没有罚款幅度，无法计算罚款，请核对事项数据")

    # 6. the ranges
    statutory: FineRange | None = None
    recommended: tuple[Decimal, Decimal] | None = None
    if item.fine is not None and has_fine_kind:
        statutory = statutory_range(item.fine, facts.amounts, serious=facts.serious)
        mode = "应当并处" if PenaltyKind.FINE in mandatory else "可以并处"
        steps.append(Step(f"罚款（{mode}）：{'；'.join(statutory.steps)}；本案法定幅度 {yuan(statutory.min)} 至 "
                          f"{yuan(statutory.max)}", (item.penalty_basis,)))
        shape = statutory.shape
        custom = benchmark.item_bands.get(item.code, {}).get(shape)
        per_shape = custom if custom is not None else benchmark.bands.get(shape)
        if per_shape is None:
            raise RuleViolation("benchmark_band_missing", f"裁量基准缺少“{SHAPE_LABELS[shape]}”（{shape}）的分档",
                                f"bands.{shape}", [ART_34])
        where = f"事项 {item.code} 的专门分档" if custom is not None else f"{SHAPE_LABELS[shape]}的分档"
        span = statutory.max - statutory.min

        def band_range(o: Outcome) -> tuple[Decimal, Decimal]:
            band = per_shape[o]
            return _inward(statutory.min + band.low * span, statutory.min + band.high * span,
                           statutory.min, statutory.max)

        if outcome is Outcome.MITIGATED:
            if statutory.min > CENT:
                floor = max((statutory.min * benchmark.mitigated_floor).quantize(CENT, rounding=ROUND_CEILING), CENT)
                top = statutory.min - CENT
                recommended = (min(floor, top), top)
                floor_text = (f"基准规定减轻后不低于法定最低限的 {_pct(benchmark.mitigated_floor)}"
                              if benchmark.mitigated_floor else "基准未规定减轻后的最低比例")
                steps.append(Step(f"减轻处罚：在法定最低限 {yuan(statutory.min)} 以下处罚，建议 "
                                  f"{yuan(recommended[0])} 至 {yuan(recommended[1])}（{floor_text}）",
                                  (*grounds, benchmark.citation)))
            else:
                if PenaltyKind.FINE in mandatory:
                    mandatory.remove(PenaltyKind.FINE)
                    optional.append(PenaltyKind.FINE)
                recommended = band_range(Outcome.LIGHTER)
                band = per_shape[Outcome.LIGHTER]
                steps.append(Step(f"减轻处罚：法定罚款没有最低限，减轻即降低处罚种类——罚款改为可以并处，"
                                  f"如仍处罚款，按从轻档（{where}，{_pct(band.low)}–{_pct(band.high)}）"
                                  f"{yuan(recommended[0])} 至 {yuan(recommended[1])}", (*grounds, benchmark.citation)))
        else:
            band = per_shape[outcome]
            recommended = band_range(outcome)
            steps.append(Step(f"{OUTCOME_LABELS[outcome]}：按{where}（{_pct(band.low)}–{_pct(band.high)}），"
                              f"建议罚款 {yuan(recommended[0])} 至 {yuan(recommended[1])}",
                              (benchmark.citation, ART_34, ART_5)))
    elif item.fine is not None:
        steps.append(Step("本案不适用罚款（罚款仅在情节严重时适用，未认定情节严重）", (item.penalty_basis,)))

    if outcome is Outcome.MITIGATED and statutory is None and not (facts.serious and extra):
        # (with serious kinds, the lighter kind was explained when they were dropped)
        steps.append(Step(f"减轻处罚：本事项没有罚款幅度，法定处罚种类为 {_labels(mandatory)}，已无更轻的种类可降，"
                              "按最轻的法定种类处罚", (*grounds, item.penalty_basis)))

    steps.append(Step(f"应当给予的处罚种类：{_labels(mandatory)}；可以选择的处罚种类：{_labels(optional)}",
                      (item.penalty_basis,)))
    return Assessment(item=item.code, outcome=outcome, statutory_range=statutory, recommended_range=recommended,
                      mandatory_kinds=tuple(mandatory), optional_kinds=tuple(optional), requires_education=False,
                      steps=tuple(steps), alternatives=alternatives, warnings=tuple(warnings),
                      grounds=grounds if outcome is Outcome.MITIGATED else (), kind_groups=kind_groups,
                      escalations=tuple(escalated))


def choose_higher_fine(candidates: list[ItemRule] | tuple[ItemRule, ...],
                       facts: Facts) -> tuple[ItemRule, FineRange, Step]:
    """《行政处罚法》第二十九条: one fine per act; where the act breaches several norms that provide fines,
    apply the norm with the higher fine.

    Each candidate's statutory range is computed for the facts (amounts, 情节严重); the higher maximum
    wins, then the higher minimum; a tie keeps the first candidate. Items without a fine rule are
    skipped; none with a fine is refused.
    """
    ranked: list[tuple[ItemRule, FineRange]] = []
    for item in candidates:
        if item.fine is None:
            continue
        ranked.append((item, statutory_range(item.fine, facts.amounts, serious=facts.serious)))
    if not ranked:
        raise RuleViolation("no_fine_candidate", "所列执法事项均无罚款规定，无法按《行政处罚法》第二十九条择一罚款",
                            "items", [ART_29])
    best_item, best = ranked[0]
    for item, rng in ranked[1:]:
        if (rng.max, rng.min) > (best.max, best.min):
            best_item, best = item, rng
    compared = "；".join(f"{i.code}（{i.penalty_basis}）{yuan(r.min)} 至 {yuan(r.max)}" for i, r in ranked)
    text = (f"同一违法行为违反多个法律规范，均应给予罚款：{compared}。只能给予一次罚款，"
            f"按罚款数额高的规定处罚：适用 {best_item.code}（{best_item.penalty_basis}），{yuan(best.min)} 至 "
            f"{yuan(best.max)}")
    return best_item, best, Step(text, (ART_29, *dict.fromkeys(i.penalty_basis for i, _ in ranked)))
