"""Regulated parties (行政相对人), their premises (经营场所) and licences (许可证)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人或其他组织")
    INDIVIDUAL = "individual", _("个体工商户")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    FOREIGN_PR = "foreign_pr", _("外国人永久居留身份证")
    OTHER = "other", _("其他证件")


class Party(models.Model):
    """行政相对人: a natural person, an organisation, or an individual business (个体工商户).

    Natural persons carry an identity document; organisations and individual businesses carry a
    unified social credit code (统一社会信用代码). An individual business also names its operator
    (经营者), whose identity document may be recorded.
    """

    agency = models.ForeignKey("org.Agency", verbose_name=_("登记机关"), on_delete=models.PROTECT,
                               related_name="parties")
    kind = models.CharField(_("类型"), max_length=16, choices=PartyKind.choices)
    name = models.CharField(_("姓名/名称"), max_length=120)
    id_type = models.CharField(_("证件类型"), max_length=16, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=40, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    representative = models.CharField(_("法定代表人/负责人/经营者"), max_length=60, blank=True)
    representative_id_number = models.CharField(_("法定代表人/经营者身份证号码"), max_length=40, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True,
                                  help_text=_("自然人：由居民身份证号码得出，其他证件须填写"))
    address = models.CharField(_("住所/地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "行政相对人")
        verbose_name_plural = pgettext_lazy("model, plural", "行政相对人")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "credit_code"], condition=~Q(credit_code=""),
                                    name="party_credit_code_unique"),
            models.UniqueConstraint(fields=["agency", "id_type", "id_number"],
                                    condition=Q(kind="person") & ~Q(id_number=""),
                                    name="party_person_id_unique"),
        ]
        indexes = [models.Index(fields=["agency", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return self.credit_code or self.id_number

    def age_on(self, on: date) -> int | None:
        from zhifa.law.identifiers import age_on

        return age_on(self.birth_date, on) if self.birth_date else None


class BusinessType(models.TextChoices):
    INTERNET_CAFE = "internet_cafe", _("互联网上网服务营业场所（网吧）")
    SONG_DANCE = "song_dance", _("歌舞娱乐场所（KTV）")
    GAMES = "games", _("游艺娱乐场所")
    PERFORMANCE_VENUE = "performance_venue", _("演出场所")
    PERFORMANCE_AGENCY = "performance_agency", _("演出经纪机构/文艺表演团体")
    TRAVEL_AGENCY = "travel_agency", _("旅行社")
    PUBLICATIONS = "publications", _("出版物零售（书店）")
    AUDIO_VIDEO = "audio_video", _("音像制品经营")
    PRINTING = "printing", _("印刷企业")
    RELICS = "relics", _("文物经营")
    ART = "art", _("艺术品经营")
    SCRIPT_GAMES = "script_games", _("剧本娱乐经营场所")
    OTHER = "other", _("其他")


class Premises(models.Model):
    """经营场所: where a party does regulated business."""

    party = models.ForeignKey(Party, verbose_name=_("经营者"), on_delete=models.CASCADE, related_name="premises")
    name = models.CharField(_("场所名称"), max_length=120)
    business_type = models.CharField(_("经营类别"), max_length=24, choices=BusinessType.choices)
    address = models.CharField(_("场所地址"), max_length=200)
    area_m2 = models.DecimalField(_("营业面积（平方米）"), max_digits=9, decimal_places=2, null=True, blank=True)
    capacity = models.PositiveIntegerField(_("核定人数/终端数"), null=True, blank=True)
    is_active = models.BooleanField(_("在营"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "经营场所")
        verbose_name_plural = pgettext_lazy("model, plural", "经营场所")
        ordering = ["party_id", "name"]

    def __str__(self) -> str:
        return self.name


class LicenceKind(models.TextChoices):
    NETWORK_CULTURE = "network_culture", _("网络文化经营许可证")
    ENTERTAINMENT = "entertainment", _("娱乐经营许可证")
    PERFORMANCE = "performance", _("营业性演出许可证")
    TRAVEL = "travel", _("旅行社业务经营许可证")
    PUBLICATIONS = "publications", _("出版物经营许可证")
    PRINTING = "printing", _("印刷经营许可证")
    RELICS = "relics", _("文物经营许可证")
    OTHER = "other", _("其他许可证")


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("吊销")
    CANCELLED = "cancelled", _("注销")
    EXPIRED = "expired", _("过期")


class Licence(models.Model):
    """许可证: number, scope, validity and status."""

    party = models.ForeignKey(Party, verbose_name=_("持证人"), on_delete=models.CASCADE, related_name="licences")
    premises = models.ForeignKey(Premises, verbose_name=_("经营场所"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="licences")
    kind = models.CharField(_("许可证类别"), max_length=24, choices=LicenceKind.choices)
    number = models.CharField(_("许可证编号"), max_length=60)
    scope = models.CharField(_("许可范围"), max_length=200, blank=True)
    issued_by = models.CharField(_("发证机关"), max_length=100, blank=True)
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("长期有效的留空"))
    status = models.CharField(_("状态"), max_length=16, choices=LicenceStatus.choices,
                              default=LicenceStatus.VALID)
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "许可证")
        verbose_name_plural = pgettext_lazy("model, plural", "许可证")
        ordering = ["party_id", "kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="licence_valid_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def status_on(self, on: date | None = None) -> str:
        on = on or timezone.localdate()
        if self.status == LicenceStatus.VALID and self.valid_until and on > self.valid_until:
            return LicenceStatus.EXPIRED
        return self.status

    def status_label(self, on: date | None = None) -> str:
        return LicenceStatus(self.status_on(on)).label
