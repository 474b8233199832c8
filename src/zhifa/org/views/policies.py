"""Policy parameters: what this agency has set, dated and cited (DESIGN.md §4).

Values are never edited in place: each save adds a `PolicyValue` row from its effective date, so
the value in force on any past date can be read back. Only the 系统管理员 sets them.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.catalog.models import PolicyValue
from zhifa.catalog.policies import PARAMETERS, value_of
from zhifa.law.errors import RuleViolation
from zhifa.law.penalties import KIND_LABELS, PenaltyKind
from zhifa.law.qualification import Unit

from .. import services
from ..forms import PolicyForm, add_violation, parameter_kind, policy_unit_name
from .labels import quantity


def format_value(param, value) -> str:
    """A value as people read it: 60学时, 是/否, 60 天, 10000 元, 责令停产停业、吊销许可证件."""
    kind = parameter_kind(param)
    if kind == "quantity" and isinstance(value, dict):
        amount = value.get("value")
        if isinstance(amount, float) and amount.is_integer():
            amount = int(amount)
        try:
            return quantity(amount, Unit(value.get("unit")))
        except (ValueError, TypeError):
            return f"{amount}{value.get('unit')}"
    if kind == "bool":
        return _("是") if value else _("否")
    if kind == "int" and isinstance(value, int):
        if param.unit == "元":
            return _("%(n)s 元") % {"n": value}
        if param.unit == "天":
            return ngettext("%(n)s 天", "%(n)s 天", value) % {"n": value}
        return f"{value} {policy_unit_name(param.unit)}"
    if kind == "kinds" and isinstance(value, list):
        # the statute's own names (《行政处罚法》第九条), in the order stored
        return pgettext("list separator", "、").join(kind_label(v) for v in value) or _("（无）")
    return str(value)


def kind_label(code) -> str:
    """A 第九条 kind's Chinese name; a code this version does not know is shown as stored."""
    try:
        return KIND_LABELS[PenaltyKind(code)]
    except ValueError:
        return str(code)


def _chain(agency) -> list[int]:
    return agency.lineage_ids() if agency is not None else []


def _history(keys, agency) -> dict[str, list[PolicyValue]]:
    """The rows that apply to `agency`: its own, those of the agencies above it, the all-agency ones."""
    chain = _chain(agency)
    rows = (PolicyValue.objects.filter(key__in=list(keys))
            .filter(Q(agency__isnull=True) | Q(agency_id__in=chain))
            .select_related("agency", "set_by").order_by("-effective_from", "-id"))
    out: dict[str, list[PolicyValue]] = {k: [] for k in keys}
    for row in rows:
        out[row.key].append(row)
    return out


def _in_force_id(rows: list[PolicyValue], agency, on: date) -> int | None:
    """The row `value_of` reads on `on`: nearest agency first, then latest date, then latest row."""
    chain = _chain(agency)
    rank = {aid: i for i, aid in enumerate(chain)}
    candidates = [r for r in rows if r.effective_from <= on]
    if not candidates:
        return None
    best = min(candidates,
               key=lambda r: (rank.get(r.agency_id, len(chain)), -r.effective_from.toordinal(), -r.id))
    return best.id


def _entries(agency, keys, today):
    history = _history(keys, agency)
    entries = []
    for key in keys:
        param = PARAMETERS[key]
        rows = history[key]
        current = value_of(key, agency, today)
        in_force = _in_force_id(rows, agency, today)
        entries.append({
            "param": param, "unit": policy_unit_name(param.unit), "current": format_value(param, current),
            "is_default": in_force is None,
            "default": format_value(param, param.default),
            "history": [{"row": r, "value": format_value(param, r.value), "in_force": r.id == in_force,
                         "future": r.effective_from > today,
                         "own": (agency is None and r.agency_id is None) or
                                (agency is not None and r.agency_id == agency.pk)} for r in rows],
        })
    return entries


@login_required
@require_GET
def policy_list(request):
    if not services.can_set_policy(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    agency = request.user.agency
    return render(request, "org/policy_list.html", {
        "entries": _entries(agency, list(PARAMETERS), today), "agency": agency, "today": today,
        "active": "policies"})


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, key: str):
    if not services.can_set_policy(request.user):
        raise PermissionDenied
    param = PARAMETERS.get(key)
    if param is None:
        raise Http404("没有这个政策参数")
    today = timezone.localdate()
    agency = request.user.agency
    current = value_of(key, agency, today)
    initial = {**PolicyForm.initial_for(param, current), "effective_from": today}
    form = PolicyForm(request.POST or None, param=param, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.set_policy_value(actor=request.user, key=key, value=form.policy_value(),
                                            effective_from=data["effective_from"], citation=data["citation"],
                                            note=data["note"])
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("已设置“%(label)s”为 %(value)s，自 %(day)s 起施行。") % {
                "label": param.label, "value": format_value(param, row.value),
                "day": f"{row.effective_from:%Y-%m-%d}"})
            return redirect("org:policies")
    entry = _entries(agency, [key], today)[0]
    return render(request, "org/policy_form.html", {"form": form, "entry": entry, "param": param,
                                                    "agency": agency, "active": "policies"})
