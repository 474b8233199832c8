"""What every page's shell needs: the navigation the user may use."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _


@lru_cache(maxsize=64)
def _nav(urlconf: str, prefix: str, language: str, people: bool, policies: bool, audit: bool,
         templates: bool = False) -> tuple:
    """The navigation for one set of permissions, built once per URL configuration, prefix and language (every
    page shows it)."""
    nav = [("home", reverse("home"), _("首页")),
           ("cases", reverse("cases:list"), _("案件")),
           ("roster", reverse("org:roster"), _("执法人员")),
           ("parties", reverse("parties:list"), _("行政相对人")),
           ("catalog", reverse("catalog:items"), _("执法事项目录")),
           ("calendar", reverse("catalog:calendar"), _("节假日")),
           ("publicity", reverse("publicity:dashboard"), _("公示"))]  # read-only but for the 系统管理员
    if people:
        nav.append(("people", reverse("org:people"), _("人员与角色")))
    if policies:
        nav.append(("policies", reverse("org:policies"), _("政策参数")))
    if templates:
        nav.append(("documents", reverse("documents:templates"), _("文书模板")))
    if audit:
        nav.append(("audit", reverse("org:audit"), _("审计日志")))
    return tuple(nav)


@lru_cache(maxsize=1)
def _unread_query():
    from zhifa.cases.models import Notification
    from zhifa.prepared import Prepared, counted

    return Prepared("web.unread_notifications", lambda pk: counted(
        Notification.objects.filter(recipient_id=pk, read_at__isnull=True), "recipient_id"), int)


def _unread_notifications(user_id: int) -> int:
    """The count on the bell of every page, by one compiled query (zhifa.prepared)."""
    found = _unread_query()(user_id)
    return found[0] if found else 0


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from zhifa.org import services as org

    if (user.needs_second_factor and not user.is_verified()) or user.must_change_password:
        # Signed in but not through yet (second factor or a password to change): every link would
        # only bounce back, so the shell shows none.
        return {"nav": [], "current_agency": user.agency, "gated": True}
    nav = _nav(str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix(), get_language(),
               org.can_manage_people(user) or org.can_assign_roles(user), org.can_set_policy(user),
               org.can_view_audit(user), bool(user.role_codes() & {"sysadmin", "head", "reviewer"}))
    unread = _unread_notifications(user.pk)
    return {"nav": nav, "current_agency": user.agency, "unread_notifications": unread}
