from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "zhifa.publicity"
    verbose_name = "行政执法公示"

    def ready(self) -> None:
        # the publication policies join the policy register, so the 政策参数 screen offers them
        from .policies import register

        register()
