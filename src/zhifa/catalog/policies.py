"""Policy parameters: what a province or agency may set, each dated and cited.

A parameter is declared here once (name, unit, default, citation, how to check a value). Values
that administrators set live in `PolicyValue` rows with an effective date; `value_of` returns the
value in force on a date for an agency, looking at the agency, then the agencies above it, then
the all-agency value, then the default declared here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from zhifa.law.errors import RuleViolation
from zhifa.law.qualification import Quantity, TrainingRules, Unit

from . import fresh


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    default: Any
    unit: str
    citation: str
    help: str
    check: Callable[[Any], Any]  # returns the normalised value or raises RuleViolation


def _quantity(value: Any) -> dict:
    if not isinstance(value, dict) or set(value) != {"value", "unit"}:
        raise RuleViolation("policy_shape", "取值应为数量和单位，例如 {\"value\": 60, \"unit\": \"hours\"}", "value")
    try:
        unit = Unit(value["unit"])
    except ValueError:
        raise RuleViolation("policy_unit", "单位只能是 hours（学时）、days（天）、weeks（周）、months（月）",
                            "unit") from None
    amount = value["value"]
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not 0 < amount <= 10000:
        raise RuleViolation("policy_range", "数量应为大于 0 且不超过 10000 的数字", "value")
    return {"value": amount, "unit": unit.value}


def _int_between(lo: int, hi: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise RuleViolation("policy_range", f"取值应为 {lo} 到 {hi} 之间的整数", "value")
        return value
    return check


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise RuleViolation("policy_shape", "取值应为 是（true）或 否（false）", "value")
    return value


def _yuan(value: Any) -> int:
    """A threshold in whole yuan, 1 to 1 000 000 000 ("以上" includes the amount itself)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000_000:
        raise RuleViolation("policy_range", "取值应为 1 到 1000000000 之间的整数金额（元）", "value")
    return value


def _penalty_kinds(value: Any) -> list[str]:
    """A list of 《行政处罚法》第九条 kinds (codes such as "revoke_licence"), each once, in the article's order."""
    from zhifa.law.penalties import KIND_LABELS, PenaltyKind

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleViolation("policy_shape",
                            "取值应为处罚种类代码的列表，例如 [\"suspend_business\", \"revoke_licence\"]", "value")
    unknown = [v for v in value if v not in {k.value for k in PenaltyKind}]
    if unknown:
        names = "、".join(f"{k.value}（{KIND_LABELS[k]}）" for k in PenaltyKind)
        raise RuleViolation("policy_kind_unknown", f"无法识别的处罚种类：{'、'.join(unknown)}。可用：{names}", "value")
    if len(set(value)) != len(value):
        raise RuleViolation("policy_duplicate", "处罚种类不得重复", "value")
    order = list(PenaltyKind)
    return [k.value for k in sorted((PenaltyKind(v) for v in value), key=order.index)]


TRAINING_BASIS = ("《法治政府建设实施纲要（2021—2025年）》（十五）；"
                  "省级行政执法证件管理办法（具体标准各地不一，由本机关设定）")

# 《行政处罚法》第六十三条: "较大数额" is set by provincial or departmental rules. The MCT and provincial
# figures are unverified (law.md §1.12 [U]); the defaults below are the only figures law.md cites, from a
# county's 重大执法决定目录 (§2.3) — every province must set its own values here.
HEARING_BASIS = ("《中华人民共和国行政处罚法》第六十三条第一款第（一）（二）项；"
                 "“较大数额”由省、自治区、直辖市或者国务院部门规定（本省标准须由本机关设定）")
REVIEW_BASIS = ("《中华人民共和国行政处罚法》第五十八条；国办发〔2018〕118号（本机关重大执法决定法制审核目录）")
THRESHOLD_HELP = "默认值仅为示例（某县重大执法决定目录口径），不是文化和旅游部或本省标准，须按本省规定设定。"

