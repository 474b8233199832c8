from django.contrib import admin

from zhifa.web.admin import ReadOnlyAdmin

from .models import Document, DocumentNumber, DocumentType, Service, Template


@admin.register(DocumentNumber)
class DocumentNumberAdmin(ReadOnlyAdmin):
    """Read-only: numbers are given and voided by zhifa.documents.numbering, never edited."""

    list_display = ("number", "document", "case", "allocated_at", "voided_at")
    list_filter = ("year", "series")
    search_fields = ("number",)


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    """The document types: name, who signs, party signature and service may be adjusted; the code and layout are
    the templates' and the procedure's."""

    list_display = ("name", "code", "layout", "signer", "party_signs", "must_serve", "is_active")
    list_editable = ("party_signs", "must_serve", "is_active")
    readonly_fields = ("code", "layout")
    fields = ("code", "name", "layout", "signer", "party_signs", "must_serve", "sort", "is_active")

    def has_add_permission(self, request) -> bool:
        return False  # types come from zhifa.documents.types (the procedure table names them)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdmin):
    """Read-only: templates are uploaded and chosen on the 文书模板 screen, which checks every tag first."""

    list_display = ("document_type", "agency", "version", "is_active", "note", "uploaded_by", "uploaded_at")
    list_filter = ("agency", "is_active")
    exclude = ("content",)


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Read-only: documents are drafted, issued, corrected and served through the case's documents screens."""

    list_display = ("title", "case", "version", "status", "number", "issued_on", "issued_by")
    list_filter = ("status", "code")
    search_fields = ("title", "number__number", "case__reference")
    exclude = ("content",)


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ("document", "method", "on", "served_on", "recipient", "recorded_by")
    list_filter = ("method",)
