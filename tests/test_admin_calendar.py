"""Admins edit the calendar and the rules in the admin; others may not; edits are history."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from handling import calendar, rules
from handling.models import CalendarDay, CalendarDayEvent, CalendarYear, Rules, RulesEvent
from tests.conftest import make_user

D = datetime.date


@pytest.fixture(autouse=True)
def official_calendar(db):
    calendar.load_from_package()


@pytest.fixture
def admin_role_user(db):
    # An admin by role, not a superuser: the group's permissions must be enough.
    return make_user("admin2", "admin", is_staff=True)


RULES_FORM = {
    "deadline_months": "3",
    "extension_cap_months": "6",
    "second_round_months": "1",
    "receipt_window_days": "2",
    "return_window_days": "7",
    "reminder_days_before": "3",
    "reminder_time": "08:30",
}


def test_the_calendar_list_says_which_years_are_missing(client, admin_role_user):
    this_year = timezone.localdate().year
    CalendarYear.objects.filter(year=this_year).delete()
    CalendarYear.objects.filter(year=this_year + 1).delete()
    client.force_login(admin_role_user)
    for name in ("calendarday", "calendaryear"):
        response = client.get(reverse(f"admin:handling_{name}_changelist"))
        assert response.status_code == 200
        text = response.content.decode()
        assert f"日历中没有 {this_year}、{this_year + 1} 年的节假日与调休安排" in text
        assert "普通周一至周五" in text


def test_the_calendar_list_says_nothing_when_every_year_is_known(client, admin_role_user):
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "admin"})
    client.force_login(admin_role_user)
    response = client.get(reverse("admin:handling_calendarday_changelist"))
    assert "日历中没有" not in response.content.decode()


def test_an_admin_adds_a_holiday_and_the_calendar_counts_it(client, admin_role_user):
    client.force_login(admin_role_user)
    assert calendar.is_working_day(D(2024, 10, 8))
    response = client.post(
        reverse("admin:handling_calendarday_add"),
        {"date": "2024-10-08", "kind": "holiday", "name": "临时放假"},
    )
    assert response.status_code == 302
    assert not calendar.is_working_day(D(2024, 10, 8))
    event = CalendarDayEvent.objects.filter(date=D(2024, 10, 8)).get()
    assert (event.pgh_label, event.kind) == ("added", "holiday")


def test_an_admin_corrects_a_shifted_weekend_and_the_change_is_history(client, admin_role_user):
    day = CalendarDay.objects.get(date=D(2024, 10, 12))
    client.force_login(admin_role_user)
    response = client.post(
        reverse("admin:handling_calendarday_delete", args=[day.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not calendar.is_working_day(D(2024, 10, 12))
    labels = CalendarDayEvent.objects.filter(pgh_obj_id=day.pk).values_list("pgh_label", flat=True)
    assert "removed" in labels


def test_a_holiday_on_a_weekend_is_refused_with_a_message_and_nothing_saved(
    client, admin_role_user
):
    client.force_login(admin_role_user)
    response = client.post(
        reverse("admin:handling_calendarday_add"),
        {"date": "2024-10-05", "kind": "holiday", "name": "国庆节"},
    )
    assert response.status_code == 200
    assert "无需登记为放假" in response.content.decode()
    assert not CalendarDay.objects.filter(date=D(2024, 10, 5)).exists()


def test_the_rules_list_opens_the_one_rules_page(client, admin_role_user):
    client.force_login(admin_role_user)
    response = client.get(reverse("admin:handling_rules_changelist"))
    assert response.status_code == 302
    assert response.url == reverse("admin:handling_rules_change", args=[Rules.SINGLETON_ID])
    assert client.get(response.url).status_code == 200
    assert client.get(reverse("admin:handling_rules_add")).status_code == 403
    delete = reverse("admin:handling_rules_delete", args=[Rules.SINGLETON_ID])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Rules.objects.exists()


def test_an_admin_edits_the_rules_and_the_change_is_used_and_in_history(client, admin_role_user):
    client.force_login(admin_role_user)
    url = reverse("admin:handling_rules_change", args=[Rules.SINGLETON_ID])
    response = client.post(url, {**RULES_FORM, "return_window_days": "10"})
    assert response.status_code == 302
    assert rules.current().return_window_days == 10
    event = RulesEvent.objects.order_by("-pgh_id").first()
    assert (event.pgh_label, event.return_window_days) == ("changed", 10)
    assert event.pgh_context is not None  # the admin request (who, where) is attached


def test_bad_rules_are_refused_with_a_message_and_change_nothing(client, admin_role_user):
    client.force_login(admin_role_user)
    url = reverse("admin:handling_rules_change", args=[Rules.SINGLETON_ID])
    response = client.post(url, {**RULES_FORM, "deadline_months": "8"})
    assert response.status_code == 200
    assert "延期上限不能短于默认办理期限" in response.content.decode()
    assert Rules.objects.get().deadline_months == 3


@pytest.mark.parametrize("role", ["viewer", "staff", "handler"])
def test_other_roles_may_not_edit_the_calendar_or_the_rules(client, role, departments):
    user = make_user(f"{role}9", role, department=departments["区科信局"], is_staff=True)
    client.force_login(user)
    url = reverse("admin:handling_rules_change", args=[Rules.SINGLETON_ID])
    assert client.post(url, {**RULES_FORM, "deadline_months": "1"}).status_code == 403
    assert Rules.objects.get().deadline_months == 3
    response = client.post(
        reverse("admin:handling_calendarday_add"),
        {"date": "2024-10-08", "kind": "holiday", "name": "临时放假"},
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date=D(2024, 10, 8)).exists()


def test_the_admin_group_holds_the_calendar_and_rules_permissions(db):
    codenames = set(Group.objects.get(name="admin").permissions.values_list("codename", flat=True))
    assert {"change_rules", "add_calendarday", "change_calendarday", "delete_calendarday"} <= (
        codenames
    )
