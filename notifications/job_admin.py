"""The job queue in the admin, in Chinese.

procrastinate's admin (its jobs with their events) shows English model names, field labels,
statuses and a summary template, none of them marked for translation, so no .po entry can
reach them. It is replaced here by read-only pages over proxies of its models (models.py) whose
every label is the portal's own; task, queue and status names are shown by their Chinese names,
the technical name kept on the job's own page. Retrying a failed job stays possible, as in
procrastinate's admin."""

import datetime
import json

from django.apps import apps
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from procrastinate import utils
from procrastinate.contrib.django import admin as procrastinate_admin
from procrastinate.jobs import Status

from notifications.models import PeriodicDefer, QueuedJob, QueuedJobEvent

STATUSES = {
    "todo": _("待执行"),
    "doing": _("执行中"),
    "succeeded": _("已成功"),
    "failed": _("已失败"),
    "cancelled": _("已取消"),
    "aborting": _("正在中止"),
    "aborted": _("已中止"),
}
EVENTS = {
    "deferred": _("排队"),
    "started": _("开始执行"),
    "deferred_for_retry": _("失败后排队重试"),
    "failed": _("失败"),
    "succeeded": _("成功"),
    "cancelled": _("取消"),
    "abort_requested": _("请求中止"),
    "aborted": _("已中止"),
    "scheduled": _("定时"),
}
TASKS = {
    "notifications.deliver_event": _("写入事件消息"),
    "notifications.send_email": _("发送邮件"),
    "notifications.reminders_tick": _("检查是否到了提醒时间"),
    "notifications.daily_reminders": _("每日提醒"),
    "imports.prepare": _("导入:解析上传的版面"),
    "imports.apply": _("导入:写入确认的版面"),
    "imports.clean_old_batches": _("导入:清理一周未动的导入批次"),
    "recommendations.compact_list_counts": _("合并列表计数"),
    "recommendations.rebuild_list_counts": _("重新计算列表计数"),
    "bulk.run": _("批量操作:分批处理所选建议"),
    "bulk.clean_old_jobs": _("批量操作:清理一个月前结束的批量操作"),
}
QUEUES = {
    "notifications": _("消息"),
    "mail": _("邮件"),
    "periodic": _("定时"),
    "default": _("默认"),
    "bulk": _("批量操作"),
}


def _named(table, value):
    return table.get(value, value)


def task_label(name: str) -> str:
    return str(TASKS.get(name, _("其他任务")))


# procrastinate's own (English) job admin is replaced by the one below.
admin.site.unregister(procrastinate_admin.models.ProcrastinateJob)


class _ChoiceFilter(admin.SimpleListFilter):
    """A filter on a column whose stored values are English words, offered by Chinese names."""

    table: dict = {}
    field = ""

    def lookups(self, request, model_admin):
        return list(self.table.items())

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class StatusFilter(_ChoiceFilter):
    title = _("状态")
    parameter_name = "status"
    field = "status"
    table = STATUSES


class TaskFilter(_ChoiceFilter):
    title = _("任务")
    parameter_name = "task"
    field = "task_name"
    table = TASKS


class QueueFilter(_ChoiceFilter):
    title = _("队列")
    parameter_name = "queue"
    field = "queue_name"
    table = QUEUES


class EventInline(admin.TabularInline):
    model = QueuedJobEvent
    fields = ["event", "at_time"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("事件"))
    def event(self, obj):
        return _named(EVENTS, obj.type)

    @admin.display(description=_("时间"))
    def at_time(self, obj):
        return timezone.localtime(obj.at) if obj.at else "—"


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QueuedJob)
class QueuedJobAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["id_number", "task", "queue", "state", "attempt_count", "scheduled", "last"]
    list_filter = [StatusFilter, TaskFilter, QueueFilter]
    fields = [
        "id_number",
        "task",
        "task_name_shown",
        "queue",
        "state",
        "arguments",
        "attempt_count",
        "scheduled",
        "lock_shown",
    ]
    readonly_fields = fields
    inlines = [EventInline]
    ordering = ["-id"]
    list_per_page = 50
    actions = ["retry"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("procrastinateevent_set")

    @admin.display(description=_("编号"), ordering="id")
    def id_number(self, obj):
        return obj.id

    @admin.display(description=_("任务"))
    def task(self, obj):
        return task_label(obj.task_name)

    @admin.display(description=_("任务名(程序内)"))
    def task_name_shown(self, obj):
        return obj.task_name

    @admin.display(description=_("队列"))
    def queue(self, obj):
        return _named(QUEUES, obj.queue_name)

    @admin.display(description=_("状态"))
    def state(self, obj):
        return _named(STATUSES, obj.status)

    @admin.display(description=_("参数"))
    def arguments(self, obj):
        text = json.dumps(obj.args, ensure_ascii=False, indent=2)
        return format_html('<pre style="margin: 0">{}</pre>', text[:2000])

    @admin.display(description=_("已尝试次数"))
    def attempt_count(self, obj):
        return obj.attempts

    @admin.display(description=_("计划执行时间"))
    def scheduled(self, obj):
        return timezone.localtime(obj.scheduled_at) if obj.scheduled_at else "—"

    @admin.display(description=_("锁"))
    def lock_shown(self, obj):
        return obj.lock or obj.queueing_lock or "—"

    @admin.display(description=_("最近事件"))
    def last(self, obj):
        events = sorted(obj.procrastinateevent_set.all(), key=lambda e: (e.at is None, e.at))
        if not events:
            return "—"
        event = events[-1]
        when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S") if event.at else ""
        return f"{_named(EVENTS, event.type)} {when}".strip()

    @admin.action(description=_("重试所选的失败任务"))
    def retry(self, request, queryset):
        job_manager = apps.get_app_config("procrastinate").app.job_manager
        jobs = list(queryset.filter(status__in=(Status.FAILED.value, Status.DOING.value)))
        for job in jobs:
            job_manager.retry_job_by_id(
                job.id, utils.utcnow(), job.priority, job.queue_name, job.lock
            )
        self.message_user(
            request, _("已重新排队 %(n)d 个任务。") % {"n": len(jobs)}, messages.SUCCESS
        )


@admin.register(PeriodicDefer)
class PeriodicDeferAdmin(ReadOnly, admin.ModelAdmin):
    """When each periodic task was last queued (procrastinate queues each tick once)."""

    list_display = ["task", "deferred_for", "job_number"]
    fields = list_display
    readonly_fields = fields
    ordering = ["-defer_timestamp"]

    @admin.display(description=_("任务"))
    def task(self, obj):
        return task_label(obj.task_name)

    @admin.display(description=_("排队时刻"))
    def deferred_for(self, obj):
        if obj.defer_timestamp is None:
            return "—"
        moment = datetime.datetime.fromtimestamp(obj.defer_timestamp, tz=datetime.UTC)
        return timezone.localtime(moment)

    @admin.display(description=_("任务编号"))
    def job_number(self, obj):
        return obj.job_id or "—"
