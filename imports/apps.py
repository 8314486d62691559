from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Uploaded newspaper pages waiting for the admin's confirmation, and the import job."""

    name = "imports"
    verbose_name = _("版面导入")
