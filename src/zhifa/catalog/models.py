"""The catalog: enforcement domains and dated policy parameters (more arrives with the catalog issue)."""

from django.db import models


class Domain(models.Model):
    """An enforcement domain (执法领域), e.g. 互联网上网服务, 娱乐场所, 旅游.

    Units are assigned domains, certificates cover domains, and enforcement items belong to one.
    """

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64, unique=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "执法领域"
        verbose_name_plural = "执法领域"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class PolicyValue(models.Model):
    """One dated value of a policy parameter (DESIGN.md §4 "Policies are dated data").

    The parameter itself (name, unit, default, citation, validation) is declared in code in
    `zhifa.catalog.policies`; rows here are the values an administrator set, for all agencies
    (agency empty) or for one agency and the agencies under it, in force from a date.
    """

    key = models.CharField("参数", max_length=64, db_index=True)
    agency = models.ForeignKey("org.Agency", verbose_name="适用机关", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="policy_values")
    value = models.JSONField("取值")
    effective_from = models.DateField("生效日期")
    citation = models.CharField("依据", max_length=255, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)
    set_by = models.ForeignKey("org.User", verbose_name="设置人", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "政策参数取值"
        verbose_name_plural = "政策参数取值"
        ordering = ["key", "-effective_from", "-id"]
        indexes = [models.Index(fields=["key", "agency", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}（{self.effective_from} 起）"


class CalendarDay(models.Model):
    """One day of the holiday calendar (DESIGN.md §4 "Time"): a rest day or an adjusted working day.

    Seeded from the ``chinese_calendar`` package by ``load_reference`` (source ``chinese_calendar``);
    rows an administrator adds or edits carry source ``manual`` and are never overwritten by seeding.
    Days not listed follow the week (Monday–Friday working) — but only in a year that
    :class:`CalendarYear` marks complete; see ``zhifa.catalog.calendar``.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日/休息日"
        WORKDAY = "workday", "调休上班日"

    class Source(models.TextChoices):
        CHINESE_CALENDAR = "chinese_calendar", "chinese_calendar 软件包"
        MANUAL = "manual", "人工维护"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=64, blank=True, help_text="例如：国庆节")
    source = models.CharField("来源", max_length=32, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField("说明", max_length=255, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self) -> str:
        label = self.name or self.get_kind_display()
        return f"{self.date.isoformat()} {label}（{self.get_kind_display()}）"


class CalendarYear(models.Model):
    """Whether the holiday calendar holds complete data for a year.

    A computation touching a year that is not marked complete still returns a date, counted as if
    only weekends were rest days, and carries a warning naming the year.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    complete = models.BooleanField("数据完整", default=False)
    source = models.CharField("来源", max_length=32, choices=CalendarDay.Source.choices,
                              default=CalendarDay.Source.MANUAL)
    note = models.CharField("说明", max_length=255, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日数据年份"
        verbose_name_plural = "节假日数据年份"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年（{'完整' if self.complete else '不完整'}）"
