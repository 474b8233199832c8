from django.contrib import admin

from zhifa.web.admin import ReadOnlyAdmin

from .models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Read-only: the record is append-only."""

    list_display = ("id", "occurred_at", "actor_name", "action", "subject")
    list_filter = ("action",)
    search_fields = ("action", "subject", "actor_name")
