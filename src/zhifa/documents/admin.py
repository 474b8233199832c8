from django.contrib import admin

from zhifa.web.admin import ReadOnlyAdmin

from .models import DocumentNumber


@admin.register(DocumentNumber)
class DocumentNumberAdmin(ReadOnlyAdmin):
    """Read-only: numbers are given and voided by zhifa.documents.numbering, never edited."""

    list_display = ("number", "document", "case", "allocated_at", "voided_at")
    list_filter = ("year", "series")
    search_fields = ("number",)
