"""Sending one e-mail row through Django's SMTP backend (settings from the environment).

Runs only in a job. Each attempt is written on the row before the job ends, so an address that
keeps failing shows its attempts and last error in the admin while the queue retries it.
"""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from notifications.models import Email

# Errors worth trying again: the server down or refusing for now, a timeout, a reset.
SEND_ERRORS = (smtplib.SMTPException, OSError)
# Backends that keep an e-mail on this machine (development without EMAIL_HOST, settings.py):
# such a row is marked as not delivered, so that nobody takes it for sent; an admin can send it
# again once a server is configured.
UNDELIVERED_BACKENDS = {
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
}


def send(email_id: int, *, last_attempt: bool) -> None:
    """Send the row's e-mail once; raise on failure so that the queue retries it."""
    email = Email.objects.filter(pk=email_id).first()
    if email is None or email.state == Email.State.SENT:
        return  # deleted by an admin, or a retry after a success whose job did not finish
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
    )
    now = timezone.now()
    try:
        message.send()
    except SEND_ERRORS as exc:
        Email.objects.filter(pk=email_id).update(
            state=Email.State.FAILED if last_attempt else Email.State.RETRYING,
            attempts=F("attempts") + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            last_attempt_at=now,
        )
        raise
    delivered = settings.EMAIL_BACKEND not in UNDELIVERED_BACKENDS
    Email.objects.filter(pk=email_id).update(
        state=Email.State.SENT if delivered else Email.State.WRITTEN,
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        sent_at=now if delivered else None,
        last_error="",
    )
