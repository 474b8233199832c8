"""The platform administration site (superusers only; the bureau works in its own screens)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Agency, AnnualReview, Certificate, CertificateStatusChange, Training, Unit, User


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "region_code", "parent", "merged_brigade", "is_active")
    search_fields = ("name", "code", "region_code")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "kind", "is_active")
    list_filter = ("kind", "agency")
    filter_horizontal = ("domains",)


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ("username", "full_name", "agency", "unit", "is_active")
    list_filter = ("agency", "is_active", "groups")
    search_fields = ("username", "full_name", "employee_no")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("机构与资格", {"fields": ("full_name", "agency", "unit", "position", "phone", "employee_no", "joined_on",
                                 "has_legal_qualification", "legal_qualification_no", "first_review_on")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("机构", {"fields": ("full_name", "agency", "unit")}),
    )


class StatusInline(admin.TabularInline):
    model = CertificateStatusChange
    extra = 0


class ReviewInline(admin.TabularInline):
    model = AnnualReview
    extra = 0


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "holder", "issuing_authority", "issued_on", "valid_until")
    search_fields = ("number", "holder__full_name")
    filter_horizontal = ("domains",)
    inlines = [StatusInline, ReviewInline]


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "title", "start_on", "end_on", "hours", "days", "exam_result")
    list_filter = ("kind", "exam_result")
