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


class DocumentType(models.Model):
    """A kind of document (执法文书种类), seeded from :mod:`zhifa.documents.types`; an administrator may adjust its
    name, who signs, whether the party signs and whether it must be served."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    layout = models.CharField("版式", max_length=16, editable=False)
    signer = models.CharField("签发（签名）", max_length=16)
    party_signs = models.BooleanField("当事人签名", default=False)
    must_serve = models.BooleanField("须送达", default=False)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "文书种类"
        verbose_name_plural = "文书种类"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Template(models.Model):
    """A template uploaded by an agency for one document type; versions count up per agency and type, the newest
    active one is used, and the built-in template (version 0, shipped with zhifa) when there is none."""

    agency = models.ForeignKey("org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+")
    document_type = models.ForeignKey(DocumentType, verbose_name="文书种类", on_delete=models.PROTECT,
                                      related_name="templates")
    version = models.PositiveIntegerField("版本")
    content = models.BinaryField("模板文件")
    digest = models.CharField("摘要", max_length=64)
    algorithm = models.CharField("摘要算法", max_length=8, default="sm3")
    original_name = models.CharField("原文件名", max_length=255)
    note = models.CharField("修改说明", max_length=200)
    is_active = models.BooleanField("使用中", default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        ordering = ["agency", "document_type", "-version"]
        constraints = [models.UniqueConstraint(fields=["agency", "document_type", "version"],
                                               name="template_version_unique")]

    def __str__(self) -> str:
        return f"{self.document_type} 第{self.version}版"


class Document(models.Model):
    """One document of a case (执法文书): a draft the officers edit freely, then issued — its content, number,
    files and their digests frozen and recorded — and, when corrected, superseded by a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已签发"
        SUPERSEDED = "superseded", "已更正（被新版本取代）"
        DISCARDED = "discarded", "草稿已作废"

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="issued_documents")
    code = models.CharField("文书", max_length=40)
    title = models.CharField("标题", max_length=200)
    version = models.PositiveSmallIntegerField("版本", default=1)
    supersedes = models.OneToOneField("self", verbose_name="更正的版本", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    correction_reason = models.TextField("更正理由", blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    inputs = models.JSONField("填写内容", default=dict)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT,
                                   related_name="+")
    drafted_at = models.DateTimeField("起草时间")
    updated_at = models.DateTimeField("修改时间")
    # frozen at issue
    number = models.OneToOneField(DocumentNumber, verbose_name="文号", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="issued_document")
    issued_on = models.DateField("签发日期", null=True, blank=True)
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    content = models.JSONField("签发内容", null=True, blank=True)
    template_version = models.PositiveIntegerField("模板版本", null=True, blank=True)
    template_digest = models.CharField("模板摘要", max_length=64, blank=True)
    algorithm = models.CharField("摘要算法", max_length=8, blank=True)
    docx_digest = models.CharField("Word 文件摘要", max_length=64, blank=True)
    docx_size = models.PositiveIntegerField("Word 文件大小", null=True, blank=True)
    pdf_digest = models.CharField("PDF 文件摘要", max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField("PDF 文件大小", null=True, blank=True)
    registration = models.OneToOneField("cases.CaseDocument", verbose_name="文书登记", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="issued")
    event = models.ForeignKey("records.Event", verbose_name="签发事件", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "执法文书"
        verbose_name_plural = "执法文书"
        ordering = ["case", "issued_on", "id"]

    def __str__(self) -> str:
        return self.title + (f"（{self.number.number}）" if self.number_id else "")

    @property
    def is_issued(self) -> bool:
        return self.status in (self.Status.ISSUED, self.Status.SUPERSEDED)


class Service(models.Model):
    """The service (送达) of one issued document: method, recipient, dates, proof."""

    document = models.ForeignKey(Document, verbose_name="文书", on_delete=models.PROTECT, related_name="services")
    method = models.CharField("送达方式", max_length=16)
    on = models.DateField("送达行为日期", help_text="签收、留置、回执收件、到达系统或公告发出的日期")
    served_on = models.DateField("送达日期", help_text="公告送达为公告发出之日起经过三十日")
    recipient = models.CharField("受送达人（签收人）", max_length=120, blank=True)
    recipient_relation = models.CharField("签收人与当事人的关系", max_length=40, blank=True)
    place = models.CharField("送达地点", max_length=200, blank=True)
    address = models.CharField("送达地址（电子地址）", max_length=200, blank=True)
    witness = models.CharField("见证人", max_length=120, blank=True)
    tracking_no = models.CharField("邮件单号", max_length=60, blank=True)
    reason = models.TextField("公告送达的原因和经过", blank=True)
    medium = models.CharField("公告方式", max_length=200, blank=True)
    av_reason = models.TextField("未能录制的理由", blank=True)
    proof = models.ForeignKey("cases.EvidenceFile", verbose_name="送达回证（回执）扫描件", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    av_file = models.ForeignKey("cases.EvidenceFile", verbose_name="音像记录", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间")
    step = models.ForeignKey("cases.CaseStep", verbose_name="推动的办案步骤", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("records.Event", verbose_name="记录事件", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["document", "on", "id"]

    def __str__(self) -> str:
        return f"{self.document} {self.method} {self.served_on}"
