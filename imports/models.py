"""An upload waiting for the admin: the files as uploaded, what importing them would do (the
preview), and, once confirmed, the import job's progress and every file's outcome.

The batch lives in the database (keyed by a random token in its URL), so its preview survives
a page refresh and the import can run in a worker; cancelling deletes it, leaving no trace.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A running batch records a step after every file (a page takes well under a second), so one
# without a step for this long has lost its worker (killed, or the machine restarted): a killed
# worker leaves its job "doing" for ever and never reaches jobs._fail.
STALE_AFTER = datetime.timedelta(minutes=30)
# Finished, failed, cancelled-by-neglect and interrupted batches are deleted after this long
# (clean_import_batches, also run every night by the worker).
KEEP_FOR = datetime.timedelta(days=7)


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("正在解析")
        READY = "ready", _("待确认")
        QUEUED = "queued", _("等待导入")
        IMPORTING = "importing", _("正在导入")
        DONE = "done", _("已完成")
        FAILED = "failed", _("出错")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("整批导入:有一个文件不能导入,就一个都不导入")
        EACH_FILE = "each", _("逐个导入:能导入的文件照常导入")

    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    published_on = models.DateField(_("出版日期"), null=True, blank=True)
    mode = models.CharField(
        _("多个文件时"), max_length=10, choices=Mode.choices, default=Mode.ALL_OR_NOTHING
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PREPARING
    )
    progress_done = models.PositiveIntegerField(_("已完成步骤"), default=0)
    progress_total = models.PositiveIntegerField(_("总步骤"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=300, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.PREPARING, self.Status.QUEUED, self.Status.IMPORTING)

    @property
    def stalled(self) -> bool:
        """Running, but with no step for STALE_AFTER: its worker is gone (shown as 已中断)."""
        return self.running and timezone.now() - self.updated_at > STALE_AFTER

    @property
    def in_progress(self) -> bool:
        return self.running and not self.stalled

    @property
    def status_label(self) -> str:
        return _("已中断") if self.stalled else self.get_status_display()

    @classmethod
    def old(cls, now=None):
        """Batches no one needs any more: untouched for KEEP_FOR (far beyond STALE_AFTER, so a
        batch still running is never among them). An interrupted all-or-nothing import wrote
        nothing; what a file-by-file one stored is in the catalogue, not in the batch."""
        return cls.objects.filter(updated_at__lt=(now or timezone.now()) - KEEP_FOR)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class ImportFile(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField(_("顺序"))
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小"))
    data = models.BinaryField(_("内容"), blank=True)  # empty for a file refused for its size
    text = models.TextField(_("文本"), blank=True)  # decoded, for the source beside the preview
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    refusal = models.TextField(_("不能导入的原因"), blank=True)
    replace = models.BooleanField(_("确认替换"), default=False)
    imported = models.BooleanField(_("已导入"), null=True)
    result = models.TextField(_("结果"), blank=True)

    class Meta:
        ordering = ["batch", "position"]
        verbose_name = _("导入文件")
        verbose_name_plural = _("导入文件")

    def __str__(self):
        return self.name
