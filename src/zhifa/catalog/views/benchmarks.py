"""Discretion benchmarks (裁量基准, 《行政处罚法》第三十四条) and 免罚清单 (第三十三条第一款) of the user's
jurisdiction: the list, one benchmark with its bands, factors, parameters and per-item bands, the form
that drafts or corrects one, publishing, and the 免罚清单 with its form.

Who does what (the services check it again):

- everyone signed in reads them — a benchmark must be published (第三十四条) and the 免罚清单 is public;
- the 法制审核人员 and 负责人 of an agency draft its benchmarks, their per-item bands and its 免罚清单
  lines (:func:`can_keep_benchmarks`). This is ``services.can_propose_changes`` without the 系统管理员
  (and the platform superuser): a benchmark is a legal decision of the agency, not system upkeep, and a
  person without an agency has no jurisdiction to draft for;
- only the 负责人 publishes (:func:`can_publish`, as ``services.can_publish_benchmarks``): the reviewer
  drafts and the head, another person, publishes;
- a published benchmark is never edited (the service refuses): it is copied into a new draft with a
  later 施行日期.

What a person sees: the platform rows, their own agency's and those below it (drafts too), and the
published benchmarks of the agencies above theirs (a superior's draft is not yet public).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.law.errors import RuleViolation
from zhifa.org.services import visible_agencies

from .. import rules, services
from ..forms_benchmarks import (
    OUTCOME_LABELS,
    OUTCOMES,
    SHAPES,
    BenchmarkForm,
    ItemBandsForm,
    NoPenaltyForm,
    band_initial,
    basis_text,
    factor_formsets,
    show_violation,
)
from ..models import Benchmark, EnforcementItem, ItemBenchmark, NoPenaltyEntry
from . import present

_MAX_PK = 2**63 - 1
# The parameters of a benchmark with their defaults (zhifa.law.discretion.Benchmark).
PARAM_DEFAULTS = {"mitigated_floor": "0", "mitigate_threshold": 2, "repeat_window_years": 2, "repeat_count": 1}


# --- permissions ----------------------------------------------------------------------------------------
def can_keep_benchmarks(user) -> bool:
    """The 法制审核人员 or 负责人 of an agency drafts its benchmarks and 免罚清单 (see the module docstring)."""
    return bool(getattr(user, "agency_id", None)) and services.can_approve_changes(user)


def can_publish(user) -> bool:
    """Only the 负责人 publishes a benchmark of their agency (裁量基准应当向社会公布，第三十四条)."""
    return bool(getattr(user, "agency_id", None) and getattr(user, "is_authenticated", False)
                and hasattr(user, "has_role") and user.has_role("head"))


def _own(user, row) -> bool:
    return row.agency_id is not None and row.agency_id == getattr(user, "agency_id", None)


def may_edit(user, row: Benchmark) -> bool:
    return can_keep_benchmarks(user) and _own(user, row) and not row.published


# --- scope --------------------------------------------------------------------------------------------------
def _scope(user) -> Q:
    """Platform rows, the user's agency and those below it, and the published rows of the agencies above."""
    q = Q(agency__isnull=True) | Q(agency__in=visible_agencies(user))
    agency = getattr(user, "agency", None)
    if agency is not None:
        q |= Q(agency_id__in=agency.lineage_ids(), published=True)
    return q


def _benchmark_or_404(user, pk: int) -> Benchmark:
    if pk > _MAX_PK:
        raise Http404
    row = Benchmark.objects.filter(_scope(user)).select_related("agency").filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _np_scope(user) -> Q:
    """The 免罚清单 lines that apply to the user's agency: its own, those of the agencies above, the platform's."""
    agency = getattr(user, "agency", None)
    q = Q(agency__isnull=True)
    if agency is not None:
        q |= Q(agency_id__in=agency.lineage_ids())
    return q


def _in_force(start: date, end: date | None, today: date) -> str:
    if start > today:
        return "future"
    if end is not None and end < today:
        return "expired"
    return "current"


# --- presenting a benchmark ---------------------------------------------------------------------------------
def _pct(value) -> str:
    from ..forms_benchmarks import share_to_pct

    text = share_to_pct(value) if value is not None else ""
    return f"{text}%" if text else "—"


