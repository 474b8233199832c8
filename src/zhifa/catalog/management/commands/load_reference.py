"""Load the reference data every installation needs: domains and role groups. Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from zhifa.catalog.models import Domain
from zhifa.catalog.reference import seed_domains


class Command(BaseCommand):
    help = "载入参考数据（执法领域、角色）。可重复执行。"

    def handle(self, *args, **options):
        from zhifa.org.services import ensure_role_groups

        with transaction.atomic():
            for i, (code, name) in enumerate(seed_domains()):
                Domain.objects.update_or_create(code=code, defaults={"name": name, "sort": i})
            ensure_role_groups()
        self.stdout.write(f"参考数据已载入：执法领域 {Domain.objects.count()} 个。")
