"""Handling events → who is told. The request only queues a job; the job (called here directly,
in-process) writes one message per recipient, never to the person who acted."""

import pytest
from django.db import connection
from django.urls import reverse

from notifications.delivery import deliver_event
from notifications.models import Email, Message
from recommendations import events
from tests.action_helpers import days_from_today
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(users, lead_department, other_department):
    handler_b = make_user("handler_b", "handler", department=lead_department)
    staff2 = make_user("staff2", "staff")
    for user in (*users.values(), handler_b, staff2):
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])
    return {**users, "handler_b": handler_b, "staff2": staff2}


def told(kind, rec, actor, **data) -> set[str]:
    deliver_event(kind, rec.pk, actor.pk if actor else None, data)
    return set(Message.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def queued_tasks() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT task_name FROM procrastinate_jobs ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_a_staff_assignment_request_only_queues_one_job(
    client, people, item, lead_department, django_capture_on_commit_callbacks
):
    client.force_login(people["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recommendation_assign", args=[item.pk]),
            {
                "version": item.version,
                "lead_department": lead_department.pk,
                "deadline": days_from_today(20).isoformat(),
            },
        )
    assert response.status_code == 302
    assert queued_tasks() == ["notifications.deliver_event"]
    assert not Message.objects.exists() and not Email.objects.exists()


def test_an_assignment_tells_the_departments_handlers(people, assigned_item, other_department):
    names = told(
        events.ASSIGNED,
        assigned_item,
        people["staff"],
        lead_department_id=assigned_item.lead_department_id,
        co_department_ids=[other_department.pk],
        deadline="2027-03-01",
    )
    assert names == {"handler1", "handler_b", "handler2"}
    # Each e-mail is queued with its row.
    assert Email.objects.count() == 3
    assert queued_tasks().count("notifications.send_email") == 3


@pytest.mark.parametrize(
    "kind", [events.RETURN_REQUESTED, events.EXTENSION_REQUESTED, events.ANSWER_SUBMITTED]
)
def test_requests_and_answers_for_review_tell_staff_not_the_handler(people, assigned_item, kind):
    names = told(
        kind, assigned_item, people["handler"], department_id=assigned_item.lead_department_id
    )
    assert names == {"staff1", "staff2"}


@pytest.mark.parametrize(
    "kind",
    [
        events.RETURN_DECIDED,
        events.EXTENSION_DECIDED,
        events.ANSWER_APPROVED,
        events.ANSWER_RETURNED,
        events.VERDICT,
    ],
)
def test_decisions_and_verdicts_tell_the_department(people, assigned_item, kind):
    names = told(
        kind,
        assigned_item,
        people["staff"],
        department_id=assigned_item.lead_department_id,
        approved=True,
        note="同意",
    )
    assert names == {"handler1", "handler_b"}


def test_a_co_opinion_tells_the_lead_department(people, assigned_item, other_department):
    names = told(
        events.CO_OPINION, assigned_item, people["other_handler"], department_id=other_department.pk
    )
    assert names == {"handler1", "handler_b"}
    message = Message.objects.get(recipient=people["handler"])
    assert message.title == "协办意见:建设智算中心"
    assert other_department.name in message.body


def test_a_comment_tells_the_other_parties_never_its_author(people, assigned_item):
    assert told(events.COMMENTED, assigned_item, people["handler"], comment_id=1) == {
        "handler_b",
        "staff1",
        "staff2",
    }


def test_a_comment_on_an_item_nobody_handles_tells_nobody(people, item):
    assert told(events.COMMENTED, item, people["staff"], comment_id=1) == set()


def test_a_plain_status_change_tells_nobody(people, assigned_item):
    assert told(events.STATUS_CHANGED, assigned_item, people["staff"], to_status="new") == set()


def test_a_user_without_an_address_gets_the_message_and_no_email(people, assigned_item):
    people["handler_b"].email = ""
    people["handler_b"].save(update_fields=["email"])
    told(
        events.ANSWER_APPROVED,
        assigned_item,
        people["staff"],
        department_id=assigned_item.lead_department_id,
    )
    assert Message.objects.filter(recipient=people["handler_b"]).exists()
    assert list(Email.objects.values_list("to_address", flat=True)) == ["handler1@example.test"]


def test_supervision_tells_the_lead_department(people, assigned_item):
    names = told(
        events.SUPERVISED, assigned_item, people["staff"], supervised=True, leader="王区长"
    )
    assert names == {"handler1", "handler_b"}
    message = Message.objects.get(recipient=people["handler"])
    assert message.title == "列入重点督办:建设智算中心"
    assert "督办领导:王区长" in message.body
