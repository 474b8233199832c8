"""The portal's pre-enforcement pages (事前公开, issue 7 §1): who the agency is, who may enforce, what it enforces
and how (权责清单, 裁量基准, 免罚清单), the procedure, the party's rights and deadlines, and where to complain.

Every page is drawn from live data and from the rules in ``zhifa.law`` (the statute's numbers and articles are never
typed into a template), anonymously, GET only, cacheable (``common.page``). Personal data is never shown: the officer
list carries name, certificate number, domains and validity only (《行政处罚法》第三十九条; 国办发〔2018〕118号).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from zhifa.cases.views.chart import state_tables, svg
from zhifa.catalog import rules
from zhifa.catalog.models import Benchmark, Domain, EnforcementItem, ItemBenchmark, NoPenaltyEntry
from zhifa.catalog.policies import training_rules, value_of, values_of
from zhifa.catalog.services import no_penalty_conditions
from zhifa.catalog.views import present
from zhifa.catalog.views.benchmarks import band_rows, factor_rows, param_rows, source_parts
from zhifa.catalog.views.items import item_or_404, provision_rows
from zhifa.law import calendar as law_calendar
from zhifa.law import clocks, surcharge
from zhifa.law import procedure as proc
from zhifa.law import qualification as q
from zhifa.law.errors import Citation
from zhifa.law.fines import yuan
from zhifa.law.penalties import ART_51, ART_63, ART_70, ORGANISATION, PERSON, SUMMARY_FINE_LIMIT
from zhifa.org.models import Agency, Certificate, Unit, User
from zhifa.org.roles import Role

from .. import search
from ..models import SearchEntry
from .common import agency_or_404, page

MAX_QUERY = 50  # characters of a search; more is cut (a 权责清单 search needs a few words at most)
_MAX_PK = 2**63 - 1

CATEGORY_LABELS = {
    EnforcementItem.Category.PENALTY: gettext_lazy("行政处罚"),
    EnforcementItem.Category.COERCION: gettext_lazy("行政强制"),
}
PERIOD_WORDS = {
    clocks.Unit.WORKING_DAYS: pgettext_lazy("deadline", "%(n)s个工作日"),
    clocks.Unit.CALENDAR_DAYS: pgettext_lazy("deadline", "%(n)s日"),
    clocks.Unit.MONTHS: pgettext_lazy("deadline", "%(n)s个月"),
    clocks.Unit.YEARS: pgettext_lazy("deadline", "%(n)s年"),
    clocks.Unit.HOURS: pgettext_lazy("deadline", "%(n)s小时"),
}


def _today() -> date:
    return timezone.localdate()


def _cites(*cs: Citation) -> list[dict]:
    return [{"text": c.name, "note": c.note} for c in cs]


def period(clock: clocks.Clock) -> str:
    """A statutory clock's length in words: "5个工作日", "15日", "6个月"."""
    return str(PERIOD_WORDS[clock.unit]) % {"n": clock.length}


# --- 执法主体 -------------------------------------------------------------------------------------------------------
@require_GET
def agency(request, code):
    agency = agency_or_404(code)
    units = list(Unit.objects.filter(agency=agency, is_active=True)
                 .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("sort", "code")))
                 .order_by("sort", "name"))
    covered: dict[int, Domain] = {}
    for u in units:
        for d in u.domains.all():
            covered.setdefault(d.pk, d)
    counts = dict(EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE, domain_id__in=covered)
                  .order_by().values("domain_id").annotate(n=Count("id")).values_list("domain_id", "n"))
    duties = [{"domain": d, "count": counts.get(d.pk, 0)}
              for d in sorted(covered.values(), key=lambda d: (d.sort, d.code))]
    parent = Agency.objects.filter(pk=agency.parent_id, is_active=True).first() if agency.parent_id else None
    return page(request, "publicity/portal/before/agency.html", {
        "units": units, "duties": duties, "item_total": sum(x["count"] for x in duties), "parent": parent,
    }, agency=agency, active="agency")


