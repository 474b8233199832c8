"""What every page's shell needs: the navigation the user may use."""

from django.urls import reverse


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from zhifa.org import services as org

    nav = [("home", reverse("home"), "首页")]
    nav.append(("roster", reverse("org:roster"), "执法人员"))
    nav.append(("parties", reverse("parties:list"), "行政相对人"))
    if org.can_manage_people(user) or org.can_assign_roles(user):
        nav.append(("people", reverse("org:people"), "人员与角色"))
    if org.can_set_policy(user):
        nav.append(("policies", reverse("org:policies"), "政策参数"))
    if org.can_view_audit(user):
        nav.append(("audit", reverse("org:audit"), "审计日志"))
    return {"nav": nav, "current_agency": user.agency}
