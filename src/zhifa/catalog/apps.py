from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "zhifa.catalog"
    verbose_name = "执法事项目录"

    def ready(self) -> None:
        from . import (
            calendar,  # noqa: F401  (cache invalidation signals for the holiday calendar)
            fresh,
        )
        from .models import CalendarDay, CalendarYear, PolicyValue

        fresh.watch(PolicyValue, CalendarDay, CalendarYear)
