"""The platform administration site (superusers only; the bureau works in its own screens)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError

from zhifa.law.errors import RuleViolation
from zhifa.web.admin import ReadOnlyAdmin, RecordedAdmin

from .models import Agency, AnnualReview, Certificate, CertificateStatusChange, Training, Unit, User
from .services import check_role_set


@admin.register(Agency)
class AgencyAdmin(RecordedAdmin):
    list_display = ("name", "code", "region_code", "parent", "merged_brigade", "is_active")
    search_fields = ("name", "code", "region_code")


@admin.register(Unit)
class UnitAdmin(RecordedAdmin):
    list_display = ("name", "agency", "kind", "is_active")
    list_filter = ("kind", "agency")
    filter_horizontal = ("domains",)


class PersonAdminForm(UserChangeForm):
    def clean_groups(self):
        """三员分立 is refused here, on the field, rather than by the signal guard as an error page."""
        groups = self.cleaned_data.get("groups")
        if groups is not None:
            try:
                check_role_set(g.name for g in groups)
            except RuleViolation as exc:
                raise ValidationError(exc.message) from None
        return groups


@admin.register(User)
class PersonAdmin(RecordedAdmin, UserAdmin):
    form = PersonAdminForm
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
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReviewInline(StatusInline):
    model = AnnualReview


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    """Certificates, their status history and 年审 are entered on the bureau's screens (recorded)."""

    list_display = ("number", "holder", "issuing_authority", "issued_on", "valid_until")
    search_fields = ("number", "holder__full_name")
    ordering = ("holder", "-valid_until")  # by the holder's agency and unit (the model orders by holder id: cheap)
    filter_horizontal = ("domains",)
    inlines = [StatusInline, ReviewInline]


@admin.register(Training)
class TrainingAdmin(ReadOnlyAdmin):
    list_display = ("person", "kind", "title", "start_on", "end_on", "hours", "days", "exam_result")
    ordering = ("person", "-end_on")
    list_filter = ("kind", "exam_result")
