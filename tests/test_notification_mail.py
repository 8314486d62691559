"""E-mail end to end: a handling step queues a job, a real worker process writes the messages
and sends the e-mails through a real SMTP server (aiosmtpd); nothing of the mail path is faked."""

import re

import pytest
from django.db import connection

from notifications.models import Email, Message, Preference
from recommendations import workflow
from tests.job_helpers import empty_queue, run_worker
from tests.mail_helpers import SMTPServer, free_port
from tests.notify_helpers import committed_world

BASE = "https://portal.example.test"


@pytest.fixture
def world(committed_db):
    empty_queue()
    yield committed_world()
    empty_queue()


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def assign(w, co=()):
    workflow.assign(
        w["item"], w["staff"], lead_department=w["lead"], deadline=w["deadline"], co_departments=co
    )


def test_an_assignment_reaches_each_handler_of_both_departments_by_mail(world, smtp):
    assign(world, co=[world["co"]])

    run_worker(PORTAL_BASE_URL=BASE, **smtp.env())

    mails = smtp.wait_for(3)
    by_address = {tuple(m.recipients): m for m in mails}
    assert sorted(by_address) == [
        ("co_handler@example.test",),
        ("handler_b@example.test",),
        ("handler_n@example.test",),
    ]  # never the staff member who assigned, nor another department
    lead_mail = by_address[("handler_n@example.test",)]
    assert lead_mail.subject == "[建议办理平台] 新交办(主办):建设智算中心"
    assert "本部门为主办部门,并有协办部门配合。办理期限:2027年3月1日。" in lead_mail.body
    co_mail = by_address[("co_handler@example.test",)]
    assert co_mail.subject == "[建议办理平台] 新交办(协办):建设智算中心"
    assert "本部门被列为协办部门,请向主办部门区科信局提出协办意见。" in co_mail.body
    message = Message.objects.get(recipient=world["handler"])
    assert f"{BASE}/messages/{message.pk}/" in lead_mail.body
    assert f"{BASE}/messages/settings/" in lead_mail.body
    assert lead_mail.sender == "noreply@localhost"
    assert set(Email.objects.values_list("state", "attempts")) == {(Email.State.SENT, 1)}


def test_with_the_smtp_server_down_the_mail_is_retried_and_delivered_once_it_is_up(world):
    port = free_port()
    assign(world)

    run_worker(EMAIL_PORT=str(port), EMAIL_HOST="127.0.0.1")

    failed = list(Email.objects.order_by("to_address"))
    assert [e.to_address for e in failed] == ["handler_b@example.test", "handler_n@example.test"]
    for email in failed:
        assert email.state == Email.State.RETRYING
        assert email.attempts == 1
        assert "Connection refused" in email.last_error or "ConnectionRefused" in email.last_error
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status::text, attempts, scheduled_at FROM procrastinate_jobs"
            " WHERE task_name = 'notifications.send_email'"
        )
        jobs = cursor.fetchall()
        # Both wait to be tried again, after a pause (backoff) from their failed attempt.
        assert [(status, attempts) for status, attempts, _ in jobs] == [("todo", 1), ("todo", 1)]
        last_attempt = max(e.last_attempt_at for e in failed)
        assert all((at - last_attempt).total_seconds() > 2 for _, _, at in jobs)
        # The server comes back; the retry's wait is over.
        cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now()")
    server = SMTPServer(port).start()
    try:
        run_worker(EMAIL_PORT=str(port), EMAIL_HOST="127.0.0.1")
        received = server.wait_for(2)
    finally:
        server.stop()

    assert sorted(r.recipients[0] for r in received) == [e.to_address for e in failed]
    assert set(Email.objects.values_list("state", "attempts")) == {(Email.State.SENT, 2)}


def test_a_muted_kind_stays_in_the_portal_and_a_digest_user_gets_one_mail_a_day(world, smtp):
    Preference.objects.create(user=world["handler"], muted_kinds=["assigned"])
    Preference.objects.create(user=world["handler_b"], digest=True)
    assign(world)
    workflow.add_comment(world["item"], world["staff"], "请尽快办理")

    run_worker(**smtp.env())

    # handler_n: the comment only (assignments muted); handler_b: nothing yet (digest); the
    # other staff member hears of the comment, its author does not.
    received = smtp.wait_for(2)
    assert sorted(m.recipients[0] for m in received) == [
        "handler_n@example.test",
        "staff_m@example.test",
    ]
    assert all("新评论" in m.subject for m in received)
    assert Message.objects.filter(recipient=world["handler"]).count() == 2
    assert Message.objects.filter(recipient=world["handler_b"], in_digest=True).count() == 2

    from notifications import delivery

    assert delivery.send_digests() == 1
    assert delivery.send_digests() == 0  # claimed once
    run_worker(**smtp.env())

    digest = smtp.wait_for(3)[-1]
    assert digest.recipients == ["handler_b@example.test"]
    assert re.fullmatch(r"\[建议办理平台\] \d+月\d+日消息汇总\(2 条\)", digest.subject)
    assert "1. 新交办(主办):建设智算中心" in digest.body
    assert "2. 新评论:建设智算中心" in digest.body
