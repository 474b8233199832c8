"""Published enforcement results (事后公开, issue 7 §2): one row per publication of a decision — its masked content,
when it was due, published, withdrawn (with the reason) or taken down."""

from django.conf import settings
from django.db import models


class Publication(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "公开中"
        WITHDRAWN = "withdrawn", "已撤回"
        TAKEN_DOWN = "taken_down", "期满撤下"

    agency = models.ForeignKey("org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="publications")
    document = models.ForeignKey("documents.Document", verbose_name="公开的决定书", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PUBLISHED,
                              db_index=True)
    content = models.JSONField("公开内容（已隐去个人信息）")
    decided_on = models.DateField("决定日期")
    due_on = models.DateField("应公开日期")
    published_on = models.DateField("公开日期")
    published_at = models.DateTimeField("公开时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公开人", on_delete=models.PROTECT,
                                     related_name="+")
    take_down_on = models.DateField("期满撤下日期")
    changed_on = models.DateField("决定被变更、撤销等的日期", null=True, blank=True)
    withdraw_due_on = models.DateField("应撤回日期", null=True, blank=True)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    withdraw_reason = models.TextField("撤回理由", blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤回人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    taken_down_on = models.DateField("撤下日期", null=True, blank=True)
    item_code = models.CharField("主要执法事项编码", max_length=32, blank=True)
    hidden_names = models.JSONField("公开时另行隐去的姓名", default=list, blank=True,
                                    help_text="证人、受害人等事实中出现的自然人")

    class Meta:
        verbose_name = "公示的执法决定"
        verbose_name_plural = "公示的执法决定"
        ordering = ["-published_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(status="published"),
                                               name="publication_one_live_per_case")]
        # the portal: the newest publications (home page, feed), and its lists, the newest decision first — all,
        # of an item, of a decision-date range
        indexes = [models.Index(fields=["agency", "status", "-published_on", "-id"], name="publication_live_order"),
                   models.Index(fields=["agency", "status", "item_code", "-decided_on", "-id"],
                                name="publication_live_item"),
                   models.Index(fields=["agency", "status", "-decided_on", "-id"], name="publication_live_decided")]

    def __str__(self) -> str:
        return f"{self.content.get('number') or self.case_id} {self.get_status_display()}"


class SearchEntry(models.Model):
    """What the portal's search finds (DESIGN.md §4): the overlapping bigrams of a public text, indexed by SQLite FTS5
    or a PostgreSQL ``tsvector`` GIN index (both made by the migration, kept by triggers). Only public — masked —
    text is indexed; an entry lives while its publication is live. The sort key orders a search's results by the
    index alone (``zhifa.publicity.search``)."""

    class Kind(models.TextChoices):
        DECISION = "decision", "执法决定"
        ITEM = "item", "执法事项"

    kind = models.CharField("类别", max_length=8, choices=Kind.choices)
    ref = models.BigIntegerField("对象编号")
    grams = models.TextField("二元切分")
    sort_key = models.BigIntegerField("排序键", unique=True, help_text="决定：决定日期与公示编号；事项：负的编号")
    agency = models.ForeignKey("org.Agency", verbose_name="执法主体", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", db_index=False, help_text="决定的执法主体；事项为空")

    class Meta:
        verbose_name = "公示检索条目"
        verbose_name_plural = "公示检索条目"
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="searchentry_one_per_object")]
        indexes = [models.Index(fields=["agency", "-sort_key"], name="searchentry_agency_order")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"


class AnnualReport(models.Model):
    """The annual statistics report of enforcement (行政执法数据年度报告) of one agency for one year, its figures
    frozen when published (by 31 January of the next year, 国办发〔2018〕118号)."""

    agency = models.ForeignKey("org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    figures = models.JSONField("统计数据")
    note = models.TextField("说明", blank=True)
    published_on = models.DateField("公开日期")
    published_at = models.DateTimeField("公开时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公开人", on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = "执法数据年度报告"
        verbose_name_plural = "执法数据年度报告"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="annualreport_one_per_year")]

    def __str__(self) -> str:
        return f"{self.year}"
