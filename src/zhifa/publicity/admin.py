from django.contrib import admin

from zhifa.web.admin import ReadOnlyAdmin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    """Read-only: decisions are published, withdrawn and taken down by zhifa.publicity.services, each recorded."""

    list_display = ("case", "status", "decided_on", "due_on", "published_on", "withdrawn_on", "take_down_on")
    list_filter = ("status",)
