from django.urls import path

from .views import case, files, head, lists, notifications, review
from .views import chart as procedure_chart

app_name = "cases"

urlpatterns = [
    path("", lists.case_list, name="list"),
    path("todo/", lists.todo, name="todo"),
    path("head/", head.head_queue, name="head_queue"),
    path("procedure/", procedure_chart.procedure_chart, name="procedure"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notifications.mark_read, name="notification_read"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications_read_all"),
    path("new/", case.new_case, {"procedure": "general"}, name="new"),
    path("new/summary/", case.new_case, {"procedure": "summary"}, name="new_summary"),
    path("<int:pk>/", case.case_detail, name="detail"),
    path("<int:pk>/assess/", case.assess, name="assess"),
    path("<int:pk>/discussion/", head.discussion, name="discussion"),
    path("<int:pk>/act/<slug:action>/", case.act, name="act"),
    path("<int:pk>/review/", review.review, name="review"),
    path("<int:pk>/files/", files.upload, name="upload_file"),
    path("<int:pk>/files/<slug:digest>/", files.download, name="file"),
    path("<int:pk>/files/<slug:digest>/custody/", files.custody, name="file_custody"),
]