def band_rows(bands) -> list[dict]:
    """Bands (JSON) as rows per shape with "low%–high%" per outcome; tolerant of odd data."""
    rows = []
    bands = bands if isinstance(bands, dict) else {}
    for shape in SHAPES:
        per = bands.get(shape)
        if not isinstance(per, dict):
            continue
        cells = []
        for outcome in OUTCOMES:
            raw = per.get(outcome)
            low, high = (raw.get("low"), raw.get("high")) if isinstance(raw, dict) else \
                (raw[0], raw[1]) if isinstance(raw, (list, tuple)) and len(raw) == 2 else (None, None)
            cells.append({"outcome": outcome, "label": OUTCOME_LABELS[outcome], "text": f"{_pct(low)}–{_pct(high)}"})
        rows.append({"shape": shape, "label": present.SHAPE_LABELS[shape], "cells": cells})
    return rows


def factor_rows(data) -> list[dict]:
    out = []
    for f in data if isinstance(data, list) else []:
        if not isinstance(f, dict):
            continue
        basis, note = basis_text(f.get("basis"))
        sources = f.get("sources") if isinstance(f.get("sources"), list) else []
        out.append({"code": str(f.get("code") or ""), "label": str(f.get("label") or ""), "basis": basis,
                    "note": note, "ground": f.get("ground") is True,
                    "sources": [s for s in sources if isinstance(s, str)]})
    return out


def param_rows(params) -> list[dict]:
    params = params if isinstance(params, dict) else {}
    labels = {"mitigated_floor": _("减轻处罚的罚款下限（法定最低罚款的 %）"),
              "mitigate_threshold": _("适用减轻处罚所需的从轻、减轻情节数"),
              "repeat_window_years": _("重复违法的统计期间（年）"),
              "repeat_count": _("期间内受过处罚的次数（达到即为从重情节）")}
    rows = []
    for key, default in PARAM_DEFAULTS.items():
        value = params.get(key)
        given = value is not None
        value = value if given else default
        text = _pct(value) if key == "mitigated_floor" else str(value)
        rows.append({"key": key, "label": labels[key], "value": text, "default": not given})
    return rows


def _item_codes() -> list[tuple[str, str]]:
    return list(EnforcementItem.objects.order_by("code").values_list("code", "name"))


# --- the list -----------------------------------------------------------------------------------------------
@login_required
@require_GET
def benchmark_list(request):
    user = request.user
    today = timezone.localdate()
    applies = rules.benchmark_row_for(user.agency, today)
    rows = list(Benchmark.objects.filter(_scope(user)).select_related("agency"))
    rows.sort(key=lambda r: (r.agency.path if r.agency_id else "", -r.effective_from.toordinal(), -r.pk))
    for r in rows:
        r.applies = applies is not None and r.pk == applies.pk
        r.in_force = _in_force(r.effective_from, r.effective_to, today)
        r.editable = may_edit(user, r)
        r.own = _own(user, r)
    return render(request, "catalog/benchmark_list.html", {
        "active": "catalog", "rows": rows, "applies": applies, "today": today, "agency": user.agency,
        "can_keep": can_keep_benchmarks(user)})


# --- one benchmark --------------------------------------------------------------------------------------------
def _detail(request, row: Benchmark, *, item_form=None, status=200):
    user = request.user
    today = timezone.localdate()
    problem = ""
    try:
        rules.to_benchmark(row)
    except (RuleViolation, TypeError, ValueError, AttributeError, KeyError) as exc:
        problem = str(exc)
    editable = may_edit(user, row)
    item_rows = list(ItemBenchmark.objects.filter(benchmark=row).select_related("item").order_by("item__code"))
    for ib in item_rows:
        ib.band_rows = band_rows(ib.bands)
    if editable and item_form is None:
        code = request.GET.get("item") or ""
        current = next((ib for ib in item_rows if ib.item.code == code), None)
        initial = {"item": current.item.code, "conditions": current.conditions,
                   **band_initial("item", current.bands)} if current else {}
        item_form = ItemBandsForm(initial=initial, auto_id="ib_%s")
    applies = rules.benchmark_row_for(user.agency, today)
    return render(request, "catalog/benchmark_detail.html", {
        "active": "catalog", "row": row, "problem": problem, "bands": band_rows(row.bands),
        "aggravating": factor_rows(row.aggravating), "mitigating": factor_rows(row.mitigating),
        "params": param_rows(row.params), "item_rows": item_rows,
        "in_force": _in_force(row.effective_from, row.effective_to, today),
        "applies": applies is not None and applies.pk == row.pk,
        "editable": editable, "own": _own(user, row), "can_keep": can_keep_benchmarks(user),
        "may_publish": can_publish(user) and _own(user, row) and not row.published,
        "item_form": item_form if editable else None, "item_codes": _item_codes() if editable else [],
    }, status=status)


