"""recommendations/workflow.py: who may do what, and the rules of each step (domain.md)."""

import pytest

from recommendations import workflow
from recommendations.models import CoDepartment, Recommendation, Tag
from tests.action_helpers import S, answered, days_from_today, make_status

pytestmark = pytest.mark.django_db


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (S.NEW, "staff", [S.NOT_ACTIONABLE, S.ASSIGNED]),
        (S.ASSIGNED, "staff", [S.NEW, S.NOT_ACTIONABLE, S.IN_PROGRESS, S.ANSWERED]),
        (S.ANSWERED, "staff", [S.NEW, S.ASSIGNED]),
        (S.NOT_ACTIONABLE, "admin", [S.NEW, S.ASSIGNED]),
        # The lead handler's steps are the loop's (receipt, answer for review): handling/.
        (S.ASSIGNED, "handler", []),
        (S.IN_PROGRESS, "handler", []),
        (S.REVIEW, "staff", [S.NEW, S.ASSIGNED]),
        (S.ANSWERED, "handler", []),
        (S.ASSIGNED, "other_handler", []),
        (S.ASSIGNED, "viewer", []),
    ],
)
def test_allowed_transitions_follow_role_and_status(users, assigned_item, status, role, expected):
    make_status(assigned_item, status, answer_category="A", reply="答复")

    assert workflow.allowed_transitions(users[role], assigned_item) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("viewer", False),
        ("staff", True),
        ("handler", True),
        ("other_handler", False),
        ("admin", True),
    ],
)
def test_comment_is_open_to_staff_and_the_lead_departments_handlers(
    users, assigned_item, role, expected
):
    assert workflow.can_comment(users[role], assigned_item) is expected


def test_a_co_departments_handler_may_comment(other_handler, other_department, assigned_item):
    CoDepartment.objects.create(recommendation=assigned_item, department=other_department)

    assert workflow.can_comment(other_handler, assigned_item)


def test_a_handler_without_department_is_a_viewer(handler, assigned_item):
    handler.department = None
    handler.save()

    assert not workflow.can_comment(handler, assigned_item)
    assert workflow.allowed_transitions(handler, assigned_item) == []


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (S.ASSIGNED, "handler", True),
        (S.IN_PROGRESS, "handler", True),
        (S.ANSWERED, "handler", False),
        (S.IN_PROGRESS, "other_handler", False),
        (S.IN_PROGRESS, "viewer", False),
        (S.ANSWERED, "staff", True),
    ],
)
def test_reply_is_for_the_lead_handler_until_answered_and_for_staff(
    users, assigned_item, status, role, expected
):
    make_status(assigned_item, status, answer_category="A", reply="答复")

    assert workflow.can_reply(users[role], assigned_item) is expected


def test_triage_is_staff_only(users):
    assert {role for role, user in users.items() if workflow.can_triage(user)} == {"staff", "admin"}


# --- single steps ----------------------------------------------------------------------------


def test_assign_from_not_actionable_assigns_and_drops_the_lead_from_co_departments(
    staff, item, departments
):
    make_status(item, S.NOT_ACTIONABLE, status_note="观点")
    lead = departments["区科信局"]

    workflow.assign(
        item,
        staff,
        lead_department=lead,
        deadline=days_from_today(9),
        co_departments=[lead, departments["区教委"]],
    )

    assert item.status == S.ASSIGNED
    assert list(item.co_departments.all()) == [departments["区教委"]]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lead_department": None, "deadline": "tomorrow"}, "lead_department"),
        ({"lead_department": "lead", "deadline": None}, "deadline"),
    ],
)
def test_assign_names_the_missing_field(staff, item, lead_department, kwargs, field):
    values = {
        "lead_department": lead_department if kwargs["lead_department"] else None,
        "deadline": days_from_today(1) if kwargs["deadline"] else None,
    }

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.assign(item, staff, **values)

    assert refused.value.field == field


def test_answering_strips_the_reply_and_stamps_the_time(staff, assigned_item):
    workflow.transition(assigned_item, staff, S.ANSWERED, answer_category="A", reply="  已解决。\n")

    assert assigned_item.reply == "已解决。"
    assert assigned_item.answered_at is not None


