from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("case/<int:pk>/", views.case_documents, name="case"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/file/<slug:kind>/", views.download, name="file"),
    path("templates/", views.templates, name="templates"),
    path("templates/<slug:code>/", views.template_detail, name="template"),
    path("templates/<slug:code>/v<int:version>.docx", views.template_file, name="template_file"),
    path("fields/", views.field_reference, name="fields"),
]