@login_required
@require_GET
def benchmark_detail(request, pk: int):
    return _detail(request, _benchmark_or_404(request.user, pk))


@login_required
@require_POST
def benchmark_publish(request, pk: int):
    row = _benchmark_or_404(request.user, pk)
    if not (can_publish(request.user) and _own(request.user, row)):
        raise PermissionDenied
    try:
        row = services.publish_benchmark(row, actor=request.user)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已公开“%(name)s”，自 %(day)s 起按其施行日期适用于本机关及下级机关。")
                         % {"name": row.name, "day": row.effective_from.isoformat()})
    return redirect("catalog:benchmark", pk=row.pk)


@login_required
@require_POST
def benchmark_item(request, pk: int):
    """Set an item's own bands and conditions on an unpublished benchmark (``services.save_item_benchmark``)."""
    row = _benchmark_or_404(request.user, pk)
    if not (can_keep_benchmarks(request.user) and _own(request.user, row)):
        raise PermissionDenied
    if row.published:
        messages.error(request, _("已公开的裁量基准不得修改，请复制为新基准后再细化。"))
        return redirect("catalog:benchmark", pk=row.pk)
    form = ItemBandsForm(request.POST, auto_id="ib_%s")
    if form.is_valid():
        item = form.cleaned_data["item"]
        try:
            services.save_item_benchmark(actor=request.user, benchmark=row, item=item, bands=form.bands(),
                                         conditions=form.cleaned_data["conditions"])
        except RuleViolation as exc:
            show_violation(form, exc, prefix=f"item_bands.{item.code}")
        else:
            messages.success(request, _("已保存 %(code)s 的裁量档次。") % {"code": item.code})
            return redirect(reverse("catalog:benchmark", args=[row.pk]) + "#item-bands")
    return _detail(request, row, item_form=form)


# --- drafting and correcting ---------------------------------------------------------------------------------------
def _prefill(user, copy_from: Benchmark | None) -> tuple[dict, Benchmark | None]:
    """The JSON a new draft starts from: the row copied, else the benchmark that applies today, else the
    platform default of zhifa.law.discretion."""
    if copy_from is not None:
        return rules.benchmark_json(copy_from), copy_from
    row = rules.benchmark_row_for(user.agency, timezone.localdate())
    if row is not None:
        return rules.benchmark_json(row), None
    from zhifa.law.discretion import DEFAULT_BENCHMARK

    return DEFAULT_BENCHMARK.to_json(), None


def _copy_source(user, text) -> Benchmark | None:
    try:
        pk = int(text)
    except (TypeError, ValueError):
        return None
    if not 0 < pk <= _MAX_PK:
        return None
    return Benchmark.objects.filter(_scope(user)).select_related("agency").filter(pk=pk).first()


def _form_page(request, form, formsets, *, row=None, copy_from=None, status=200):
    aggravating, mitigating = formsets
    return render(request, "catalog/benchmark_form.html", {
        "active": "catalog", "form": form, "aggravating": aggravating, "mitigating": mitigating, "row": row,
        "copy_from": copy_from, "agency": request.user.agency,
        "copy_items": ItemBenchmark.objects.filter(benchmark=copy_from).count() if copy_from else 0,
        "has_errors": bool(form.errors or form.band_errors or any(
            fs.total_error_count() or getattr(fs, "section_errors", None) for fs in formsets)),
    }, status=status)