def test_reopening_clears_the_answer_time_but_keeps_the_reply(staff, assigned_item):
    answered(assigned_item)
    Recommendation.objects.filter(pk=assigned_item.pk).update(answered_at="2025-01-01T00:00Z")
    assigned_item.refresh_from_db()

    workflow.transition(assigned_item, staff, S.ASSIGNED, note="重新办理")

    assert assigned_item.answered_at is None
    assert assigned_item.reply == "已采纳。"
    assert assigned_item.status_note == "重新办理"


@pytest.mark.parametrize(
    ("to_status", "kwargs", "field"),
    [
        (S.NOT_ACTIONABLE, {}, "note"),
        (S.ANSWERED, {"reply": "答复"}, "answer_category"),
        (S.ANSWERED, {"answer_category": "A"}, "reply"),
        ("bogus", {}, "to_status"),
    ],
)
def test_transition_errors_name_their_field(staff, assigned_item, to_status, kwargs, field):
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.transition(assigned_item, staff, to_status, **kwargs)

    assert refused.value.field == field


def test_transition_refuses_a_non_string_status(staff, assigned_item):
    with pytest.raises(workflow.WorkflowError, match="未知的状态"):
        workflow.transition(assigned_item, staff, ["answered"])


def test_transition_refuses_outsiders_with_permission_denied(other_handler, assigned_item):
    with pytest.raises(workflow.PermissionDenied):
        workflow.transition(assigned_item, other_handler, S.IN_PROGRESS)


def test_comment_strips_and_refuses_blank(handler, assigned_item):
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.add_comment(assigned_item, handler, "   ")
    assert refused.value.field == "body"

    comment = workflow.add_comment(assigned_item, handler, "  好 ")
    assert comment.body == "好"


# --- bulk ------------------------------------------------------------------------------------


@pytest.fixture
def tagged_items(item, assigned_item, tag):
    """Two items carrying two tags each: a filter across tags needs DISTINCT."""
    other = Tag.objects.get(name="人才")
    new = Recommendation.objects.create(
        article=item.article, number="9", order=9, depth=2, heading="另一条", text="另一条"
    )
    for rec in (assigned_item, new):
        rec.tags.add(tag, other)
    return Recommendation.objects.filter(tags__in=[tag, other]).distinct()


def test_bulk_actions_lock_a_distinct_queryset(staff, tagged_items, departments):
    result = workflow.bulk_transition(
        tagged_items, user=staff, to_status=S.NOT_ACTIONABLE, note="n"
    )
    assert (result.changed, result.refused) == (2, [])

    assigned = workflow.bulk_assign(
        tagged_items, user=staff, lead_department=departments["区教委"], deadline=days_from_today(4)
    )
    assert (assigned.changed, assigned.refused) == (2, [])

    removed = workflow.bulk_tag(
        tagged_items, user=staff, tags=[Tag.objects.get(name="人才")], remove=True
    )
    assert removed == 2


def test_bulk_transition_reports_refusals_and_changes_the_rest(staff, section, assigned_item):
    queryset = Recommendation.objects.filter(pk__in=[section.pk, assigned_item.pk])

    result = workflow.bulk_transition(queryset, user=staff, to_status=S.IN_PROGRESS)

    assert result.changed == 1
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.IN_PROGRESS
    ((refused, reason),) = result.refused
    assert refused.pk == section.pk
    assert reason == "不能从“待研判”改为“办理中”。"


@pytest.mark.parametrize("role", ["viewer", "handler"])
def test_bulk_assign_and_tag_refuse_non_staff(users, item, lead_department, tag, role):
    queryset = Recommendation.objects.filter(pk=item.pk)

    with pytest.raises(workflow.PermissionDenied):
        workflow.bulk_assign(
            queryset, user=users[role], lead_department=lead_department, deadline=days_from_today(1)
        )
    with pytest.raises(workflow.PermissionDenied):
        workflow.bulk_tag(queryset, user=users[role], tags=[tag])

    item.refresh_from_db()
    assert item.lead_department is None
    assert not item.tags.exists()
