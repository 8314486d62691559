"""From a handling event to messages, e-mails and digests (runs in jobs, never in a request).

Who hears of what (domain.md, issue #13) is the table `AUDIENCES`: each kind names the people to
tell, and the person who acted is never among them. Each message is rendered from the template
`notifications/events/<kind>.txt` (first line the title, the rest the body); each e-mail from
`notifications/email/*.txt`, with a link built on `PORTAL_BASE_URL`.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications import jobs
from notifications.models import Email, Kind, Message, Preference
from recommendations.models import ROLE_HANDLER, ROLE_STAFF, Department, Recommendation, User


@dataclass(frozen=True)
class Recipient:
    user: User
    # The department this user hears for ("lead" or "co"), or "" for staff.
    part: str = ""


def handlers_of(department_ids: Iterable[int]):
    return User.objects.filter(
        is_active=True, department_id__in=list(department_ids), groups__name=ROLE_HANDLER
    )


def staff_users():
    return User.objects.filter(is_active=True, groups__name=ROLE_STAFF)


def department_recipients(rec, department_ids: Iterable[int]) -> list[Recipient]:
    ids = [i for i in department_ids if i]
    return [
        Recipient(u, "lead" if u.department_id == rec.lead_department_id else "co")
        for u in handlers_of(ids).select_related("department")
    ]


def _staff(rec, data) -> list[Recipient]:
    return [Recipient(u) for u in staff_users()]


def _assigned_departments(rec, data) -> list[Recipient]:
    lead = data.get("lead_department_id") or rec.lead_department_id
    return department_recipients(rec, [lead, *data.get("co_department_ids", [])])


def _the_department(rec, data) -> list[Recipient]:
    # The department the decision or verdict is about (a co-department for its own request).
    return department_recipients(rec, [data.get("department_id") or rec.lead_department_id])


def _lead_department(rec, data) -> list[Recipient]:
    return department_recipients(rec, [rec.lead_department_id])


def _lead_department_and_staff(rec, data) -> list[Recipient]:
    # A dropped item: its department is told that its work may stop, staff that they decide.
    return _lead_department(rec, data) + _staff(rec, data)


def _parties(rec, data) -> list[Recipient]:
    """Everyone handling the item: its departments and staff (a comment on an item in hand)."""
    if rec.lead_department_id is None:
        return []  # not handed to anyone yet: a remark for the catalogue, nobody to tell
    co_ids = list(rec.co_department_links.values_list("department_id", flat=True))
    return department_recipients(rec, [rec.lead_department_id, *co_ids]) + _staff(rec, data)


AUDIENCES = {
    Kind.ASSIGNED: _assigned_departments,
    Kind.RETURN_REQUESTED: _staff,
    Kind.RETURN_DECIDED: _the_department,
    Kind.EXTENSION_REQUESTED: _staff,
    Kind.EXTENSION_DECIDED: _the_department,
    Kind.CO_OPINION: _lead_department,
    Kind.ANSWER_SUBMITTED: _staff,
    Kind.ANSWER_APPROVED: _the_department,
    Kind.ANSWER_RETURNED: _the_department,
    Kind.VERDICT: _the_department,
    Kind.SUPERVISED: _lead_department,
    Kind.DROPPED_FROM_SOURCE: _lead_department_and_staff,
    Kind.COMMENTED: _parties,
    Kind.DEADLINE_NEAR: _lead_department,
    Kind.OVERDUE: _the_department,
    Kind.FOLLOW_UP_DUE: _the_department,
}


def deliver_event(kind: str, recommendation_id: int, actor_id: int | None, data: dict) -> int:
    """Write the messages (and queue the e-mails) of one event; returns how many messages."""
    audience = AUDIENCES.get(kind)
    if audience is None:
        return 0  # a step nobody needs to hear of (e.g. a plain status change)
    rec = (
        Recommendation.objects.select_related("article", "lead_department")
        .filter(pk=recommendation_id)
        .first()
    )
    if rec is None:
        return 0
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    recipients = {}
    for r in audience(rec, data):
        if r.user.pk != actor_id:
            recipients.setdefault(r.user.pk, r)  # a lead handler who is also staff: once
    context = {"item": rec, "actor": actor, "data": data, **_named(data)}
    with transaction.atomic():
        for r in recipients.values():
            notify(r.user, kind, rec, {**context, "part": r.part})
    return len(recipients)


def _named(data: dict) -> dict:
    """Departments the event names, for the templates."""
    ids = [data.get("department_id"), data.get("suggested_department_id")]
    names = dict(Department.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))
    return {
        "department_name": names.get(data.get("department_id"), ""),
        "suggested_department_name": names.get(data.get("suggested_department_id"), ""),
    }


def render_message(kind: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"notifications/events/{kind}.txt", context).strip()
    title, _, body = text.partition("\n")
    return title.strip(), body.strip()


def notify(user, kind: str, rec, context: dict, *, link: str = "") -> Message:
    """One message to one user, and its e-mail as the user chose (single, digest or none)."""
    title, body = render_message(kind, context)
    preference = Preference.objects.filter(user=user).first() or Preference(user=user)
    wants_mail = bool(user.email) and preference.wants_email(kind)
    message = Message.objects.create(
        recipient=user,
        kind=kind,
        recommendation=rec,
        title=title,
        body=body,
        link=link,
        in_digest=wants_mail and preference.digest,
    )
    if wants_mail and not preference.digest:
        queue_email(
            user,
            kind,
            subject_template="notifications/email/single_subject.txt",
            body_template="notifications/email/single_body.txt",
            context={"message": message, "user": user, "url": absolute(message)},
        )
    return message


def absolute(message: Message) -> str:
    # The message's own address: opening it marks it read and leads on to its item.
    return settings.PORTAL_BASE_URL.rstrip("/") + message.get_absolute_url()


def queue_email(user, kind, *, subject_template, body_template, context) -> Email:
    """An e-mail row and its sending job, in the caller's transaction."""
    from notifications import tasks  # tasks import this module

    context = {
        **context,
        "settings_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("notifications:preferences"),
    }
    email = Email.objects.create(
        recipient=user,
        to_address=user.email,
        kind=kind,
        subject=" ".join(render_to_string(subject_template, context).split()),
        body=render_to_string(body_template, context).strip() + "\n",
    )
    jobs.defer(tasks.send_email, email_id=email.pk)
    return email