# --- 执法人员 -------------------------------------------------------------------------------------------------------
def valid_certificates(agency: Agency, on: date) -> list[Certificate]:
    """The certificates of ``agency``'s active enforcement officers that are valid on ``on`` — the same test the
    qualification rule makes of a certificate (``zhifa.law.qualification.certificate_reasons``: issued, not expired,
    not 暂扣 or 注销, and the 年审 passed where the policy demands it). Training is not a certificate matter and is
    not published. Sorted by unit, then name."""
    policy = training_rules(agency, on)  # only its annual_review_required matters for a certificate
    officers = User.objects.filter(agency=agency, is_active=True, groups__name=Role.OFFICER.value)
    certs = (Certificate.objects.filter(holder__in=officers, issued_on__lte=on, valid_until__gte=on)
             .select_related("holder__unit")
             .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("sort", "code")),
                               "status_changes", "annual_reviews"))
    out = []
    for c in certs:
        facts = c.facts()
        if not facts.domains:
            continue
        number, _reasons = q.certificate_reasons([facts], min(facts.domains), "", on, policy)
        if number is not None:
            out.append(c)

    def key(c: Certificate):
        unit = c.holder.unit
        return (unit is None, unit.sort if unit else 0, unit.name if unit else "", c.holder.full_name, c.number)

    return sorted(out, key=key)


@require_GET
def officers(request, code):
    agency = agency_or_404(code)
    today = _today()
    groups: list[dict] = []
    for c in valid_certificates(agency, today):
        unit = c.holder.unit
        name = unit.name if unit else _("未分配内设机构")
        if not groups or groups[-1]["name"] != name:
            groups.append({"name": name, "rows": []})
        # only what the public may know: never the phone, employee number, birth date or ID of a person
        groups[-1]["rows"].append({"name": c.holder.full_name, "number": c.number,
                                   "domains": [d.name for d in c.domains.all()], "valid_until": c.valid_until})
    return page(request, "publicity/portal/before/officers.html", {
        "groups": groups, "count": sum(len(g["rows"]) for g in groups), "today": today,
        "basis": _cites(q.ART_42, q.ART_55),
    }, agency=agency, active="officers")


# --- 权责清单 -------------------------------------------------------------------------------------------------------
def _item_row(item: EnforcementItem) -> dict:
    return {"item": item, "category": CATEGORY_LABELS.get(item.category, item.category),
            "kinds": present.kinds_of(item.kinds)}


@require_GET
def items(request, code):
    agency = agency_or_404(code)
    domains = list(Domain.objects.order_by("sort", "code"))
    by_code = {d.code: d for d in domains}
    notes = []
    q_text = (request.GET.get("q") or "").strip()
    if len(q_text) > MAX_QUERY:
        q_text = q_text[:MAX_QUERY]
        notes.append(_("关键词过长，只按前 %(n)s 个字查找。") % {"n": MAX_QUERY})
    domain_code = (request.GET.get("domain") or "").strip()
    domain = by_code.get(domain_code)
    if domain_code and domain is None:
        notes.append(_("没有这个执法领域，下面列出全部领域的事项。"))
    qs = (EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE).select_related("domain")
          .order_by("domain__sort", "domain__code", "code"))
    if domain is not None:
        qs = qs.filter(domain=domain)
    too_short = False
    searched = False
    if q_text:
        if search.query_runs(q_text):
            qs = qs.filter(pk__in=search.matching(SearchEntry.Kind.ITEM, q_text))
            searched = True
        else:
            too_short = True
    groups: list[dict] = []
    for item in qs:
        if not groups or groups[-1]["domain"].pk != item.domain_id:
            groups.append({"domain": item.domain, "rows": []})
        groups[-1]["rows"].append(_item_row(item))
    return page(request, "publicity/portal/before/items.html", {
        "groups": groups, "count": sum(len(g["rows"]) for g in groups), "domains": domains, "domain": domain,
        "q": q_text, "searched": searched, "too_short": too_short,
        "notes": notes,
    }, agency=agency, active="items")


# --- 裁量基准 (shared by the item page and the benchmark pages) --------------------------------------------------
def _published(agency: Agency):
    """The published benchmarks that apply to ``agency``: its own, its superiors', the platform's (第三十四条)."""
    return (Benchmark.objects.filter(published=True)
            .filter(Q(agency__isnull=True) | Q(agency_id__in=agency.lineage_ids())).select_related("agency"))


def _not_ended(qs, today: date):
    return qs.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))


def _rank(agency: Agency):
    chain = {aid: i for i, aid in enumerate(agency.lineage_ids())}
    return lambda r: (chain.get(r.agency_id, len(chain)), -r.effective_from.toordinal(), -r.pk)


def _applies_today(agency: Agency, today: date) -> Benchmark | None:
    """The benchmark the discretion rule uses today (``rules.benchmark_row_for``), when it is a published one."""
    row = rules.benchmark_row_for(agency, today)
    return row if row is not None and row.published else None


def _in_force(row, today: date) -> str:
    if row.effective_from > today:
        return "future"
    if row.effective_to is not None and row.effective_to < today:
        return "expired"
    return "current"


