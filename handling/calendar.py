"""Working days on the official calendar: holidays and shifted working weekends (调休).

The database keeps the days that differ from "Monday to Friday work" (CalendarDay) and the years
whose schedule is known (CalendarYear); admins edit both in the admin. The years the maintained
`chinese-calendar` package knows are filled from it by `load_from_package()` (a migration at
install, `manage.py load_calendar` at every `make setup` and every production start: bin/serve's
preflight), so an upgraded package's new year arrives without anyone running a command. For a year that is not known, plain
weekdays count, and the admin says that the year is missing.

A year's exceptions are read in one query and kept in the process (localcache.py), so counting
working days over months costs no query per day.
"""

import calendar
import datetime

from django.utils import timezone

from handling import localcache
from handling.models import CalendarDay, CalendarYear

# chinese-calendar names its holidays in English; the portal speaks Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _exceptions(year: int) -> dict[datetime.date, bool]:
    """{day: is it a working day} for the days of `year` that differ from their weekday."""

    def load():
        rows = CalendarDay.objects.filter(
            date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
        ).values_list("date", "kind")
        return {day: kind == CalendarDay.Kind.WORKDAY for day, kind in rows}

    return localcache.get(("calendar-year", year), load)


class _Days:
    """Answers is-working for many days in a row, fetching each year's table once."""

    def __init__(self):
        self.year = None
        self.table = {}

    def working(self, day: datetime.date) -> bool:
        if day.year != self.year:
            self.year, self.table = day.year, _exceptions(day.year)
        override = self.table.get(day)
        return day.weekday() < 5 if override is None else override


def is_working_day(d: datetime.date) -> bool:
    return _Days().working(d)


def add_working_days(d: datetime.date, n: int) -> datetime.date:
    """The day `n` working days after `d` (before it when `n` is negative); `d` is not counted,
    so `add_working_days(d, 0) == d`."""
    days = _Days()
    step = datetime.timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if days.working(d):
            remaining -= 1
    return d


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` < `start`
    (so `add_working_days(start, working_days_between(start, end)) == end` on a working day)."""
    if end < start:
        return -working_days_between(end, start)
    days = _Days()
    count = 0
    d = start
    one = datetime.timedelta(days=1)
    while d < end:
        d += one
        count += days.working(d)
    return count


def next_working_day(d: datetime.date) -> datetime.date:
    """`d` when it is a working day, otherwise the first working day after it (a period that
    ends on a day off ends on the next working day)."""
    return d if is_working_day(d) else add_working_days(d, 1)


def add_months(d: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def known_years() -> frozenset[int]:
    return localcache.get(
        "calendar-known-years",
        lambda: frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )


def missing_years(years=None) -> list[int]:
    """The years among `years` (default: this year and the next, where deadlines fall) whose
    official schedule is not in the calendar; plain weekdays count for them."""
    if years is None:
        this_year = timezone.localdate().year
        years = (this_year, this_year + 1)
    known = known_years()
    return sorted(y for y in set(years) if y not in known)


def package_schedule() -> dict[int, list[tuple[datetime.date, str, str]]]:
    """{year: [(day, kind, Chinese name)]} for every year chinese-calendar knows, keeping only
    the days that differ from their weekday (a holiday on a Sunday changes nothing)."""
    import chinese_calendar

    schedule: dict[int, list] = {}
    for day, name in chinese_calendar.holidays.items():
        schedule.setdefault(day.year, [])
        if day.weekday() < 5:
            label = HOLIDAY_NAMES.get(name, name)
            schedule[day.year].append((day, CalendarDay.Kind.HOLIDAY.value, label))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5 and day.year in schedule:
            label = HOLIDAY_NAMES.get(name, name) + "调休上班"
            schedule[day.year].append((day, CalendarDay.Kind.WORKDAY.value, label))
    return schedule


def load_from_package(day_model=CalendarDay, year_model=CalendarYear) -> list[int]:
    """Fill every year the package knows and the calendar does not; returns those years.

    A year already in the calendar is left alone, so admins' corrections are never
    overwritten. The models are parameters so that a migration can pass its historical ones.
    """
    known = set(year_model.objects.values_list("year", flat=True))
    loaded = []
    for year, days in sorted(package_schedule().items()):
        if year in known:
            continue
        taken = set(
            day_model.objects.filter(
                date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
            ).values_list("date", flat=True)
        )
        day_model.objects.bulk_create(
            day_model(date=day, kind=kind, name=name)
            for day, kind, name in days
            if day not in taken
        )
        year_model.objects.create(year=year, source="package", note="chinese-calendar")
        loaded.append(year)
    localcache.invalidate()
    return loaded
