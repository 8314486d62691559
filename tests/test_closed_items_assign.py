"""交办 on an answered (已办结) item is refused item by item, in the bulk action, the admin's
bulk action and the single form (reopen first); bulk 已办结 is not offered (it needs each
item's own answer)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from recommendations import workflow
from recommendations.models import Recommendation
from tests.action_helpers import (
    S,
    days_from_today,
    detail_url,
    make_status,
    messages_of,
    post_as,
    refused_page,
)

pytestmark = pytest.mark.django_db

REFUSED = "这条建议已办结,不能重新交办;如需改由其他部门办理,请先重新打开。"


@pytest.fixture
def answered(section, other_department):
    rec = Recommendation.objects.create(
        article=section.article,
        parent=section,
        number="1.2",
        order=3,
        depth=2,
        place="一、2",
        heading="开放算力券",
        text="二是开放算力券。",
    )
    return make_status(
        rec, S.ANSWERED, lead_department=other_department, answer_category="A", reply="已落实。"
    )


def assert_untouched(rec, department):
    rec.refresh_from_db()
    assert (rec.status, rec.lead_department, rec.reply) == (S.ANSWERED, department, "已落实。")


def test_bulk_assign_assigns_the_open_item_and_refuses_the_answered_one(
    client, staff, item, answered, lead_department, other_department
):
    response = post_as(
        client,
        staff,
        "recommendation_bulk",
        data={
            "ids": [item.pk, answered.pk],
            "action": "assign",
            "lead_department": lead_department.pk,
            "deadline": days_from_today(30).isoformat(),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.lead_department) == (S.ASSIGNED, lead_department)
    assert_untouched(answered, other_department)
    assert messages_of(response) == [
        "已将 1 条建议交办给区科信局。",
        f"未交办 一、2 开放算力券:{REFUSED}",
    ]


def test_the_admins_bulk_assign_refuses_the_answered_item_too(
    client, admin_user, item, answered, lead_department, other_department
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:recommendations_recommendation_changelist"),
        {
            "action": "bulk_assign",
            "_selected_action": [item.pk, answered.pk],
            "apply": "1",
            "lead_department": lead_department.pk,
            "deadline": days_from_today(30).isoformat(),
        },
    )
    assert response.status_code == 302
    assert_untouched(answered, other_department)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["已交办 1 条建议。", f"一、2 开放算力券:{REFUSED}"]


def test_the_single_form_is_refused_and_not_offered_on_an_answered_item(
    client, staff, item, answered, lead_department, other_department
):
    response = post_as(
        client,
        staff,
        "recommendation_assign",
        answered,
        {
            "version": answered.version,
            "lead_department": lead_department.pk,
            "deadline": days_from_today(30).isoformat(),
        },
    )
    response = refused_page(client, response)
    assert REFUSED in response.content.decode()
    assert_untouched(answered, other_department)
    assert 'id="assign-form"' not in client.get(detail_url(answered)).content.decode()
    assert 'id="assign-form"' in client.get(detail_url(item)).content.decode()


def test_a_reopened_item_can_be_assigned_again(
    client, staff, answered, lead_department, other_department
):
    workflow.transition(answered, staff, S.NEW, note="主办部门有误,重新研判")
    answered.refresh_from_db()
    workflow.assign(answered, staff, lead_department=lead_department, deadline=days_from_today(30))
    answered.refresh_from_db()
    assert (answered.status, answered.lead_department) == (S.ASSIGNED, lead_department)


def test_bulk_answered_is_not_offered_and_refused_with_a_message(client, staff, item):
    client.force_login(staff)
    page = client.get(reverse("recommendation_list")).content.decode()
    bulk_status = page[page.index('name="status" id="id_bulk_status"') :]
    bulk_status = bulk_status[: bulk_status.index("</select>")]
    assert 'value="answered"' not in bulk_status
    assert 'value="not_actionable"' in bulk_status

    response = post_as(
        client,
        staff,
        "recommendation_bulk",
        data={"ids": [item.pk], "action": "status", "status": "answered"},
    )
    # Refused back to the list (post/redirect/get), which shows the bulk form with the error.
    assert response.status_code == 303
    page = client.get(response["Location"].split("#")[0]).content.decode()
    assert "“已办结”须逐条填写答复类别和答复内容,不能批量设置。" in page
    item.refresh_from_db()
    assert item.status == S.NEW


def test_the_admins_bulk_status_does_not_offer_answered(client, admin_user, assigned_item):
    client.force_login(admin_user)
    changelist = reverse("admin:recommendations_recommendation_changelist")
    data = {"action": "bulk_change_status", "_selected_action": [assigned_item.pk]}
    form = client.get(changelist) and client.post(changelist, data).content.decode()
    assert 'value="answered"' not in form and 'value="in_progress"' in form
    response = client.post(changelist, {**data, "apply": "1", "status": "answered"})
    assert response.status_code == 200
    assert "“已办结”须逐条填写答复类别和答复内容,不能批量设置。" in response.content.decode()
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.ASSIGNED


def test_the_rule_refuses_bulk_answered_whatever_the_caller(staff, assigned_item):
    queryset = Recommendation.objects.filter(pk=assigned_item.pk)
    with pytest.raises(workflow.WorkflowError):
        workflow.bulk_transition(queryset, user=staff, to_status=S.ANSWERED)
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.ASSIGNED
