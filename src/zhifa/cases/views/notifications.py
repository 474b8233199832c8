"""My deadline reminders (期限提醒, raised by ``zhifa tick``): unread first, each marked read by its recipient."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ..models import Notification

LIMIT = 200


@login_required
@require_GET
def notification_list(request):
    mine = Notification.objects.filter(recipient=request.user)
    rows = list(mine.select_related("case").order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")[:LIMIT])
    unread = mine.filter(read_at__isnull=True).count()
    return render(request, "cases/notifications.html", {"rows": rows, "unread": unread, "active": "cases"})


@login_required
@require_POST
def mark_read(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)  # someone else's is as good as absent
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect("cases:notifications")


@login_required
@require_POST
def mark_all_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("cases:notifications")
