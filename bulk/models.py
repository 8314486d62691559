"""A bulk action too large for one request: what to do, to which items, and how far it got.

The selection is stored here (the ids, sorted, as they matched when the user sent the form), so
that neither the browser nor the queue carries thousands of ids; the worker takes it in chunks
(workflow.BULK_CHUNK items per transaction) and records its progress in the same transaction as
each chunk, so the page never says more is done than is committed.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A chunk of 200 takes a second or two; a running job with no progress for this long has lost
# its worker (killed, or the machine restarted), which leaves its queue job "doing" for ever.
STALE_AFTER = datetime.timedelta(minutes=5)
# Jobs are kept this long after their last change, for their page (and the record of who ran
# what); the nightly clean-up deletes older ones. The changes themselves are in the history.
KEEP_FOR = datetime.timedelta(days=30)


class BulkJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("等待处理")
        RUNNING = "running", _("正在处理")
        DONE = "done", _("已完成")
        FAILED = "failed", _("出错停止")

    class Action(models.TextChoices):
        TAG = "tag", _("添加标签")
        UNTAG = "untag", _("移除标签")
        ASSIGN = "assign", _("交办")
        STATUS = "status", _("更改状态")

    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    # What the form chose, by primary key and ISO date (jobs.py reads it back).
    params = models.JSONField(_("参数"), default=dict)
    summary = models.CharField(_("内容"), max_length=500, blank=True)
    ids = ArrayField(models.BigIntegerField(), verbose_name=_("所选建议"), default=list)
    total = models.PositiveIntegerField(_("总条数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    changed = models.PositiveIntegerField(_("已更改"), default=0)
    refused_count = models.PositiveIntegerField(_("未更改"), default=0)
    # The first REFUSALS_KEPT refused items: {"id", "label", "reason"}.
    refusals = models.JSONField(_("未更改的建议"), default=list, blank=True)
    error = models.TextField(_("错误"), blank=True)
    # Where the user came from (the filtered list or changelist) and the action's URL, which the
    # history's context records as a request's would.
    back_url = models.CharField(_("返回地址"), max_length=2000, blank=True)
    origin = models.CharField(_("发起地址"), max_length=300, blank=True)
    # Raised by every start of a run: a run whose attempt is no longer current stops (a job
    # continued after its worker was presumed dead must not be processed twice at once).
    attempt = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("批量操作")
        verbose_name_plural = _("批量操作")

    def __str__(self):
        return f"{self.get_action_display()} {self.total} 条({self.status_label})"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def stalled(self) -> bool:
        """Running, with no progress for STALE_AFTER: its worker is gone (shown as 已中断)."""
        return self.status == self.Status.RUNNING and timezone.now() - self.updated_at > STALE_AFTER

    @property
    def in_progress(self) -> bool:
        return self.running and not self.stalled

    @property
    def status_label(self) -> str:
        return _("已中断") if self.stalled else self.get_status_display()

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.processed)

    @property
    def can_continue(self) -> bool:
        return (self.status == self.Status.FAILED or self.stalled) and self.remaining > 0

    @property
    def percent(self) -> int:
        if not self.total:
            return 100
        return min(100, 100 * self.processed // self.total)

    @classmethod
    def old(cls, now=None):
        return cls.objects.filter(updated_at__lt=(now or timezone.now()) - KEEP_FOR).exclude(
            status__in=(cls.Status.QUEUED, cls.Status.RUNNING)
        )
