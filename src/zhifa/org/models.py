"""The bureau: agencies, units, people and roles, certificates and training.

Names are English, the domain's own Chinese words are in verbose_name (docs/glossary.md).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.law import qualification as q
from zhifa.prepared import Prepared

from .roles import ADMIN_ROLES, ROLE_LABELS, Role


class Agency(models.Model):
    """执法主体: the administrative body in whose name enforcement is done.

    Under 局队合一 the bureau and its enforcement brigade are merged: the brigade acts in the
    bureau's name, so documents carry `document_name` whichever of the two did the work.
    """

    code = models.CharField(_("机关代码"), max_length=32, unique=True,
                            help_text=_("本平台内唯一，通常为行政区划代码加序号"))
    region_code = models.CharField(_("行政区划代码"), max_length=6)
    name = models.CharField(_("机关全称"), max_length=100)
    document_name = models.CharField(_("文书用名"), max_length=100,
                                     help_text=_("行政执法文书上使用的执法主体名称"))
    short_name = models.CharField(_("简称"), max_length=20, blank=True, help_text=_("用于文号，例如“平文旅”"))
    brigade_name = models.CharField(_("执法队伍名称"), max_length=100, blank=True)
    merged_brigade = models.BooleanField(_("局队合一"), default=True,
                                         help_text=_("执法队伍以本机关名义实施执法"))
    parent = models.ForeignKey("self", verbose_name=_("上级机关"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    # Materialised path of ids ("/1/4/"): scoping a user to their agency and those under it is a
    # prefix match, one indexed query whatever the depth.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    supervision_phone = models.CharField(_("监督电话"), max_length=40, blank=True, default="12318")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "执法主体")
        verbose_name_plural = pgettext_lazy("model, plural", "执法主体")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)
            if old:  # re-root the agencies below a moved agency
                for child in type(self).objects.filter(path__startswith=old).exclude(pk=self.pk):
                    type(self).objects.filter(pk=child.pk).update(path=path + child.path[len(old):])

    def lineage_ids(self) -> list[int]:
        """This agency's id, then its parent's, up to the top."""
        return [int(x) for x in reversed(self.path.strip("/").split("/")) if x]

    def subtree(self):
        return Agency.objects.filter(path__startswith=self.path)


class UnitKind(models.TextChoices):
    LEGAL = "legal", _("法制股")
    SQUAD = "squad", _("执法中队")
    OFFICE = "office", _("办公室")
    LEADERSHIP = "leadership", _("局领导")
    OTHER = "other", _("其他股室")


class Unit(models.Model):
    """内设机构: 法制股, 执法中队, 办公室 … with the domains it may enforce."""

    agency = models.ForeignKey(Agency, verbose_name=_("所属机关"), on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类别"), max_length=16, choices=UnitKind.choices, default=UnitKind.OTHER)
    domains = models.ManyToManyField("catalog.Domain", verbose_name=_("负责执法领域"), blank=True,
                                     related_name="units")
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "内设机构")
        verbose_name_plural = pgettext_lazy("model, plural", "内设机构")
        ordering = ["agency", "sort", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unit_name_unique_in_agency")]

    def __str__(self) -> str:
        return self.name


class ZhifaUserManager(UserManager):
    def with_roles(self):
        return self.get_queryset().prefetch_related("groups")


class User(AbstractUser):
    """A person of the bureau who signs in: officer, reviewer, head, clerk or administrator.

    Roles are Django groups named by `Role` codes; `org.services.set_roles` is the only way to
    change them, because it enforces the exclusivity of the three administrator roles.
    """

    full_name = models.CharField(_("姓名"), max_length=40)
    agency = models.ForeignKey(Agency, verbose_name=_("所属机关"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="people")
    unit = models.ForeignKey(Unit, verbose_name=_("内设机构"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="people")
    position = models.CharField(_("职务"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    employee_no = models.CharField(_("工号"), max_length=20, blank=True)
    joined_on = models.DateField(_("入职日期"), null=True, blank=True)
    has_legal_qualification = models.BooleanField(
        _("具有法律职业资格"), default=False,
        help_text=_("国家统一法律职业资格考试合格（《行政处罚法》第五十八条：初次从事法制审核须具备）"))
    legal_qualification_no = models.CharField(_("法律职业资格证书编号"), max_length=40, blank=True)
    first_review_on = models.DateField(_("首次从事法制审核日期"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("须修改密码"), default=False,
        help_text=_("由管理员设定或重置的密码，本人首次登录时须修改（等保：修改默认口令）"))
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = ZhifaUserManager()

    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = pgettext_lazy("model", "人员")
        verbose_name_plural = pgettext_lazy("model, plural", "人员")
        ordering = ["agency", "unit", "employee_no", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    # -- roles --------------------------------------------------------------------------------
    def role_codes(self) -> set[str]:
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("groups")
            if not self.pk:
                cache = set()
            elif prefetched is not None:
                cache = {g.name for g in prefetched}
            else:  # one compiled query (zhifa.prepared): every request asks it of its user
                cache = set(_ROLES(self.pk, using=self._state.db or "default"))
            self._role_cache = cache
        return cache

    def has_role(self, *roles: Role | str) -> bool:
        return bool(self.role_codes() & {str(r) for r in roles})

    @property
    def role_labels(self) -> list[str]:
        return [str(ROLE_LABELS[r]) for r in Role if r.value in self.role_codes()]

    @property
    def is_admin_role(self) -> bool:
        return self.has_role(*ADMIN_ROLES)

    @property
    def needs_second_factor(self) -> bool:
        """等保 level 3: the three administrators and the heads use a second factor."""
        return self.is_superuser or self.has_role(*ADMIN_ROLES, Role.HEAD)

    # -- qualification ------------------------------------------------------------------------
    def qualification(self, domain, on: date | None = None, rules: q.TrainingRules | None = None):
        from .services import may_enforce

        return may_enforce(self, domain, on or timezone.localdate(), rules=rules)


class CertificateStatus(models.TextChoices):
    VALID = q.CertStatus.VALID.value, _("有效")
    SUSPENDED = q.CertStatus.SUSPENDED.value, _("暂扣")
    REVOKED = q.CertStatus.REVOKED.value, _("注销")
    EXPIRED = q.CertStatus.EXPIRED.value, _("过期")


# a person's role codes (group names), compiled once
_ROLES = Prepared("org.roles", lambda pk: User.groups.through.objects.filter(user_id=pk).order_by()
                  .values_list("group__name", flat=True), int)


class Certificate(models.Model):
    """行政执法证件 (执法证)."""

    holder = models.ForeignKey(User, verbose_name=_("持证人"), on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("证号"), max_length=40, unique=True)
    issuing_authority = models.CharField(_("发证机关"), max_length=100)
    domains = models.ManyToManyField("catalog.Domain", verbose_name=_("执法领域"), related_name="certificates")
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "执法证")
        verbose_name_plural = pgettext_lazy("model, plural", "执法证")
        ordering = ["holder_id", "-valid_until"]
        constraints = [models.CheckConstraint(condition=Q(valid_until__gte=models.F("issued_on")),
                                              name="certificate_valid_after_issue")]

    def __str__(self) -> str:
        return self.number

    def facts(self) -> q.CertificateFacts:
        """The certificate as plain values for the rule; uses prefetched relations when present."""
        return q.CertificateFacts(
            number=self.number,
            domains=frozenset(d.code for d in self.domains.all()),
            issued_on=self.issued_on,
            valid_until=self.valid_until,
            history=tuple(q.StatusChange(c.effective_on, q.CertStatus(c.status), c.reason)
                          for c in self.status_changes.all()),
            reviews_passed=frozenset(r.year for r in self.annual_reviews.all() if r.passed),
        )

    def status_on(self, on: date | None = None) -> str:
        return self.facts().status_on(on or timezone.localdate()).value

    def status_label(self, on: date | None = None) -> str:
        return q.CERT_STATUS_LABELS[q.CertStatus(self.status_on(on))]


class CertificateStatusChange(models.Model):
    """A dated change of a certificate's status with its reason: 暂扣, 恢复, 注销 …"""

    certificate = models.ForeignKey(Certificate, verbose_name=_("执法证"), on_delete=models.CASCADE,
                                    related_name="status_changes")
    status = models.CharField(_("状态"), max_length=16, choices=CertificateStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=200)
    recorded_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "执法证状态变更")
        verbose_name_plural = pgettext_lazy("model, plural", "执法证状态变更")
        ordering = ["effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.certificate} {self.get_status_display()}（{self.effective_on}）"


class AnnualReview(models.Model):
    """年审: the yearly check of a certificate."""

    certificate = models.ForeignKey(Certificate, verbose_name=_("执法证"), on_delete=models.CASCADE,
                                    related_name="annual_reviews")
    year = models.PositiveSmallIntegerField(_("年度"))
    reviewed_on = models.DateField(_("审验日期"))
    passed = models.BooleanField(_("审验合格"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = pgettext_lazy("model", "年审记录")
        verbose_name_plural = pgettext_lazy("model, plural", "年审记录")
        ordering = ["certificate_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["certificate", "year"], name="one_review_per_year")]

    def __str__(self) -> str:
        return f"{self.certificate} {self.year} 年审"


class TrainingKind(models.TextChoices):
    ONBOARDING = q.TrainingKind.ONBOARDING.value, _("入职培训")
    REFRESHER = q.TrainingKind.REFRESHER.value, _("复训/轮训")
    SPECIAL = q.TrainingKind.SPECIAL.value, _("专题培训")


class ExamResult(models.TextChoices):
    NONE = "none", _("未考试")
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class Training(models.Model):
    """A training record: kind, dates, hours (学时), training days and the exam result."""

    person = models.ForeignKey(User, verbose_name=_("参训人员"), on_delete=models.PROTECT, related_name="trainings")
    kind = models.CharField(_("培训类别"), max_length=16, choices=TrainingKind.choices)
    title = models.CharField(_("培训名称"), max_length=100)
    organiser = models.CharField(_("组织单位"), max_length=100, blank=True)
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"))
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    days = models.DecimalField(_("培训天数"), max_digits=5, decimal_places=1,
                               help_text=_("留空时按开始至结束日期间的工作日（周一至周五）计算"))
    exam_result = models.CharField(_("考试结果"), max_length=8, choices=ExamResult.choices, default=ExamResult.NONE)
    exam_score = models.DecimalField(_("考试成绩"), max_digits=5, decimal_places=1, null=True, blank=True)
    for_year = models.PositiveSmallIntegerField(
        _("计入年度"), null=True, blank=True,
        help_text=_("补训计入的年度；留空时计入结束日期所在年度"))
    recorded_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "培训记录")
        verbose_name_plural = pgettext_lazy("model, plural", "培训记录")
        ordering = ["person_id", "-end_on"]
        constraints = [models.CheckConstraint(condition=Q(end_on__gte=models.F("start_on")),
                                              name="training_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.title}（{self.start_on}—{self.end_on}）"

    def facts(self) -> q.TrainingFacts:
        return self.facts_of(self.kind, self.start_on, self.end_on, self.hours, self.days, self.exam_result,
                             self.for_year)

    @staticmethod
    def facts_of(kind, start_on, end_on, hours, days, exam_result, for_year) -> q.TrainingFacts:
        """The course as plain values for the rule, from its columns (``services`` reads them without a model)."""
        passed = {"passed": True, "failed": False}.get(exam_result)
        return q.TrainingFacts(q.TrainingKind(kind), start_on, end_on, float(hours), float(days), passed, for_year)


class QualificationStamp(models.Model):
    """One row whose ``value`` changes, by database trigger, with every change to what the qualification rule
    reads: certificates and their domains, status changes and 年审, trainings, and people's roles.

    ``services.qualification_data`` keeps each person's qualification facts per process while the value stays
    the same; the triggers (migration ``0005_qualification_stamp``) catch every path that writes those tables —
    the services, the admin, ``QuerySet.update()``, bulk loads, raw SQL — and the value is random, so a
    rolled-back change never returns to a value a cache was filled under.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)
    # PostgreSQL: the transaction that last changed the value (bumped once per transaction; inside it no cache)
    changed_in = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("执法资格数据版本")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return str(self.value)
