from django.urls import path

from .views import case, lists

app_name = "cases"

urlpatterns = [
    path("", lists.case_list, name="list"),
    path("todo/", lists.todo, name="todo"),
    path("new/", case.new_case, {"procedure": "general"}, name="new"),
    path("new/summary/", case.new_case, {"procedure": "summary"}, name="new_summary"),
    path("<int:pk>/", case.case_detail, name="detail"),
    path("<int:pk>/assess/", case.assess, name="assess"),
    path("<int:pk>/act/<slug:action>/", case.act, name="act"),
]
