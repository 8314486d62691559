"""django-axes under a Chinese name: its app and its records' titles appear in the admin."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _record_title(record) -> str:
    when = timezone.localtime(record.attempt_time).strftime("%Y-%m-%d %H:%M")
    return f"{record.username or '—'} · {record.ip_address or '—'} · {when}"


class AxesConfig(BaseAxesConfig):
    verbose_name = _("登录限制")

    def ready(self):
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        # axes titles its records in English ("Access Log for …"); the admin shows them as
        # page titles and breadcrumbs.
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.__str__ = _record_title