@require_GET
def benchmarks(request, code):
    agency = agency_or_404(code)
    today = _today()
    applies = _applies_today(agency, today)
    rows = sorted(_not_ended(_published(agency), today).annotate(item_count=Count("items")), key=_rank(agency))
    for r in rows:
        r.in_force = _in_force(r, today)
        r.applies = applies is not None and r.pk == applies.pk
    return page(request, "publicity/portal/before/benchmarks.html", {
        "rows": rows, "applies": applies, "today": today, "basis": _cites(rules.ART_34),
    }, agency=agency, active="benchmarks")


@require_GET
def benchmark(request, code, pk: int):
    agency = agency_or_404(code)
    if pk > _MAX_PK:
        raise Http404
    row = _published(agency).filter(pk=pk).first()
    if row is None:
        raise Http404("no such published benchmark of this agency")
    today = _today()
    applies = _applies_today(agency, today)
    item_rows = list(ItemBenchmark.objects.filter(benchmark=row).select_related("item__domain")
                     .order_by("item__code"))
    for ib in item_rows:
        ib.band_rows = band_rows(ib.bands)
        ib.public = ib.item.status == EnforcementItem.Status.ACTIVE
    return page(request, "publicity/portal/before/benchmark.html", {
        "row": row, "bands": band_rows(row.bands), "aggravating": factor_rows(row.aggravating),
        "mitigating": factor_rows(row.mitigating), "params": param_rows(row.params), "item_rows": item_rows,
        "in_force": _in_force(row, today), "applies": applies is not None and applies.pk == row.pk,
    }, agency=agency, active="benchmarks")


# --- one item -----------------------------------------------------------------------------------------------------
def _condition_labels(entry: NoPenaltyEntry, labels: dict[str, str]) -> list[str]:
    if not isinstance(entry.conditions, list):
        return []
    return [labels.get(c, str(c)) for c in entry.conditions if isinstance(c, (str, int))]


@require_GET
def item(request, code, item: str):
    agency = agency_or_404(code)
    found = item_or_404(item)
    if found.status != EnforcementItem.Status.ACTIVE:
        raise Http404("the item is not in the 权责清单 in use")
    today = _today()
    rule, _problem = present.parse_rule(found.fine_rule)
    # the benchmark that applies today, with the amounts its bands give for this item
    applies = _applies_today(agency, today)
    own_rows = {ib.benchmark_id: ib for ib in ItemBenchmark.objects.filter(
        item=found, benchmark__in=_not_ended(_published(agency), today)).select_related("benchmark__agency")}
    current = None
    if applies is not None:
        own = own_rows.get(applies.pk)
        bands = present.band_rows(applies.bands, own.bands if own else None, rule)
        current = {"row": applies, "bands": [b for b in bands if b["applies"]], "own": own}
    others = sorted((ib for pk, ib in own_rows.items() if applies is None or pk != applies.pk),
                    key=lambda ib: _rank(agency)(ib.benchmark))
    for ib in others:
        ib.band_rows = band_rows(ib.bands)
        ib.in_force = _in_force(ib.benchmark, today)
    labels = no_penalty_conditions()
    no_penalty = rules.no_penalty_rows(agency, found, today)
    for e in no_penalty:
        e.condition_labels = _condition_labels(e, labels)
        e.source_parts = source_parts(e.source)
    return page(request, "publicity/portal/before/item.html", {
        "item": found, "category": CATEGORY_LABELS.get(found.category, found.category), "today": today,
        "violated": provision_rows(found.violated, found, today),
        "penalty": provision_rows(found.penalty_provisions, found, today),
        "kinds": present.kinds_of(found.kinds), "fine_words": present.rule_words(rule),
        "measures": [m for m in found.measures or [] if isinstance(m, str)],
        "escalations": present.escalations_of(found.escalations),
        "current": current, "others": others, "no_penalty": no_penalty,
    }, agency=agency, active="items")


# --- 免罚清单 -------------------------------------------------------------------------------------------------------
@require_GET
def no_penalty(request, code):
    agency = agency_or_404(code)
    today = _today()
    labels = no_penalty_conditions()
    groups: dict[str, dict] = {}
    entries = (NoPenaltyEntry.objects.filter(Q(agency__isnull=True) | Q(agency_id__in=agency.lineage_ids()))
               .filter(effective_from__lte=today).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
               .select_related("item", "agency").order_by("list_name", "item__code", "effective_from", "id"))
    for e in entries:
        e.condition_labels = _condition_labels(e, labels)
        e.source_parts = source_parts(e.source)
        e.public = e.item.status == EnforcementItem.Status.ACTIVE
        group = groups.setdefault(e.list_name, {"name": e.list_name, "entries": [], "owners": []})
        group["entries"].append(e)
        owner = e.agency.name if e.agency_id else _("全平台")
        if owner not in group["owners"]:
            group["owners"].append(owner)
    return page(request, "publicity/portal/before/no_penalty.html", {
        "groups": list(groups.values()), "today": today, "basis": _cites(rules.ART_33),
    }, agency=agency, active="no_penalty")


