"""Session rules: idle logout and the second factor (standards.md §1(c))."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

IDLE_KEY = "zhifa_last_seen"

# Paths that a signed-in user who still owes the second factor may reach.
_PASSWORD_OPEN = ("password_change", "logout", "set_language", "health")
_OTP_OPEN = ("otp_verify", "otp_setup", "logout", "set_language", "health")

# The JSON API authenticates every request by its token and never reads the session (zhifa.api.views): a browser
# session neither grants it anything nor may be kept alive by it, so the session rules below leave it alone.
API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _with_next(url_name: str, request) -> str:
    # Encoded, so a path with its own query string ("?a=1&b=2") comes back whole.
    return f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"


def idle_limit_seconds(user) -> int:
    minutes = settings.ZHIFA_IDLE_MINUTES_ADMIN if (user.is_superuser or user.is_admin_role) \
        else settings.ZHIFA_IDLE_MINUTES
    return minutes * 60


# The time of the last activity is written to the session at most once a minute, not with every page: a page view
# is then a read, not a database write. The quiet spell is counted from the stored time, so a user may be logged out
# up to this much earlier than the limit — never later.
IDLE_STAMP_SECONDS = 60


class IdleTimeoutMiddleware:
    """Logs a user out after a quiet spell: 15 minutes for administrators, 30 for others."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not _is_api(request) and user.is_authenticated:  # the API never loads the session (see API_PREFIX)
            now = time.time()
            last = request.session.get(IDLE_KEY)
            if last is not None and now - float(last) > idle_limit_seconds(user):
                from zhifa.records.services import record

                record("auth.idle_logout", actor=user, subject=f"user:{user.pk}",
                       payload={"idle_seconds": int(now - float(last)), "limit": idle_limit_seconds(user)})
                logout(request)
                messages.warning(request, "您已超过规定时间未操作，系统已自动退出，请重新登录。")
                return redirect(_with_next("login", request))
            if last is None or now - float(last) >= IDLE_STAMP_SECONDS:
                request.session[IDLE_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Administrators and heads must pass a TOTP check before anything else (等保 level 3); then
    anyone whose password was set by an administrator must change it before going on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if _is_api(request):
            return self.get_response(request)
        if user.is_authenticated and user.needs_second_factor and not user.is_verified():
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            name = match.url_name if match else None
            if name not in _OTP_OPEN and not request.path_info.startswith(settings.STATIC_URL):
                from django_otp import devices_for_user

                enrolled = any(True for _ in devices_for_user(user, confirmed=True))
                target = "otp_verify" if enrolled else "otp_setup"
                return redirect(_with_next(target, request))
        elif user.is_authenticated and user.must_change_password:
            # After the second factor (if any): a password set by an administrator is changed first.
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in _PASSWORD_OPEN and not request.path_info.startswith(settings.STATIC_URL):
                return redirect(_with_next("password_change", request))
        return self.get_response(request)
