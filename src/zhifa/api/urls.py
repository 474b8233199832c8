"""/api/v1/ (mounted by zhifa.urls)."""

from django.urls import path, re_path

from . import views

app_name = "api"

urlpatterns = [
    path("cases", views.cases_collection, name="cases"),
    path("cases/<int:case_id>", views.case_detail_view, name="case"),
    path("cases/<int:case_id>/actions/<slug:action>", views.case_action, name="case_action"),
    path("cases/<int:case_id>/files", views.case_files, name="case_files"),
    path("cases/<int:case_id>/files/<slug:digest>", views.case_file, name="case_file"),
    path("parties", views.parties_lookup, name="parties"),
    path("catalog/items", views.items_lookup, name="items"),
    path("catalog/items/<str:code>", views.item_detail, name="item"),
    path("schema", views.schema, name="schema"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
