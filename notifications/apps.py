from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Messages in the portal, e-mail and reminders, driven by the job queue."""

    name = "notifications"
    verbose_name = _("消息与提醒")
