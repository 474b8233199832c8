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
        # A package day an administrator removed: the date follows the week again. Kept as a manual row
        # so that reloading the reference data does not bring the package's arrangement back.
        NORMAL = "normal", "按平常安排（已撤销该日的节假日或调休）"

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


# --- The enforcement catalog (权责清单) -------------------------------------------------------------
# Legal sources and their provisions (with dated versions), enforcement items, the change log through
# which the list is adjusted (never silently edited), discretion benchmarks and no-penalty lists.
# The rules that read these rows are pure functions in zhifa.law; zhifa.catalog.rules builds their
# inputs from the rows.


class LegalSource(models.Model):
    """A legal source (法律渊源): a statute, regulation, rule or normative document."""

    class Level(models.TextChoices):
        LAW = "law", "法律"
        ADMIN_REGULATION = "admin_regulation", "行政法规"
        DEPARTMENT_RULE = "department_rule", "部门规章"
        LOCAL_REGULATION = "local_regulation", "地方性法规"
        LOCAL_RULE = "local_rule", "地方政府规章"
        NORMATIVE = "normative", "规范性文件"

    name = models.CharField("名称", max_length=128, unique=True,
                            help_text="不含书名号，例如：互联网上网服务营业场所管理条例")
    level = models.CharField("效力层级", max_length=32, choices=Level.choices)
    issuer = models.CharField("制定机关", max_length=128, blank=True)
    doc_number = models.CharField("文号", max_length=64, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "法律依据"
        verbose_name_plural = "法律依据"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"《{self.name}》"

    @property
    def may_set_penalties(self) -> bool:
        """规范性文件 may not set penalties (《行政处罚法》第十六条)."""
        return self.level != self.Level.NORMATIVE


class Provision(models.Model):
    """One article (条款) of a legal source, e.g. 第三十一条第（二）项."""

    source = models.ForeignKey(LegalSource, verbose_name="法律依据", on_delete=models.PROTECT,
                               related_name="provisions")
    article = models.CharField("条款", max_length=64, help_text="例如：第三十一条第（二）项")
    note = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "条款"
        verbose_name_plural = "条款"
        ordering = ["source__name", "article"]
        constraints = [models.UniqueConstraint(fields=["source", "article"], name="provision_unique_article")]

    def __str__(self) -> str:
        return f"《{self.source.name}》{self.article}"


class ProvisionVersion(models.Model):
    """A dated version of a provision: what it said from ``effective_from`` (until ``effective_to``).

    The penalty part (kinds and fine rule) is kept per version so that 《行政处罚法》第三十七条 (the law
    at the time of the act, unless a later version is lighter) can be computed.
    """

    provision = models.ForeignKey(Provision, verbose_name="条款", on_delete=models.CASCADE, related_name="versions")
    label = models.CharField("版本", max_length=64, help_text="例如：2022年修订")
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    summary = models.TextField("内容摘要", blank=True)
    is_offence = models.BooleanField("该版本规定为违法行为", default=True)
    kinds = models.JSONField("处罚种类", default=list, blank=True)
    fine_rule = models.JSONField("罚款规则", null=True, blank=True)
    verified = models.BooleanField("已核对原文", default=False)
    source_ref = models.CharField("出处", max_length=255, blank=True)

    class Meta:
        verbose_name = "条款版本"
        verbose_name_plural = "条款版本"
        ordering = ["provision", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["provision", "effective_from"], name="version_unique_date")]

    def __str__(self) -> str:
        return f"{self.provision}（{self.label}，{self.effective_from} 起）"


