"""Working days on the official calendar: holidays, shifted working weekends, missing years."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from handling import calendar
from handling.models import CalendarDay, CalendarYear

D = datetime.date


@pytest.fixture(autouse=True)
def official_calendar(db):
    # The migration fills the calendar; a transactional test elsewhere may have flushed it.
    calendar.load_from_package()


def forget_year(year):
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarYear.objects.filter(year=year).delete()


def test_national_day_weekdays_are_not_working_days():
    # 2024-10-01 … 10-07: Tuesday to Monday, all off.
    assert [calendar.is_working_day(D(2024, 10, day)) for day in range(1, 8)] == [False] * 7
    assert calendar.is_working_day(D(2024, 9, 30))
    assert calendar.is_working_day(D(2024, 10, 8))


def test_shifted_weekends_are_working_days():
    assert D(2024, 9, 29).weekday() == 6 and calendar.is_working_day(D(2024, 9, 29))
    assert D(2024, 10, 12).weekday() == 5 and calendar.is_working_day(D(2024, 10, 12))
    assert not calendar.is_working_day(D(2024, 10, 13))


def test_add_working_days_skips_national_day_and_counts_the_shifted_saturday():
    assert calendar.add_working_days(D(2024, 9, 30), 1) == D(2024, 10, 8)
    # 10-09, 10-10, 10-11, Saturday 10-12 (调休上班), Monday 10-14.
    assert calendar.add_working_days(D(2024, 10, 8), 5) == D(2024, 10, 14)
    assert calendar.add_working_days(D(2024, 10, 8), -1) == D(2024, 9, 30)
    assert calendar.add_working_days(D(2024, 10, 3), 0) == D(2024, 10, 3)


def test_add_working_days_across_the_spring_festival():
    # 2024: 2-10 … 2-17 off, Sunday 2-18 and Sunday 2-04 are working days.
    assert calendar.add_working_days(D(2024, 2, 9), 1) == D(2024, 2, 18)
    assert calendar.add_working_days(D(2024, 2, 2), 1) == D(2024, 2, 4)
    assert calendar.add_working_days(D(2024, 2, 18), -1) == D(2024, 2, 9)


def test_working_days_between_counts_after_start_up_to_end():
    # Saturday 9-28 no, Sunday 9-29 yes, 9-30, 10-08 … 10-11, Saturday 10-12, Monday 10-14.
    assert calendar.working_days_between(D(2024, 9, 27), D(2024, 10, 14)) == 8
    assert calendar.working_days_between(D(2024, 10, 14), D(2024, 9, 27)) == -8
    assert calendar.working_days_between(D(2024, 10, 3), D(2024, 10, 3)) == 0
    assert calendar.working_days_between(D(2024, 10, 1), D(2024, 10, 7)) == 0


def test_working_days_between_and_add_working_days_agree_over_a_year():
    start = D(2024, 1, 2)  # a working day (1-01 is New Year's Day)
    for n in (1, 7, 30, 100, 250):
        end = calendar.add_working_days(start, n)
        assert calendar.working_days_between(start, end) == n
        assert calendar.add_working_days(end, -n) == start


def test_a_missing_year_counts_plain_weekdays():
    forget_year(2024)
    assert calendar.missing_years([2023, 2024, 2025]) == [2024]
    assert calendar.is_working_day(D(2024, 10, 1))  # a Tuesday
    assert not calendar.is_working_day(D(2024, 9, 29))  # a Sunday
    assert calendar.add_working_days(D(2024, 9, 30), 1) == D(2024, 10, 1)


def test_a_year_the_package_does_not_know_is_missing_and_counts_plain_weekdays():
    assert calendar.missing_years([2099]) == [2099]
    assert calendar.add_working_days(D(2099, 9, 30), 5) == D(2099, 10, 7)


def test_missing_years_defaults_to_this_year_and_the_next(monkeypatch):
    monkeypatch.setattr(calendar.timezone, "localdate", lambda: D(2098, 6, 1))
    assert calendar.missing_years() == [2098, 2099]
    CalendarYear.objects.create(year=2099, source="admin")
    assert calendar.missing_years() == [2098]


def test_an_edit_is_seen_at_once(django_assert_num_queries):
    assert calendar.is_working_day(D(2024, 10, 8))
    CalendarDay.objects.create(date=D(2024, 10, 8), kind="holiday", name="临时放假")
    assert not calendar.is_working_day(D(2024, 10, 8))
    day = CalendarDay.objects.get(date=D(2024, 10, 8))
    day.delete()
    assert calendar.is_working_day(D(2024, 10, 8))


def test_a_year_is_read_once_not_a_query_per_day(django_assert_num_queries):
    with django_assert_num_queries(2):  # 2024 and 2025, one query each
        assert calendar.working_days_between(D(2024, 1, 1), D(2025, 12, 31)) > 400
    with django_assert_num_queries(0):
        calendar.add_working_days(D(2024, 1, 1), 300)
        calendar.is_working_day(D(2025, 5, 1))


def test_a_day_like_its_weekday_is_refused():
    with pytest.raises(ValidationError) as error:
        CalendarDay(date=D(2024, 10, 5), kind="holiday", name="国庆节").full_clean()
    assert "周末" in str(error.value)
    with pytest.raises(ValidationError) as error:
        CalendarDay(date=D(2024, 10, 8), kind="workday", name="调休").full_clean()
    assert "工作日" in str(error.value)


def test_the_package_schedule_keeps_only_days_that_differ_from_their_weekday():
    schedule = calendar.package_schedule()
    assert {2024, 2025}.issubset(schedule)
    for days in schedule.values():
        for day, kind, name in days:
            assert (kind == "workday") == (day.weekday() >= 5), day
            assert name and name.isascii() is False, name
    assert (D(2024, 10, 1), "holiday", "国庆节") in schedule[2024]
    assert (D(2024, 9, 29), "workday", "国庆节调休上班") in schedule[2024]


def test_load_calendar_fills_a_missing_year_and_keeps_admin_corrections():
    forget_year(2024)
    corrected = CalendarDay.objects.get(date=D(2025, 10, 1))
    corrected.name = "国庆节(更正)"
    corrected.save()
    out = StringIO()
    call_command("load_calendar", stdout=out)
    assert "2024" in out.getvalue()
    assert CalendarYear.objects.get(year=2024).source == "package"
    assert not calendar.is_working_day(D(2024, 10, 1))
    assert CalendarDay.objects.get(date=D(2025, 10, 1)).name == "国庆节(更正)"
    out = StringIO()
    call_command("load_calendar", stdout=out)
    assert "没有需要载入" in out.getvalue()


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert calendar.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert calendar.add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)
    assert calendar.add_months(D(2024, 7, 15), 6) == D(2025, 1, 15)


def test_the_production_start_fills_a_year_the_package_learnt_and_keeps_admin_edits(
    settings, tmp_path
):
    """Was: only `make setup` ran load_calendar, so `make serve` (bin/serve → preflight) on a
    database migrated before the package knew a year counted plain weekdays for it for ever."""
    settings.STATIC_ROOT = tmp_path / "static"
    forget_year(2025)  # the migration ran before the package knew 2025
    corrected = CalendarDay.objects.get(date=D(2024, 10, 1))
    corrected.name = "国庆节(更正)"
    corrected.save()
    assert calendar.missing_years([2024, 2025]) == [2025]
    out = StringIO()
    call_command("preflight", "--plain-http", stdout=out)
    assert "已载入 2025 年" in out.getvalue()
    assert calendar.missing_years([2024, 2025]) == []
    assert not calendar.is_working_day(D(2025, 10, 1))
    assert CalendarDay.objects.get(date=D(2024, 10, 1)).name == "国庆节(更正)"
    days = CalendarDay.objects.count()
    out = StringIO()
    call_command("preflight", "--plain-http", stdout=out)  # every start: nothing new, no change
    assert "日历已是最新" in out.getvalue() and CalendarDay.objects.count() == days


def test_bin_serve_runs_the_preflight():
    """bin/serve starts gunicorn only after `manage.py preflight` (which loads the calendar)."""
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "bin" / "serve").read_text()
    assert 'manage.py preflight "${preflight[@]}"' in script
    assert script.index("manage.py preflight") < script.index('start "${gunicorn[@]}"')
