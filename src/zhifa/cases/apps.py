from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    verbose_name = "案件"

    def ready(self) -> None:
        # The case rules' policy parameters join the catalog's register (zhifa.catalog.policies.PARAMETERS),
        # so the policy screens list them and `value_of` reads them like any other parameter.
        from .policies import register

        register()
