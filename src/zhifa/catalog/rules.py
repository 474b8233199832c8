"""The catalog's rows as the inputs of the pure rules in ``zhifa.law`` (DESIGN.md §2).

The rules never read the database: this module builds their inputs — an item's
:class:`~zhifa.law.discretion.ItemRule`, the benchmark and 免罚清单 in force for an agency on a date, the
hearing thresholds and the 法制审核 catalogue from the policy parameters — and calls them.

Jurisdiction follows the agency tree like policy values (``policies.values_on``): the agency's own
row first, then the nearest agency above it, then the platform-wide row (agency empty).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from zhifa.law.citations import XZCFF
from zhifa.law.errors import Citation, RuleViolation
from zhifa.law.fines import parse_fine_rule

from .models import Benchmark, EnforcementItem, NoPenaltyEntry, Provision
from .policies import values_of

if TYPE_CHECKING:
    from zhifa.law import discretion

ART_33 = Citation(XZCFF, "第三十三条第一款", "初次违法且危害后果轻微并及时改正的，可以不予行政处罚")
ART_34 = Citation(XZCFF, "第三十四条",
                  "行政机关可以依法制定行政处罚裁量基准，规范行使行政处罚裁量权；裁量基准应当向社会公布")

# --- articles -------------------------------------------------------------------------------------
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def cn_number(text: str) -> int:
    """三十三 → 33, 一百零二 → 102 (the numbers articles use)."""
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def article_key(article: str) -> tuple:
    """Sort key of an article in reading order: 第九条 < 第三十三条第（三）项 < 第一百条."""
    return tuple(cn_number(n) for n in re.findall(r"[零一二三四五六七八九十百]+", article)) or (10**6,)


def provision_key(p: Provision) -> tuple:
    return (p.source.name, article_key(p.article), p.article)


def citation_of(provisions: list[Provision], fallback: str = "") -> Citation:
    """One citation for an item's provisions: the source and its articles, joined in reading order."""
    if not provisions:
        return Citation(fallback or "（未设定依据）")
    by_source: dict[str, list[str]] = {}
    for p in sorted(provisions, key=provision_key):
        by_source.setdefault(p.source.name, []).append(p.article)
    (first, articles), *others = by_source.items()
    text = "、".join(articles)
    for name, arts in others:
        text += f"；《{name}》" + "、".join(arts)
    return Citation(f"《{first}》", text)


# --- items ------------------------------------------------------------------------------------------
def item_rule(item: EnforcementItem) -> discretion.ItemRule:
    """An enforcement item as :mod:`zhifa.law.discretion` sees it.

    The penalty basis must be a 法律, 法规 or 规章 (《行政处罚法》第十六条); the catalog refuses anything else
    when the item is adjusted and ``lint`` reports it, so it is taken as stored here. The kinds carry their
    qualifiers (``mode_below_threshold``, ``alternative_group``, ``applies_to``, ``authority``,
    ``escalation``) and the item its regulation's repeat-offence escalations (``escalations``, e.g.
    《娱乐场所管理条例》第五十三条第三款), checked by :func:`zhifa.law.discretion.escalations_from_json`.
    """
    from zhifa.law.discretion import ItemRule, KindMode, KindRule, escalations_from_json
    from zhifa.law.penalties import PenaltyKind

    penalty = list(item.penalty_provisions.select_related("source"))
    violated = list(item.violated.select_related("source"))
    try:
        kinds = tuple(KindRule(PenaltyKind(k["kind"]), KindMode(k.get("mode") or "mandatory"), k.get("note") or "",
                               mode_below_threshold=KindMode(k["mode_below_threshold"])
                               if k.get("mode_below_threshold") else None,
                               alternative_group=k.get("alternative_group") or "",
                               applies_to=k.get("applies_to") or "", authority=k.get("authority") or "",
                               escalation=k.get("escalation") or "")
                      for k in item.kinds or [])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise RuleViolation("item_kinds_invalid", f"执法事项 {item.code} 的处罚种类数据无效，请通过权责清单调整更正",
                            "kinds") from None
    try:
        escalations = escalations_from_json(item.escalations or [])
    except RuleViolation as err:
        raise RuleViolation("item_escalations_invalid", f"执法事项 {item.code} 的法定升格数据无效（{err.message}），"
                            "请通过权责清单调整更正", "escalations", err.basis) from None
    return ItemRule(
        code=item.code,
        name=item.name,
        penalty_basis=citation_of(penalty, item.basis_penalty_text),
        kinds=kinds,
        fine=parse_fine_rule(item.fine_rule),
        violated_basis=tuple(Citation(f"《{p.source.name}》", p.article) for p in sorted(violated, key=provision_key)),
        verified=item.verified,
        escalations=escalations,
    )


# --- benchmarks ---------------------------------------------------------------------------------------
def benchmark_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A benchmark's JSON (``zhifa.law.discretion.benchmark_to_json``) as the columns of a :class:`Benchmark`
    row; ``jurisdiction`` and ``item_bands`` come from the row's agency and its :class:`ItemBenchmark` rows."""
    return {"bands": data.get("bands") or {}, "aggravating": list(data.get("aggravating") or []),
            "mitigating": list(data.get("mitigating") or []), "params": dict(data.get("params") or {}),
            "source": str(data.get("source") or "")[:255]}


def benchmark_json(row: Benchmark) -> dict[str, Any]:
    """A :class:`Benchmark` row (with its per-item bands) as the JSON ``benchmark_from_json`` reads."""
    item_bands = {ib.item.code: ib.bands for ib in row.items.select_related("item") if ib.bands}
    return {
        "jurisdiction": row.agency.name if row.agency_id else "全平台",
        "bands": row.bands,
        "aggravating": row.aggravating,
        "mitigating": row.mitigating,
        "params": row.params or {},
        "item_bands": item_bands,
        "source": row.source or row.name,
    }


