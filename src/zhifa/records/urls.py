from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("cases/<int:pk>/dossier/", views.export_dossier, name="dossier"),
]
