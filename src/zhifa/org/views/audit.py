"""The audit log for the 审计管理员: read-only, scoped to their agency and those under it.

等保 2.0 安全审计: every record shows date and time, user, event type and its content. The log is
append-only (records.Event); this screen has no way to change it: GET only, no forms that post.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_GET

from zhifa.law import procedure
from zhifa.records import checks
from zhifa.records.models import Event, Verification

from .. import services
from ..forms import AuditFilterForm
from ..roles import ROLE_LABELS, Role

PAGE_SIZE = 50
VERIFICATIONS_SHOWN = 5
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Names of the actions this platform records (translatable); an unknown action shows its code.
ACTION_LABELS = {
    "auth.login": pgettext_lazy("audit action", "登录"),
    "auth.logout": pgettext_lazy("audit action", "退出"),
    "auth.login_failed": pgettext_lazy("audit action", "登录失败"),
    "auth.locked": pgettext_lazy("audit action", "账户锁定"),
    "auth.unlocked": pgettext_lazy("audit action", "账户解锁"),
    "auth.idle_logout": pgettext_lazy("audit action", "超时退出"),
    "auth.otp_enrolled": pgettext_lazy("audit action", "绑定动态验证码"),
    "auth.otp_verified": pgettext_lazy("audit action", "动态验证码验证通过"),
    "auth.otp_failed": pgettext_lazy("audit action", "动态验证码验证失败"),
    "auth.otp_reset": pgettext_lazy("audit action", "重置动态验证码"),
    "auth.password_changed": pgettext_lazy("audit action", "修改密码"),
    "auth.password_reset": pgettext_lazy("audit action", "重置密码"),
    "org.agency_created": pgettext_lazy("audit action", "建立执法主体"),
    "org.person_created": pgettext_lazy("audit action", "登记人员"),
    "org.person_updated": pgettext_lazy("audit action", "修改人员信息"),
    "org.roles_changed": pgettext_lazy("audit action", "变更角色"),
    "org.unit_saved": pgettext_lazy("audit action", "保存内设机构"),
    "org.certificate_added": pgettext_lazy("audit action", "登记执法证"),
    "org.certificate_status": pgettext_lazy("audit action", "变更执法证状态"),
    "org.annual_review": pgettext_lazy("audit action", "登记年审"),
    "org.training_added": pgettext_lazy("audit action", "登记培训"),
    "catalog.policy_set": pgettext_lazy("audit action", "设置政策参数"),
    "parties.created": pgettext_lazy("audit action", "登记行政相对人"),
    "parties.updated": pgettext_lazy("audit action", "修改行政相对人"),
    "parties.id_revealed": pgettext_lazy("audit action", "查看完整证件号码"),
    "parties.premises_added": pgettext_lazy("audit action", "登记经营场所"),
    "parties.premises_updated": pgettext_lazy("audit action", "修改经营场所"),
    "parties.licence_added": pgettext_lazy("audit action", "登记许可证"),
    "parties.licence_updated": pgettext_lazy("audit action", "修改许可证"),
    "catalog.change_proposed": pgettext_lazy("audit action", "提出权责清单调整"),
    "catalog.change_approved": pgettext_lazy("audit action", "批准权责清单调整"),
    "catalog.change_rejected": pgettext_lazy("audit action", "驳回权责清单调整"),
    "catalog.change_withdrawn": pgettext_lazy("audit action", "撤回权责清单调整"),
    "catalog.item_reviewed": pgettext_lazy("audit action", "审查执法事项"),
    "catalog.source_saved": pgettext_lazy("audit action", "保存法律依据"),
    "catalog.provision_saved": pgettext_lazy("audit action", "保存条款"),
    "catalog.provision_version_saved": pgettext_lazy("audit action", "保存条款版本"),
    "catalog.domain_saved": pgettext_lazy("audit action", "新增执法领域（导入）"),
    "catalog.benchmark_saved": pgettext_lazy("audit action", "保存裁量基准"),
    "catalog.benchmark_published": pgettext_lazy("audit action", "公开裁量基准"),
    "catalog.no_penalty_saved": pgettext_lazy("audit action", "保存免罚清单事项"),
    "catalog.seed_loaded": pgettext_lazy("audit action", "载入参考目录"),
    "calendar.day_saved": pgettext_lazy("audit action", "保存节假日安排"),
    "calendar.day_deleted": pgettext_lazy("audit action", "删除节假日安排"),
    "calendar.year_marked": pgettext_lazy("audit action", "标记节假日数据年份"),
    "platform.admin_added": pgettext_lazy("audit action", "平台管理后台新增"),
    "platform.admin_changed": pgettext_lazy("audit action", "平台管理后台修改"),
    "platform.admin_deleted": pgettext_lazy("audit action", "平台管理后台删除"),
    "api.token_issued": pgettext_lazy("audit action", "签发接口令牌"),
    "api.token_revoked": pgettext_lazy("audit action", "吊销接口令牌"),
}
# Case steps (cases.<action>): every action of the procedure table under its Chinese name there (the statute's
# terms; kept in Chinese, not translated), and the case service's bookkeeping acts (zhifa.cases.payload.AUX_ACTIONS;
# tests/cases checks the two lists agree).
ACTION_LABELS.update({f"cases.{action.value}": label for action, label in procedure.ACTION_LABELS.items()})
ACTION_LABELS.update({
    "cases.update_particulars": "修改案件基本情况",
    "cases.add_handler": "指派承办人员",
    "cases.remove_handler": "撤换承办人员",
    "cases.declare_conflict": "登记回避情形",
    "cases.decide_approval": "负责人审批",
    "cases.record_document": "登记文书",
    "cases.record_material": "登记记录材料",
    "cases.assess": "裁量计算",
    "cases.correct_after_closing": "结案后补正",
    "cases.notifications_raised": "发出期限提醒",  # zhifa.cases.notify.tick, not a step of a case
    # a case's files (zhifa.cases.files): their chain of custody
    "cases.file_uploaded": pgettext_lazy("audit action", "上传文件"),
    "cases.file_attached": pgettext_lazy("audit action", "文件归入记录"),
    "cases.file_downloaded": pgettext_lazy("audit action", "查看（下载）文件"),
    "cases.file_digest_mismatch": pgettext_lazy("audit action", "文件摘要不符"),
    "documents.number_allocated": pgettext_lazy("audit action", "取文号"),
    "documents.number_voided": pgettext_lazy("audit action", "作废文号"),
    "documents.issued": pgettext_lazy("audit action", "签发文书"),
    "documents.correction_started": pgettext_lazy("audit action", "制作更正版本"),
    "documents.served": pgettext_lazy("audit action", "登记送达"),
    "documents.downloaded": pgettext_lazy("audit action", "下载文书"),
    "documents.pdf_made": pgettext_lazy("audit action", "生成 PDF"),
    "documents.file_mismatch": pgettext_lazy("audit action", "文书文件摘要不符"),
    "documents.template_uploaded": pgettext_lazy("audit action", "上传文书模板"),
    "documents.template_activated": pgettext_lazy("audit action", "改用文书模板版本"),
    "publicity.published": pgettext_lazy("audit action", "公示执法决定"),
    "publicity.withdrawn": pgettext_lazy("audit action", "撤回公示"),
    "publicity.taken_down": pgettext_lazy("audit action", "公示期满撤下"),
    "publicity.report_published": pgettext_lazy("audit action", "公开执法数据年度报告"),
    "records.verified": pgettext_lazy("audit action", "完整性校验"),
    "records.dossier_exported": pgettext_lazy("audit action", "导出电子卷宗"),
})

ACTION_PREFIXES = [
    ("auth.", _("登录与账户安全")),
    ("org.", _("人员与组织")),
    ("catalog.", _("目录与政策参数")),
    ("calendar.", _("节假日安排")),
    ("parties.", _("行政相对人")),
    ("platform.", _("平台管理后台")),
    ("api.", _("数据接口")),
    ("cases.", _("案件")),
    ("documents.", _("文书")),
    ("publicity.", _("公示")),
    ("records.", _("记录与证据")),
]


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, "")


def role_labels(codes: str) -> str:
    labels = []
    for code in filter(None, (codes or "").split(",")):
        try:
            labels.append(str(ROLE_LABELS[Role(code)]))
        except ValueError:
            labels.append(code)
    return pgettext("list separator", "、").join(labels)


def _payload_items(payload: str) -> list[tuple[str, str]]:
    try:
        data = json.loads(payload)
    except ValueError:
        return [("", payload)]
    if not isinstance(data, dict):
        return [("", json.dumps(data, ensure_ascii=False))]
    return [(k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)) for k, v in data.items()]


def events_visible_to(user):
    """Events of the user's agency and those under it; a platform superuser sees all."""
    if user.is_superuser and user.agency_id is None:
        return Event.objects.all()
    return Event.objects.filter(agency__in=services.visible_agencies(user))