def to_benchmark(row: Benchmark) -> discretion.Benchmark:
    from zhifa.law.discretion import benchmark_from_json

    return benchmark_from_json(benchmark_json(row))


def _chain(agency) -> list[int]:
    return agency.lineage_ids() if agency is not None else []


def benchmark_row_for(agency, on: date | None = None) -> Benchmark | None:
    """The benchmark row in force for ``agency`` on ``on`` (《行政处罚法》第三十四条; 国办发〔2022〕27号).

    An agency's own benchmark applies once published (裁量基准应当向社会公布); the nearest agency wins
    (a county uses the city's or province's benchmark until it has its own). The platform-wide rows
    (agency empty) come last, a published one before the seeded default. A row applies from
    ``effective_from`` through ``effective_to``.
    """
    on = on or timezone.localdate()
    chain = _chain(agency)
    rows = list(Benchmark.objects.filter(effective_from__lte=on)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
                .filter(Q(agency__isnull=True) | Q(agency_id__in=chain, published=True))
                .select_related("agency"))
    rank = {aid: i for i, aid in enumerate(chain)}
    rows.sort(key=lambda r: (rank.get(r.agency_id, len(chain)), not r.published,
                             -r.effective_from.toordinal(), -r.id))
    return rows[0] if rows else None


def benchmark_for(agency, on: date | None = None) -> discretion.Benchmark:
    """The benchmark in force for ``agency`` on ``on``: its own, the nearest above, the platform row,
    else ``DEFAULT_BENCHMARK`` (《行政处罚法》第三十四条)."""
    row = benchmark_row_for(agency, on)
    if row is not None:
        return to_benchmark(row)
    from zhifa.law.discretion import DEFAULT_BENCHMARK

    return DEFAULT_BENCHMARK


def no_penalty_rows(agency, item: EnforcementItem, on: date | None = None) -> list[NoPenaltyEntry]:
    on = on or timezone.localdate()
    chain = _chain(agency)
    return list(NoPenaltyEntry.objects.filter(item=item, effective_from__lte=on)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
                .filter(Q(agency__isnull=True) | Q(agency_id__in=chain))
                .order_by("list_name", "effective_from", "id"))


def no_penalty_entries(agency, item: EnforcementItem, on: date | None = None) -> tuple[discretion.NoPenaltyEntry, ...]:
    """The 免罚清单 lines for ``item`` in force for ``agency`` on ``on`` (《行政处罚法》第三十三条第一款):
    the agency's, those of the agencies above it and the platform-wide ones."""
    from zhifa.law.discretion import NoPenaltyEntry as Entry

    return tuple(Entry(item_code=item.code, conditions=tuple(r.conditions or ()), source=r.list_name, basis=ART_33)
                 for r in no_penalty_rows(agency, item, on))


def assess_item(item: EnforcementItem, facts: dict, *, agency=None, on: date | None = None) -> discretion.Assessment:
    """Discretion for one item and the facts (dict, as ``parse_facts`` reads it), with the benchmark and the
    免罚清单 in force for ``agency`` on ``on`` (default today). Raises RuleViolation on bad facts, and for an
    item that is suspended or repealed (the 权责清单 no longer lists it for use)."""
    from zhifa.law.discretion import assess, parse_facts

    if item.status != EnforcementItem.Status.ACTIVE:
        raise RuleViolation("item_not_active", f"执法事项 {item.code} {item.get_status_display()}，不得适用", "item")
    parsed = parse_facts(facts)
    on = on or timezone.localdate()
    return assess(item_rule(item), parsed, benchmark_for(agency, on), no_penalty_entries(agency, item, on))


# --- hearing and legal review thresholds (policy) ---------------------------------------------------------


def hearing_thresholds(agency=None, on: date | None = None):
    """The "较大数额" of 《行政处罚法》第六十三条第一款第（一）（二）项 in force for ``agency`` on ``on``
    (policy ``hearing.*``; set by provincial rules, law.md §1.12)."""
    from zhifa.law.penalties import HearingThresholds

    v = values_of(["hearing.fine_person", "hearing.fine_organisation", "hearing.confiscation_person",
                   "hearing.confiscation_organisation"], agency, on)
    return HearingThresholds(
        person_fine=Decimal(v["hearing.fine_person"]),
        organisation_fine=Decimal(v["hearing.fine_organisation"]),
        person_confiscation=Decimal(v["hearing.confiscation_person"]),
        organisation_confiscation=Decimal(v["hearing.confiscation_organisation"]),
    )


def review_catalogue(agency=None, on: date | None = None):
    """The agency's 重大执法决定法制审核目录 in force on ``on`` (《行政处罚法》第五十八条; 国办发〔2018〕118号;
    policy ``review.*``)."""
    from zhifa.law.penalties import PenaltyKind, ReviewCatalogue

    v = values_of(["review.fine_person", "review.fine_organisation", "review.confiscation_person",
                   "review.confiscation_organisation", "review.kinds", "review.after_hearing",
                   "review.outside_benchmark"], agency, on)
    return ReviewCatalogue(
        person_fine=Decimal(v["review.fine_person"]),
        organisation_fine=Decimal(v["review.fine_organisation"]),
        person_confiscation=Decimal(v["review.confiscation_person"]),
        organisation_confiscation=Decimal(v["review.confiscation_organisation"]),
        kinds=frozenset(PenaltyKind(k) for k in v["review.kinds"]),
        after_hearing=bool(v["review.after_hearing"]),
        outside_benchmark=bool(v["review.outside_benchmark"]),
        source=f"{agency.name if agency is not None else '全平台'}重大执法决定法制审核目录（政策参数 review.*）",
    )
