from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "zhifa.records"
    verbose_name = "全过程记录"

    def ready(self) -> None:
        # the retention class of a case file (dossier.retention) joins the catalog's policy register
        from .policies import register

        register()
