from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "zhifa.org"
    verbose_name = "机构与人员"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from zhifa.catalog import fresh

        from . import signals  # noqa: F401
        from .models import AnnualReview, Certificate, CertificateStatusChange, Training, User

        # a request that changes qualification data and then judges it sees the change (catalog.fresh)
        fresh.watch(Certificate, CertificateStatusChange, AnnualReview, Training)
        for through in (Certificate.domains.through, User.groups.through):
            m2m_changed.connect(fresh.forget, sender=through, dispatch_uid=f"zhifa.org.fresh.{through._meta.label}")
