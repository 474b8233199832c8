"""What every portal page shares: its agency (by code, in the URL) and a response any cache may keep briefly.

The portal sets no cookie and reads none (no session, no CSRF token: it has no form that changes anything), so a
reverse proxy may cache it; the strict Content Security Policy comes from ``zhifa.web.middleware`` like every page.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers

from zhifa.org.models import Agency

MAX_AGE = 300  # seconds a browser or proxy may keep a portal page


def portal_agencies():
    """The agencies with a portal: active ones that have people (a county bureau, not an empty parent row)."""
    return Agency.objects.filter(is_active=True, people__isnull=False).distinct().order_by("path", "pk")


def agency_or_404(code: str) -> Agency:
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise Http404("no such agency")
    return agency


def page(request, template: str, context: dict, *, agency: Agency, active: str = "", status: int = 200):
    """Render a portal page of ``agency`` (``active``: the navigation entry it belongs to)."""
    response = render(request, template, {**context, "agency": agency, "portal_nav": active}, status=status)
    return cacheable(response)


def cacheable(response):
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    patch_vary_headers(response, ["Accept-Language"])
    return response


def index(request):
    """``/gs/``: the portal of the one agency, or the list of agencies in a provincial deployment."""
    agencies = list(portal_agencies())
    if len(agencies) == 1:
        return redirect("portal:home", code=agencies[0].code)
    return cacheable(render(request, "publicity/portal/index.html", {"agencies": agencies}))
