"""What every page's shell needs: the navigation the user may use."""

from django.urls import reverse
from django.utils.translation import gettext as _


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from zhifa.org import services as org

    if (user.needs_second_factor and not user.is_verified()) or user.must_change_password:
        # Signed in but not through yet (second factor or a password to change): every link would
        # only bounce back, so the shell shows none.
        return {"nav": [], "current_agency": user.agency, "gated": True}
    nav = [("home", reverse("home"), _("首页"))]
    nav.append(("cases", reverse("cases:list"), _("案件")))
    nav.append(("roster", reverse("org:roster"), _("执法人员")))
    nav.append(("parties", reverse("parties:list"), _("行政相对人")))
    nav.append(("catalog", reverse("catalog:items"), _("执法事项目录")))
    nav.append(("calendar", reverse("catalog:calendar"), _("节假日")))  # read-only but for the 系统管理员
    if org.can_manage_people(user) or org.can_assign_roles(user):
        nav.append(("people", reverse("org:people"), _("人员与角色")))
    if org.can_set_policy(user):
        nav.append(("policies", reverse("org:policies"), _("政策参数")))
    if org.can_view_audit(user):
        nav.append(("audit", reverse("org:audit"), _("审计日志")))
    from zhifa.cases.models import Notification

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {"nav": nav, "current_agency": user.agency, "unread_notifications": unread}
