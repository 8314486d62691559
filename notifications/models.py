"""Messages in the portal, e-mails and the rows that make reminders happen once.

A handling event becomes, in a job (never in the web request), one `Message` per recipient and,
where the recipient wants it, one `Email` row that a second job sends. An e-mail row is never
deleted: its state, attempts and last error are what admins look at when mail does not arrive.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.models import (
    ProcrastinateEvent,
    ProcrastinateJob,
    ProcrastinatePeriodicDefer,
)

from recommendations.models import Recommendation


class Kind(models.TextChoices):
    """What a message is about: the handling events (recommendations/events.py) and the periodic
    findings. The values are the event kinds; the labels are what users choose in settings."""

    ASSIGNED = "assigned", _("建议交办给本部门")
    RETURN_REQUESTED = "return_requested", _("部门申请退回")
    RETURN_DECIDED = "return_decided", _("退回申请的决定")
    EXTENSION_REQUESTED = "extension_requested", _("部门申请延期")
    EXTENSION_DECIDED = "extension_decided", _("延期申请的决定")
    CO_OPINION = "co_opinion", _("协办部门提交意见")
    ANSWER_SUBMITTED = "answer_submitted", _("答复提交审核")
    ANSWER_APPROVED = "answer_approved", _("答复审核通过")
    ANSWER_RETURNED = "answer_returned", _("答复被退回修改")
    VERDICT = "verdict", _("建议人评价答复")
    SUPERVISED = "supervised", _("列入或移出重点督办")
    DROPPED_FROM_SOURCE = "dropped_from_source", _("在办建议已从原文移除")
    COMMENTED = "commented", _("办理中的建议有新评论")
    DEADLINE_NEAR = "deadline_near", _("办理期限临近")
    OVERDUE = "overdue", _("建议已逾期")
    OVERDUE_SUMMARY = "overdue_summary", _("逾期建议每周汇总")
    FOLLOW_UP_DUE = "follow_up_due", _("跟踪回访日期已到")


class MessageQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def unread_first(self):
        # NULLS FIRST: unread (no read_at) before read, newest first within each.
        return self.order_by(models.F("read_at").desc(nulls_first=True), "-created_at", "-pk")


class Message(models.Model):
    """One notice in one user's 消息 page."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="portal_messages",
    )
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    # Where the message leads; usually the item's page (a summary leads to a filtered list).
    link = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Waiting for this user's daily digest (they chose one digest instead of single e-mails).
    in_digest = models.BooleanField(_("待汇总发送"), default=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [
            # The header's unread count and the 消息 page both start from the recipient.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="message_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="message_recipient_created"),
            models.Index(
                fields=["recipient"], condition=models.Q(in_digest=True), name="message_in_digest"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("notifications:open", args=[self.pk])

    @property
    def target(self) -> str:
        if self.link:
            return self.link
        if self.recommendation_id:
            return reverse("recommendation_detail", args=[self.recommendation_id])
        return reverse("notifications:inbox")


class Preference(models.Model):
    """A user's choice of e-mail: one per event kind (some kinds off), or one daily digest.

    Without a row a user gets every kind by e-mail at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    digest = models.BooleanField(_("每天汇总成一封邮件"), default=False)
    muted_kinds = ArrayField(
        models.CharField(max_length=32, choices=Kind.choices),
        verbose_name=_("不发邮件的类型"),
        default=list,
        blank=True,
    )

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")

    def __str__(self):
        return f"{self.user}"

    def wants_email(self, kind: str) -> bool:
        return kind not in self.muted_kinds


class Email(models.Model):
    """One e-mail to one address, from queued to sent; failures stay visible and are retried."""

    class State(models.TextChoices):
        QUEUED = "queued", _("待发送")
        RETRYING = "retrying", _("发送失败,等待重试")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("多次失败,已停止重试")
        # Development without a mail server (settings.py): written to a file, not delivered.
        WRITTEN = "written", _("开发环境:未发出,已写入文件")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    to_address = models.EmailField(_("收件地址"))
    subject = models.CharField(_("主题"), max_length=300)
    body = models.TextField(_("正文"))
    kind = models.CharField(_("类型"), max_length=32, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近一次错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("最近一次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件")
        verbose_name_plural = _("邮件")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.to_address}: {self.subject}"


class Reminder(models.Model):
    """A periodic finding handled once: (item, kind, day, department) is unique, so two workers
    running the same reminders, or a retried job, cannot notify twice. `day` is the day the
    finding is about: the deadline for "deadline near", the day of the overdue notice, the
    follow-up date, the Monday of a weekly summary."""

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    day = models.DateField(_("日期"))
    # The audience: a department for department reminders, none for the staff summary.
    department = models.ForeignKey(
        "recommendations.Department",
        verbose_name=_("部门"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("已发提醒")
        verbose_name_plural = _("已发提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recommendation", "day", "department"],
                name="reminder_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.day}"


class ReminderRun(models.Model):
    """A working day whose reminders have all been done: later ticks that day do nothing."""

    day = models.DateField(_("日期"), unique=True)
    finished_at = models.DateTimeField(_("完成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("每日提醒运行")
        verbose_name_plural = _("每日提醒运行")

    def __str__(self):
        return f"{self.day}"


# The job queue's rows (procrastinate's tables) as the admin shows them: proxies that carry
# Chinese names, because procrastinate's own models and admin are not translatable (none of
# their strings is marked for gettext). The admin is in admin.py.


class QueuedJob(ProcrastinateJob):
    class Meta:
        proxy = True
        verbose_name = _("队列任务")
        verbose_name_plural = _("队列任务")

    def __str__(self):
        # procrastinate's own is the call in Python (task name and arguments).
        from notifications.job_admin import task_label

        return f"{self.pk}号任务:{task_label(self.task_name)}"


class QueuedJobEvent(ProcrastinateEvent):
    class Meta:
        proxy = True
        verbose_name = _("任务事件")
        verbose_name_plural = _("任务事件")

    def __str__(self):
        return f"{self.pk}号事件"


class PeriodicDefer(ProcrastinatePeriodicDefer):
    class Meta:
        proxy = True
        verbose_name = _("定时任务排队记录")
        verbose_name_plural = _("定时任务排队记录")

    def __str__(self):
        return f"{self.pk}号定时排队"
