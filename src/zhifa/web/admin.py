"""Base classes for the platform administration site (`/platform-admin/`, superusers only).

The bureau works in its own screens, where services check every rule and record every change.
The admin site either only reads (ReadOnlyAdmin) or, for the few things a platform operator must
set up by hand (agencies, units, accounts), records each change it makes (RecordedAdmin).
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordedAdmin(admin.ModelAdmin):
    """Every save and delete through the admin site appends a `platform.admin_*` event."""

    def _record(self, request, action: str, obj, changed=()):
        from zhifa.records.services import record

        record(f"platform.admin_{action}", actor=request.user,
               agency=getattr(obj, "agency", None) if obj._meta.model_name != "agency" else obj,
               subject=f"{obj._meta.model_name}:{obj.pk}",
               payload={"model": obj._meta.label, "object": str(obj), "changed": sorted(changed)})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._record(request, "changed" if change else "added", obj, form.changed_data)

    def delete_model(self, request, obj):
        self._record(request, "deleted", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record(request, "deleted", obj)
        super().delete_queryset(request, queryset)
