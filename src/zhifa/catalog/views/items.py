"""The catalog browser (执法事项目录) and the item page with its benchmark and discretion calculator.

Everyone signed in reads the catalog: it is the 权责清单, published anyway. The calculator computes,
it changes nothing: it is a POST only to keep a party's birth date and amounts out of URLs and logs.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.law.discretion import OUTCOME_LABELS
from zhifa.law.errors import RuleViolation
from zhifa.law.fines import yuan
from zhifa.law.penalties import KIND_LABELS

from .. import lint as catalog_lint
from .. import rules, services
from ..forms import FactsForm, ItemFilterForm, ReviewForm
from ..models import EnforcementItem, ItemBenchmark, ItemChange, LegalSource, Provision
from . import present

PAGE_SIZE = 25
_CODE_MAX = EnforcementItem._meta.get_field("code").max_length


def item_or_404(code: str) -> EnforcementItem:
    if not code or len(code) > _CODE_MAX or "\x00" in code:  # PostgreSQL text cannot hold NUL
        raise Http404
    item = EnforcementItem.objects.select_related("domain", "responsible_unit").filter(code=code).first()
    if item is None:
        raise Http404
    return item


def _provision_id(text: str) -> int | None:
    try:
        pk = int(text)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


@login_required
@require_GET
def item_list(request):
    filters = ItemFilterForm(request.GET or None)
    values = filters.values() if request.GET else dict.fromkeys(filters.fields, "")
    provision = None
    pk = _provision_id(request.GET.get("provision"))
    if pk is not None:
        provision = Provision.objects.select_related("source").filter(pk=pk).first()
    qs = services.search_items(values["q"], domain=values["domain"] or None, status=values["status"] or None,
                               provision=provision)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page:
        item.kind_list = present.kinds_of(item.kinds)
        item.fine_text = present.rule_summary(item.fine_rule) if item.fine_rule else ""
    return render(request, "catalog/item_list.html", {
        "active": "catalog", "filters": filters, "values": values, "page": page, "provision": provision,
        "total": EnforcementItem.objects.count(), "can_lint": can_view_lint(request.user),
        "can_propose": services.can_propose_changes(request.user),
    })


def can_view_lint(user) -> bool:
    """The lint report is for those who keep the catalog right: 法制审核人员, 负责人, 系统管理员."""
    return services.can_propose_changes(user)


def provision_rows(qs, item: EnforcementItem, today) -> list[dict]:
    out = []
    for p in sorted(qs.select_related("source").prefetch_related("versions"), key=rules.provision_key):
        versions = sorted(p.versions.all(), key=lambda v: v.effective_from)
        current = next((v for v in reversed(versions) if v.effective_from <= today
                        and (v.effective_to is None or v.effective_to >= today)), None)
        later = [v for v in versions if v.effective_from > today]
        out.append({"provision": p, "source": p.source, "level": p.source.get_level_display(),
                    "normative": p.source.level == LegalSource.Level.NORMATIVE,
                    "current": current, "versions": versions, "later": later})
    return out


def _change_rows(item: EnforcementItem) -> list[ItemChange]:
    rows = list(ItemChange.objects.filter(Q(item=item) | Q(item_code=item.code))
                .select_related("proposed_by", "decided_by").order_by("-proposed_at", "-id")[:50])
    for c in rows:
        c.fields = "、".join(services.ITEM_FIELDS.get(f, _("状态") if f == "status" else f) for f in c.diff or {})
    return rows


def _benchmark_context(agency, item: EnforcementItem, rule, today) -> dict:
    row = rules.benchmark_row_for(agency, today)
    own = None
    if row is not None:
        own = ItemBenchmark.objects.filter(benchmark=row, item=item).first()
    try:
        bench = rules.benchmark_for(agency, today)
    except RuleViolation as exc:  # a stored benchmark the rules refuse: say so, never crash the page
        return {"row": row, "bench": None, "problem": str(exc), "bands": [], "own": own,
                "aggravating": [], "mitigating": []}
    try:
        item_rule = rules.item_rule(item)
    except RuleViolation:
        item_rule = None  # its kinds cannot be read: offer every factor, the lint report names the fault

    def applicable(factors):
        return [f for f in factors if item_rule is None or f.applies_to(item_rule)]

    bands = present.band_rows(row.bands if row is not None else _bands_json(bench), own.bands if own else None, rule)
    return {"row": row, "bench": bench, "problem": "", "bands": bands, "own": own,
            "aggravating": applicable(bench.aggravating), "mitigating": applicable(bench.mitigating)}


def _bands_json(bench) -> dict:
    from zhifa.law.discretion import bands_to_json

    return bands_to_json(bench.bands)


def _assessment_view(assessment) -> dict:
    """The Assessment as the template shows it (labels from zhifa.law, money in yuan)."""
    statutory = assessment.statutory_range
    rec = assessment.recommended_range
    return {
        "outcome": assessment.outcome.value,
        "outcome_label": OUTCOME_LABELS[assessment.outcome],
        "statutory": f"{yuan(statutory.min)}–{yuan(statutory.max)}" if statutory is not None else "",
        "statutory_steps": statutory.steps if statutory is not None else (),
        "recommended": f"{yuan(rec[0])}–{yuan(rec[1])}" if rec is not None else "",
        "mandatory": [KIND_LABELS[k] for k in assessment.mandatory_kinds],
        "optional": [KIND_LABELS[k] for k in assessment.optional_kinds],
        "education": assessment.requires_education,
        "alternatives": [OUTCOME_LABELS[o] for o in assessment.alternatives],
        "steps": [{"text": s.text, "basis": [str(c) for c in s.basis]} for s in assessment.steps],
        "warnings": list(assessment.warnings),
    }


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request, code: str):
    return _item_page(request, item_or_404(code))


def _item_page(request, item: EnforcementItem, *, review_form=None, calculate=None):
    today = timezone.localdate()
    agency = request.user.agency
    rule, rule_problem = present.parse_rule(item.fine_rule)
    bench = _benchmark_context(agency, item, rule, today)
    calculate = request.method == "POST" if calculate is None else calculate
    escalations = present.escalations_of(item.escalations)
    form = FactsForm(request.POST if calculate else None,
                     aggravating=bench["aggravating"], mitigating=bench["mitigating"],
                     prior_kinds={e["prior_kind"] for e in escalations}, initial={"act_date": today})
    result = None
    if calculate and form.is_valid():
        try:
            # The benchmark in force today, as shown on the page (its factors are the form's choices).
            assessment = rules.assess_item(item, form.facts(), agency=agency, on=today)
        except RuleViolation as exc:
            form.add_violation(exc)
        except (ArithmeticError, ValueError) as exc:  # an amount too large to compute with: say so on the field
            form.add_error(None, _("无法计算：%(reason)s") % {"reason": exc})
        else:
            result = _assessment_view(assessment)
    no_penalty = rules.no_penalty_rows(agency, item, today)
    conditions = services.no_penalty_conditions()
    for entry in no_penalty:
        entry.condition_labels = [conditions.get(c, c) for c in entry.conditions or []]
    return render(request, "catalog/item_detail.html", {
        "active": "catalog", "item": item, "today": today,
        "violated": provision_rows(item.violated, item, today),
        "penalty": provision_rows(item.penalty_provisions, item, today),
        "kinds": present.kinds_of(item.kinds), "fine_words": present.rule_words(rule), "rule_problem": rule_problem,
        "measures": [m for m in item.measures or [] if isinstance(m, str)],
        "changes": _change_rows(item), "bench": bench, "no_penalty": no_penalty,
        "form": form, "result": result, "escalations": escalations,
        "findings": catalog_lint.lint(today, only=item.code),
        "can_propose": services.can_propose_changes(request.user),
        "can_review": services.can_approve_changes(request.user),
        "review_form": review_form or ReviewForm(),
        "pending": ItemChange.objects.filter(item_code=item.code, status=ItemChange.Status.PENDING).first(),
    })


@login_required
@require_POST
def item_review(request, code: str):
    """A 负责人 or 法制审核人员 confirms the item still matches its provisions (``services.confirm_review``)."""
    if not services.can_approve_changes(request.user):
        raise PermissionDenied
    item = item_or_404(code)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.confirm_review(item, actor=request.user, note=form.cleaned_data["note"])
        except RuleViolation as exc:
            form.add_error("note" if exc.field == "note" else None, str(exc))
        else:
            messages.success(request, _("已确认审查 %(code)s。") % {"code": item.code})
            return redirect("catalog:item", code=item.code)
    return _item_page(request, item, review_form=form, calculate=False)
