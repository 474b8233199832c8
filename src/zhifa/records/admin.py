from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the record is append-only."""

    list_display = ("id", "occurred_at", "actor_name", "action", "subject")
    list_filter = ("action",)
    search_fields = ("action", "subject", "actor_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
