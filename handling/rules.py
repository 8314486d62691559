"""The rules that set the handling loop's clocks, edited by admins (one Rules row).

    from handling import rules
    r = rules.current()
    r.default_deadline(assigned_on)   # three months on, moved to a working day
    r.receipt_window_days             # 2 working days

`current()` reads the row once per process (localcache.py: a change in the admin is seen at
once); before the row exists it returns the defaults unsaved. Windows count working days on the
official calendar (calendar.py); a period that ends on a day off ends on the next working day.
"""

import datetime
import zoneinfo

from django.conf import settings

from handling import localcache
from handling.models import Rules

# Reminders go out at `reminder_time` in the district's own time zone, whatever the server's.
REMINDER_TIMEZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def current() -> Rules:
    return (
        localcache.get("rules", lambda: Rules.objects.filter(pk=Rules.SINGLETON_ID).first())
        or Rules()
    )


def reminder_at(day: datetime.date) -> datetime.datetime:
    """When the reminders of `day` go out (an aware datetime, Asia/Shanghai)."""
    return datetime.datetime.combine(day, current().reminder_time, tzinfo=REMINDER_TIMEZONE)
