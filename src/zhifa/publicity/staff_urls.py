"""The staff's publication screens, ``/publicity/`` (login)."""

from django.urls import path

from .views import staff

app_name = "publicity"

urlpatterns = [
    path("", staff.dashboard, name="dashboard"),
    path("case/<int:pk>/publish/", staff.publish, name="publish"),
    path("<int:pk>/withdraw/", staff.withdraw, name="withdraw"),
    path("reports/", staff.reports, name="reports"),
    path("reports/<int:year>/", staff.report, name="report"),
]
