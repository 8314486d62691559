"""The follow-up reminder on the real handling loop: an item assigned, received, answered B with
a promised date and approved by staff reaches its department on the promised date (the first
working day from it), through a real worker and a real SMTP server; once, and not for a promise
already kept (moved to A) or already reported on since the date came."""

import datetime

import pytest
from django.utils import timezone

from handling.models import CalendarDay, ProgressReport
from notifications import jobs, tasks
from notifications.models import Email, Kind, Message, Reminder
from recommendations import workflow
from recommendations.models import Recommendation
from tests.handling_helpers import approved
from tests.job_helpers import empty_queue, run_worker
from tests.mail_helpers import SMTPServer
from tests.notify_helpers import committed_world

D = datetime.date
PROMISED = D(2030, 3, 15)  # a Friday, made a holiday below
THURSDAY, MONDAY, TUESDAY = D(2030, 3, 14), D(2030, 3, 18), D(2030, 3, 19)


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


def answered_b(world, rec, promised_on=PROMISED):
    """The loop itself: staff assign, the lead handler signs and answers B, staff approve."""
    workflow.assign(rec, world["staff"], lead_department=world["lead"], deadline=D(2030, 1, 31))
    approved(rec, world["handler"], world["staff"], category="B", promised_on=promised_on)
    rec.refresh_from_db()
    assert (rec.status, rec.answer_category, rec.promised_on) == (
        Recommendation.Status.ANSWERED,
        Recommendation.AnswerCategory.B,
        promised_on,
    )
    return rec


def another_item(world, number):
    item = world["item"]
    return Recommendation.objects.create(
        article=item.article,
        number=number,
        order=10 + int(number),
        depth=2,
        heading=f"条目{number}",
        text=f"条目{number}。",
    )


def forget_the_loops_own_notices():
    """The loop's own events (assigned, answer approved …) queued jobs and wrote messages: the
    reminders are what these tests count."""
    empty_queue()
    Message.objects.all().delete()
    Email.objects.all().delete()


def reminders_on(day, smtp):
    """The daily reminders job for `day`, run by a real worker that sends through `smtp`."""
    jobs.defer(tasks.daily_reminders, day=day.isoformat())
    run_worker(**smtp.env())


def follow_up_messages():
    return sorted(
        Message.objects.filter(kind=Kind.FOLLOW_UP_DUE).values_list(
            "recipient__username", "recommendation_id"
        )
    )


def test_the_department_hears_once_on_the_first_working_day_of_the_promised_date(world, smtp):
    CalendarDay.objects.create(date=PROMISED, kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    rec = answered_b(world, world["item"])
    forget_the_loops_own_notices()

    reminders_on(THURSDAY, smtp)  # the working day before the promise
    reminders_on(PROMISED, smtp)  # the promised day is a holiday: nobody is told on it
    assert follow_up_messages() == []
    assert smtp.received == []

    reminders_on(MONDAY, smtp)  # the first working day from the promised date
    lead_handlers = [("handler_b", rec.pk), ("handler_n", rec.pk)]
    assert follow_up_messages() == lead_handlers  # not staff, not the co or other departments
    received = smtp.wait_for(2)
    assert sorted(m.recipients[0] for m in received) == [
        "handler_b@example.test",
        "handler_n@example.test",
    ]
    for mail in received:
        assert mail.subject == "[建议办理平台] 跟踪回访日期已到:建设智算中心"
        assert "承诺的跟踪日期(2030年3月15日)已到" in mail.body
        message = Message.objects.get(kind=Kind.FOLLOW_UP_DUE, recipient__email=mail.recipients[0])
        assert f"http://127.0.0.1:8000/messages/{message.pk}/" in mail.body
    assert Email.objects.filter(kind=Kind.FOLLOW_UP_DUE, state=Email.State.SENT).count() == 2

    reminders_on(MONDAY, smtp)  # the job again (an admin, a retry): nothing new
    reminders_on(TUESDAY, smtp)  # the day after: the promise was reminded of already
    assert follow_up_messages() == lead_handlers
    assert len(smtp.wait_for(3, timeout=2)) == 2
    assert list(Reminder.objects.filter(kind=Kind.FOLLOW_UP_DUE).values_list("day", flat=True)) == [
        PROMISED
    ]


def test_a_kept_promise_or_a_progress_report_since_the_date_stops_the_reminder(world, smtp):
    CalendarDay.objects.create(date=PROMISED, kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    plain, moved_to_a, reported = (
        answered_b(world, rec)
        for rec in (world["item"], another_item(world, "2"), another_item(world, "3"))
    )
    workflow.finish_follow_up(moved_to_a, world["staff"])  # staff: the promise is kept (A)
    early = workflow.report_progress(plain, world["handler"], "已完成选址。")
    late = workflow.report_progress(reported, world["handler_b"], "智算中心已建成投用。")
    # `early` is filed long before the promised date: it does not answer "the date has come".
    # `late` is filed on the Saturday after the promised (holiday) Friday, before Monday's
    # reminders: the department has reported, nobody needs to ask it.
    saturday = timezone.make_aware(datetime.datetime(2030, 3, 16, 10, 0))
    ProgressReport.objects.filter(pk=late.pk).update(created_at=saturday)
    assert early.created_at.date() < PROMISED
    forget_the_loops_own_notices()

    reminders_on(MONDAY, smtp)
    assert follow_up_messages() == [("handler_b", plain.pk), ("handler_n", plain.pk)]
    assert len(smtp.wait_for(2)) == 2
    assert not Reminder.objects.filter(recommendation__in=[moved_to_a, reported]).exists()
