"""recommendations.events: a handling step is announced once its transaction commits."""

import datetime

import pytest
from django.db import transaction

from recommendations import events, workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    events.workflow_event.connect(receiver, weak=False)
    yield received
    events.workflow_event.disconnect(receiver)


def test_it_announces_an_assignment_after_commit(
    heard, staff, item, lead_department, django_capture_on_commit_callbacks
):
    deadline = datetime.date(2027, 3, 1)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(item, staff, lead_department=lead_department, deadline=deadline)

    assert heard == [
        (
            events.ASSIGNED,
            {
                "signal": events.workflow_event,
                "recommendation_id": item.pk,
                "actor_id": staff.pk,
                "data": {
                    "lead_department_id": lead_department.pk,
                    "co_department_ids": [],
                    "deadline": "2027-03-01",
                },
            },
        )
    ]


def test_it_says_nothing_before_commit_nor_of_a_step_rolled_back(
    heard, staff, item, lead_department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.assign(
                item, staff, lead_department=lead_department, deadline=datetime.date(2027, 3, 1)
            )
            assert heard == []
            raise RuntimeError("rolled back")

    assert (callbacks, heard) == ([], [])


def test_it_announces_a_comment(heard, handler, assigned_item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment = workflow.add_comment(assigned_item, handler, "已联系相关科室。")

    assert [(kind, kw["data"]) for kind, kw in heard] == [
        (events.COMMENTED, {"comment_id": comment.pk})
    ]
