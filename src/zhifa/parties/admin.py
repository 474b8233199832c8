"""Platform admin: a read-only view of the registry.

Parties, premises and licences are written only through `parties.services` (validation, duplicate
checks and the record event in one transaction), so the admin lists and searches but does not edit.
"""

from django.contrib import admin

from zhifa.law.identifiers import mask_id_number
from zhifa.web.admin import ReadOnlyAdmin

from .models import Licence, Party, Premises


class PremisesInline(admin.TabularInline):
    model = Premises
    extra = 0
    fields = ("name", "business_type", "address", "area_m2", "capacity", "is_active")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class LicenceInline(admin.TabularInline):
    model = Licence
    extra = 0
    fields = ("kind", "number", "premises", "valid_from", "valid_until", "status")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "identifier_masked", "representative", "agency", "is_active",
                    "created_at")
    list_filter = ("kind", "is_active", "agency")
    search_fields = ("name", "credit_code", "=id_number", "representative")
    list_select_related = ("agency",)
    date_hierarchy = "created_at"
    exclude = ("id_number", "representative_id_number")
    readonly_fields = ("id_number_masked", "representative_id_number_masked")
    inlines = (PremisesInline, LicenceInline)

    @admin.display(description="统一社会信用代码/证件号码")
    def identifier_masked(self, obj):
        return obj.credit_code or mask_id_number(obj.id_number)

    @admin.display(description="证件号码")
    def id_number_masked(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="法定代表人/经营者身份证号码")
    def representative_id_number_masked(self, obj):
        return mask_id_number(obj.representative_id_number)


@admin.register(Premises)
class PremisesAdmin(ReadOnlyAdmin):
    list_display = ("name", "business_type", "party", "address", "capacity", "is_active")
    list_filter = ("business_type", "is_active")
    search_fields = ("name", "address", "party__name", "party__credit_code")
    list_select_related = ("party",)


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "party", "premises", "valid_from", "valid_until", "status_today")
    list_filter = ("kind", "status")
    search_fields = ("number", "party__name", "party__credit_code", "issued_by")
    list_select_related = ("party", "premises")
    date_hierarchy = "valid_until"

    @admin.display(description="当前状态")
    def status_today(self, obj):
        return obj.status_label()
