from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhifa.documents"
    verbose_name = "执法文书"

    def ready(self) -> None:
        # the numbering parameters (documents.number_series, documents.number_pattern) and what documents state of
        # the agency (documents.particulars) join the policy register, so the 政策参数 screen offers them
        from . import context, numbering

        numbering.register()
        context.register()
