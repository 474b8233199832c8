"""The case (案件): its procedure state, people, penalties, documents, records, clocks and steps.

Names are English with the domain's Chinese word in ``verbose_name`` (docs/glossary.md). Only
``zhifa.cases.services`` writes these rows: every change is a :class:`CaseStep` with its record event, taken
under a lock on the case row (DESIGN.md §4 "Procedure as data").
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.law import procedure as proc

PROCEDURE_CHOICES = [(p.value, label) for p, label in proc.PROCEDURE_LABELS.items()]
STATE_CHOICES = [(s.value, label) for s, label in proc.STATE_LABELS.items()]
DECISION_CHOICES = [(d.value, label) for d, label in proc.DECISION_LABELS.items()]
CLUE_SOURCE_CHOICES = list(proc.CLUE_SOURCES.items())
DOCUMENT_CHOICES = list(proc.DOCUMENT_LABELS.items())
RECORD_CHOICES = list(proc.RECORD_LABELS.items())
EVIDENCE_CHOICES = list(proc.EVIDENCE_KINDS.items())
APPROVAL_CHOICES = list(proc.APPROVAL_LABELS.items())
EXCLUSION_CHOICES = [(e.code, e.label) for e in proc.EXCLUSIONS.values()]

SERVICE_METHODS = {"direct": "直接送达", "lodged": "留置送达", "post": "邮寄送达", "electronic": "电子送达",
                   "public_notice": "公告送达", "on_the_spot": "当场交付"}


class CaseSequence(models.Model):
    """The running number of an agency's case references in one year and series (案件编号)."""

    agency = models.ForeignKey("org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    series = models.CharField("类别字", max_length=4, help_text="“案”为普通程序，“简”为当场处罚")
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "案件编号序列"
        verbose_name_plural = "案件编号序列"
        constraints = [models.UniqueConstraint(fields=["agency", "year", "series"], name="case_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.series}〔{self.year}〕{self.last}"


class Case(models.Model):
    """案件: one enforcement case of an agency, from 案源登记 (or 当场处罚) to 归档.

    The state, the procedure and the fields the guards read live here; people, documents, records,
    approvals, clocks and reviews are related rows. ``version`` goes up by one with every step, so a form
    built on an older version is refused as stale instead of overwriting someone else's step.
    """

    agency = models.ForeignKey("org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="cases")
    procedure = models.CharField("程序", max_length=16, choices=PROCEDURE_CHOICES)
    state = models.CharField("办案阶段", max_length=24, choices=STATE_CHOICES, db_index=True)
    prior_state = models.CharField("中止前阶段", max_length=24, choices=STATE_CHOICES, blank=True)
    reference = models.CharField("案件编号", max_length=60, blank=True,
                                 help_text="立案（当场处罚：作出决定）时按机关、年度顺序编号，如“平文旅案〔2026〕15号”")
    title = models.CharField("案由", max_length=200)
    creation_key = models.CharField("创建请求标识", max_length=100, null=True, blank=True, unique=True,
                                    editable=False)

    # clue and the act
    clue_source = models.CharField("案源来源", max_length=16, choices=CLUE_SOURCE_CHOICES, blank=True)
    clue_received_on = models.DateField("案源登记日期", null=True, blank=True)
    clue_note = models.TextField("案源情况", blank=True)
    act_date = models.DateField("违法行为发生日期", null=True, blank=True)
    act_end_date = models.DateField("违法行为终了日期", null=True, blank=True,
                                    help_text="违法行为有连续或者继续状态的，终了之日（第三十六条）")
    discovered_on = models.DateField("发现违法行为日期", null=True, blank=True)
    serious_limitation = models.BooleanField(
        "适用五年追责时效", default=False,
        help_text="涉及公民生命健康安全、金融安全且有危害后果的（第三十六条）")
    filed_on = models.DateField("立案日期", null=True, blank=True)
    party = models.ForeignKey("parties.Party", verbose_name="当事人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="cases")
    other_parties = models.ManyToManyField("parties.Party", verbose_name="其他当事人", through="CaseParty",
                                           related_name="+", blank=True)
    items = models.ManyToManyField("catalog.EnforcementItem", verbose_name="执法事项", through="CaseItem",
                                   related_name="cases", blank=True)
    facts_established = models.BooleanField("违法事实确凿并有法定依据", default=True)
    prior_fines_same_act = models.PositiveSmallIntegerField(
        "同一违法行为已受罚款次数", default=0, help_text="第二十九条：同一个违法行为不得给予两次以上罚款")

    # review grounds of Art 58(1) and the major-case flag of Art 57(2)
    review_public_interest = models.BooleanField("涉及重大公共利益", default=False)
    review_complex = models.BooleanField("案件情况疑难复杂、涉及多个法律关系", default=False)
    review_other_law = models.BooleanField("法律、法规规定应当法制审核", default=False)
    major_case = models.BooleanField("情节复杂或者重大违法行为（须集体讨论）", default=False)
    collective_discussion_held = models.BooleanField("已集体讨论", default=False)
    hearing_other_heavy = models.BooleanField(
        "其他较重的行政处罚（告知听证）", default=False, help_text="第六十三条第一款第五项，由机关认定")

    # penalties: {"kinds": [...], "fine": "5000.00", "confiscation": "800.00"}
    proposed_penalty = models.JSONField("拟处罚", null=True, blank=True)
    notified_penalty = models.JSONField("告知的处罚", null=True, blank=True)
    decided_penalty = models.JSONField("决定的处罚", null=True, blank=True)
    decision_kind = models.CharField("处理决定", max_length=16, choices=DECISION_CHOICES, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)

    # discretion (zhifa.law.discretion; the latest assessment the officer ran)
    assessment = models.JSONField("裁量计算结果", null=True, blank=True)
    assessment_facts = models.JSONField("裁量计算事实", null=True, blank=True)
    assessed_on = models.DateField("裁量计算日期", null=True, blank=True)
    recommended_min = models.DecimalField("建议罚款下限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    recommended_max = models.DecimalField("建议罚款上限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    outside_range_reason = models.TextField("超出裁量建议幅度的理由", blank=True)

    # notice, statements, hearing
    notice_served_on = models.DateField("事先告知书送达日期", null=True, blank=True)
    statement_waived = models.BooleanField("当事人放弃陈述、申辩", default=False)
    hearing_requested_on = models.DateField("要求听证日期", null=True, blank=True)
    hearing_waived = models.BooleanField("当事人放弃听证", default=False)
    hearing_declined = models.BooleanField("不予听证", default=False)
    hearing_notice_on = models.DateField("听证通知送达日期", null=True, blank=True)
    hearing_date = models.DateField("听证日期", null=True, blank=True)
    hearing_place = models.CharField("听证地点", max_length=200, blank=True)
    hearing_host = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="听证主持人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    hearing_held_on = models.DateField("举行听证日期", null=True, blank=True)

    # service and performance
    decision_served_on = models.DateField("决定书送达日期", null=True, blank=True)
    service_method = models.CharField("送达方式", max_length=16, choices=list(SERVICE_METHODS.items()), blank=True)
    public_notice_on = models.DateField("公告送达日期", null=True, blank=True)
    deferred_until = models.DateField("批准延期（分期）缴纳至", null=True, blank=True)
    surcharge_amount = models.DecimalField("加处罚款（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    urge_served_on = models.DateField("催告书送达日期", null=True, blank=True)
    court_applied_on = models.DateField("申请法院强制执行日期", null=True, blank=True)
    hard_to_enforce = models.BooleanField("事后难以执行", default=False, help_text="第六十八条第二项")
    remote_area = models.BooleanField("边远、水上、交通不便地区", default=False, help_text="第六十九条")
    party_requests_collection = models.BooleanField("当事人提出当场缴纳", default=False, help_text="第六十九条")
    closed_on = models.DateField("结案日期", null=True, blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)
    archive_no = models.CharField("档案号", max_length=60, blank=True)

    # The nearest running clock's due date, the agency's and the party's (procedure.clock_binds), kept by the case
    # service with every step so the lists sort by urgency from an index instead of grouping every clock row.
    next_due = models.DateField("最近的机关期限届满日", null=True, blank=True, editable=False)
    next_party_due = models.DateField("最近的当事人期限届满日", null=True, blank=True, editable=False)

    version = models.PositiveIntegerField("版本", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "reference"], condition=~Q(reference=""),
                                    name="case_reference_unique"),
        ]
        indexes = [models.Index(fields=["agency", "state"]), models.Index(fields=["agency", "-id"]),
                   models.Index(fields=["agency", "next_due", "next_party_due", "-id"], name="case_agency_urgency"),
                   models.Index(fields=["next_due", "next_party_due", "-id"], name="case_urgency")]

    def __str__(self) -> str:
        return self.reference or f"{self.title}（案源 {self.pk}）"

    @property
    def state_label(self) -> str:
        return proc.STATE_LABELS[proc.State(self.state)]


class CaseParty(models.Model):
    """A further party of the case (共同违法等), besides the main ``Case.party``."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="case_parties")
    party = models.ForeignKey("parties.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "案件其他当事人"
        verbose_name_plural = "案件其他当事人"
        constraints = [models.UniqueConstraint(fields=["case", "party"], name="case_party_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.party_id}"


class CaseItem(models.Model):
    """An enforcement item (执法事项) the case is about; its domain decides who may enforce (Art 42)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="case_items")
    item = models.ForeignKey("catalog.EnforcementItem", verbose_name="执法事项", on_delete=models.PROTECT,
                             related_name="+")
    is_primary = models.BooleanField("主要事项", default=False)
    added_on = models.DateField("添加日期")

    class Meta:
        verbose_name = "案件执法事项"
        verbose_name_plural = "案件执法事项"
        ordering = ["-is_primary", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="case_item_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.item_id}"


class CaseHandler(models.Model):
    """An officer assigned to the case (承办人员). A removed handler stays as a row: they investigated."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="handlers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="执法人员", on_delete=models.PROTECT,
                             related_name="case_handlings")
    is_lead = models.BooleanField("主办人", default=False)
    conflict_declared = models.BooleanField("有应当回避的情形", default=False, help_text="第四十三条")
    conflict_reason = models.CharField("回避情形", max_length=200, blank=True)
    added_on = models.DateField("指派日期")
    removed_on = models.DateField("撤换日期", null=True, blank=True)
    removal_reason = models.CharField("撤换原因", max_length=200, blank=True)

    # Copies of the case's agency, state and urgency dates, kept by database triggers (migration
    # 0006_handler_queue) on every write of either table: "我承办的" is then read, counted and sorted from this
    # table's index alone instead of looking up each of an officer's thousands of cases.
    case_agency_id = models.BigIntegerField("案件所属机关", null=True, editable=False)
    case_state = models.CharField("案件阶段", max_length=32, blank=True, default="", editable=False)
    next_due = models.DateField("最近的机关期限届满日", null=True, editable=False)
    next_party_due = models.DateField("最近的当事人期限届满日", null=True, editable=False)

    class Meta:
        verbose_name = "承办人员"
        verbose_name_plural = "承办人员"
        ordering = ["-is_lead", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], condition=Q(removed_on__isnull=True),
                                               name="case_handler_active_unique")]
        indexes = [models.Index(fields=["user", "case_state", "next_due", "next_party_due", "case", "case_agency_id"],
                                condition=Q(removed_on__isnull=True), name="case_handler_queue")]

    def __str__(self) -> str:
        return str(self.user)


class CaseStep(models.Model):
    """One step taken on a case (a row of the procedure table, or a bookkeeping act such as 指派人员).

    ``idempotency_key`` is the caller's key for the request: the same key again returns this step instead of
    taking the step twice. ``event`` is the record event written in the same transaction.
    """

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="steps")
    version = models.PositiveIntegerField("案件版本")
    action = models.CharField("动作", max_length=32, db_index=True)
    procedure = models.CharField("程序", max_length=16, choices=PROCEDURE_CHOICES)
    from_state = models.CharField("原阶段", max_length=24, choices=STATE_CHOICES, blank=True)
    to_state = models.CharField("新阶段", max_length=24, choices=STATE_CHOICES)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
                              related_name="+")
    on = models.DateField("办理日期")
    at = models.DateTimeField("记录时间")
    payload = models.JSONField("内容", default=dict)
    idempotency_key = models.CharField("请求标识", max_length=100)
    request_hash = models.CharField("请求摘要", max_length=64)
    event = models.ForeignKey("records.Event", verbose_name="记录事件", null=True, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        verbose_name = "办案步骤"
        verbose_name_plural = "办案步骤"
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "idempotency_key"], name="case_step_key_unique"),
            models.UniqueConstraint(fields=["case", "version"], name="case_step_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.version} {self.action}"

    @property
    def label(self) -> str:
        from .payload import action_label

        return action_label(self.action)


class CaseApproval(models.Model):
    """A head's approval that precedes an officer's act (先行登记保存, 查封扣押, 拟处罚意见;
    procedure.APPROVAL_LABELS)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField("审批事项", max_length=32, choices=APPROVAL_CHOICES)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT,
                                   related_name="+")
    decided_on = models.DateField("审批日期")
    approved = models.BooleanField("批准", default=True)
    note = models.TextField("审批意见", blank=True)
    step = models.ForeignKey(CaseStep, verbose_name="办案步骤", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "负责人审批"
        verbose_name_plural = "负责人审批"
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{'批准' if self.approved else '不予批准'}，{self.decided_on}）"


class CaseDocument(models.Model):
    """The registration of a document's existence (执法文书; rendering and numbering are the documents app's)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="documents")
    code = models.CharField("文书", max_length=40, choices=DOCUMENT_CHOICES)
    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("制作（送达）日期")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    step = models.ForeignKey(CaseStep, verbose_name="办案步骤", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "案件文书"
        verbose_name_plural = "案件文书"
        ordering = ["issued_on", "id"]

    def __str__(self) -> str:
        return self.title


class CaseRecord(models.Model):
    """A record or piece of evidence on the case: 音像记录, 教育记录, 缴款凭证 … or one of the eight kinds of
    evidence of Art 46 (``code`` "evidence" with ``evidence_kind``)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="records")
    code = models.CharField("记录", max_length=40, choices=RECORD_CHOICES)
    evidence_kind = models.CharField("证据种类", max_length=24, choices=EVIDENCE_CHOICES, blank=True)
    description = models.TextField("内容", blank=True)
    file_hash = models.CharField("文件哈希", max_length=64, blank=True)
    made_on = models.DateField("形成日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    step = models.ForeignKey(CaseStep, verbose_name="办案步骤", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "案件记录和证据"
        verbose_name_plural = "案件记录和证据"
        ordering = ["made_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.description[:40]}".strip()


class EvidenceFile(models.Model):
    """A file of the case: evidence of Art 46 or an audio-video record (音像记录), stored once by its content digest
    (``cases.files``). Who uploaded it, when and where it was made, the device (执法记录仪编号) are kept here; every
    act on the file (upload, attachment to a record, download, export) is an event with subject ``file:<digest>``,
    which is its chain of custody. ``record`` is set when a step's record or evidence entry names the file."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="files")
    record = models.ForeignKey(CaseRecord, verbose_name="所属记录或证据", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="files")
    digest = models.CharField("内容摘要", max_length=64, db_index=True)
    algorithm = models.CharField("摘要算法", max_length=8, default="sm3")
    size = models.BigIntegerField("大小（字节）")
    media_type = models.CharField("文件类型", max_length=100)
    original_name = models.CharField("原文件名", max_length=255)
    storage_name = models.CharField("存储名", max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间")
    captured_at = models.DateTimeField("形成（开始录制）时间", null=True, blank=True)
    captured_until = models.DateTimeField("结束录制时间", null=True, blank=True)
    place = models.CharField("形成地点", max_length=200, blank=True)
    device = models.CharField("设备编号", max_length=80, blank=True, help_text="执法记录仪等音像设备的编号")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "案件文件"
        verbose_name_plural = "案件文件"
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "digest"], name="evidencefile_case_digest")]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.digest[:12]}）"


class CaseClock(models.Model):
    """One running (or stopped) period of the case: 立案期限, 九十日办案期限, 查封期限, 缴纳期限 …

    ``base_due_on`` is what the clock's rule gives from ``started_on`` (``zhifa.law.clocks.due``, or the
    policy for the two policy clocks), with a recorded seizure extension. ``due_on`` is always recomputed from
    the events, never typed in: the base date, plus approved extensions (``extension_days``), plus the days of
    excluded periods that have closed (``paused_days``; 听证, 公告, 检测鉴定, 中止). ``paused_since`` is set while
    an excluded period is open, and the due date then moves on day by day.
    """

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="clocks")
    code = models.CharField("期限", max_length=40)
    name = models.CharField("名称", max_length=60)
    started_on = models.DateField("起算日")
    base_due_on = models.DateField("法定届满日")
    due_on = models.DateField("届满日", db_index=True)
    due_at = models.DateTimeField("届满时刻", null=True, blank=True, help_text="以小时计的期限")
    basis = models.TextField("依据")
    extended = models.BooleanField("已延长", default=False)
    extension_days = models.PositiveIntegerField("延长天数", default=0)
    extensions = models.PositiveSmallIntegerField("延长次数", default=0)
    paused_days = models.PositiveIntegerField("不计入天数", default=0)
    paused_since = models.DateField("暂停自", null=True, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    stopped_on = models.DateField("停止日", null=True, blank=True)
    started_step = models.ForeignKey(CaseStep, verbose_name="起算步骤", null=True, on_delete=models.PROTECT,
                                     related_name="+")
    stopped_step = models.ForeignKey(CaseStep, verbose_name="停止步骤", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "案件期限"
        verbose_name_plural = "案件期限"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], condition=Q(stopped_on__isnull=True),
                                               name="case_clock_running_unique")]
        indexes = [models.Index(fields=["due_on"], condition=Q(stopped_on__isnull=True), name="case_clock_open_due")]

    def __str__(self) -> str:
        return f"{self.name} 至 {self.due_on}"

    @property
    def running(self) -> bool:
        return self.stopped_on is None

    def recompute(self) -> None:
        self.due_on = self.base_due_on + timedelta(days=self.extension_days + self.paused_days)


class ClockPause(models.Model):
    """An excluded period (不计入期间): opened and closed by recorded steps (procedure.EXCLUSIONS)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField("不计入期间", max_length=16, choices=EXCLUSION_CHOICES)
    opened_on = models.DateField("开始日")
    closed_on = models.DateField("结束日", null=True, blank=True)
    opened_step = models.ForeignKey(CaseStep, verbose_name="开始步骤", null=True, on_delete=models.PROTECT,
                                    related_name="+")
    closed_step = models.ForeignKey(CaseStep, verbose_name="结束步骤", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "不计入期间"
        verbose_name_plural = "不计入期间"
        ordering = ["opened_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], condition=Q(closed_on__isnull=True),
                                               name="clock_pause_open_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.opened_on}—{self.closed_on or ''}"

    @property
    def days(self) -> int | None:
        return (self.closed_on - self.opened_on).days if self.closed_on else None


class LegalReview(models.Model):
    """法制审核 of the case by the 法制股 (Art 58): submitted, then passed or failed with a written opinion and
    the checks of law.md §2.3."""

    class Status(models.TextChoices):
        PENDING = "pending", "审核中"
        PASSED = "passed", "通过"
        FAILED = "failed", "不通过"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField("审核结果", max_length=8, choices=Status.choices, default=Status.PENDING)
    submitted_on = models.DateField("提请日期")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提请人", on_delete=models.PROTECT,
                                     related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="指定审核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="legal_reviews")
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    opinion = models.TextField("审核意见", blank=True)
    checks = models.JSONField("审核事项", default=dict, blank=True)
    check_notes = models.JSONField("审核事项意见", default=dict, blank=True)

    class Meta:
        verbose_name = "法制审核"
        verbose_name_plural = "法制审核"
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "submitted_on"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"


class Payment(models.Model):
    """A payment on the case: the fine paid at the bank or electronically, or collected on the spot (Art 67–71)."""

    METHODS = {"bank": "银行缴纳", "electronic": "电子支付", "on_the_spot": "当场收缴"}

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    paid_on = models.DateField("缴纳日期")
    method = models.CharField("方式", max_length=16, choices=list(METHODS.items()))
    receipt_no = models.CharField("票据号码", max_length=60, blank=True)
    deposited_on = models.DateField("交至行政机关日期", null=True, blank=True, help_text="当场收缴的，第七十一条")
    step = models.ForeignKey(CaseStep, verbose_name="办案步骤", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "缴款"
        verbose_name_plural = "缴款"
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.amount} 元（{self.paid_on}）"


class Notification(models.Model):
    """An in-app reminder of an agency deadline (期限提醒), raised by the daily ``tick`` (zhifa.cases.notify).

    One per recipient, clock and kind: a clock that stays due-soon or overdue is not announced again each day.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "即将届满"
        OVERDUE = "overdue", "已逾期"
        RECORD_BROKEN = "record_broken", "记录校验未通过"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                                  related_name="notifications")
    case = models.ForeignKey(Case, verbose_name="案件", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    clock = models.ForeignKey(CaseClock, verbose_name="期限", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="notifications")
    kind = models.CharField("提醒类别", max_length=16, choices=Kind.choices)
    message = models.TextField("内容")
    created_at = models.DateTimeField("提醒时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "期限提醒"
        verbose_name_plural = "期限提醒"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "clock", "kind"], name="notification_unique")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_recipient_unread")]

    def __str__(self) -> str:
        return self.message
