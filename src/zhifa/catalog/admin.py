from django.contrib import admin

from zhifa.web.admin import ReadOnlyAdmin, RecordedAdmin

from .models import (
    Benchmark,
    CalendarDay,
    CalendarYear,
    Domain,
    EnforcementItem,
    ItemBenchmark,
    ItemChange,
    LegalSource,
    NoPenaltyEntry,
    PolicyValue,
    Provision,
    ProvisionVersion,
)


@admin.register(Domain)
class DomainAdmin(ReadOnlyAdmin):
    """Domains are reference data (zhifa load_reference)."""

    list_display = ("code", "name", "sort")


@admin.register(PolicyValue)
class PolicyValueAdmin(ReadOnlyAdmin):
    """Policy values are set on the 政策参数 screen (validated, dated, recorded), never edited here."""

    list_display = ("key", "agency", "value", "effective_from", "set_by", "set_at")
    list_filter = ("key",)


@admin.register(CalendarDay)
class CalendarDayAdmin(RecordedAdmin):
    """Holidays and adjusted working days: seeded from chinese-calendar, corrected here (recorded)."""

    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind", "source")
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(RecordedAdmin):
    list_display = ("year", "complete", "source")


# --- the enforcement catalog: read only here. Items change through approved 权责清单 adjustments
# (catalog.services), benchmarks and 免罚清单 through their services, all recorded.
class ProvisionVersionInline(admin.TabularInline):
    model = ProvisionVersion
    extra = 0
    fields = ("label", "effective_from", "effective_to", "kinds", "fine_rule", "verified", "source_ref")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LegalSource)
class LegalSourceAdmin(ReadOnlyAdmin):
    list_display = ("name", "level", "issuer", "doc_number")
    list_filter = ("level",)
    search_fields = ("name", "doc_number")


@admin.register(Provision)
class ProvisionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "source", "article")
    list_filter = ("source__level",)
    search_fields = ("source__name", "article")
    list_select_related = ("source",)
    inlines = [ProvisionVersionInline]


@admin.register(ProvisionVersion)
class ProvisionVersionAdmin(ReadOnlyAdmin):
    list_display = ("provision", "label", "effective_from", "effective_to", "verified")
    list_filter = ("verified",)
    list_select_related = ("provision__source",)
    search_fields = ("provision__source__name", "provision__article", "label")


@admin.register(EnforcementItem)
class EnforcementItemAdmin(ReadOnlyAdmin):
    """The 权责清单 is adjusted through approved changes (catalog.services.approve_change), never here."""

    list_display = ("code", "name", "domain", "status", "verified", "version", "reviewed_on")
    list_filter = ("domain", "status", "verified", "category")
    search_fields = ("code", "name", "basis_penalty_text", "basis_violated_text")
    list_select_related = ("domain",)


@admin.register(ItemChange)
class ItemChangeAdmin(ReadOnlyAdmin):
    list_display = ("item_code", "action", "status", "proposed_by", "proposed_at", "decided_by", "decided_at")
    list_filter = ("action", "status")
    search_fields = ("item_code", "reason")
    list_select_related = ("proposed_by", "decided_by")


class ItemBenchmarkInline(admin.TabularInline):
    model = ItemBenchmark
    extra = 0
    fields = ("item", "bands", "conditions")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Benchmark)
class BenchmarkAdmin(ReadOnlyAdmin):
    list_display = ("name", "agency", "effective_from", "effective_to", "published", "published_on")
    list_filter = ("published",)
    list_select_related = ("agency",)
    inlines = [ItemBenchmarkInline]


@admin.register(ItemBenchmark)
class ItemBenchmarkAdmin(ReadOnlyAdmin):
    list_display = ("benchmark", "item")
    list_select_related = ("benchmark", "item")


@admin.register(NoPenaltyEntry)
class NoPenaltyEntryAdmin(ReadOnlyAdmin):
    list_display = ("list_name", "item", "agency", "effective_from", "effective_to")
    list_select_related = ("item", "agency")
    search_fields = ("list_name", "item__code", "item__name")
