from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "zhifa.publicity"
    verbose_name = "行政执法公示"

    def ready(self) -> None:
        # the publication policies join the policy register, so the 政策参数 screen offers them
        from .policies import register

        register()

        from django.db.models.signals import post_save

        from zhifa.catalog.models import EnforcementItem

        post_save.connect(_reindex_item, sender=EnforcementItem, dispatch_uid="publicity-reindex-item")


def _reindex_item(sender, instance, **kwargs) -> None:
    """An item changed (an approved 权责清单 change, the admin): the portal's search follows."""
    from .search import index_item

    index_item(instance)
