"""The catalog lint report (目录检查): what is wrong or doubtful in the 权责清单, by severity.

For those who keep the catalog right — 法制审核人员, 负责人 and the 系统管理员 (the same people who may
propose an adjustment, ``services.can_propose_changes``); an officer applies the catalog, the item page
shows them its warnings.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from .. import lint as catalog_lint
from ..models import EnforcementItem
from .items import can_view_lint

SEVERITIES = [(catalog_lint.ERROR, gettext_lazy("错误：不得按现状适用")),
              (catalog_lint.WARNING, gettext_lazy("提示：须由法制股核对"))]


@login_required
@require_GET
def lint_report(request):
    if not can_view_lint(request.user):
        raise PermissionDenied
    findings = catalog_lint.lint(timezone.localdate())
    names = dict(EnforcementItem.objects.values_list("code", "name"))
    severity = request.GET.get("severity") or ""
    if severity not in dict(SEVERITIES):
        severity = ""
    groups = []
    for code, label in SEVERITIES:
        rows = [f for f in findings if f.severity == code]
        groups.append({"code": code, "label": label, "count": len(rows),
                       "findings": [] if severity and severity != code else
                       [{"f": f, "name": names.get(f.item_code, "")} for f in rows]})
    kinds = sorted({f.code for f in findings})
    return render(request, "catalog/lint.html", {
        "active": "catalog", "groups": groups, "total": len(findings), "severity": severity,
        "items_affected": len({f.item_code for f in findings}), "checks": kinds})
