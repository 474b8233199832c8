"""Adjusting the 权责清单: the list of change requests, one request with its differences and the
decision, and the form that proposes a change of an item.

Everyone signed in reads the requests (the list they change is public). Proposing is for the
法制审核人员, 负责人 and 系统管理员 (``services.can_propose_changes``); deciding for a 负责人 or 法制审核人员
other than the proposer (``services.can_approve_changes`` and the service's own check).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.law.errors import RuleViolation
from zhifa.org.forms import add_violation

from .. import services
from ..forms import DecisionForm, ProposeChangeForm
from ..models import EnforcementItem, ItemChange
from . import present
from .items import item_or_404

PAGE_SIZE = 25
_MAX_PK = 2**63 - 1

ACTION_LABELS = {
    "create": gettext_lazy("新增"), "update": gettext_lazy("调整"),
    "suspend": pgettext_lazy("change action", "暂停适用"),
    "repeal": gettext_lazy("废止"), "restore": gettext_lazy("恢复适用"),
}
STATUS_FILTERS = [("pending", gettext_lazy("待审批")), ("approved", gettext_lazy("已批准")),
                  ("rejected", gettext_lazy("已驳回")), ("withdrawn", gettext_lazy("已撤回"))]
ITEM_STATUS_LABELS = {"active": gettext_lazy("在用"), "suspended": gettext_lazy("暂停适用"),
                      "repealed": gettext_lazy("已废止")}


def _change_or_404(pk: int) -> ItemChange:
    if pk > _MAX_PK:
        raise Http404
    change = ItemChange.objects.select_related("item", "proposed_by", "decided_by").filter(pk=pk).first()
    if change is None:
        raise Http404
    return change


def _label(field: str) -> str:
    return _("状态") if field == "status" else services.ITEM_FIELDS.get(field, field)


def _value(field: str, value) -> str:
    """One side of a difference as people read it."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "kinds" and isinstance(value, list):
        label_sep = pgettext("label separator", "：")
        return pgettext("long list separator", "；").join(
            _("%(kind)s（%(mode)s）") % {"kind": k["label"], "mode": k["mode_label"]}
            + (f"{label_sep}{k['note']}" if k["note"] else "")
            for k in present.kinds_of(value))
    if field == "fine_rule":
        rule, problem = present.parse_rule(value)
        return present.rule_words(rule) if rule else problem
    if field == "status":
        return str(ITEM_STATUS_LABELS.get(value, value))
    if field in ("violated", "penalty_provisions") and isinstance(value, list):
        return pgettext("citation separator", "；").join(
            f"《{r.get('source')}》{r.get('article')}" for r in value if isinstance(r, dict))
    if field == "verified":
        return _("是") if value else _("否")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def diff_rows(change: ItemChange) -> list[dict]:
    rows = []
    for field, pair in (change.diff or {}).items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        rows.append({"field": field, "label": _label(field), "before": _value(field, before),
                     "after": _value(field, after)})
    return rows


@login_required
@require_GET
def change_list(request):
    status = request.GET.get("status") or ""
    qs = ItemChange.objects.select_related("proposed_by", "decided_by").order_by("-proposed_at", "-id")
    if status in dict(STATUS_FILTERS):
        qs = qs.filter(status=status)
    else:
        status = ""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for c in page:
        c.action_label = ACTION_LABELS.get(c.action, c.action)
        c.fields = pgettext("list separator", "、").join(str(_label(f)) for f in c.diff or {})
    return render(request, "catalog/change_list.html", {
        "active": "catalog", "page": page, "status": status, "statuses": STATUS_FILTERS,
        "pending_count": ItemChange.objects.filter(status=ItemChange.Status.PENDING).count(),
        "can_approve": services.can_approve_changes(request.user)})


def _detail(request, change: ItemChange, form=None, status=200):
    user = request.user
    pending = change.status == ItemChange.Status.PENDING
    return render(request, "catalog/change_detail.html", {
        "active": "catalog", "change": change, "action_label": ACTION_LABELS.get(change.action, change.action),
        "rows": diff_rows(change), "form": form or DecisionForm(),
        "may_decide": pending and services.can_approve_changes(user) and change.proposed_by_id != user.pk,
        "own_pending": pending and change.proposed_by_id == user.pk,
        "item": change.item or EnforcementItem.objects.filter(code=change.item_code).first(),
    }, status=status)


@login_required
@require_GET
def change_detail(request, pk: int):
    return _detail(request, _change_or_404(pk))


@login_required
@require_POST
def change_decide(request, pk: int):
    change = _change_or_404(pk)
    decision = request.POST.get("decision")
    if decision == "withdraw":
        if change.proposed_by_id != request.user.pk:
            raise PermissionDenied
    elif not services.can_approve_changes(request.user):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if decision not in ("approve", "reject", "withdraw"):
        form.is_valid()
        form.add_error(None, _("请选择批准、驳回或撤回。"))
        return _detail(request, change, form)
    if not form.is_valid():
        return _detail(request, change, form)
    note = form.cleaned_data["note"]
    try:
        if decision == "approve":
            item = services.approve_change(change, actor=request.user, note=note)
            messages.success(request, _("已批准：%(code)s 调整生效，现为第 %(version)s 版。")
                             % {"code": item.code, "version": item.version})
        elif decision == "reject":
            services.reject_change(change, actor=request.user, note=note)
            messages.success(request, _("已驳回 %(code)s 的调整。") % {"code": change.item_code})
        else:
            services.withdraw_change(change, actor=request.user)
            messages.success(request, _("已撤回 %(code)s 的调整。") % {"code": change.item_code})
    except RuleViolation as exc:
        add_violation(form, exc)
        return _detail(request, _change_or_404(pk), form)
    return redirect("catalog:change", pk=change.pk)


@login_required
@require_http_methods(["GET", "POST"])
def change_propose(request, code: str):
    if not services.can_propose_changes(request.user):
        raise PermissionDenied
    item = item_or_404(code)
    form = ProposeChangeForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.propose_change(actor=request.user, item=item, action=data["action"],
                                             proposed=form.proposed(), reason=data["reason"], basis=data["basis"])
        except RuleViolation as exc:
            _show(form, exc)
        else:
            messages.success(request, _("已提出 %(code)s 的调整，待负责人或法制审核人员审批。") % {"code": item.code})
            return redirect("catalog:change", pk=change.pk)
    pending = ItemChange.objects.filter(item_code=item.code, status=ItemChange.Status.PENDING).first()
    return render(request, "catalog/change_form.html", {
        "active": "catalog", "item": item, "form": form, "pending": pending,
        "fine_words": present.rule_words(present.parse_rule(item.fine_rule)[0])})


# A refusal's field (as the service names it) → the form field it belongs to.
_FIELD_FOR = {"kinds": "kinds_mandatory", "status": "action", "proposed": None, "item": None, "code": None}


def _show(form, exc: RuleViolation) -> None:
    field = _FIELD_FOR.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, str(exc))
