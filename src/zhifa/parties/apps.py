from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "zhifa.parties"
    verbose_name = "行政相对人"
