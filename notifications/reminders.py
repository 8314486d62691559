"""The periodic findings: deadlines near, items overdue, follow-up dates reached, the staff's
weekly summary of overdue items, and the daily digests.

`tick()` runs every few minutes in a worker (tasks.py). On a working day of the official
calendar, once the reminder time staff set (handling.rules, default 08:30 Asia/Shanghai) has
passed, it runs the day's reminders. Each finding is one `Reminder` row, unique on (kind, item,
day, department): a second worker doing the same day, a retried job or a tick after the day
was done finds the row and tells nobody again.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from handling import calendar, rules
from handling.models import ProgressReport
from notifications import delivery
from notifications.models import Kind, Reminder, ReminderRun
from recommendations.models import Recommendation

OVERDUE_LIST = "recommendation_list"


def tick(now: datetime.datetime | None = None) -> bool:
    """Run today's reminders if it is time and they have not run; True when they ran."""
    now = now or timezone.now()
    today = timezone.localdate(now, timezone=rules.REMINDER_TIMEZONE)
    if not calendar.is_working_day(today) or now < rules.reminder_at(today):
        return False
    if ReminderRun.objects.filter(day=today).exists():
        return False
    run_daily(today)
    ReminderRun.objects.get_or_create(day=today)
    return True


def run_daily(today: datetime.date) -> dict[str, int]:
    """All of `today`'s reminders; how many findings of each kind were new.

    Reminders go out on working days only, whichever way the run was started (the tick checks
    too; an admin's `daily_reminders` for a holiday finds nothing): what falls due on a holiday
    is told on the next working day, when it is still due."""
    if not calendar.is_working_day(today):
        return {}
    counts = {
        Kind.DEADLINE_NEAR: _deadlines_near(today),
        Kind.OVERDUE: _overdue(today),
        Kind.FOLLOW_UP_DUE: _follow_ups(today),
        Kind.OVERDUE_SUMMARY: _weekly_summary(today),
    }
    delivery.send_digests()
    return counts


def _in_hand():
    # Not an item awaiting review: its department has answered, the clock is staff's now, so
    # neither "deadline near" nor "overdue" may nag the department about it.
    return (
        Recommendation.objects.current()
        .running()
        .filter(lead_department__isnull=False)
        .select_related("article", "lead_department")
    )


def _deadlines_near(today):
    """Items whose deadline is at most N working days away: once per deadline (an extension,
    being a new deadline, is reminded of again)."""
    days = rules.current().reminder_days_before
    horizon = calendar.add_working_days(today, days)
    found = 0
    for rec in _in_hand().filter(deadline__gt=today, deadline__lte=horizon).order_by("pk"):
        left = calendar.working_days_between(today, rec.deadline)
        found += remind(
            Kind.DEADLINE_NEAR, rec, day=rec.deadline, context={"working_days": max(left, 1)}
        )
    return found


def _overdue(today):
    """Every working day, one notice per overdue item to its department."""
    found = 0
    for rec in _in_hand().filter(deadline__lt=today).order_by("pk"):
        found += remind(Kind.OVERDUE, rec, day=today)
    return found


def follow_ups_due(today):
    """B answers whose promised date has come (待跟踪, the loop's own query), still current, with
    no progress report filed since that date: a report on or after it has answered what the
    reminder asks. A report from before the date does not: the promise was about the date."""
    reported_since = ProgressReport.objects.filter(
        recommendation=OuterRef("pk"),
        # The report's day on the portal's clock (Asia/Shanghai), as the promise is dated.
        created_at__date__gte=OuterRef("promised_on"),
    )
    return (
        Recommendation.objects.follow_up_due(today)
        .current()
        .filter(lead_department__isnull=False)
        .exclude(Exists(reported_since))
        .select_related("article", "lead_department")
    )


def _follow_ups(today):
    """Once per promise (the row's day is the promised date): on the first working day from it,
    and never again for that promise, however long the item stays 待跟踪."""
    found = 0
    for rec in follow_ups_due(today).order_by("pk"):
        found += remind(
            Kind.FOLLOW_UP_DUE,
            rec,
            day=rec.promised_on,
            context={"data": {"follow_up_date": f"{rec.promised_on:%Y年%-m月%-d日}"}},
        )
    return found


def _first_working_day_of_week(today) -> bool:
    monday = today - datetime.timedelta(days=today.weekday())
    return all(
        not calendar.is_working_day(monday + datetime.timedelta(days=n))
        for n in range(today.weekday())
    )


def _weekly_summary(today):
    """On the first working day of each week, every staff member gets one summary."""
    if not _first_working_day_of_week(today):
        return 0
    overdue = list(
        _in_hand().filter(deadline__lt=today).values_list("lead_department__name", flat=True)
    )
    if not overdue:
        return 0
    monday = today - datetime.timedelta(days=today.weekday())
    with transaction.atomic():
        if not _claim(Kind.OVERDUE_SUMMARY, None, monday, None):
            return 0
        departments = sorted(set(overdue))
        link = reverse(OVERDUE_LIST) + "?deadline=overdue&sort=deadline"
        context = {"count": len(overdue), "departments": departments, "today": today}
        for user in delivery.staff_users():
            delivery.notify(user, Kind.OVERDUE_SUMMARY, None, context, link=link)
    return 1


def _claim(kind, rec, day, department_id) -> bool:
    """Insert the finding's row; False when it exists already (another worker, a retry)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(
                kind=kind, recommendation=rec, day=day, department_id=department_id
            )
    except IntegrityError:
        return False
    return True


def remind(kind, rec, *, day, context=None) -> int:
    """Tell the lead department of `rec` about `kind` once for `day`; 1 when told now."""
    with transaction.atomic():
        if not _claim(kind, rec, day, rec.lead_department_id):
            return 0
        base = {"item": rec, "data": {}, **(context or {})}
        for r in delivery.department_recipients(rec, [rec.lead_department_id]):
            delivery.notify(r.user, kind, rec, {**base, "part": r.part})
    return 1
