from django.urls import path

from .views import changes, holidays, items, lint

app_name = "catalog"

urlpatterns = [
    # the catalog browser, an item with its benchmark and discretion calculator, the lint report
    path("", items.item_list, name="items"),
    path("items/<str:code>/", items.item_detail, name="item"),
    path("items/<str:code>/review/", items.item_review, name="item_review"),
    path("lint/", lint.lint_report, name="lint"),
    # adjusting the 权责清单
    path("changes/", changes.change_list, name="changes"),
    path("changes/<int:pk>/", changes.change_detail, name="change"),
    path("changes/<int:pk>/decide/", changes.change_decide, name="change_decide"),
    path("items/<str:code>/propose/", changes.change_propose, name="change_propose"),
    # the holiday calendar (节假日安排)
    path("calendar/", holidays.calendar, name="calendar"),
    path("calendar/days/new/", holidays.day_add, name="calendar_day_add"),
    path("calendar/days/<str:day>/", holidays.day_edit, name="calendar_day"),
    path("calendar/days/<str:day>/delete/", holidays.day_delete, name="calendar_day_delete"),
    path("calendar/years/", holidays.year_mark, name="calendar_year"),
]
