"""Signing in and out, the lockout answer, and the second factor (TOTP)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.records.services import record

from ..forms import LoginForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "org/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """What a locked-out account sees (django-axes 8 calls this with the response it replaces)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(request, data=None)
    form.lockout_message = _("连续 %(limit)s 次登录失败，账户已锁定 %(minutes)s 分钟。"
                             "请稍后再试，或联系安全管理员解锁。") % {
        "limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "org/login.html", {"form": form, "locked": True}, status=429)


def _next_url(request, default="home") -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    from django.urls import reverse

    return reverse(default)


# django-otp refuses every code, right or wrong, for a while after a wrong one (1, 2, 4 … seconds):
# say so, rather than call a right code wrong.
_THROTTLED = gettext_lazy("动态验证码输错次数较多，请稍等片刻，再输入验证器中的最新 6 位数字。")


def _throttled(devices) -> bool:
    return not any(d.verify_is_allowed()[0] for d in devices)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Second step of signing in: the 6-digit code from the user's authenticator app."""
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        throttled = _throttled(devices)
        device = None if throttled else next((d for d in devices if d.verify_token(token)), None)
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()  # a new session key once the second factor is passed
            record("auth.otp_verified", actor=request.user, subject=f"user:{request.user.pk}", payload={})
            return redirect(_next_url(request))
        record("auth.otp_failed", actor=request.user, subject=f"user:{request.user.pk}",
               payload={"throttled": throttled})
        form.add_error("token", _THROTTLED if throttled
                       else _("动态验证码不正确或已过期，请查看验证器中的最新 6 位数字。"))
    return render(request, "org/otp_verify.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrol an authenticator app: show the key and QR code, confirm with a first code."""
    user = request.user
    if any(True for _ in devices_for_user(user, confirmed=True)) and not user.is_verified():
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="动态验证码", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _throttled([device]):
        form.add_error("token", _THROTTLED)
    elif request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                record("auth.otp_enrolled", actor=user, subject=f"user:{user.pk}",
                       payload={"device": device.pk})
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(request, _("已启用动态验证码。以后登录时需要输入验证器中的 6 位数字。"))
            return redirect(_next_url(request))
        form.add_error("token", _("动态验证码不正确。请确认手机时间准确，并输入验证器当前显示的 6 位数字。"))
    import base64

    import segno

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1d2329")
    return render(request, "org/otp_setup.html", {"form": form, "secret": secret, "qr_svg": qr_svg,
                                                  "next": request.GET.get("next", "")})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """修改密码: the old password, then the new one twice; required after an administrator set it."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm

    from zhifa.law.errors import RuleViolation

    from ..services import change_own_password

    form = PasswordChangeForm(request.user, request.POST or None)
    form.fields["old_password"].label = _("原密码")
    form.fields["new_password1"].label = _("新密码")
    form.fields["new_password2"].label = _("再次输入新密码")
    if request.method == "POST" and form.is_valid():
        try:
            change_own_password(request.user, form.cleaned_data["new_password1"])
        except RuleViolation as exc:
            form.add_error("new_password1", exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect(_next_url(request))
    return render(request, "org/password_change.html", {
        "form": form, "forced": request.user.must_change_password, "next": request.GET.get("next", "")})
