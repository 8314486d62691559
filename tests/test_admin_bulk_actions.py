"""The admin's bulk actions on recommendations (admin.py bulk_assign, bulk_change_status) go
through workflow.py and their changes are recorded in history with the admin user."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from recommendations.history import build_history
from recommendations.models import Recommendation, RecommendationEvent
from tests.action_helpers import S, days_from_today

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:recommendations_recommendation_changelist"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def second_item(section):
    return Recommendation.objects.create(
        article=section.article,
        parent=section,
        number="1.2",
        order=3,
        depth=2,
        place="一、2",
        heading="开放算力券",
        text="二是开放算力券。",
    )


def run_action(client, action, recs, query="", **fields):
    data = {"action": action, "_selected_action": [r.pk for r in recs], **fields}
    return client.post(reverse(CHANGELIST) + query, data)


def shown(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_bulk_assign_asks_for_the_fields_first(admin_client, item, second_item):
    response = run_action(admin_client, "bulk_assign", [item, second_item])

    assert response.status_code == 200
    assert "admin/recommendations/bulk_action.html" in [t.name for t in response.templates]
    item.refresh_from_db()
    assert item.status == S.NEW


def test_bulk_assign_assigns_and_records_the_admin(
    admin_client, admin_user, item, second_item, departments
):
    deadline = days_from_today(12)

    response = run_action(
        admin_client,
        "bulk_assign",
        [item, second_item],
        apply="1",
        lead_department=departments["区商务局"].pk,
        co_departments=[departments["区教委"].pk],
        deadline=deadline.isoformat(),
    )

    assert response.status_code == 302
    assert "已交办 2 条建议。" in shown(response)
    for rec in (item, second_item):
        rec.refresh_from_db()
        assert (rec.status, rec.lead_department, rec.deadline) == (
            S.ASSIGNED,
            departments["区商务局"],
            deadline,
        )
        entries = [e for e in build_history(rec) if e.kind != "created"]
        assert {(e.field, e.new) for e in entries} >= {
            ("状态", "已交办"),
            ("主办部门", "区商务局"),
            ("协办部门", "区教委"),
        }
        assert {e.user for e in entries} == {admin_user}


def test_bulk_assign_rerenders_a_missing_deadline(admin_client, item, lead_department):
    response = run_action(
        admin_client, "bulk_assign", [item], apply="1", lead_department=lead_department.pk
    )

    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()
    item.refresh_from_db()
    assert item.lead_department is None


def test_bulk_change_status_changes_what_it_may_and_reports_the_rest(
    admin_client, admin_user, assigned_item, second_item
):
    response = run_action(
        admin_client,
        "bulk_change_status",
        [assigned_item, second_item],
        apply="1",
        status=S.IN_PROGRESS,
    )

    assert response.status_code == 302
    messages = shown(response)
    assert "已更改 1 条建议的状态。" in messages
    assert "一、2 开放算力券:不能从“待研判”改为“办理中”。" in messages
    assigned_item.refresh_from_db()
    second_item.refresh_from_db()
    assert (assigned_item.status, second_item.status) == (S.IN_PROGRESS, S.NEW)
    event = RecommendationEvent.objects.filter(pgh_obj_id=assigned_item.pk).latest("pgh_id")
    assert (event.status, event.pgh_context.metadata["user"]) == (S.IN_PROGRESS, admin_user.pk)
    assert build_history(assigned_item)[-1].user == admin_user


def test_bulk_change_status_works_on_a_list_filtered_by_tag(
    admin_client, assigned_item, second_item, tag
):
    assigned_item.tags.add(tag)
    second_item.tags.add(tag)

    response = run_action(
        admin_client,
        "bulk_change_status",
        [assigned_item, second_item],
        query=f"?tags__id__exact={tag.pk}",
        apply="1",
        status=S.NOT_ACTIONABLE,
        note="观点陈述",
    )

    assert response.status_code == 302
    for rec in (assigned_item, second_item):
        rec.refresh_from_db()
        assert (rec.status, rec.status_note) == (S.NOT_ACTIONABLE, "观点陈述")


def test_portal_staff_without_admin_access_cannot_run_them(client, staff, item, lead_department):
    client.force_login(staff)

    response = run_action(
        client,
        "bulk_assign",
        [item],
        apply="1",
        lead_department=lead_department.pk,
        deadline=days_from_today(3).isoformat(),
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    item.refresh_from_db()
    assert item.lead_department is None
