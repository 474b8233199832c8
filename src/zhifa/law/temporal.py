"""Time and the applicable law: the limitation period (《行政处罚法》第三十六条) and lex mitior (第三十七条).

- Art 36: no penalty once a violation has gone **undiscovered for 2 years**; **5 years** where it concerns
  citizens' life, health and safety or financial security and caused harm; a law may provide otherwise.
  The period runs from the day of the act, or for a continuing (连续/继续) violation from the day it ended.
  The last day comes from ``clocks.due("limitation", …)`` (corresponding day, 《民法典》第二百零二条; not
  rolled forward, the agency's safe side): discovery on that last day is still in time.
- Art 37: the rules in force when the act was committed apply; but if, when the decision is made, the
  rule has been amended or repealed and the new rule is lighter or no longer treats the act as an
  offence, the new rule applies (从旧兼从轻).

A provision's history is a list of :class:`Version` (the catalog's ``ProvisionVersion`` rows). A version is in
force from ``effective_from`` (inclusive) until ``effective_to`` (exclusive: the 失效日期 is the first day it
no longer applies, normally the day the next version takes effect), or indefinitely when that is ``None``.

"Lighter" (documented choice; the article gives no measure): a version that no longer treats the act as an
offence is lightest. Otherwise the statutory fine range for the case's amounts (:func:`fines.statutory_range`)
is compared by its maximum, then by its minimum, then the heaviest penalty kind is compared by
:data:`penalties.KIND_SEVERITY` (吊销、责令关闭 heaviest). The first difference decides; a version equal on all
three is not lighter, so the act-time version stays. 其他行政处罚 cannot be ranked: if the comparison gets
that far with it, the act-time version stays and a step says so. Only the act-time and decision-time
versions are compared, as the article says; a version in force only in between is named in the steps but
not applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from .calendar import WorkCalendar, cn_date
from .citations import XZCFF
from .clocks import ART_36, due
from .errors import Citation, RuleViolation
from .fines import FineRange, FineRule, statutory_range, yuan
from .penalties import KIND_LABELS, KIND_SEVERITY, PenaltyKind, heaviest_kind

ART_37 = Citation(XZCFF, "第三十七条",
                  "实施行政处罚，适用违法行为发生时的法律、法规、规章的规定；作出行政处罚决定时，法律、法规、规章"
                  "已被修改或者废止，且新的规定处罚较轻或者不认为是违法的，适用新的规定")



# --- Art 36: limitation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limitation:
    """The limitation answer: ``result`` is true while the act may still be punished (discovered in time)."""

    result: bool
    last_day: date
    years: int
    basis: tuple[Citation, ...]
    reasons: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"result": self.result, "last_day": self.last_day.isoformat(), "years": self.years,
                "basis": [str(c) for c in self.basis], "reasons": list(self.reasons),
                "warnings": list(self.warnings)}


def limitation(act_end: date, discovered_on: date, calendar: WorkCalendar, *, serious: bool = False) -> Limitation:
    """Was the violation discovered within the limitation period? (《行政处罚法》第三十六条)

    ``act_end`` is the day of the act, or the day a continuing violation ended. ``serious=True`` when the act
    concerns citizens' life, health and safety or financial security **and** caused harm (5 years instead of
    2). The last day is the corresponding day (``clocks.due("limitation", …)``); discovery on it is in time.
    Discovery before the act is refused. "法律另有规定的除外" is not modelled: a special law must be applied
    by the officer.
    """
    if discovered_on < act_end:
        raise RuleViolation("discovered_before_act",
                            f"发现日期（discovered_on）{cn_date(discovered_on)}早于违法行为（终了）之日{cn_date(act_end)}",
                            "discovered_on", [ART_36])
    result = due("limitation", act_end, calendar, serious=serious)
    years = 5 if serious else 2
    in_time = discovered_on <= result.date
    reasons = [f"违法行为（有连续或者继续状态的，为行为终了）之日为{cn_date(act_end)}",
               f"追责期限{years}年" + ("（涉及公民生命健康安全、金融安全且有危害后果）" if serious else "")
               + f"，最后一日为{cn_date(result.date)}"]
    if in_time:
        reasons.append(f"{cn_date(discovered_on)}发现，在期限内，可以给予行政处罚")
    else:
        reasons.append(f"{cn_date(discovered_on)}发现，已超过{years}年，不再给予行政处罚")
    return Limitation(in_time, result.date, years, result.basis, tuple(reasons), result.warnings)


# --- Art 37: lex mitior ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """One dated version of a penalty provision (the catalog's ``ProvisionVersion``).

    In force from ``effective_from`` (inclusive) to ``effective_to`` (exclusive; ``None`` = still in force).
    ``is_offence`` is false for a version under which the act is no longer an offence (e.g. a repeal).
    """

    label: str
    effective_from: date
    effective_to: date | None = None
    is_offence: bool = True
    kinds: tuple[PenaltyKind, ...] = ()
    fine: FineRule | None = None

    def __post_init__(self) -> None:
        kinds = []
        for kind in self.kinds:
            try:
                kinds.append(PenaltyKind(kind))
            except ValueError:
                raise RuleViolation("penalty_kind_unknown", f"版本“{self.label}”的处罚种类（kinds）无法识别：“{kind}”",
                                    "kinds", [ART_37]) from None
        object.__setattr__(self, "kinds", tuple(kinds))

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "effective_from": self.effective_from.isoformat(),
                "effective_to": self.effective_to.isoformat() if self.effective_to else None,
                "is_offence": self.is_offence, "kinds": [k.value for k in self.kinds],
                "fine": self.fine.to_json() if self.fine else None}


@dataclass(frozen=True)
class Choice:
    """The version that applies under Art 37, with the comparison that chose it."""

    version: Version
    act_version: Version
    decision_version: Version
    lighter_applied: bool
    steps: tuple[str, ...]
    basis: tuple[Citation, ...]

    @property
    def punishable(self) -> bool:
        return self.version.is_offence

    def to_json(self) -> dict[str, Any]:
        return {"result": self.version.label, "punishable": self.punishable, "lighter_applied": self.lighter_applied,
                "version": self.version.to_json(), "steps": list(self.steps),
                "basis": [str(c) for c in self.basis]}


def _check_versions(versions: list[Version]) -> list[Version]:
    if not versions:
        raise RuleViolation("versions_missing", "须提供条款的至少一个版本（versions）", "versions", [ART_37])
    for v in versions:
        if v.effective_to is not None and v.effective_to <= v.effective_from:
            raise RuleViolation("version_dates", f"条款版本（versions）“{v.label}”的失效日期不晚于施行日期",
                                "versions", [ART_37])
    ordered = sorted(versions, key=lambda v: v.effective_from)
    for a, b in pairwise(ordered):
        if a.effective_to is None or a.effective_to > b.effective_from:
            raise RuleViolation("version_overlap",
                                f"条款版本（versions）“{a.label}”与“{b.label}”的施行期间重叠（失效日期为不再施行的第一日）",
                                "versions", [ART_37])
    return ordered


def _in_force(versions: list[Version], on: date, field: str, what: str) -> Version:
    for v in versions:
        if v.in_force(on):
            return v
    hint = "；如该条款已废止且不再认为违法，请登记一个“不认为是违法”的版本" if field == "decision_date" else ""
    raise RuleViolation(f"version_missing_at_{field.removesuffix('_date')}",
                        f"{what}（{field}）{cn_date(on)}没有施行中的条款版本{hint}", field, [ART_37])


def _range(v: Version, amounts: dict[str, Any], serious: bool) -> FineRange | None:
    return statutory_range(v.fine, amounts, serious=serious) if v.fine is not None else None


def _range_text(r: FineRange | None) -> str:
    if r is None:
        return "无罚款"
    return f"{yuan(r.min)}至{yuan(r.max)}" if r.min else f"{yuan(r.max)}以下"


def applicable_version(versions: Iterable[Version], act_date: date, decision_date: date,
                       amounts: dict[str, Any] | None = None, *, serious: bool = False) -> Choice:
    """The version that applies to an act on ``act_date`` decided on ``decision_date`` (《行政处罚法》第三十七条).

    The version in force on the act date applies, unless the version in force on the decision date no longer
    treats the act as an offence or is lighter (see the module docstring for "lighter": fine range for
    ``amounts`` — {"违法经营额"|"违法所得"|"货值金额": yuan} — by max, then min, then the heaviest kind).
    ``serious`` selects each rule's 情节严重 variant. A version that did not treat the act as an offence when
    it was committed is never displaced by a later, harsher one (no retroactivity). Refused: no version in
    force on the act date or the decision date, overlapping versions, a decision before the act.
    """
    if decision_date < act_date:
        raise RuleViolation("decision_before_act",
                            f"作出处罚决定的日期（decision_date）{cn_date(decision_date)}早于违法行为发生日期{cn_date(act_date)}",
                            "decision_date", [ART_37])
    ordered = _check_versions(list(versions))
    old = _in_force(ordered, act_date, "act_date", "违法行为发生日期")
    new = _in_force(ordered, decision_date, "decision_date", "作出处罚决定日期")
    amounts = amounts or {}
    steps = [f"违法行为发生时（{cn_date(act_date)}）施行“{old.label}”",
             f"作出处罚决定时（{cn_date(decision_date)}）施行“{new.label}”"]

    def choose(version: Version, lighter: bool, *more: str) -> Choice:
        return Choice(version, old, new, lighter, tuple(steps) + more, (ART_37,))

    if old is new:
        return choose(old, False, "行为时与决定时施行同一版本，适用该版本")
    between = [v for v in ordered if old.effective_from < v.effective_from < new.effective_from]
    if between:
        steps.append("期间曾施行" + "、".join(f"“{v.label}”" for v in between)
                     + "，第三十七条只比较行为时与决定时的规定，不适用中间版本")
    if not old.is_offence:
        return choose(old, False, f"“{old.label}”不认为是违法，新的规定不溯及既往，不予行政处罚")
    if not new.is_offence:
        return choose(new, True, f"“{new.label}”不认为是违法，适用新的规定，不予行政处罚")

    old_range, new_range = _range(old, amounts, serious), _range(new, amounts, serious)
    steps.append(f"罚款幅度：“{old.label}”{_range_text(old_range)}；“{new.label}”{_range_text(new_range)}")
    zero = Decimal(0)
    old_max, new_max = (old_range.max if old_range else zero), (new_range.max if new_range else zero)
    old_min, new_min = (old_range.min if old_range else zero), (new_range.min if new_range else zero)
    keep = f"新的规定不轻于行为时的规定，适用“{old.label}”"
    if new_max != old_max:
        if new_max < old_max:
            return choose(new, True, f"“{new.label}”罚款上限较低，处罚较轻，适用新的规定")
        return choose(old, False, f"“{new.label}”罚款上限较高，{keep}")
    if new_min != old_min:
        if new_min < old_min:
            return choose(new, True, f"罚款上限相同，“{new.label}”罚款下限较低，处罚较轻，适用新的规定")
        return choose(old, False, f"罚款上限相同，“{new.label}”罚款下限较高，{keep}")
    if PenaltyKind.OTHER in old.kinds or PenaltyKind.OTHER in new.kinds:
        return choose(old, False, f"罚款幅度相同；处罚种类含“{KIND_LABELS[PenaltyKind.OTHER]}”，无法比较轻重，"
                                  f"适用“{old.label}”，须人工判断")
    old_top, new_top = heaviest_kind(old.kinds), heaviest_kind(new.kinds)
    old_rank = KIND_SEVERITY[old_top] if old_top else 0
    new_rank = KIND_SEVERITY[new_top] if new_top else 0
    kinds_text = (f"最重处罚种类：“{old.label}”{KIND_LABELS[old_top] if old_top else '无'}；"
                  f"“{new.label}”{KIND_LABELS[new_top] if new_top else '无'}")
    if new_rank < old_rank:
        return choose(new, True, f"罚款幅度相同，{kinds_text}，新的规定较轻，适用新的规定")
    return choose(old, False, f"罚款幅度相同，{kinds_text}，{keep}")
