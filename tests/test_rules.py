"""The handling rules: defaults, helpers on the working-day calendar, edits in history."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from handling import calendar, rules
from handling.models import Rules, RulesEvent

D = datetime.date


@pytest.fixture(autouse=True)
def official_calendar(db):
    calendar.load_from_package()


def test_the_rules_start_with_the_documented_defaults():
    r = rules.current()
    assert r.pk == Rules.SINGLETON_ID
    assert (
        r.deadline_months,
        r.receipt_window_days,
        r.return_window_days,
        r.extension_cap_months,
        r.second_round_months,
        r.reminder_days_before,
        r.reminder_time,
    ) == (3, 2, 7, 6, 1, 3, datetime.time(8, 30))


def test_current_returns_the_defaults_before_the_row_exists():
    Rules.objects.all().delete()
    assert rules.current().deadline_months == 3
    assert not Rules.objects.exists()


def test_the_default_deadline_is_three_months_on_moved_off_a_holiday():
    r = rules.current()
    assert r.default_deadline(D(2024, 3, 4)) == D(2024, 6, 4)
    # 2024-10-01 is National Day: the deadline is the first working day after it.
    assert r.default_deadline(D(2024, 7, 1)) == D(2024, 10, 8)


def test_the_extension_cap_is_six_months_on():
    r = rules.current()
    assert r.extension_cap(D(2024, 3, 4)) == D(2024, 9, 4)
    assert r.extension_cap(D(2024, 4, 1)) == D(2024, 10, 8)


def test_windows_count_working_days():
    r = rules.current()
    # Assigned on the last day before National Day: 10-08 and 10-09 are the two days.
    assert r.receipt_due(D(2024, 9, 30)) == D(2024, 10, 9)
    # 10-08 … 10-11, Saturday 10-12, 10-14, 10-15.
    assert r.return_window_end(D(2024, 9, 30)) == D(2024, 10, 15)
    assert r.second_round_deadline(D(2024, 9, 1)) == D(2024, 10, 8)


def test_reminders_go_out_at_half_past_eight_in_shanghai():
    at = rules.reminder_at(D(2024, 10, 8))
    assert at.isoformat() == "2024-10-08T08:30:00+08:00"


def test_a_change_is_seen_at_once_and_is_in_history(django_assert_num_queries):
    r = Rules.objects.get()
    r.deadline_months = 2
    r.save()
    assert rules.current().deadline_months == 2
    assert rules.current().default_deadline(D(2024, 3, 4)) == D(2024, 5, 6)  # 5-04 is a Saturday
    events = list(RulesEvent.objects.order_by("pgh_id").values_list("pgh_label", "deadline_months"))
    assert events[-1] == ("changed", 2)
    with django_assert_num_queries(0):
        rules.current()


def test_there_is_only_one_rules_row():
    Rules(deadline_months=4).save()
    assert Rules.objects.count() == 1
    assert Rules.objects.get().deadline_months == 4


def test_a_cap_shorter_than_the_deadline_is_refused():
    r = Rules(deadline_months=6, extension_cap_months=3)
    with pytest.raises(ValidationError) as error:
        r.full_clean()
    assert "延期上限" in str(error.value)
