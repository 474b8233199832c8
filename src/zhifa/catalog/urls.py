from django.urls import path

from .views import benchmarks, changes, holidays, items, lint

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
    # discretion benchmarks (裁量基准) and 免罚清单 of the user's jurisdiction
    path("benchmarks/", benchmarks.benchmark_list, name="benchmarks"),
    path("benchmarks/new/", benchmarks.benchmark_new, name="benchmark_new"),
    path("benchmarks/<int:pk>/", benchmarks.benchmark_detail, name="benchmark"),
    path("benchmarks/<int:pk>/edit/", benchmarks.benchmark_edit, name="benchmark_edit"),
    path("benchmarks/<int:pk>/publish/", benchmarks.benchmark_publish, name="benchmark_publish"),
    path("benchmarks/<int:pk>/items/", benchmarks.benchmark_item, name="benchmark_item"),
    path("no-penalty/", benchmarks.no_penalty_list, name="no_penalty"),
    path("no-penalty/<int:pk>/", benchmarks.no_penalty_edit, name="no_penalty_edit"),
]
