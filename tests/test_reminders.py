"""Reminders with a fixed "today": before, on and after a deadline, across a holiday; the
staff's weekly summary; the tick that waits for the working day's reminder time."""

import datetime

import pytest

from handling.models import CalendarDay, Rules
from notifications import reminders
from notifications.models import Kind, Message, Reminder, ReminderRun
from recommendations.models import Recommendation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def people(handler, other_handler, staff, lead_department):
    return {
        "handler": handler,
        "handler_b": make_user("handler_b", "handler", department=lead_department),
        "other_handler": other_handler,
        "staff": staff,
    }


def due(item, lead_department, deadline):
    Recommendation.objects.filter(pk=item.pk).update(
        status=Recommendation.Status.ASSIGNED, lead_department=lead_department, deadline=deadline
    )
    item.refresh_from_db()
    return item


def told(kind) -> list[str]:
    return sorted(Message.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def holiday(day):
    CalendarDay.objects.update_or_create(
        date=day, defaults={"kind": CalendarDay.Kind.HOLIDAY, "name": "测试假日"}
    )


def test_before_on_and_after_a_deadline(people, item, lead_department):
    due(item, lead_department, D(2030, 3, 15))  # a Friday, plain weeks around it

    reminders.run_daily(D(2030, 3, 11))  # 4 working days before: too early
    assert told(Kind.DEADLINE_NEAR) == []

    reminders.run_daily(D(2030, 3, 12))  # 3 working days before
    assert told(Kind.DEADLINE_NEAR) == ["handler1", "handler_b"]  # the lead department only
    message = Message.objects.filter(kind=Kind.DEADLINE_NEAR).first()
    assert message.title == "办理期限临近:建设智算中心"
    assert "办理期限为2030年3月15日,还有3个工作日" in message.body

    for day in (D(2030, 3, 12), D(2030, 3, 13), D(2030, 3, 15)):  # again, later, on the day
        reminders.run_daily(day)
    assert len(told(Kind.DEADLINE_NEAR)) == 2  # once per deadline
    assert told(Kind.OVERDUE) == []  # the deadline day is not overdue yet

    reminders.run_daily(D(2030, 3, 18))  # the next working day: overdue
    assert told(Kind.OVERDUE) == ["handler1", "handler_b"]
    reminders.run_daily(D(2030, 3, 18))
    reminders.run_daily(D(2030, 3, 19))  # daily: once more the day after
    assert len(told(Kind.OVERDUE)) == 4


def test_a_holiday_brings_the_reminder_a_day_earlier(people, item, lead_department):
    due(item, lead_department, D(2030, 3, 18))  # Monday
    holiday(D(2030, 3, 15))  # the Friday before is off

    reminders.run_daily(D(2030, 3, 11))  # Tue, Wed, Thu, Mon: 4 working days
    assert told(Kind.DEADLINE_NEAR) == []
    reminders.run_daily(D(2030, 3, 12))  # Wed, Thu, Mon: 3 (it would be 4 without the holiday)
    assert told(Kind.DEADLINE_NEAR) == ["handler1", "handler_b"]


def test_without_the_holiday_the_same_day_is_too_early(people, item, lead_department):
    due(item, lead_department, D(2030, 3, 18))
    reminders.run_daily(D(2030, 3, 12))
    assert told(Kind.DEADLINE_NEAR) == []
    reminders.run_daily(D(2030, 3, 13))
    assert told(Kind.DEADLINE_NEAR) == ["handler1", "handler_b"]


def test_staff_set_how_many_working_days_before(people, item, lead_department):
    Rules.objects.update_or_create(pk=Rules.SINGLETON_ID, defaults={"reminder_days_before": 5})
    due(item, lead_department, D(2030, 3, 15))
    reminders.run_daily(D(2030, 3, 8))  # Friday, 5 working days before
    assert told(Kind.DEADLINE_NEAR) == ["handler1", "handler_b"]


def test_answered_and_unassigned_items_are_not_reminded(people, item, section, lead_department):
    due(item, lead_department, D(2030, 3, 1))
    Recommendation.objects.filter(pk=item.pk).update(
        status=Recommendation.Status.ANSWERED, answer_category="A", reply="已办结。"
    )
    Recommendation.objects.filter(pk=section.pk).update(deadline=D(2030, 3, 1))
    reminders.run_daily(D(2030, 3, 12))
    assert Message.objects.count() == 0 and Reminder.objects.count() == 0


def test_staff_get_one_overdue_summary_on_the_first_working_day_of_the_week(
    people, item, lead_department
):
    due(item, lead_department, D(2030, 3, 1))
    reminders.run_daily(D(2030, 3, 18))  # Monday
    reminders.run_daily(D(2030, 3, 18))
    reminders.run_daily(D(2030, 3, 19))
    assert told(Kind.OVERDUE_SUMMARY) == ["staff1"]
    summary = Message.objects.get(kind=Kind.OVERDUE_SUMMARY)
    assert summary.title == "逾期建议汇总:1 条"
    assert "区科信局" in summary.body
    assert summary.target == "/recommendations/?deadline=overdue&sort=deadline"

    holiday(D(2030, 3, 25))  # next Monday is off: the summary comes on Tuesday
    reminders.run_daily(D(2030, 3, 26))
    assert told(Kind.OVERDUE_SUMMARY) == ["staff1", "staff1"]


def at(day, hour, minute):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def test_the_tick_waits_for_the_reminder_time_of_a_working_day(people, item, lead_department):
    due(item, lead_department, D(2030, 3, 15))
    day = D(2030, 3, 12)

    assert reminders.tick(at(day, 8, 25)) is False  # before 08:30 Beijing time
    assert Message.objects.count() == 0
    assert reminders.tick(at(day, 8, 35)) is True
    assert len(told(Kind.DEADLINE_NEAR)) == 2
    assert ReminderRun.objects.filter(day=day).exists()
    assert reminders.tick(at(day, 9, 0)) is False  # done for the day

    holiday(D(2030, 3, 13))
    assert reminders.tick(at(D(2030, 3, 13), 9, 0)) is False  # no reminders on a day off
    assert reminders.tick(at(D(2030, 3, 16), 9, 0)) is False  # nor on a Saturday


def test_staff_set_the_reminder_time(people, item, lead_department):
    Rules.objects.update_or_create(
        pk=Rules.SINGLETON_ID, defaults={"reminder_time": datetime.time(14, 0)}
    )
    due(item, lead_department, D(2030, 3, 15))
    assert reminders.tick(at(D(2030, 3, 12), 9, 0)) is False
    assert reminders.tick(at(D(2030, 3, 12), 14, 5)) is True