def send_digests(now=None) -> int:
    """One e-mail per user with messages waiting for their digest; returns how many e-mails.

    Each user's waiting messages are claimed with one UPDATE … RETURNING in the transaction that
    writes the e-mail, so two workers (or a retry) cannot put a message in two digests."""
    now = now or timezone.now()
    sent = 0
    user_ids = (
        Message.objects.filter(in_digest=True).values_list("recipient_id", flat=True).distinct()
    )
    for user_id in list(user_ids):
        with transaction.atomic():
            claimed = list(
                Message.objects.filter(recipient_id=user_id, in_digest=True)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            if not claimed:
                continue
            Message.objects.filter(pk__in=claimed).update(in_digest=False)
            user = User.objects.get(pk=user_id)
            messages = list(Message.objects.filter(pk__in=claimed).order_by("created_at", "pk"))
            if not user.email or not user.is_active:
                continue
            queue_email(
                user,
                "digest",
                subject_template="notifications/email/digest_subject.txt",
                body_template="notifications/email/digest_body.txt",
                context={
                    "user": user,
                    "day": timezone.localdate(now),
                    "messages": [(m, absolute(m)) for m in messages],
                    "inbox_url": settings.PORTAL_BASE_URL.rstrip("/")
                    + reverse("notifications:inbox"),
                },
            )
            sent += 1
    return sent
