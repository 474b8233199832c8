from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhifa.documents"
    verbose_name = "执法文书"

    def ready(self) -> None:
        # the numbering parameters (documents.number_series, documents.number_pattern) join the policy register
        from .numbering import register

        register()
