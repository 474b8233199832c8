"""The public portal, ``/gs/`` (no login). Every page of an agency is under its code: ``/gs/<code>/…``."""

from django.urls import path

from .views import before, common, opendata, portal, report

app_name = "portal"

urlpatterns = [
    path("", common.index, name="index"),
    path("<slug:code>/", portal.home, name="home"),
    # 事前公开
    path("<slug:code>/agency/", before.agency, name="agency"),
    path("<slug:code>/officers/", before.officers, name="officers"),
    path("<slug:code>/items/", before.items, name="items"),
    path("<slug:code>/items/<str:item>/", before.item, name="item"),
    path("<slug:code>/benchmarks/", before.benchmarks, name="benchmarks"),
    path("<slug:code>/benchmarks/<int:pk>/", before.benchmark, name="benchmark"),
    path("<slug:code>/no-penalty/", before.no_penalty, name="no_penalty"),
    path("<slug:code>/procedure/", before.procedure, name="procedure"),
    path("<slug:code>/guides/", before.guides, name="guides"),
    path("<slug:code>/supervision/", before.supervision, name="supervision"),
    # 事后公开
    path("<slug:code>/decisions/", portal.decisions, name="decisions"),
    path("<slug:code>/decisions/<int:pk>/", portal.decision, name="decision"),
    path("<slug:code>/decisions/<int:pk>/decision.docx", portal.decision_docx, name="decision_docx"),
    path("<slug:code>/withdrawn/", portal.withdrawn, name="withdrawn"),
    # 开放数据
    path("<slug:code>/data/", opendata.index, name="data"),
    path("<slug:code>/data/decisions.csv", opendata.decisions_csv, name="decisions_csv"),
    path("<slug:code>/data/decisions.json", opendata.decisions_json, name="decisions_json"),
    path("<slug:code>/data/decisions.atom", opendata.decisions_atom, name="decisions_atom"),
    path("<slug:code>/reports/", report.reports, name="reports"),
    path("<slug:code>/reports/<int:year>/", report.report, name="report"),
]
