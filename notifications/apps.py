from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.apps import ProcrastinateConfig


class NotificationsConfig(AppConfig):
    """Messages in the portal, e-mail and reminders, driven by the job queue."""

    # This module also holds the job queue's config: "notifications" in INSTALLED_APPS means this.
    default = True
    name = "notifications"
    verbose_name = _("消息与提醒")

    def ready(self):
        # Connects the event listener; registers the deploy check on the mail server.
        from notifications import checks, receivers  # noqa: F401


class JobQueueConfig(ProcrastinateConfig):
    """procrastinate's Django app (jobs, workers, their admin) under a Chinese name."""

    verbose_name = _("任务队列")