# --- 执法流程 -------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _procedures(language: str) -> tuple[dict, ...]:
    """Both procedures' charts (no link: the staff chart's states link to its tables) and step tables; they depend
    only on the procedure table in the code and the language, so each process draws them once."""
    return tuple({"code": p.value, "label": proc.PROCEDURE_LABELS[p], "svg": svg(p, link_states=False),
                  "states": state_tables(p)} for p in proc.Procedure)


@require_GET
def procedure(request, code):
    agency = agency_or_404(code)
    return page(request, "publicity/portal/before/procedure.html", {
        "procedures": _procedures(translation.get_language() or ""),
    }, agency=agency, active="procedure")


# --- 服务指南 -------------------------------------------------------------------------------------------------------
def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@require_GET
def guides(request, code):
    agency = agency_or_404(code)
    today = _today()
    from zhifa.documents.context import PARTICULARS_DEFAULT

    policies = values_of(["documents.particulars", "case.statement_days"], agency, today)
    particulars = {**PARTICULARS_DEFAULT, **(policies["documents.particulars"] or {})}
    thresholds = rules.hearing_thresholds(agency, today)
    c = clocks.CLOCKS
    context = {
        "statement_days": policies["case.statement_days"],
        "hearing_period": period(c["hearing_request"]),
        "hearing_notice_period": period(c["hearing_notice"]),
        "payment_period": period(c["payment"]),
        "surcharge_rate": _percent(surcharge.RATE),
        "reconsideration_period": period(c["reconsideration"]),
        "litigation_period": period(c["litigation"]),
        "after_reconsideration_period": period(c["litigation_after_reconsideration"]),
        "thresholds": {"person_fine": yuan(thresholds.person_fine),
                       "organisation_fine": yuan(thresholds.organisation_fine),
                       "person_confiscation": yuan(thresholds.person_confiscation),
                       "organisation_confiscation": yuan(thresholds.organisation_confiscation)},
        "summary_limits": {"person": yuan(SUMMARY_FINE_LIMIT[PERSON]),
                           "organisation": yuan(SUMMARY_FINE_LIMIT[ORGANISATION])},
        "particulars": particulars,
        "cite": {
            "summary": _cites(ART_51),
            "officers": _cites(q.ART_42, q.ART_55, proc.ART_43),
            "statement": _cites(proc.ART_44, proc.ART_45, proc.ART_62),
            "hearing": _cites(ART_63, clocks.ART_64_1, clocks.ART_64_2, proc.ART_64, proc.ART_65),
            "payment": _cites(clocks.ART_67, ART_70),
            "surcharge": _cites(surcharge.ART_72_1, surcharge.ART_73_3, surcharge.QZF_ART_45),
            "deferral": _cites(proc.ART_66),
            "reconsideration": _cites(clocks.FYF_ART_20),
            "litigation": _cites(clocks.SSF_ART_46, clocks.SSF_ART_45),
            "counting": _cites(law_calendar.ART_85_WORKING_DAYS, law_calendar.MSSSF_ART_85),
        },
    }
    return page(request, "publicity/portal/before/guides.html", context, agency=agency, active="guides")


# --- 监督渠道 -------------------------------------------------------------------------------------------------------
DEFAULT_HOTLINE = "12318"  # 全国文化市场举报电话


@require_GET
def supervision(request, code):
    agency = agency_or_404(code)
    today = _today()
    from zhifa.documents.context import PARTICULARS_DEFAULT

    particulars = {**PARTICULARS_DEFAULT, **(value_of("documents.particulars", agency, today) or {})}
    parent = Agency.objects.filter(pk=agency.parent_id, is_active=True).first() if agency.parent_id else None
    return page(request, "publicity/portal/before/supervision.html", {
        "hotline": agency.supervision_phone or DEFAULT_HOTLINE, "parent": parent, "particulars": particulars,
        "reconsideration_period": period(clocks.CLOCKS["reconsideration"]),
        "litigation_period": period(clocks.CLOCKS["litigation"]),
    }, agency=agency, active="supervision")