class EnforcementItem(models.Model):
    """An enforcement item (执法事项) of the 权责清单: what is punished, under which provisions, how."""

    class Category(models.TextChoices):
        PENALTY = "penalty", "行政处罚"
        COERCION = "coercion", "行政强制"

    class Status(models.TextChoices):
        ACTIVE = "active", "在用"
        SUSPENDED = "suspended", "暂停适用"
        REPEALED = "repealed", "已废止"

    code = models.CharField("事项编码", max_length=32, unique=True)
    name = models.CharField("事项名称", max_length=255, db_index=True)
    domain = models.ForeignKey(Domain, verbose_name="执法领域", on_delete=models.PROTECT, related_name="items")
    category = models.CharField("类别", max_length=16, choices=Category.choices, default=Category.PENALTY)
    violated = models.ManyToManyField(Provision, verbose_name="违反条款", related_name="violated_by", blank=True)
    penalty_provisions = models.ManyToManyField(Provision, verbose_name="处罚依据", related_name="penalised_by",
                                                blank=True)
    basis_violated_text = models.TextField("违反条款（原文表述）", blank=True)
    basis_penalty_text = models.TextField("处罚依据（原文表述）", blank=True)
    kinds = models.JSONField("处罚种类", default=list, blank=True,
                             help_text='[{"kind": "fine", "mode": "mandatory|optional|serious", "note": ""}]')
    fine_rule = models.JSONField("罚款规则", null=True, blank=True)
    escalations = models.JSONField(
        "法定升格处罚", default=list, blank=True,
        help_text="法规自身规定的再次违法升格（如《娱乐场所管理条例》第五十三条第三款），"
                  "格式见 zhifa.law.discretion.escalation_from_json")
    measures = models.JSONField("措施", default=list, blank=True, help_text="取缔、查封、扣押等（非处罚）")
    responsible_unit = models.ForeignKey("org.Unit", verbose_name="承办机构", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    authority = models.CharField("实施主体", max_length=255, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    verified = models.BooleanField("金额与条号已核对", default=False)
    notes = models.TextField("说明", blank=True)
    source = models.TextField("资料来源", blank=True)
    reviewed_on = models.DateField("最近审查日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本号", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "执法事项"
        verbose_name_plural = "执法事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ItemChange(models.Model):
    """A proposed adjustment of the 权责清单 and its approval: the list is changed only through these."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "调整"
        SUSPEND = "suspend", "暂停适用"
        REPEAL = "repeal", "废止"
        RESTORE = "restore", "恢复适用"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        WITHDRAWN = "withdrawn", "已撤回"

    item = models.ForeignKey(EnforcementItem, verbose_name="执法事项", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="changes")
    item_code = models.CharField("事项编码", max_length=32, db_index=True)
    action = models.CharField("调整类型", max_length=16, choices=Action.choices)
    proposed = models.JSONField("调整后内容", default=dict)
    diff = models.JSONField("变更字段", default=dict, help_text='{"字段": [原值, 新值]}')
    reason = models.TextField("调整理由")
    basis = models.CharField("调整依据", max_length=255, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    proposed_by = models.ForeignKey("org.User", verbose_name="提出人", null=True, on_delete=models.PROTECT,
                                    related_name="+")
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = models.ForeignKey("org.User", verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    version_after = models.PositiveIntegerField("调整后版本号", null=True, blank=True)

    class Meta:
        verbose_name = "权责清单调整"
        verbose_name_plural = "权责清单调整"
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item_code} {self.get_action_display()}（{self.get_status_display()}）"


class Benchmark(models.Model):
    """A jurisdiction's discretion benchmark (裁量基准), dated and published (《行政处罚法》第三十四条).

    ``agency`` empty means the platform-wide default; otherwise it applies to the agency and those
    below it (the nearest one wins, like policy values). ``bands``, ``aggravating``, ``mitigating`` and
    ``params`` hold the data of :class:`zhifa.law.discretion.Benchmark`.
    """

    agency = models.ForeignKey("org.Agency", verbose_name="适用机关", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="benchmarks")
    name = models.CharField("名称", max_length=128)
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    bands = models.JSONField("裁量档次", default=dict)
    aggravating = models.JSONField("从重情节", default=list, blank=True)
    mitigating = models.JSONField("从轻、减轻情节", default=list, blank=True)
    params = models.JSONField("其他参数", default=dict, blank=True)
    source = models.CharField("制定依据", max_length=255, blank=True)
    published = models.BooleanField("已公开", default=False)
    published_on = models.DateField("公开日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "裁量基准"
        verbose_name_plural = "裁量基准"
        ordering = ["agency_id", "-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.effective_from} 起）"


class ItemBenchmark(models.Model):
    """A benchmark's own bands and conditions for one item (细化到事项的裁量标准)."""

    benchmark = models.ForeignKey(Benchmark, verbose_name="裁量基准", on_delete=models.CASCADE,
                                  related_name="items")
    item = models.ForeignKey(EnforcementItem, verbose_name="执法事项", on_delete=models.CASCADE,
                             related_name="benchmarks")
    bands = models.JSONField("裁量档次", default=dict, blank=True)
    conditions = models.TextField("适用条件", blank=True, help_text="各档次的情形描述，公开时一并公开")

    class Meta:
        verbose_name = "事项裁量标准"
        verbose_name_plural = "事项裁量标准"
        constraints = [models.UniqueConstraint(fields=["benchmark", "item"], name="item_benchmark_unique")]

    def __str__(self) -> str:
        return f"{self.benchmark} · {self.item.code}"


class NoPenaltyEntry(models.Model):
    """One line of a 免罚清单 (轻微违法不予处罚、首违不罚清单) of a jurisdiction (《行政处罚法》第三十三条)."""

    agency = models.ForeignKey("org.Agency", verbose_name="适用机关", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="no_penalty_entries")
    item = models.ForeignKey(EnforcementItem, verbose_name="执法事项", on_delete=models.PROTECT,
                             related_name="no_penalty_entries")
    list_name = models.CharField("清单名称", max_length=128)
    conditions = models.JSONField("适用条件", default=list,
                                  help_text='须同时满足的事实，例如 ["first_violation", "corrected_promptly"]')
    description = models.TextField("情形描述", blank=True)
    source = models.CharField("出处", max_length=255, blank=True)
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)

    class Meta:
        verbose_name = "免罚清单事项"
        verbose_name_plural = "免罚清单事项"
        ordering = ["list_name", "item__code"]

    def __str__(self) -> str:
        return f"{self.list_name} · {self.item.code}"
