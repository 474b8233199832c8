"""加处罚款: the daily late-payment surcharge on a fine, and when enforcement may start.

- 《行政处罚法》第七十二条第一款第一项: a fine not paid by its due date is increased by **3% of the fine per
  day**, and the surcharge may not exceed the fine. The due date is the last day of the 15-day payment
  period (Art 67; ``clocks.due("payment", received_on, calendar)``, a calendar-day period that rolls off a
  rest day), so the surcharge accrues from the **day after** that last day.
- 《行政强制法》第四十五条: the surcharge standard must be told to the party; the amount is capped at the
  principal (the same cap).
- 《行政处罚法》第七十三条第三款: while a 复议 or 诉讼 is pending the surcharge is **not counted**. The caller
  passes those periods as inclusive date ranges (``pauses``); days inside them do not accrue.
- 《行政强制法》第四十六条: after the surcharge has run **more than 30 days** and a 催告 has gone unanswered, an
  agency with enforcement power may enforce (others apply to court, Art 53–54).

Money (documented rounding): the fine must be in whole 分. The surcharge is computed exactly as
``days × 3% × fine`` (Decimal, no intermediate rounding, so no daily rounding error accumulates), capped at
the fine, and rounded once to the 分 with ROUND_HALF_UP. Because 3% of an amount in 分 has at most four
decimals, the only rounding is this final one.

Counting (documented choices): a "day" of surcharge is a calendar day (the article says "每日"; no working-day
rule applies to it); ``as_of`` is included, so on the day after the due date one day has accrued. With the
3% rate the cap is reached on the 34th counted day (ceil(100 / 3)): 33 days give 99%, the 34th would give 102%
and is capped at 100%.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .calendar import cn_date
from .citations import XZCFF
from .errors import Citation, RuleViolation
from .fines import CENT, yuan

QZF = "《中华人民共和国行政强制法》"

ART_67 = Citation(XZCFF, "第六十七条", "当事人应当自收到行政处罚决定书之日起十五日内缴纳罚款")
ART_72_1 = Citation(XZCFF, "第七十二条第一款第一项",
                    "到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额")
ART_73_3 = Citation(XZCFF, "第七十三条第三款",
                    "当事人申请行政复议或者提起行政诉讼的，加处罚款的数额在行政复议或者行政诉讼期间不予计算")
QZF_ART_35 = Citation(QZF, "第三十五条",
                      "作出强制执行决定前，应当事先以书面形式催告当事人履行义务，催告书应当载明履行期限")
QZF_ART_37 = Citation(QZF, "第三十七条",
                      "经催告，当事人逾期仍不履行行政决定，且无正当理由的，行政机关可以作出强制执行决定")
QZF_ART_45 = Citation(QZF, "第四十五条", "加处罚款的标准应当告知当事人；加处罚款的数额不得超出金钱给付义务的数额")
QZF_ART_46 = Citation(QZF, "第四十六条",
                      "实施加处罚款超过三十日，经催告当事人仍不履行的，具有行政强制执行权的行政机关可以强制执行")
QZF_ART_53 = Citation(QZF, "第五十三条", "没有行政强制执行权的行政机关可以申请人民法院强制执行")

RATE = Decimal("0.03")
DAYS_TO_CAP = math.ceil(1 / RATE)  # 34: the first counted day on which days × 3% ≥ 100%
ENFORCEMENT_AFTER_DAYS = 30  # 行政强制法第四十六条 "超过三十日"

Pause = tuple[date, date]



def _fine(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise RuleViolation("fine_invalid", "罚款金额（fine）应为金额（元）", "fine", [ART_72_1])
    try:
        fine = Decimal(str(value))
    except InvalidOperation:
        raise RuleViolation("fine_invalid", "罚款金额（fine）应为金额（元）", "fine", [ART_72_1]) from None
    if not fine.is_finite() or fine <= 0:
        raise RuleViolation("fine_invalid", "罚款金额（fine）应大于 0", "fine", [ART_72_1])
    if fine != fine.quantize(CENT):
        raise RuleViolation("fine_invalid", "罚款金额（fine）最小单位为分", "fine", [ART_72_1])
    return fine


def merge_pauses(pauses: Iterable[Pause]) -> tuple[Pause, ...]:
    """The 复议/诉讼 periods (inclusive ``(start, end)`` ranges) sorted, with overlapping or adjacent ones merged.

    A range ending before it starts is refused (《行政处罚法》第七十三条第三款 counts whole periods).
    """
    ranges = []
    for item in pauses:
        try:
            start, end = item
        except (TypeError, ValueError):
            raise RuleViolation("pause_invalid", "复议、诉讼期间（pauses）应为（开始日期, 结束日期）", "pauses",
                                [ART_73_3]) from None
        if not isinstance(start, date) or not isinstance(end, date):
            raise RuleViolation("pause_invalid", "复议、诉讼期间（pauses）的起止应为日期", "pauses", [ART_73_3])
        if end < start:
            raise RuleViolation("pause_order",
                                f"复议、诉讼期间（pauses）结束日期{cn_date(end)}早于开始日期{cn_date(start)}",
                                "pauses", [ART_73_3])
        ranges.append((start, end))
    merged: list[Pause] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _overlap(a: date, b: date, pauses: tuple[Pause, ...]) -> int:
    """Days of ``pauses`` inside ``[a, b]``."""
    days = 0
    for start, end in pauses:
        lo, hi = max(a, start), min(b, end)
        if lo <= hi:
            days += (hi - lo).days + 1
    return days


def counted_day(accrues_from: date, n: int, pauses: tuple[Pause, ...]) -> date:
    """The date of the ``n``-th counted surcharge day (n ≥ 1) from ``accrues_from``, skipping merged ``pauses``."""
    remaining = n
    cursor = accrues_from
    for start, end in pauses:
        if end < cursor:
            continue
        if start > cursor:
            gap = (start - cursor).days
            if remaining <= gap:
                return cursor + timedelta(days=remaining - 1)
            remaining -= gap
        cursor = end + timedelta(days=1)
    return cursor + timedelta(days=remaining - 1)


@dataclass(frozen=True)
class Surcharge:
    """加处罚款 as of a date: counted ``days``, the ``amount`` (to the 分), whether it hit the cap and when."""

    fine: Decimal
    days: int
    amount: Decimal
    capped: bool
    accrues_from: date
    cap_reached_on: date | None
    paused_days: int
    steps: tuple[str, ...]
    basis: tuple[Citation, ...]

    @property
    def daily(self) -> Decimal:
        """3% of the fine, exact (not rounded)."""
        return self.fine * RATE

    def to_json(self) -> dict[str, Any]:
        return {
            "result": str(self.amount), "unit": "元", "days": self.days, "capped": self.capped,
            "accrues_from": self.accrues_from.isoformat(),
            "cap_reached_on": self.cap_reached_on.isoformat() if self.cap_reached_on else None,
            "paused_days": self.paused_days, "steps": list(self.steps), "basis": [str(c) for c in self.basis],
        }


def late_payment_surcharge(fine: Decimal | int | str, last_day_to_pay: date, as_of: date,
                           pauses: Iterable[Pause] = ()) -> Surcharge:
    """The 加处罚款 accrued by ``as_of`` (inclusive) on a fine whose payment period ended on ``last_day_to_pay``.

    《行政处罚法》第七十二条第一款第一项: 3% of the fine per day from the day after the last day to pay, capped
    at the fine (also 《行政强制法》第四十五条); 第七十三条第三款: days inside a 复议/诉讼 period (``pauses``,
    inclusive ranges, merged if they overlap) are not counted. Rounding: see the module docstring.
    ``as_of`` before ``last_day_to_pay`` is refused; on ``last_day_to_pay`` itself nothing has accrued.
    """
    amount_fine = _fine(fine)
    if as_of < last_day_to_pay:
        raise RuleViolation("as_of_before_due",
                            f"计算日期（as_of）{cn_date(as_of)}早于缴纳罚款的最后一日{cn_date(last_day_to_pay)}，尚未逾期",
                            "as_of", [ART_67, ART_72_1])
    merged = merge_pauses(pauses)
    accrues_from = last_day_to_pay + timedelta(days=1)
    elapsed = max((as_of - accrues_from).days + 1, 0)
    paused = _overlap(accrues_from, as_of, merged) if elapsed else 0
    days = elapsed - paused
    exact = amount_fine * RATE * days
    capped = exact >= amount_fine
    amount = min(exact, amount_fine).quantize(CENT, rounding=ROUND_HALF_UP)
    cap_day = counted_day(accrues_from, DAYS_TO_CAP, merged)
    cap_reached_on = cap_day if days >= DAYS_TO_CAP else None

    steps = [f"缴纳罚款的最后一日为{cn_date(last_day_to_pay)}，自{cn_date(accrues_from)}起每日按罚款数额"
             f"{yuan(amount_fine)}的百分之三（{yuan(amount_fine * RATE)}）加处罚款"]
    basis: list[Citation] = [ART_72_1, QZF_ART_45]
    if paused:
        basis.append(ART_73_3)
        ranges = "、".join(f"{cn_date(max(s, accrues_from))}至{cn_date(min(e, as_of))}" for s, e in merged
                          if max(s, accrues_from) <= min(e, as_of))
        steps.append(f"行政复议或者行政诉讼期间{ranges}共{paused}日不予计算")
    steps.append(f"截至{cn_date(as_of)}计{days}日，{days}×3%×{yuan(amount_fine)}={yuan(exact)}")
    if capped:
        steps.append(f"加处罚款不得超出罚款数额，以{yuan(amount_fine)}为限（第{DAYS_TO_CAP}个计算日"
                     f"{cn_date(cap_day)}达到上限）")
    if amount != exact and not capped:
        steps.append(f"四舍五入至分：{yuan(amount)}")
    return Surcharge(amount_fine, days, amount, capped, accrues_from, cap_reached_on, paused, tuple(steps),
                     tuple(basis))


@dataclass(frozen=True)
class EnforcementStart:
    """When 《行政强制法》第四十六条 lets an agency with enforcement power enforce the fine.

    ``surcharge_condition_from``: the first day on which the surcharge has run more than 30 counted days.
    ``allowed_from``: the first day on which that holds **and** the 催告's deadline has passed unanswered;
    ``None`` while no 催告 has been served.
    """

    surcharge_condition_from: date
    allowed_from: date | None
    steps: tuple[str, ...]
    basis: tuple[Citation, ...]

    def to_json(self) -> dict[str, Any]:
        return {"result": self.allowed_from.isoformat() if self.allowed_from else None,
                "surcharge_condition_from": self.surcharge_condition_from.isoformat(),
                "steps": list(self.steps), "basis": [str(c) for c in self.basis]}


def enforcement_allowed_from(last_day_to_pay: date, pauses: Iterable[Pause] = (), *,
                             reminder_served: date | None = None,
                             reminder_deadline: date | None = None) -> EnforcementStart:
    """The first day enforcement is allowed under 《行政强制法》第四十六条.

    Two conditions: the surcharge has run **more than 30 days** (the 31st counted day, skipping 复议/诉讼
    periods as Art 73(3) of 《行政处罚法》 does for the amount: a documented choice giving the later, safer
    date) and a written 催告 (Art 35, stating a deadline, ``reminder_deadline``) served on
    ``reminder_served`` has gone unanswered (Art 37): from the day after the deadline. Only an agency with
    enforcement power enforces itself; one without applies to court (Art 53–54; ``clocks.due`` has
    ``court_enforcement_earliest`` and ``court_enforcement_last``).
    """
    merged = merge_pauses(pauses)
    accrues_from = last_day_to_pay + timedelta(days=1)
    over = counted_day(accrues_from, ENFORCEMENT_AFTER_DAYS + 1, merged)
    steps = [f"自{cn_date(accrues_from)}起加处罚款，第{ENFORCEMENT_AFTER_DAYS + 1}个计算日{cn_date(over)}起超过三十日"]
    basis: list[Citation] = [QZF_ART_46, ART_72_1]
    if any(end >= accrues_from for _, end in merged):
        basis.append(ART_73_3)
        steps.append("行政复议或者行政诉讼期间不计入加处罚款的日数")
    if reminder_served is None:
        if reminder_deadline is not None:
            raise RuleViolation("reminder_served_missing",
                                "提供了催告履行期限（reminder_deadline），但缺少催告书送达日期（reminder_served）",
                                "reminder_served", [QZF_ART_35])
        steps.append("尚未催告：须先书面催告当事人履行义务，催告书载明履行期限")
        basis.append(QZF_ART_35)
        allowed = None
    else:
        if reminder_deadline is None:
            raise RuleViolation("reminder_deadline_missing", "催告书应当载明履行期限（reminder_deadline）",
                                "reminder_deadline", [QZF_ART_35])
        if reminder_deadline < reminder_served:
            raise RuleViolation("reminder_deadline_order",
                                f"催告履行期限（reminder_deadline）{cn_date(reminder_deadline)}早于催告书送达日期"
                                f"{cn_date(reminder_served)}", "reminder_deadline", [QZF_ART_35])
        after = reminder_deadline + timedelta(days=1)
        allowed = max(over, after)
        basis += [QZF_ART_35, QZF_ART_37]
        steps.append(f"催告书于{cn_date(reminder_served)}送达，履行期限至{cn_date(reminder_deadline)}，"
                     f"逾期仍不履行的，自{cn_date(after)}起可以作出强制执行决定")
        steps.append(f"两项条件均满足之日：{cn_date(allowed)}")
    steps.append("没有行政强制执行权的行政机关，应当申请人民法院强制执行")
    basis.append(QZF_ART_53)
    return EnforcementStart(over, allowed, tuple(steps), tuple(basis))
