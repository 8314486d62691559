"""POST /recommendations/<pk>/assign/: lead department, co-departments and deadline."""

import pytest

from recommendations.history import build_history
from recommendations.models import CoDepartmentEvent
from tests.action_helpers import (
    S,
    days_from_today,
    detail_url,
    messages_of,
    post_as,
    refused_page,
    url,
)

pytestmark = pytest.mark.django_db

NAME = "recommendation_assign"


def valid(rec, lead, deadline=None, co=()):
    return {
        "version": rec.version,
        "lead_department": lead.pk,
        "co_departments": [d.pk for d in co],
        "deadline": (deadline or days_from_today(14)).isoformat(),
    }


def test_it_assigns_a_new_item(client, staff, item, departments):
    lead, co = departments["区科信局"], departments["区教委"]
    deadline = days_from_today(14)

    response = post_as(client, staff, NAME, item, valid(item, lead, deadline, co=[co]))

    assert response.status_code == 302
    assert response["Location"] == detail_url(item)
    item.refresh_from_db()
    assert item.status == S.ASSIGNED
    assert item.lead_department == lead
    assert item.deadline == deadline
    assert list(item.co_departments.all()) == [co]
    assert item.version == 2
    assert f"已交办给区科信局,办理期限 {deadline.isoformat()}。" in messages_of(response)


def test_it_records_the_assignment_in_history_with_the_user(client, staff, item, departments):
    post_as(
        client,
        staff,
        NAME,
        item,
        valid(item, departments["区科信局"], days_from_today(7), co=[departments["区教委"]]),
    )

    changes = {(e.field, e.old, e.new) for e in build_history(item) if e.kind != "created"}
    assert ("状态", "待研判", "已交办") in changes
    assert ("主办部门", "", "区科信局") in changes
    assert ("办理期限", "", days_from_today(7).isoformat()) in changes
    assert ("协办部门", "", "区教委") in changes
    assert {e.user for e in build_history(item) if e.kind != "created"} == {staff}


def test_it_reassigns_and_drops_a_co_department(client, staff, assigned_item, departments):
    assigned_item.co_departments.add(departments["区教委"])
    assigned_item.refresh_from_db()

    response = post_as(
        client,
        staff,
        NAME,
        assigned_item,
        valid(assigned_item, departments["区商务局"], assigned_item.deadline),
    )

    assert response.status_code == 302
    assigned_item.refresh_from_db()
    assert assigned_item.lead_department == departments["区商务局"]
    assert assigned_item.status == S.ASSIGNED
    assert not assigned_item.co_departments.exists()
    removed = CoDepartmentEvent.objects.get(recommendation_id=assigned_item.pk, pgh_label="removed")
    assert removed.department_id == departments["区教委"].pk


def test_it_keeps_the_status_of_an_item_in_progress(client, staff, assigned_item, departments):
    assigned_item.status = S.IN_PROGRESS
    assigned_item.save()

    post_as(client, staff, NAME, assigned_item, valid(assigned_item, departments["区商务局"]))

    assigned_item.refresh_from_db()
    assert assigned_item.status == S.IN_PROGRESS
    assert assigned_item.lead_department == departments["区商务局"]


@pytest.mark.parametrize("role", ["viewer", "handler", "other_handler"])
def test_it_refuses_everyone_but_staff(client, users, item, lead_department, role):
    response = post_as(client, users[role], NAME, item, valid(item, lead_department))

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == S.NEW
    assert item.lead_department is None


def test_a_get_writes_nothing_and_lands_on_the_item(client, staff, item):
    client.force_login(staff)

    before = item.version
    response = client.get(url(NAME, item))

    assert response.status_code == 302
    assert response["Location"] == detail_url(item)
    item.refresh_from_db()
    assert item.version == before


def test_it_rerenders_a_missing_lead_department_keeping_the_typed_deadline(client, staff, item):
    deadline = days_from_today(20).isoformat()

    response = post_as(client, staff, NAME, item, {"version": item.version, "deadline": deadline})

    response = refused_page(client, response)
    content = response.content.decode()
    assert "请选择主办部门。" in content
    assert f'value="{deadline}"' in content
    item.refresh_from_db()
    assert item.status == S.NEW


def test_it_rerenders_a_missing_deadline_keeping_the_chosen_department(
    client, staff, item, departments
):
    lead = departments["区商务局"]

    response = post_as(
        client, staff, NAME, item, {"version": item.version, "lead_department": lead.pk}
    )

    response = refused_page(client, response)
    content = response.content.decode()
    assert "请填写办理期限。" in content
    assert f'<option value="{lead.pk}" selected>区商务局</option>' in content
    item.refresh_from_db()
    assert item.lead_department is None


def test_it_refuses_a_deadline_before_today(client, staff, item, lead_department):
    yesterday = days_from_today(-1)

    response = post_as(client, staff, NAME, item, valid(item, lead_department, yesterday))

    response = refused_page(client, response)
    content = response.content.decode()
    assert "办理期限不能早于今天。" in content
    assert f'value="{yesterday.isoformat()}"' in content
    item.refresh_from_db()
    assert item.deadline is None


def test_it_keeps_an_overdue_deadline_that_was_not_changed(
    client, staff, assigned_item, departments
):
    overdue = days_from_today(-3)
    assigned_item.deadline = overdue
    assigned_item.save()

    response = post_as(
        client,
        staff,
        NAME,
        assigned_item,
        valid(assigned_item, assigned_item.lead_department, overdue, co=[departments["区教委"]]),
    )

    assert response.status_code == 302
    assert list(assigned_item.co_departments.all()) == [departments["区教委"]]


def test_it_rerenders_a_malformed_date(client, staff, item, lead_department):
    data = {**valid(item, lead_department), "deadline": "2025-13-45"}

    response = post_as(client, staff, NAME, item, data)

    response = refused_page(client, response)
    content = response.content.decode()
    assert "请输入有效的日期,如 2025-06-30。" in content
    assert 'value="2025-13-45"' in content


def test_it_refuses_the_lead_department_as_a_co_department(client, staff, item, lead_department):
    response = post_as(
        client, staff, NAME, item, valid(item, lead_department, co=[lead_department])
    )

    response = refused_page(client, response)
    assert "主办部门不能同时作为协办部门。" in response.content.decode()


def test_it_refuses_an_unknown_department(client, staff, item):
    data = {"version": item.version, "lead_department": "999999", "deadline": "2099-01-01"}

    response = post_as(client, staff, NAME, item, data)

    response = refused_page(client, response)
    assert "所选主办部门不存在。" in response.content.decode()


def test_it_refuses_a_stale_version_and_keeps_the_first_assignment(
    client, staff, admin_user, item, departments
):
    stale = item.version
    first = post_as(client, staff, NAME, item, valid(item, departments["区科信局"]))
    assert first.status_code == 302
    late_deadline = days_from_today(60)

    second = post_as(
        client,
        admin_user,
        NAME,
        item,
        {**valid(item, departments["区商务局"], late_deadline), "version": stale},
    )

    second = refused_page(client, second)
    content = second.content.decode()
    assert "保存失败:这条建议已被他人修改。请查看最新内容后再提交。" in content
    assert f'value="{late_deadline.isoformat()}"' in content  # what the second user typed
    history = content.split('id="history"')[1].split("</section>")[0]
    assert "区科信局" in history  # the first change, in the history shown
    item.refresh_from_db()
    assert item.lead_department == departments["区科信局"]
    assert item.deadline == days_from_today(14)
    # The re-rendered form carries the current version, so a deliberate resubmission works.
    assert f'name="version" value="{item.version}"' in content
