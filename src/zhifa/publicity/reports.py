"""The annual statistics report of enforcement (行政执法数据年度报告, issue 7 §4).

By 31 January an agency publishes the figures of the previous year: cases filed and decided, outcomes, penalties by
procedure, kind, enforcement item and domain, fines and confiscations, hearings, legal reviews, decisions by month,
publications (国办发〔2018〕118号: 每年1月31日前公开本机关上年度行政执法总体情况有关数据).

- ``figures``: the year's figures of one agency as plain JSON — counted in the database with a few aggregate queries
  (a province may decide 100,000 cases a year: no loop over cases here), money summed exactly as integer fen and
  given as Decimal strings in yuan ("130000.00"; DESIGN.md §6, never float);
- ``due_on`` and ``status``: by when the report of a year is due and whether the previous year's is out, or late;
- ``publish_report``: freezes the figures into an :class:`AnnualReport` — later changes to cases do not change a
  published report (it is the public record of what the agency said), so a published year is final.

The figures' shape (``FIGURES_VERSION`` 1) is documented on :func:`figures`; staff screens and the portal read it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, Count, F, Func, Q, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import ExtractMonth, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhifa.cases.models import Case, CaseItem, CaseStep, LegalReview, Payment
from zhifa.law import procedure as proc
from zhifa.law.errors import RuleViolation
from zhifa.law.penalties import KIND_LABELS, PenaltyKind
from zhifa.law.publicity import GBF_118_ANNUAL, REPORT_DUE, report_due_on
from zhifa.org.models import Agency
from zhifa.records.services import record

from .models import AnnualReport, Publication

A, DK = proc.Action, proc.DecisionKind

DUE_MONTH_DAY = REPORT_DUE  # the statute's (zhifa.law.publicity)
FIGURES_VERSION = 1
FEN = Decimal("0.01")
# A decided penalty case with no primary enforcement item (data entered before items were required) is counted
# under this row of ``by_item``, so the rows add up to the penalty decisions. Frozen into the figures as data.
NO_ITEM = gettext_noop("未登记执法事项")

# The Chinese name of every key of the figures (top-level and inside their rows), for pages that show them generically.
LABELS = {
    "version": gettext_lazy("数据格式版本"), "year": gettext_lazy("年度"), "agency": gettext_lazy("执法主体"),
    "period": gettext_lazy("统计期间"), "start": gettext_lazy("起"), "end": gettext_lazy("止"),
    "clues": gettext_lazy("案源登记"), "filed": gettext_lazy("立案"), "not_filed": gettext_lazy("不予立案"),
    "decided": gettext_lazy("作出处理决定"), "penalties": gettext_lazy("行政处罚决定"),
    "outcomes": gettext_lazy("办理结果"), "by_procedure": gettext_lazy("行政处罚决定（按程序）"),
    "by_kind": gettext_lazy("行政处罚决定（按处罚种类）"), "by_item": gettext_lazy("行政处罚决定（按执法事项）"),
    "by_domain": gettext_lazy("行政处罚决定（按执法领域）"), "fine_total": gettext_lazy("罚款金额（元）"),
    "confiscation_total": gettext_lazy("没收金额（元）"), "paid_total": gettext_lazy("缴纳罚没款（元）"),
    "hearings": gettext_lazy("举行听证"), "legal_reviews": gettext_lazy("法制审核"),
    "by_month": gettext_lazy("按月作出的决定"), "publications": gettext_lazy("执法决定公示"),
    "code": gettext_lazy("代码"), "name": gettext_lazy("名称"), "label": gettext_lazy("名称"),
    "count": gettext_lazy("件数"), "fine": gettext_lazy("罚款（元）"), "confiscation": gettext_lazy("没收（元）"),
    "domain": gettext_lazy("执法领域"), "month": gettext_lazy("月份"), "passed": gettext_lazy("通过"),
    "failed": gettext_lazy("不通过"), "published": gettext_lazy("已公示"), "withdrawn": gettext_lazy("已撤回"),
}

# The outcomes of a case besides the decision of Art 57(1), each the case step that ends it, in the order shown.
STEP_OUTCOMES = (A.WITHDRAW, A.TRANSFER_CRIMINAL, A.TRANSFER_JURISDICTION)
OUTCOME_CODES = {A.WITHDRAW: "withdrawn", A.TRANSFER_CRIMINAL: "transferred",
                 A.TRANSFER_JURISDICTION: "transferred_jurisdiction"}


# --- money in the database ---------------------------------------------------------------------------------------


class _Fen(Func):
    """A yuan amount — a JSON text such as "5000.00" or a decimal column — as integer fen, rounded to the fen.

    Summing integers is exact on every database, where SQLite would add REAL values. On SQLite the text goes through
    a double: for an amount with at most two decimals below 4.5 × 10¹³ yuan, ×100 and ROUND give the exact fen."""

    template = "CAST(ROUND(CAST(%(expressions)s AS NUMERIC) * 100) AS BIGINT)"
    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="CAST(ROUND(CAST(%(expressions)s AS REAL) * 100) AS INTEGER)", **extra)


def _penalty_fen(field: str, key: str) -> _Fen:
    """The fen of ``key`` ("fine", "confiscation") of the penalty JSON ``field`` (may cross a relation)."""
    return _Fen(NullIf(KeyTextTransform(key, field), Value("")))


def _kinds(text: str | None) -> set[PenaltyKind]:
    """The penalty kinds of a decision from the JSON text of its "kinds" array (as each database writes it)."""
    try:
        codes = json.loads(text) if text else []
    except ValueError:
        return set()
    kinds = set()
    for code in codes if isinstance(codes, list) else []:
        try:
            kinds.add(PenaltyKind(code))
        except ValueError:
            continue  # a code the statute does not know is no kind of penalty to count
    return kinds


def _yuan(fen: int | None) -> str:
    """Integer fen → "1234.50" (exact)."""
    return str((Decimal(fen or 0) / 100).quantize(FEN))


# --- the figures -------------------------------------------------------------------------------------------------


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def figures(agency: Agency, year: int) -> dict[str, Any]:
    """The enforcement figures of ``agency`` for ``year`` (1 January – 31 December), JSON-serialisable.

    Keys (counts are ints, money is a string of yuan with two decimals; labels are the law module's Chinese):

    - ``version`` (1), ``year``, ``agency`` {code, name}, ``period`` {start, end} (ISO dates);
    - ``clues``: cases registered (案源登记) in the year; ``filed``: cases filed (立案); ``not_filed``: 不予立案;
    - ``decided``: decisions made in the year (给予 / 不予行政处罚, 违法事实不能成立); ``penalties``: penalty decisions;
    - ``outcomes``: [{code, label, count}] — penalty, no_penalty, not_established (by ``decided_on``), then withdrawn
      (撤销立案), transferred (移送司法机关), transferred_jurisdiction (移送管辖) by the date of that step;
    - ``by_procedure``: [{code, label, count, fine}] penalty decisions, 普通程序 / 简易程序;
    - ``by_kind``: [{code, label, count}] penalty decisions giving each kind (a decision may give several), kinds
      of 行政处罚法第九条 in its order, only those given;
    - ``by_item``: [{code, name, domain, count, fine, confiscation}] penalty decisions by their primary enforcement
      item, most first (code "" = no item recorded);
    - ``by_domain``: [{code, name, count, fine, confiscation}] the same by the item's domain, most first;
    - ``fine_total``, ``confiscation_total``: of the penalty decisions of the year; ``paid_total``: payments made in
      the year (on any year's decision);
    - ``hearings``: cases with a hearing held in the year; ``legal_reviews`` {passed, failed} reviewed in the year;
    - ``by_month``: 12 × {month, decided, penalties} by decision date;
    - ``publications`` {published, withdrawn}: publications of the year's decisions (cases published; of those
      publications, withdrawn).

    Reconsideration and litigation (行政复议、行政诉讼) are not recorded by the platform yet and are left out.
    """
    start, end = _year_range(year)
    cases = Case.objects.filter(agency=agency)

    # 1. decisions: by kind, procedure, month and the combination of penalty kinds, with the money — one GROUP BY
    # whose rows are at most 3 × 2 × 12 × the combinations of kinds the agency gives (a few dozen)
    decisions = list(
        cases.filter(decided_on__range=(start, end)).exclude(decision_kind="")
        .values("decision_kind", "procedure", month=ExtractMonth("decided_on"),
                kinds=KeyTextTransform("kinds", "decided_penalty")).order_by()
        .annotate(n=Count("pk"), fine=Sum(_penalty_fen("decided_penalty", "fine")),
                  conf=Sum(_penalty_fen("decided_penalty", "confiscation"))))
    by_decision = dict.fromkeys(DK, 0)
    by_procedure = {p: [0, 0] for p in proc.Procedure}
    by_kind = dict.fromkeys(PenaltyKind, 0)  # a decision giving several kinds counts under each
    months = {m: [0, 0] for m in range(1, 13)}
    fine = conf = 0
    for row in decisions:
        kind = DK(row["decision_kind"])
        by_decision[kind] += row["n"]
        months[row["month"]][0] += row["n"]
        if kind is DK.PENALTY:
            by_procedure[proc.Procedure(row["procedure"])][0] += row["n"]
            by_procedure[proc.Procedure(row["procedure"])][1] += row["fine"] or 0
            months[row["month"]][1] += row["n"]
            fine += row["fine"] or 0
            conf += row["conf"] or 0
            for code in _kinds(row["kinds"]):
                by_kind[code] += row["n"]
    penalties = by_decision[DK.PENALTY]

    # 2. counts of the year on the case row
    counted = cases.aggregate(clues=Count("pk", filter=Q(clue_received_on__range=(start, end))),
                              filed=Count("pk", filter=Q(filed_on__range=(start, end))))

    # 3. steps that end a case without a decision, and hearings, by the day the step was taken
    steps = dict(CaseStep.objects.filter(case__agency=agency, on__range=(start, end),
                                         action__in=[*STEP_OUTCOMES, A.NOT_FILE, A.HOLD_HEARING])
                 .values("action").order_by().annotate(n=Count("case", distinct=True)).values_list("action", "n"))

    # 4. by primary enforcement item (its domain with it)
    items = list(
        CaseItem.objects.filter(is_primary=True, case__agency=agency, case__decision_kind=DK.PENALTY,
                                case__decided_on__range=(start, end))
        .values(code=F("item__code"), name=F("item__name"), domain_code=F("item__domain__code"),
                domain_name=F("item__domain__name"), domain_sort=F("item__domain__sort")).order_by()
        .annotate(n=Count("case", distinct=True), fine=Sum(_penalty_fen("case__decided_penalty", "fine")),
                  conf=Sum(_penalty_fen("case__decided_penalty", "confiscation"))))
    by_item = [{"code": r["code"], "name": r["name"], "domain": r["domain_code"], "count": r["n"],
                "fine": _yuan(r["fine"]), "confiscation": _yuan(r["conf"])} for r in items]
    unlisted = penalties - sum(r["n"] for r in items)
    if unlisted > 0:
        item_fine = sum(r["fine"] or 0 for r in items)
        item_conf = sum(r["conf"] or 0 for r in items)
        by_item.append({"code": "", "name": NO_ITEM, "domain": "", "count": unlisted,
                        "fine": _yuan(fine - item_fine), "confiscation": _yuan(conf - item_conf)})
    by_item.sort(key=lambda r: (-r["count"], r["code"] == "", r["code"]))
    domains: dict[str, dict[str, Any]] = {}
    for r in items:
        d = domains.setdefault(r["domain_code"], {"code": r["domain_code"], "name": r["domain_name"], "count": 0,
                                                  "fine": 0, "confiscation": 0, "sort": r["domain_sort"]})
        d["count"] += r["n"]
        d["fine"] += r["fine"] or 0
        d["confiscation"] += r["conf"] or 0
    by_domain = [{"code": d["code"], "name": d["name"], "count": d["count"], "fine": _yuan(d["fine"]),
                  "confiscation": _yuan(d["confiscation"])}
                 for d in sorted(domains.values(), key=lambda d: (-d["count"], d["sort"], d["code"]))]

    # 5. legal reviews decided in the year
    reviews = dict(LegalReview.objects.filter(case__agency=agency, reviewed_on__range=(start, end))
                   .values("status").order_by().annotate(n=Count("pk")).values_list("status", "n"))

    # 6. payments made in the year
    paid = Payment.objects.filter(case__agency=agency, paid_on__range=(start, end)).aggregate(
        fen=Sum(_Fen(F("amount"))))["fen"]

    # 7. publications of the year's decisions
    pubs = Publication.objects.filter(agency=agency, decided_on__range=(start, end)).aggregate(
        published=Count("case", distinct=True),
        withdrawn=Count("pk", filter=Q(status=Publication.Status.WITHDRAWN)))

    outcomes = [{"code": k.value, "label": proc.DECISION_LABELS[k], "count": by_decision[k]} for k in DK]
    outcomes += [{"code": OUTCOME_CODES[a], "label": proc.ACTION_LABELS[a], "count": steps.get(a.value, 0)}
                 for a in STEP_OUTCOMES]
    return {
        "version": FIGURES_VERSION,
        "year": year,
        "agency": {"code": agency.code, "name": agency.name},
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "clues": counted["clues"],
        "filed": counted["filed"],
        "not_filed": steps.get(A.NOT_FILE.value, 0),
        "decided": sum(by_decision.values()),
        "penalties": penalties,
        "outcomes": outcomes,
        "by_procedure": [{"code": p.value, "label": proc.PROCEDURE_LABELS[p], "count": by_procedure[p][0],
                          "fine": _yuan(by_procedure[p][1])} for p in proc.Procedure],
        "by_kind": [{"code": k.value, "label": KIND_LABELS[k], "count": by_kind[k]} for k in PenaltyKind if by_kind[k]],
        "by_item": by_item,
        "by_domain": by_domain,
        "fine_total": _yuan(fine),
        "confiscation_total": _yuan(conf),
        "paid_total": _yuan(paid),
        "hearings": steps.get(A.HOLD_HEARING.value, 0),
        "legal_reviews": {"passed": reviews.get(LegalReview.Status.PASSED.value, 0),
                          "failed": reviews.get(LegalReview.Status.FAILED.value, 0)},
        "by_month": [{"month": m, "decided": months[m][0], "penalties": months[m][1]} for m in range(1, 13)],
        "publications": {"published": pubs["published"], "withdrawn": pubs["withdrawn"]},
    }


# --- due dates and publishing ------------------------------------------------------------------------------------


def due_on(year: int) -> date:
    """The last day to publish the report of ``year`` (zhifa.law.publicity.report_due_on: 31 January next year)."""
    return report_due_on(year)


def status(agency: Agency, today: date | None = None) -> dict[str, Any]:
    """The report of the year before ``today``: {"year", "due_on", "published" (the AnnualReport or None), "late"}.

    ``late``: not published and the due day has passed, or published after the due day."""
    today = today or timezone.localdate()
    year = today.year - 1
    by = due_on(year)
    published = AnnualReport.objects.filter(agency=agency, year=year).first()
    late = published.published_on > by if published is not None else today > by
    return {"year": year, "due_on": by, "published": published, "late": late}


def _day(d: date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": d.year, "m": d.month, "d": d.day}


def _digest(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def publish_report(agency: Agency, year: int, *, actor, note: str = "", on: date | None = None) -> AnnualReport:
    """Publish the report of ``year``: its figures are computed now and frozen in the report (later changes to the
    cases do not change what was published); recorded as ``publicity.report_published`` with the figures' SHA-256.

    Refused for a year not yet ended on ``on`` and for a year already published (published is final). A year with
    no cases is published with its zeros: saying so is the report."""
    on = on or timezone.localdate()
    if not isinstance(year, int) or year < 1 or year > 9998:
        raise RuleViolation("report_year_invalid", _("年度无效"), "year", [GBF_118_ANNUAL])
    if year >= on.year:
        raise RuleViolation(
            "report_year_not_ended",
            _("%(year)s年度尚未结束，不能公开该年度的执法数据年度报告；%(next)s年1月1日起可以公开")
            % {"year": year, "next": year + 1}, "year", [GBF_118_ANNUAL])
    by = due_on(year)
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one publisher of an agency at a time
        existing = AnnualReport.objects.filter(agency=agency, year=year).first()
        if existing is not None:
            raise RuleViolation(
                "report_published",
                _("%(year)s年度的执法数据年度报告已于%(on)s公开，公开的统计数据已冻结，不能重新公开")
                % {"year": year, "on": _day(existing.published_on)}, "year", [GBF_118_ANNUAL])
        data = figures(agency, year)
        report = AnnualReport.objects.create(agency=agency, year=year, figures=data, note=(note or "").strip(),
                                             published_on=on, published_at=timezone.now(), published_by=actor)
        record("publicity.report_published", actor=actor, agency=agency, subject=f"annual_report:{report.pk}",
               payload={"year": year, "due_on": by, "published_on": on, "late": on > by,
                        "figures_sha256": _digest(data)})
    return report
