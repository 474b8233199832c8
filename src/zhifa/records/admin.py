from django.contrib import admin

from zhifa.web.admin import ReadOnlyAdmin

from .models import Event, Verification


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Read-only: the record is append-only."""

    list_display = ("id", "occurred_at", "actor_name", "action", "subject")
    list_filter = ("action",)
    search_fields = ("action", "subject", "actor_name")


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdmin):
    """Read-only: the runs of ``zhifa verify`` (zhifa.records.checks)."""

    list_display = ("started_at", "trigger", "case_id", "events_checked", "files_checked", "ok")
    list_filter = ("ok", "trigger")
