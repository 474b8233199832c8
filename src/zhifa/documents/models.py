"""Document numbers (文号): per agency, year and series, gapless and never reused (issue 6 §4)."""

from django.conf import settings
from django.db import models


class NumberSequence(models.Model):
    """The last number given in one agency's series of one year (e.g. 平文旅罚〔2026〕: 12)."""

    agency = models.ForeignKey("org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    series = models.CharField("类别字", max_length=8)
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "文号序列"
        verbose_name_plural = "文号序列"
        constraints = [models.UniqueConstraint(fields=["agency", "year", "series"], name="number_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.series}〔{self.year}〕{self.last}"


class DocumentNumber(models.Model):
    """One number given to a document: who took it, for which document and case; a voided number stays here with
    its reason and is never given again."""

    agency = models.ForeignKey("org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    series = models.CharField("类别字", max_length=8)
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=60)
    document = models.CharField("文书", max_length=40)
    case = models.ForeignKey("cases.Case", verbose_name="案件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="取号人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField("取号时间")
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作废人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    void_reason = models.TextField("作废理由", blank=True)

    class Meta:
        verbose_name = "文号"
        verbose_name_plural = "文号"
        ordering = ["agency", "year", "series", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "series", "seq"], name="document_number_unique"),
            models.UniqueConstraint(fields=["agency", "number"], name="document_number_text_unique"),
        ]

    def __str__(self) -> str:
        return self.number + ("（已作废）" if self.voided_at else "")
