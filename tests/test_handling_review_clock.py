"""An item awaiting review (待审核) is not overdue: the department has answered and the clock is
staff's now. Checked in every place that says "overdue": the rule, the list filter and its
count, the dashboard, My work, a container's roll-up, the item page and the reminders."""

import datetime

import pytest
from django.urls import reverse
from ui_helpers import assigned, make_article, make_rec

from notifications import reminders
from notifications.models import Kind, Message
from recommendations import workflow
from recommendations.models import Recommendation
from tests.handling_helpers import answered_for_review, in_days

pytestmark = pytest.mark.django_db
S = Recommendation.Status
D = datetime.date


def answered_late(article, number, lead, days=-5, **extra):
    """Past its deadline, with the lead department's answer waiting for staff."""
    return make_rec(
        article,
        number,
        "已答复待审核",
        answer_category="A",
        reply="已研究落实。",
        **assigned(lead, days=days, status=S.REVIEW),
        **extra,
    )


@pytest.fixture
def world(edition, lead_department):
    article = make_article(edition, order=2, author="李四")
    return {
        "review": answered_late(article, "1", lead_department),
        "working": make_rec(
            article, "2", "办理中逾期", **assigned(lead_department, days=-5, status=S.IN_PROGRESS)
        ),
    }


def test_the_rule_counts_only_items_whose_clock_runs(world):
    overdue = set(Recommendation.objects.overdue().values_list("pk", flat=True))
    assert overdue == {world["working"].pk}
    assert not world["review"].is_overdue and world["working"].is_overdue
    Recommendation.objects.filter(pk=world["review"].pk).update(
        deadline=datetime.date.today() + datetime.timedelta(days=2)
    )
    assert world["review"].pk not in Recommendation.objects.due_within(7).values_list(
        "pk", flat=True
    )


def test_a_returned_answer_is_overdue_again(loop_item, handler, staff):
    """Staff return the answer: the department works again, against its deadline."""
    answered_for_review(loop_item, handler)
    Recommendation.objects.filter(pk=loop_item.pk).update(deadline=in_days(-3))
    loop_item.refresh_from_db()
    assert not loop_item.is_overdue
    workflow.review_answer(loop_item, staff, approve=False, note="请补充落实时间")
    assert loop_item.status == S.IN_PROGRESS and loop_item.is_overdue
    assert loop_item.pk in Recommendation.objects.overdue().values_list("pk", flat=True)


def test_the_list_filter_and_its_count_leave_it_out(client, viewer, world):
    client.force_login(viewer)
    response = client.get(reverse("recommendation_list"), {"deadline": "overdue"})
    assert [r.pk for r in response.context["page_obj"].object_list] == [world["working"].pk]
    counts = {o["value"]: o["count"] for o in response.context["facets"]["deadline"]}
    assert counts["overdue"] == 1
    html = client.get(reverse("recommendation_list"), {"status": "review"}).content.decode()
    assert "已答复待审核" in html and "is-overdue" not in html


def test_the_dashboard_card_and_panel_leave_it_out(client, viewer, world):
    client.force_login(viewer)
    context = client.get(reverse("dashboard")).context
    card = next(c for c in context["summary"] if c["label"] == "已逾期")
    assert card["value"] == 1
    assert [r.pk for r in context["overdue_items"]] == [world["working"].pk]


def test_my_work_leaves_it_out_for_the_department_and_for_staff(client, handler, staff, world):
    client.force_login(handler)
    response = client.get("/my-work/")
    assert response.context["handler_overdue"] == 1
    assert "1 条已逾期" in response.content.decode()
    client.force_login(staff)
    late = client.get("/my-work/").context["overdue_page"].object_list
    assert [r.pk for r in late] == [world["working"].pk]


def test_the_item_page_shows_no_overdue_badge(client, viewer, world):
    client.force_login(viewer)
    html = client.get(world["review"].get_absolute_url()).content.decode()
    assert "已逾期" not in html.split("<main")[1]
    assert "已逾期" in client.get(world["working"].get_absolute_url()).content.decode()


def test_a_containers_rollup_leaves_it_out(edition, lead_department):
    article = make_article(edition, order=3, author="王五")
    section = make_rec(article, "1", "分组", depth=1, is_container=True)
    answered_late(article, "1.1", lead_department, parent=section)
    assert workflow.rollup(section) == {"total": 1, "answered": 0, "overdue": 0}


def test_the_reminders_do_not_nag_the_department(handler, staff, edition, lead_department):
    article = make_article(edition, order=2, author="李四")
    review = answered_late(article, "1", lead_department)
    working = make_rec(
        article, "2", "办理中逾期", **assigned(lead_department, status=S.IN_PROGRESS)
    )
    Recommendation.objects.filter(pk__in=[review.pk, working.pk]).update(deadline=D(2030, 3, 15))
    reminders.run_daily(D(2030, 3, 12))  # 3 working days before: "deadline near"
    near = Message.objects.filter(kind=Kind.DEADLINE_NEAR)
    assert set(near.values_list("recommendation_id", flat=True)) == {working.pk}
    reminders.run_daily(D(2030, 3, 18))  # a Monday, past the deadline: overdue and the summary
    overdue = Message.objects.filter(kind=Kind.OVERDUE)
    assert set(overdue.values_list("recommendation_id", flat=True)) == {working.pk}
    summary = Message.objects.get(kind=Kind.OVERDUE_SUMMARY, recipient=staff)
    assert summary.title == "逾期建议汇总:1 条"
