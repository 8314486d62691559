"""`check --deploy`: production sends real e-mail, so its SMTP server must be named.

Without EMAIL_HOST the SMTP backend would try localhost:25, and on a host without a mail server
every e-mail would wait and be retried for hours before anyone noticed (settings.py)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def email_host_named(app_configs, **kwargs):
    if getattr(settings, "PRODUCTION", False) and not settings.EMAIL_HOST_SET:
        return [
            checks.Warning(
                "生产环境未设置 EMAIL_HOST:邮件将尝试发往 localhost:25。",
                hint="请在环境变量中设置内网邮件服务器 EMAIL_HOST(及 EMAIL_PORT、"
                "EMAIL_HOST_USER、EMAIL_HOST_PASSWORD、EMAIL_USE_TLS 等),见 README 的邮件一节。",
                id="notifications.W001",
            )
        ]
    return []
