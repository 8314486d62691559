"""A user only ever sees and marks their own messages: every message URL × every role."""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Email, Kind, Message

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "staff", "handler", "other_handler", "admin"]


@pytest.fixture
def owned(users, item):
    """One unread message per role user."""
    return {
        role: Message.objects.create(
            recipient=user, kind=Kind.COMMENTED, recommendation=item, title=f"给{role}的消息"
        )
        for role, user in users.items()
    }


PAIRS = [(role, owner) for role in ROLES for owner in ROLES if role != owner]


@pytest.mark.parametrize(("role", "owner"), PAIRS, ids=[f"{r}-on-{o}s" for r, o in PAIRS])
def test_a_user_cannot_open_or_mark_another_users_message(users, owned, role, owner):
    client = Client()
    client.force_login(users[role])
    target = owned[owner]

    assert client.get(reverse("notifications:open", args=[target.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[target.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))

    target.refresh_from_db()
    assert target.read_at is None
    page = client.get(reverse("notifications:inbox"))
    assert target.title not in page.content.decode()
    assert [m.pk for m in page.context["page_obj"].object_list] == [owned[role].pk]


@pytest.mark.parametrize("role", ["viewer", "staff", "handler"])
def test_only_admins_see_the_email_rows(client, users, role):
    Email.objects.create(to_address="a@example.test", subject="主题", body="正文")
    client.force_login(users[role])
    response = client.get(reverse("admin:notifications_email_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admins_see_the_email_rows_with_state_attempts_and_error(client, users):
    Email.objects.create(
        to_address="a@example.test",
        subject="主题",
        body="正文",
        state=Email.State.RETRYING,
        attempts=3,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    client.force_login(users["admin"])
    page = client.get(reverse("admin:notifications_email_changelist")).content.decode()
    assert "a@example.test" in page
    assert "发送失败,等待重试" in page