PARAMETERS: dict[str, Parameter] = {p.key: p for p in [
    Parameter("training.onboarding_min", "入职培训最低要求", {"value": 1, "unit": "months"}, "数量",
              TRAINING_BASIS, "新任执法人员取得执法资格前须完成的入职培训量。可按月、周、天或学时设定。",
              _quantity),
    Parameter("training.yearly_min", "年度复训/轮训最低要求", {"value": 1, "unit": "weeks"}, "数量",
              TRAINING_BASIS + "；常见口径“每人每年不少于60学时”",
              "在岗执法人员每个自然年度须完成的复训、轮训和专题培训量。可设为 60 学时等。", _quantity),
    Parameter("training.days_per_week", "每周折合培训日", 5, "天", TRAINING_BASIS,
              "以“周”计的要求折合多少个培训日。", _int_between(1, 7)),
    Parameter("training.days_per_month", "每月折合培训日", 22, "天", TRAINING_BASIS,
              "以“月”计的要求折合多少个培训日。", _int_between(1, 31)),
    Parameter("certificate.annual_review_required", "执法证须年审", False, "是/否",
              "省级行政执法证件管理办法（各省规定不一，由本机关设定）",
              "开启后，持证满一个自然年度的执法证缺少上一年度年审合格记录即不得执法。", _bool),
    Parameter("certificate.expiry_alert_days", "执法证到期提醒天数", 60, "天", "本机关管理规定",
              "执法证在此天数内到期时在人员名册和提醒中显示。", _int_between(1, 365)),
    Parameter("licence.expiry_alert_days", "许可证到期提醒天数", 60, "天", "本机关管理规定",
              "经营单位的许可证在此天数内到期时显示为“即将到期”。", _int_between(1, 365)),
    Parameter("hearing.fine_person", "听证：对公民的较大数额罚款", 10000, "元", HEARING_BASIS,
              "对公民拟处罚款达到此数额（含本数）的，应当告知听证权利。" + THRESHOLD_HELP, _yuan),
    Parameter("hearing.fine_organisation", "听证：对法人或者其他组织的较大数额罚款", 100000, "元", HEARING_BASIS,
              "对法人或者其他组织拟处罚款达到此数额（含本数）的，应当告知听证权利。" + THRESHOLD_HELP, _yuan),
    Parameter("hearing.confiscation_person", "听证：对公民没收较大数额违法所得、较大价值非法财物", 10000, "元",
              HEARING_BASIS, "对公民拟没收的违法所得或者非法财物达到此数额、价值（含本数）的，应当告知听证权利。"
              + THRESHOLD_HELP, _yuan),
    Parameter("hearing.confiscation_organisation", "听证：对法人或者其他组织没收较大数额违法所得、较大价值非法财物",
              100000, "元", HEARING_BASIS,
              "对法人或者其他组织拟没收的违法所得或者非法财物达到此数额、价值（含本数）的，应当告知听证权利。"
              + THRESHOLD_HELP, _yuan),
    Parameter("review.fine_person", "法制审核：对公民的重大罚款数额", 10000, "元", REVIEW_BASIS,
              "对公民拟处罚款达到此数额（含本数）的，属于重大执法决定，须经法制审核。" + THRESHOLD_HELP, _yuan),
    Parameter("review.fine_organisation", "法制审核：对法人或者其他组织的重大罚款数额", 100000, "元", REVIEW_BASIS,
              "对法人或者其他组织拟处罚款达到此数额（含本数）的，须经法制审核。" + THRESHOLD_HELP, _yuan),
    Parameter("review.confiscation_person", "法制审核：对公民的重大没收数额", 10000, "元", REVIEW_BASIS,
              "对公民拟没收违法所得或者非法财物达到此数额、价值（含本数）的，须经法制审核。" + THRESHOLD_HELP, _yuan),
    Parameter("review.confiscation_organisation", "法制审核：对法人或者其他组织的重大没收数额", 100000, "元",
              REVIEW_BASIS, "对法人或者其他组织拟没收违法所得或者非法财物达到此数额、价值（含本数）的，须经法制审核。"
              + THRESHOLD_HELP, _yuan),
    Parameter("review.after_hearing", "法制审核：经过听证的决定", True, "是/否", REVIEW_BASIS,
              "开启后，经过听证程序作出的处罚决定一律须经法制审核（第五十八条第一款第（二）项）。", _bool),
    Parameter("review.outside_benchmark", "法制审核：减轻或者超出裁量基准的决定", True, "是/否", REVIEW_BASIS,
              "开启后，拟减轻处罚或者在裁量基准之外作出的决定须经法制审核（本机关目录常见情形）。", _bool),
    Parameter("review.kinds", "法制审核：一律审核的处罚种类", ["suspend_business", "revoke_licence", "close"],
              "处罚种类", REVIEW_BASIS,
              "拟作出所勾选种类的处罚时一律须经法制审核。", _penalty_kinds),
]}


