from django.contrib import admin

from zhifa.web.admin import ReadOnlyAdmin, RecordedAdmin

from .models import CalendarDay, CalendarYear, Domain, PolicyValue


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
