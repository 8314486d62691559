from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.apps import ProcrastinateConfig


class NotificationsConfig(AppConfig):
    """Messages in the portal, e-mail and reminders, driven by the job queue."""

    name = "notifications"
    verbose_name = _("消息与提醒")


class JobQueueConfig(ProcrastinateConfig):
    """procrastinate's Django app (jobs, workers, their admin) under a Chinese name."""

    verbose_name = _("任务队列")