def register(*params: Parameter) -> None:
    """Add parameters declared next to the rules that read them (cases, records, documents) to the register
    (idempotent: a process that reads a value before the app registry is ready calls it again)."""
    for p in params:
        PARAMETERS.setdefault(p.key, p)


def parameter(key: str) -> Parameter:
    try:
        return PARAMETERS[key]
    except KeyError:
        raise RuleViolation("policy_unknown", f"没有名为 {key} 的政策参数", "key") from None


def value_of(key: str, agency=None, on: date | None = None) -> Any:
    """The value of `key` in force on `on` for `agency` (its own, inherited, or the default)."""
    on = on or timezone.localdate()
    return values_on(key, agency, [on])[on]


def values_of(keys, agency=None, on: date | None = None) -> dict[str, Any]:
    """The values of several parameters in force on one day for ``agency`` (as :func:`value_of`)."""
    on = on or timezone.localdate()
    params = {key: parameter(key) for key in keys}
    chain = agency.lineage_ids() if agency is not None else []
    snapshot = _snapshot()
    return {key: _in_force(_rows(snapshot, key, chain), on, param.default) for key, param in params.items()}


def values_on(key: str, agency, days) -> dict[date, Any]:
    """The value of `key` in force for `agency` on each of `days`."""
    param = parameter(key)
    chain = agency.lineage_ids() if agency is not None else []
    rows = _rows(_snapshot(), key, chain)
    return {day: _in_force(rows, day, param.default) for day in days}


def _in_force(rows: list[dict], day: date, default: Any) -> Any:
    value = next((r["value"] for r in rows if r["effective_from"] <= day), default)
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value  # the snapshot is shared


def _rows(snapshot: dict[str, list[dict]], key: str, chain: list[int]) -> list[dict]:
    """The values set for ``key`` that reach an agency with lineage ``chain``: the agency's own first, then its
    parents', then the all-agency values; within each, the latest effective date (then the latest row) first."""
    rank = {aid: i for i, aid in enumerate(chain)}
    rows = [r for r in snapshot.get(key, ()) if r["agency_id"] is None or r["agency_id"] in rank]
    rows.sort(key=lambda r: (rank.get(r["agency_id"], len(chain)), -r["effective_from"].toordinal(), -r["id"]))
    return rows


# Every PolicyValue row, read once and kept while the table is unchanged. The rows are only ever added (a new value
# is a new dated row, org.services.set_policy), so the row count, the highest id and the latest ``set_at`` tell
# whether the table changed — in this process or any other app server — for the price of one small query instead
# of one query per parameter (read once per web request: ``fresh``). The check runs on the caller's connection, so
# a value set inside the current transaction is seen at once, and one rolled back is forgotten.
_SNAPSHOT: dict[str, Any] = {"signature": None, "rows": {}}


def _snapshot() -> dict[str, list[dict]]:
    from .models import PolicyValue

    signature = fresh.fingerprint("policy")
    if signature != _SNAPSHOT["signature"]:
        rows: dict[str, list[dict]] = {}
        for r in PolicyValue.objects.values("key", "agency_id", "value", "effective_from", "id"):
            rows.setdefault(r["key"], []).append(r)
        _SNAPSHOT.update(signature=signature, rows=rows)
    return _SNAPSHOT["rows"]


def training_rules(agency=None, on: date | None = None, years=()) -> TrainingRules:
    """The training and certificate rules in force for an agency on a date.

    The yearly minimum is also looked up for last year, this year and any `years` given, each as in
    force on that year's 31 December (TrainingRules.yearly_min_in).
    """
    on = on or timezone.localdate()

    def quantity(v: dict) -> Quantity:
        return Quantity(v["value"], Unit(v["unit"]))

    year_ends = {y: date(y, 12, 31) for y in sorted({on.year - 1, on.year, *years})}
    yearly = values_on("training.yearly_min", agency, year_ends.values())

    now = values_of(("training.onboarding_min", "training.yearly_min", "training.days_per_week",
                     "training.days_per_month", "certificate.annual_review_required"), agency, on)
    return TrainingRules(
        onboarding_min=quantity(now["training.onboarding_min"]),
        yearly_min=quantity(now["training.yearly_min"]),
        # a year's minimum is the one in force on its last day (see TrainingRules.yearly_min_in)
        yearly_min_by_year=tuple((y, quantity(yearly[end])) for y, end in year_ends.items()),
        days_per_week=now["training.days_per_week"],
        days_per_month=now["training.days_per_month"],
        annual_review_required=now["certificate.annual_review_required"],
    )
