"""Capacity to bear an administrative penalty: age and mental state (《行政处罚法》第三十条、第三十一条).

- Art 30: under 14 full years (不满十四周岁): no penalty, the guardian is ordered to discipline the child;
  14 to under 18 (已满十四周岁不满十八周岁): the penalty **must** be lighter or mitigated (应当从轻或者减轻).
- Art 31: a mentally ill or intellectually disabled person who cannot recognise or control the conduct:
  no penalty, the guardian is ordered to supervise and treat; an intermittently ill person acting while
  lucid: penalty applies; partial incapacity: the penalty **may** be lighter or mitigated.
- These are rules for natural persons; an organisation has full capacity.

Age is counted on the date of the act (law.md §1.7) with :func:`completed_age`.

Note on 周岁 (a documented choice): 《行政处罚法》 does not say how 周岁 are counted. This module follows
最高人民法院《关于审理未成年人刑事案件具体应用法律若干问题的解释》（法释〔2006〕1号）第二条, which counts
刑法第十七条's 周岁 "按照公历的年、月、日计算，从周岁生日的第二天起算": a person is 14 full years old from
the day **after** the 14th birthday. It is applied here by analogy; no source we could verify says that
Art 30 follows it (law.md has none). :func:`zhifa.law.identifiers.age_on` counts the birthday itself as
the day the year is completed. The two differ only on the birthday: on the 14th (18th) birthday a person
is 13 (17) here and 14 (18) by ``age_on``; so on that one day this module gives the more lenient result.
For someone born on 29 February, the birthday in a common year is 28 February (the corresponding day of
《民法典》第二百零二条, month end), so the year is completed on 1 March, as ``age_on`` also says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from .calendar import CIVIL_CODE_ART_202, add_months, cn_date
from .citations import XZCFF
from .errors import Citation, RuleViolation
from .penalties import ORGANISATION, PARTY_LABELS, PERSON

ART_30 = Citation(XZCFF, "第三十条",
                  "不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教；"
                  "已满十四周岁不满十八周岁的未成年人有违法行为的，应当从轻或者减轻行政处罚")
ART_31 = Citation(XZCFF, "第三十一条",
                  "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚，但应当责令其监护人"
                  "严加看管和治疗；间歇性精神病人在精神正常时有违法行为的，应当给予行政处罚；尚未完全丧失辨认或者"
                  "控制自己行为能力的，可以从轻或者减轻行政处罚")
SPC_MINORS_ART_2 = Citation("最高人民法院《关于审理未成年人刑事案件具体应用法律若干问题的解释》", "第二条",
                            "周岁按照公历的年、月、日计算，从周岁生日的第二天起算；本系统类推适用于行政处罚")


class Level(StrEnum):
    """Capacity levels, from no penalty to full penalty."""

    NONE = "none"  # 不予行政处罚
    MUST_MITIGATE = "must_mitigate"  # 应当从轻或者减轻
    MAY_MITIGATE = "may_mitigate"  # 可以从轻或者减轻
    FULL = "full"  # 完全责任能力

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.NONE: "不予行政处罚",
    Level.MUST_MITIGATE: "应当从轻或者减轻行政处罚",
    Level.MAY_MITIGATE: "可以从轻或者减轻行政处罚",
    Level.FULL: "依法给予行政处罚",
}
_ORDER = (Level.NONE, Level.MUST_MITIGATE, Level.MAY_MITIGATE, Level.FULL)  # most lenient first


class MentalState(StrEnum):
    NORMAL = "normal"  # 正常
    INCAPABLE = "incapable"  # 不能辨认或者不能控制自己行为
    PARTIAL = "partial"  # 尚未完全丧失辨认或者控制自己行为能力
    LUCID_INTERMITTENT = "lucid_intermittent"  # 间歇性精神病人在精神正常时


MINOR_AGE, ADULT_AGE = 14, 18


def completed_age(birth: date, on: date) -> int:
    """Full years (周岁) completed on ``on``: N from the day **after** the Nth birthday (see the module note).

    最高人民法院《关于审理未成年人刑事案件具体应用法律若干问题的解释》第二条, applied by analogy to
    《行政处罚法》第三十条. The Nth birthday is the corresponding day N years after birth, or the month's
    last day when there is none (29 February → 28 February; 《民法典》第二百零二条).
    """
    if on < birth:
        raise RuleViolation("birth_after_date", "出生日期（birth_date）晚于计算年龄的日期", "birth_date", [ART_30])
    years = on.year - birth.year
    while years > 0 and add_months(birth, 12 * years) >= on:
        years -= 1
    return years


def full_age_date(birth: date, years: int) -> date:
    """The first day on which a person born on ``birth`` has completed ``years`` full years (周岁)."""
    return add_months(birth, 12 * years) + timedelta(days=1)



@dataclass(frozen=True)
class Capacity:
    """The capacity answer: ``level``, the articles, the reasons and whether a guardian must be ordered."""

    level: Level
    basis: tuple[Citation, ...]
    reasons: tuple[str, ...]
    guardian_order: bool = False
    age: int | None = None

    @property
    def punishable(self) -> bool:
        return self.level is not Level.NONE

    def to_json(self) -> dict[str, Any]:
        return {"result": self.level.value, "label": self.level.label, "guardian_order": self.guardian_order,
                "age": self.age, "basis": [str(c) for c in self.basis], "reasons": list(self.reasons)}


def capacity(birth_date: date | None, act_date: date, mental_state: str = MentalState.NORMAL,
             party: str = PERSON) -> Capacity:
    """The capacity of the party on the date of the act (《行政处罚法》第三十条、第三十一条).

    For a natural person (``party="person"``): age by :func:`completed_age` on ``act_date`` and the mental
    state (``normal``, ``incapable``, ``partial``, ``lucid_intermittent``). When several rules apply the
    most lenient level wins (e.g. a 16-year-old with partial incapacity: must mitigate), and every rule
    that applied is in ``reasons``. ``guardian_order`` is true when Art 30 or 31 orders the guardian to act.
    An organisation (``party="organisation"``) has full capacity; age and mental state do not apply.
    """
    if party not in PARTY_LABELS:
        raise RuleViolation("party_invalid",
                            "当事人类型（party）只能是 person（公民）或 organisation（法人或者其他组织）",
                            "party", [ART_30])
    try:
        state = MentalState(mental_state)
    except ValueError:
        raise RuleViolation("mental_state_invalid",
                            "精神状态（mental_state）只能是 normal、incapable、partial 或 lucid_intermittent",
                            "mental_state", [ART_31]) from None
    if party == ORGANISATION:
        return Capacity(Level.FULL, (ART_30, ART_31),
                        ("当事人为法人或者其他组织，第三十条、第三十一条关于年龄和精神状态的规定不适用",))
    if birth_date is None:
        raise RuleViolation("birth_date_missing",
                            "当事人为公民，须提供出生日期（birth_date），以按违法行为发生时的年龄适用第三十条",
                            "birth_date", [ART_30])
    if birth_date > act_date:
        raise RuleViolation("birth_after_act", "出生日期（birth_date）晚于违法行为发生日期（act_date）", "birth_date",
                            [ART_30])

    age = completed_age(birth_date, act_date)
    levels: list[Level] = []
    reasons: list[str] = []
    basis: list[Citation] = [ART_30, SPC_MINORS_ART_2, CIVIL_CODE_ART_202]
    guardian = False
    if age < MINOR_AGE:
        levels.append(Level.NONE)
        guardian = True
        reasons.append(f"违法行为发生时不满十四周岁（{age}周岁，"
                       f"{cn_date(full_age_date(birth_date, MINOR_AGE))}起满十四周岁），"
                       "不予行政处罚，责令监护人加以管教")
    elif age < ADULT_AGE:
        levels.append(Level.MUST_MITIGATE)
        reasons.append(f"违法行为发生时已满十四周岁不满十八周岁（{age}周岁，"
                       f"{cn_date(full_age_date(birth_date, ADULT_AGE))}起满十八周岁），应当从轻或者减轻行政处罚")
    else:
        reasons.append(f"违法行为发生时已满十八周岁（{age}周岁）")

    if state is not MentalState.NORMAL:
        basis.append(ART_31)
    if state is MentalState.INCAPABLE:
        levels.append(Level.NONE)
        guardian = True
        reasons.append("在不能辨认或者不能控制自己行为时有违法行为，不予行政处罚，责令监护人严加看管和治疗")
    elif state is MentalState.PARTIAL:
        levels.append(Level.MAY_MITIGATE)
        reasons.append("尚未完全丧失辨认或者控制自己行为能力，可以从轻或者减轻行政处罚")
    elif state is MentalState.LUCID_INTERMITTENT:
        reasons.append("间歇性精神病人在精神正常时有违法行为，应当给予行政处罚")

    level = min(levels, key=_ORDER.index, default=Level.FULL)
    return Capacity(level, tuple(basis), tuple(reasons), guardian, age)
