"""The full-process record: an append-only, hash-chained log of events (DESIGN.md §4)."""

from django.conf import settings
from django.db import models


class Event(models.Model):
    """One recorded act. The id is the sequence; `hash` chains it to the event before it."""

    id = models.BigAutoField("序号", primary_key=True)
    occurred_at = models.DateTimeField("时间（UTC）", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=80, blank=True)
    role = models.CharField("角色", max_length=64, blank=True)
    agency = models.ForeignKey("org.Agency", verbose_name="机关", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    case_id = models.BigIntegerField("案件", null=True, blank=True, db_index=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    subject = models.CharField("对象", max_length=120, blank=True, db_index=True)
    payload = models.TextField("内容（规范 JSON）")
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)
    algorithm = models.CharField("算法", max_length=8, default="sm3")

    class Meta:
        verbose_name = "记录事件"
        verbose_name_plural = "记录事件"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.id} {self.action}"


class Verification(models.Model):
    """One run of ``zhifa verify`` (by hand or by the weekly ``tick``): what it checked and
    what it found. The audit administrator sees these runs; a failed run alerts them."""

    class Trigger(models.TextChoices):
        COMMAND = "command", "命令"
        TICK = "tick", "定时任务"

    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间")
    trigger = models.CharField("发起方式", max_length=8, choices=Trigger.choices)
    case_id = models.BigIntegerField("案件", null=True, blank=True)
    events_checked = models.BigIntegerField("校验事件数", default=0)
    files_checked = models.BigIntegerField("校验文件数", default=0)
    last_event = models.BigIntegerField("最后事件序号", null=True, blank=True)
    last_hash = models.CharField("最后哈希", max_length=64, blank=True)
    ok = models.BooleanField("通过")
    message = models.TextField("发现的问题", blank=True)

    class Meta:
        verbose_name = "完整性校验"
        verbose_name_plural = "完整性校验"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'通过' if self.ok else '未通过'}"
