from django.urls import path

from .views import case, lists, notifications

app_name = "cases"

urlpatterns = [
    path("", lists.case_list, name="list"),
    path("todo/", lists.todo, name="todo"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notifications.mark_read, name="notification_read"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications_read_all"),
    path("new/", case.new_case, {"procedure": "general"}, name="new"),
    path("new/summary/", case.new_case, {"procedure": "summary"}, name="new_summary"),
    path("<int:pk>/", case.case_detail, name="detail"),
    path("<int:pk>/assess/", case.assess, name="assess"),
    path("<int:pk>/act/<slug:action>/", case.act, name="act"),
]
