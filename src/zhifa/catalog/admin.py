from django.contrib import admin

from .models import Domain, PolicyValue


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort")


@admin.register(PolicyValue)
class PolicyValueAdmin(admin.ModelAdmin):
    list_display = ("key", "agency", "value", "effective_from", "set_by", "set_at")
    list_filter = ("key",)
