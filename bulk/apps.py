from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkConfig(AppConfig):
    """Large bulk actions as background jobs on the queue, with their progress (bulk/jobs.py)."""

    name = "bulk"
    verbose_name = _("批量操作")