@login_required
@require_GET
def event_list(request):
    if not services.can_view_audit(request.user):
        raise PermissionDenied
    qs = events_visible_to(request.user)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else \
        {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    if filters.get("action"):
        qs = qs.filter(action__startswith=filters["action"])
    if filters.get("actor"):
        who = filters["actor"].strip()
        qs = qs.filter(Q(actor_name__icontains=who) | Q(actor__username__iexact=who))
    if filters.get("date_from"):
        qs = qs.filter(occurred_at__gte=datetime.combine(filters["date_from"], time.min, SHANGHAI))
    if filters.get("date_to"):
        end = datetime.combine(filters["date_to"] + timedelta(days=1), time.min, SHANGHAI)
        qs = qs.filter(occurred_at__lt=end)
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(id__lt=int(before))
    events = list(qs.select_related("actor", "agency").order_by("-id")[:PAGE_SIZE + 1])
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    rows = [{"event": e, "label": action_label(e.action), "roles": role_labels(e.role),
             "payload": _payload_items(e.payload)} for e in events]
    params = request.GET.copy()
    params.pop("before", None)
    base = params.urlencode()
    next_query = None
    if more:
        params["before"] = str(events[-1].id)
        next_query = params.urlencode()
    actions = sorted(ACTION_LABELS.items())
    return render(request, "org/audit_list.html", {
        "verifications": list(Verification.objects.order_by("-started_at", "-id")[:VERIFICATIONS_SHOWN]),
        # the status is the last check of the whole platform (a later check of one case does not hide a failure)
        "last_full": checks.last_full_run(),
        "verify_interval": checks.interval().days,
        "form": form, "rows": rows, "next_query": next_query, "base_query": base,
        "paged": before.isdigit(), "prefixes": ACTION_PREFIXES, "actions": actions,
        "chosen_action": filters.get("action", ""), "active": "audit",
        "several_agencies": services.visible_agencies(request.user).count() > 1})
