"""Publication of enforcement results (事后公开, issue 7 §2): whether a decision is published, by when, when it is
withdrawn and when it comes down.

- **By when**: penalty decisions within 7 working days of the decision, other enforcement decisions within 20
  (国办发〔2018〕118号; the clocks ``publish_penalty`` and ``publish_other``, lengths as policy);
- **withdrawn** within 3 working days when a published decision is changed, revoked, or held illegal or void, with
  the reason shown (行政处罚法第四十八条第二款; clock ``withdraw_publication``);
- **not published**: a minor party, state or trade secrets or privacy at the core of the facts (standards.md §4(a));
  by policy also warning-only penalties (市场监管 2021 practice) and summary-procedure decisions [U];
- **taken down** at the end of the publication period, counted from the decision, per party kind (policy [U]:
  credit-repair rules give 3 months to 3 years; a county example 2 years for natural persons, 5 for others).

Pure: plain values in, dates and violations with citations out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .calendar import WorkCalendar, add_months
from .clocks import due
from .errors import Citation, RuleViolation

ART_48 = Citation("《中华人民共和国行政处罚法》", "第四十八条",
                  "具有一定社会影响的行政处罚决定应当依法公开；公开的决定被变更、撤销、确认违法或者确认无效的，"
                  "应当在三日内撤回，并公开说明理由")
GBF_118 = Citation("《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》",
                   "（国办发〔2018〕118号）", "行政许可、行政处罚的执法决定信息在执法决定作出之日起7个工作日内公开，"
                   "其他执法决定信息在20个工作日内公开")
NOT_PUBLISHED = Citation("《工商行政处罚结果信息网上公开暂行办法》", "",
                         "当事人为未成年人，或者主要事实涉及国家秘密、商业秘密、个人隐私的，不予公开"
                         "（standards.md §4(a)，[U] 条号未核实）")
POLICY = Citation("本机关公示政策（政策参数）", "", "仅警告的处罚、简易程序的决定是否公开，公开期限")
GBF_118_ANNUAL = Citation(
    "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》",
    "（国办发〔2018〕118号）", "行政执法机关应当于每年1月31日前公开本机关上年度行政执法总体情况有关数据")
REPORT_DUE = (1, 31)  # the annual report of a year is due on this (month, day) of the next year (国办发〔2018〕118号)
ADULT_AGE = 18  # 民法典第十七条


@dataclass(frozen=True)
class Subject:
    """What decides whether a decision is published."""

    penalty_kinds: frozenset[str]  # zhifa.law.penalties.PenaltyKind values; empty: not a penalty
    procedure: str = "general"  # general / summary
    party_kind: str = "organisation"  # person / individual / organisation
    party_age: int | None = None  # the natural person's age on the day of the act
    secret: bool = False  # the facts turn on state or trade secrets or privacy (the officer declares it)


def reasons_not_to_publish(s: Subject, *, warning_only: bool = False, summary: bool = False) -> list[RuleViolation]:
    """Why the decision is not published (empty: it is). ``warning_only`` and ``summary``: the agency publishes
    warning-only penalties and summary-procedure decisions too (policy)."""
    out = []
    if s.party_kind == "person" and s.party_age is not None and s.party_age < ADULT_AGE:
        out.append(RuleViolation("publicity_minor", "当事人为未成年人，处罚决定不予公开", "party", [NOT_PUBLISHED]))
    if s.secret:
        out.append(RuleViolation("publicity_secret", "主要事实涉及国家秘密、商业秘密或者个人隐私，不予公开", "secret",
                                 [NOT_PUBLISHED]))
    if s.penalty_kinds and s.penalty_kinds <= {"warning"} and not warning_only:
        out.append(RuleViolation("publicity_warning_only", "仅给予警告的处罚决定，按本机关政策不予公开", "penalty",
                                 [POLICY]))
    if s.procedure == "summary" and not summary:
        out.append(RuleViolation("publicity_summary", "简易程序（当场处罚）的决定，按本机关政策不予公开", "procedure",
                                 [POLICY]))
    return out


def publish_by(decided_on: date, calendar: WorkCalendar, *, penalty: bool = True, days: int | None = None) -> date:
    """The last day to publish a decision made on ``decided_on`` (7 working days for a penalty, 20 for another
    decision; ``days`` when the agency's policy sets another length)."""
    kind = "publish_penalty" if penalty else "publish_other"
    if days is None:
        return due(kind, decided_on, calendar).date
    return calendar.add_working_days(decided_on, days).date


def withdraw_by(changed_on: date, calendar: WorkCalendar) -> date:
    """The last day to withdraw a published decision changed, revoked or held illegal or void on ``changed_on``."""
    return due("withdraw_publication", changed_on, calendar).date


def take_down_on(decided_on: date, months: int) -> date:
    """The day a published decision comes down: ``months`` after the decision (the longest period applies when a
    decision has several kinds; the caller passes it)."""
    return add_months(decided_on, months)


def report_due_on(year: int) -> date:
    """The last day to publish the annual statistics report of ``year``: 31 January of the next year (国办发〔2018〕
    118号：每年1月31日前公开本机关上年度行政执法总体情况有关数据)."""
    month, day = REPORT_DUE
    return date(year + 1, month, day)
