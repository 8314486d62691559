from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandlingConfig(AppConfig):
    """The handling loop: receipt, requests, review, verdicts, follow-up and the calendar."""

    name = "handling"
    verbose_name = _("办理流程")

    def ready(self):
        from handling import signals  # noqa: F401  (connects the receivers)
