"""Accounts, roles and units: the 系统管理员 keeps people and units, the 安全管理员 grants roles,
unlocks accounts and resets second factors (等保 2.0 三员分立, standards.md §1).

Views only read and render; every change goes through a service in `org.services`, which checks
the rule and records the event in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.law.errors import RuleViolation

from .. import services
from ..forms import PasswordResetForm, PersonForm, RolesForm, UnitForm, add_violation
from ..models import UnitKind
from ..roles import ROLE_LABELS, Role

PAGE_SIZE = 50


def _allow(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def _may_see_people(user) -> bool:
    return services.can_manage_people(user) or services.can_assign_roles(user)


def _person(request, pk: int):
    """A person in the user's scope; anyone else is a 404, whoever they are."""
    qs = services.people_visible_to(request.user).select_related("agency", "unit").prefetch_related("groups")
    return get_object_or_404(qs, pk=pk)


@login_required
@require_GET
def people_list(request):
    user = request.user
    _allow(_may_see_people(user))
    qs = services.people_visible_to(user).select_related("agency", "unit").prefetch_related("groups")
    q = request.GET.get("q", "").strip()[:40]
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(username__icontains=q) | Q(employee_no__icontains=q))
    role = request.GET.get("role", "")
    if role in {r.value for r in Role}:
        qs = qs.filter(groups__name=role)
    elif role == "none":
        qs = qs.filter(groups__isnull=True)
    status = request.GET.get("status", "")
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "locked":  # lock status lives in axes' attempts, keyed by username
        locked = [u for u, n in services.login_failures().items() if n >= settings.AXES_FAILURE_LIMIT]
        qs = qs.filter(username__in=locked)
    # One group name per filter: the join cannot repeat a person, so no DISTINCT is needed.
    qs = qs.order_by("agency__path", "unit__sort", "unit__name", "employee_no", "username")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    people = list(page.object_list)
    failures = services.login_failures(p.username for p in people)
    enrolled = set(TOTPDevice.objects.filter(user__in=people, confirmed=True)
                   .values_list("user_id", flat=True))
    rows = [{"person": p, "failures": failures.get(p.username, 0),
             "locked": failures.get(p.username, 0) >= settings.AXES_FAILURE_LIMIT,
             "otp": p.pk in enrolled, "needs_otp": p.needs_second_factor} for p in people]
    several = services.visible_agencies(user).count() > 1
    return render(request, "org/people_list.html", {
        "active": "people", "rows": rows, "page": page, "q": q, "role": role, "status": status,
        "roles": [(r.value, str(ROLE_LABELS[r])) for r in Role], "several_agencies": several,
        "can_manage": services.can_manage_people(user), "can_assign": services.can_assign_roles(user),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "query": _query_without_page(request),
    })


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    _allow(services.can_manage_people(request.user))
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(actor=request.user, password=form.cleaned_data["password"],
                                            **form.service_fields())
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("已登记人员 %(name)s（%(username)s）。角色须由安全管理员分配。")
                             % {"name": person.full_name, "username": person.username})
            return redirect("org:people")
    return render(request, "org/person_form.html", {"form": form, "active": "people", "person": None})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    _allow(services.can_manage_people(request.user))
    person = _person(request, pk)
    form = PersonForm(request.POST or None, user=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_person(person, actor=request.user, **form.service_fields())
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            if changed:
                messages.success(request, _("已保存 %(name)s 的信息。") % {"name": person.full_name})
            else:
                messages.info(request, _("没有改动。"))
            return redirect("org:people")
    return render(request, "org/person_form.html", {"form": form, "active": "people", "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def person_roles(request, pk: int):
    _allow(services.can_assign_roles(request.user))
    person = _person(request, pk)
    is_self = person.pk == request.user.pk
    form = RolesForm(request.POST or None, initial={"roles": sorted(person.role_codes())})
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.assign_roles(person, form.cleaned_data["roles"], actor=request.user)
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            if changed:
                person._role_cache = None
                labels = pgettext("list separator", "、").join(person.role_labels) or _("无")
                messages.success(request, _("已更新 %(name)s 的角色：%(roles)s。")
                                 % {"name": person.full_name, "roles": labels})
            else:
                messages.info(request, _("角色没有改动。"))
            return redirect("org:people")
    return render(request, "org/person_roles.html", {
        "form": form, "person": person, "active": "people", "is_self": is_self,
        "citation": services.DENGBAO_815})


@login_required
@require_http_methods(["GET", "POST"])
def person_password(request, pk: int):
    """重置密码 (安全管理员): a temporary password the person must change at the next sign-in."""
    _allow(services.can_assign_roles(request.user))
    person = _person(request, pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(person, form.cleaned_data["password"], actor=request.user)
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("已重置 %(name)s 的密码；其下次登录时须修改密码。")
                             % {"name": person.full_name})
            return redirect("org:people")
    return render(request, "org/person_password.html", {"form": form, "person": person, "active": "people"})


@login_required
@require_POST
def person_unlock(request, pk: int):
    _allow(services.can_assign_roles(request.user))
    person = _person(request, pk)
    try:
        cleared = services.unlock_account(person, actor=request.user)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        who = {"name": person.full_name, "username": person.username, "n": cleared}
        if cleared:
            messages.success(request, ngettext("已解锁 %(name)s（%(username)s）的账户，清除登录失败记录 %(n)d 条。",
                                               "已解锁 %(name)s（%(username)s）的账户，清除登录失败记录 %(n)d 条。",
                                               cleared) % who)
        else:
            messages.success(request, _("已解锁 %(name)s（%(username)s）的账户。") % who)
    return redirect("org:people")


@login_required
@require_POST
def person_reset_otp(request, pk: int):
    _allow(services.can_assign_roles(request.user))
    person = _person(request, pk)
    try:
        removed = services.reset_second_factor(person, actor=request.user)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ngettext("已重置 %(name)s 的动态验证码（移除 %(n)d 个设备），"
                                           "其下次登录时须重新绑定验证器。",
                                           "已重置 %(name)s 的动态验证码（移除 %(n)d 个设备），"
                                           "其下次登录时须重新绑定验证器。",
                                           removed) % {"name": person.full_name, "n": removed})
    return redirect("org:people")


# --- units ----------------------------------------------------------------------------------
@login_required
@require_GET
def unit_list(request):
    user = request.user
    units = (services.units_visible_to(user).select_related("agency").prefetch_related("domains")
             .annotate(people_count=Count("people", filter=Q(people__is_active=True)))
             .order_by("agency__path", "sort", "name"))
    return render(request, "org/unit_list.html", {
        "units": units, "active": "people", "can_manage": services.can_manage_people(user),
        "several_agencies": services.visible_agencies(user).count() > 1, "kinds": dict(UnitKind.choices)})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk: int | None = None):
    _allow(services.can_manage_people(request.user))
    unit = None
    if pk is not None:
        unit = get_object_or_404(services.units_visible_to(request.user).select_related("agency"), pk=pk)
    form = UnitForm(request.POST or None, user=request.user, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_unit(actor=request.user, unit=unit, agency=data.get("agency"),
                                       name=data["name"], kind=data["kind"], domains=data["domains"],
                                       sort=data["sort"], is_active=data["is_active"])
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("已保存内设机构“%(name)s”。") % {"name": saved.name})
            return redirect("org:units")
    return render(request, "org/unit_form.html", {"form": form, "unit": unit, "active": "people"})
