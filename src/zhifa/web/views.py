"""The shell's own pages: home, health, and error pages (in the user's language)."""


from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache


@login_required
def home(request):
    from zhifa.org.services import roster
    from zhifa.parties.services import parties_visible_to

    rows = roster(request.user, timezone.localdate())
    counts = {
        "officers": len(rows),
        "qualified": sum(1 for r in rows if r.status != "no"),
        "blocked": sum(1 for r in rows if r.status == "no"),
        "alerts": sum(r.alert_count for r in rows),  # as many as the alerts page lists
        "parties": parties_visible_to(request.user).count(),
    }
    return render(request, "web/home.html", {"counts": counts, "active": "home",
                                             "blocked": [r for r in rows if r.status == "no"][:8]})


@never_cache
def health(request):
    """Liveness and database check for monitoring: 200 with {"status": "ok"} or 503."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        db = "ok"
    except Exception as exc:  # any database failure is a 503, never a traceback
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": db, "vendor": connection.vendor})


def _error(request, status, title, text):
    return render(request, "web/error.html", {"title": title, "text": text}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, _("请求有误"), _("请求的内容无法处理，请返回上一页检查后重试。"))


def forbidden(request, exception=None):
    return _error(request, 403, _("没有权限"),
                  _("您没有访问此页面或执行此操作的权限。如需开通，请联系本单位系统管理员。"))


def not_found(request, exception=None):
    return _error(request, 404, _("页面不存在"), _("您要找的页面不存在，或不在您的查看范围内。"))


def server_error(request):
    return _error(request, 500, _("系统出错"), _("系统处理时出错，已记录。您已保存的内容不会丢失，请稍后重试。"))
