"""Load the reference data every installation needs: domains, role groups, holiday calendar, the
enforcement catalog (sources, provisions, 61 items, the platform default benchmark). Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from zhifa.catalog.models import CalendarYear, Domain, EnforcementItem
from zhifa.catalog.reference import seed_domains


class Command(BaseCommand):
    help = ("载入参考数据（执法领域、角色、节假日安排、执法事项目录）。可重复执行，不覆盖人工维护的节假日，"
            "也不覆盖经审批调整过的执法事项。")

    def handle(self, *args, **options):
        from zhifa.catalog.calendar import seed_from_chinese_calendar
        from zhifa.catalog.loader import load_catalog
        from zhifa.documents.services import ensure_types
        from zhifa.org.services import ensure_role_groups
        from zhifa.publicity.search import index_items

        with transaction.atomic():
            for i, (code, name) in enumerate(seed_domains()):
                Domain.objects.update_or_create(code=code, defaults={"name": name, "sort": i})
            ensure_role_groups()
            counts = seed_from_chinese_calendar()
            catalog = load_catalog()
            ensure_types()
            index_items()
        years = CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
        span = f"{min(years)}–{max(years)} 年" if years else "无"
        self.stdout.write(
            f"参考数据已载入：执法领域 {Domain.objects.count()} 个；"
            f"节假日新增 {counts['created']} 天、更新 {counts['updated']} 天、删除 {counts['deleted']} 天，"
            f"完整年份 {len(years)} 个（{span}）；"
            f"执法事项 {EnforcementItem.objects.count()} 项（新增 {catalog['items_created']}、"
            f"按种子更新 {catalog['items_updated']}、经审批调整而保留 {catalog['items_kept']}），"
            f"法律依据新增 {catalog['sources']} 部、条款 {catalog['provisions']} 条、"
            f"条款版本 {catalog['versions']} 个。"
        )