def _save(request, form, formsets, row: Benchmark | None) -> Benchmark | None:
    """Validate and save through the service; on a refusal show it on its field and return None."""
    checks = [form.is_valid(), *(fs.is_valid() for fs in formsets)]  # every part validated, errors shown together
    if not all(checks):
        return None
    aggravating, mitigating = formsets
    agg_rows, mit_rows = aggravating.rows(), mitigating.rows()
    index_maps = {"aggravating": [i for i, _row in agg_rows], "mitigating": [i for i, _row in mit_rows]}
    data = form.cleaned_data
    copy_from = _copy_source(request.user, data.get("copy_of")) if row is None and data.get("copy_of") else None
    if row is None and data.get("copy_of") and copy_from is None:
        form.add_error(None, _("复制来源的裁量基准不存在或您无权查看。"))
        return None
    try:
        with transaction.atomic():
            saved = services.save_benchmark(
                actor=request.user, agency=request.user.agency, name=data["name"],
                effective_from=data["effective_from"], effective_to=data["effective_to"], source=data["source"],
                bands=form.bands(), aggravating=[j for _i, j in agg_rows], mitigating=[j for _i, j in mit_rows],
                params=form.params(), row=row)
            if copy_from is not None:  # the copied benchmark's per-item bands come along, all or nothing
                for ib in ItemBenchmark.objects.filter(benchmark=copy_from).select_related("item"):
                    services.save_item_benchmark(actor=request.user, benchmark=saved, item=ib.item, bands=ib.bands,
                                                 conditions=ib.conditions)
    except RuleViolation as exc:
        if exc.field and exc.field.startswith("item_bands"):
            form.add_error(None, _("复制事项细化标准时出错：%(reason)s") % {"reason": exc})
        else:
            show_violation(form, exc, formsets={"aggravating": aggravating, "mitigating": mitigating},
                           index_maps=index_maps)
        return None
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def benchmark_new(request):
    if not can_keep_benchmarks(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = BenchmarkForm(request.POST)
        formsets = factor_formsets(request.POST)
        saved = _save(request, form, formsets, None)
        if saved is not None:
            messages.success(request, _("已保存裁量基准“%(name)s”（未公开）。公开前可继续修改；公开由负责人操作。")
                             % {"name": saved.name})
            return redirect("catalog:benchmark", pk=saved.pk)
        copy_from = _copy_source(request.user, request.POST.get("copy_of"))
        return _form_page(request, form, formsets, copy_from=copy_from)
    copy_from = _copy_source(request.user, request.GET.get("copy")) if request.GET.get("copy") else None
    data, copy_from = _prefill(request.user, copy_from)
    initial = BenchmarkForm.initial_from(data, copy_from)
    if copy_from is not None:
        initial.update(copy_of=copy_from.pk, effective_from=None, effective_to=None)
    return _form_page(request, BenchmarkForm(initial=initial), factor_formsets(None, data), copy_from=copy_from)


@login_required
@require_http_methods(["GET", "POST"])
def benchmark_edit(request, pk: int):
    row = _benchmark_or_404(request.user, pk)
    if not (can_keep_benchmarks(request.user) and _own(request.user, row)):
        raise PermissionDenied
    if request.method == "POST":
        form = BenchmarkForm(request.POST)
        formsets = factor_formsets(request.POST)
        saved = _save(request, form, formsets, row)  # a published row: the service refuses, shown on the form
        if saved is not None:
            messages.success(request, _("已保存裁量基准“%(name)s”。") % {"name": saved.name})
            return redirect("catalog:benchmark", pk=saved.pk)
        return _form_page(request, form, formsets, row=row)
    if row.published:
        messages.warning(request, _("已公开的裁量基准不得修改（《行政处罚法》第三十四条）。"
                                    "如需调整，请“复制为新基准”，并设定新的施行日期。"))
        return redirect("catalog:benchmark", pk=row.pk)
    data = rules.benchmark_json(row)
    return _form_page(request, BenchmarkForm(initial=BenchmarkForm.initial_from(data, row)),
                      factor_formsets(None, data), row=row)


# --- 免罚清单 ----------------------------------------------------------------------------------------------------
_URL = re.compile(r"^(https?://[^\s（(]+)(.*)$", re.S)


def source_parts(source: str) -> dict:
    """A 出处 that starts with a web address: the address as a link (shown by its host) and the rest as text,
    so a long address does not stretch the table."""
    match = _URL.match(source or "")
    if match:
        try:
            host = urlsplit(match.group(1)).hostname
        except ValueError:
            host = None
        if host:
            return {"url": match.group(1), "host": host, "rest": match.group(2).strip()}
    return {"url": "", "host": "", "rest": source or ""}


def _conditions() -> dict[str, str]:
    return services.no_penalty_conditions()


def _np_groups(user, today: date) -> list[dict]:
    labels = _conditions()
    groups: dict[str, dict] = {}
    for e in (NoPenaltyEntry.objects.filter(_np_scope(user)).select_related("item", "agency")
              .order_by("list_name", "item__code", "effective_from", "id")):
        e.condition_labels = [labels.get(c, str(c)) for c in e.conditions or [] if isinstance(c, (str, int))] \
            if isinstance(e.conditions, list) else []
        e.in_force = _in_force(e.effective_from, e.effective_to, today)
        e.source_parts = source_parts(e.source)
        e.editable = can_keep_benchmarks(user) and e.agency_id is not None and e.agency_id == user.agency_id
        group = groups.setdefault(e.list_name, {"name": e.list_name, "entries": [], "agencies": []})
        group["entries"].append(e)
        owner = e.agency.name if e.agency_id else _("全平台")
        if owner not in group["agencies"]:
            group["agencies"].append(owner)
    return list(groups.values())


def _np_page(request, form, *, entry=None, status=200):
    user = request.user
    today = timezone.localdate()
    keep = can_keep_benchmarks(user)
    return render(request, "catalog/no_penalty_form.html" if entry else "catalog/no_penalty_list.html", {
        "active": "catalog", "groups": [] if entry else _np_groups(user, today), "form": form if keep else None,
        "entry": entry, "agency": user.agency, "can_keep": keep, "today": today,
        "item_codes": _item_codes() if keep else [],
    }, status=status)


def _np_save(request, form, entry: NoPenaltyEntry | None) -> NoPenaltyEntry | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.save_no_penalty_entry(
            actor=request.user, agency=request.user.agency, item=data["item"], list_name=data["list_name"],
            conditions=list(data["conditions"]), description=data["description"], source=data["source"],
            effective_from=data["effective_from"], effective_to=data["effective_to"], entry=entry)
    except RuleViolation as exc:
        show_violation(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def no_penalty_list(request):
    if request.method == "POST":
        if not can_keep_benchmarks(request.user):
            raise PermissionDenied
        form = NoPenaltyForm(request.POST, conditions=_conditions(), auto_id="np_%s")
        saved = _np_save(request, form, None)
        if saved is not None:
            messages.success(request, _("已将 %(code)s 列入“%(list)s”。") % {"code": saved.item.code,
                                                                      "list": saved.list_name})
            return redirect(reverse("catalog:no_penalty") + f"#np-{saved.pk}")
        return _np_page(request, form)
    return _np_page(request, NoPenaltyForm(conditions=_conditions(), auto_id="np_%s"))


@login_required
@require_http_methods(["GET", "POST"])
def no_penalty_edit(request, pk: int):
    if pk > _MAX_PK:
        raise Http404
    entry = NoPenaltyEntry.objects.filter(_np_scope(request.user)).select_related("item", "agency") \
        .filter(pk=pk).first()
    if entry is None:
        raise Http404
    if not (can_keep_benchmarks(request.user) and entry.agency_id == request.user.agency_id):
        raise PermissionDenied
    if request.method == "POST":
        form = NoPenaltyForm(request.POST, conditions=_conditions(), auto_id="np_%s")
        saved = _np_save(request, form, entry)
        if saved is not None:
            messages.success(request, _("已保存 %(code)s 在“%(list)s”中的内容。") % {"code": saved.item.code,
                                                                             "list": saved.list_name})
            return redirect(reverse("catalog:no_penalty") + f"#np-{saved.pk}")
        return _np_page(request, form, entry=entry)
    initial = {"item": entry.item.code, "list_name": entry.list_name,
               "conditions": [c for c in entry.conditions or [] if isinstance(c, str)]
               if isinstance(entry.conditions, list) else [],
               "description": entry.description, "source": entry.source, "effective_from": entry.effective_from,
               "effective_to": entry.effective_to}
    return _np_page(request, NoPenaltyForm(initial=initial, conditions=_conditions(), auto_id="np_%s"), entry=entry)
