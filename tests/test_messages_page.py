"""The 消息 page, the header's unread count, opening and marking messages, e-mail settings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, Message, Preference

pytestmark = pytest.mark.django_db


def message(user, title="新交办(主办):建设智算中心", rec=None, read=False, **extra):
    return Message.objects.create(
        recipient=user,
        kind=extra.pop("kind", Kind.ASSIGNED),
        recommendation=rec,
        title=title,
        read_at=timezone.now() if read else None,
        **extra,
    )


def test_it_lists_unread_messages_first_then_the_read_newest_first(client, handler, item):
    old_read = message(handler, "旧的已读", item, read=True)
    unread = message(handler, "未读的", item)
    new_read = message(handler, "新的已读", item, read=True)
    client.force_login(handler)

    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == [unread, new_read, old_read]
    assert response.context["unread"] == 1
    assert "未读的" in response.content.decode()


def test_the_header_of_every_page_shows_the_unread_count(client, handler, item):
    message(handler, rec=item)
    message(handler, rec=item)
    message(handler, rec=item, read=True)
    client.force_login(handler)

    for url in ("/", "/recommendations/", f"/recommendations/{item.pk}/", "/my-work/"):
        html = client.get(url).content.decode()
        assert '<span class="unread-count" aria-label="2 条未读">2</span>' in html, url


def test_the_header_count_costs_no_query_of_its_own(client, handler, item):
    message(handler, rec=item)
    client.force_login(handler)
    client.get("/my-work/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/my-work/")
    counted = [q["sql"] for q in captured.captured_queries if "notifications_message" in q["sql"]]
    # Read as a subquery of the query that loads the signed-in user.
    assert len(counted) == 1
    assert 'FROM "recommendations_user"' in counted[0]


def test_a_user_without_unread_messages_sees_no_count(client, handler, item):
    message(handler, rec=item, read=True)
    client.force_login(handler)
    assert 'class="unread-count"' not in client.get("/").content.decode()


def test_opening_a_message_reads_it_and_leads_to_its_item(client, handler, item):
    m = message(handler, rec=item)
    client.force_login(handler)

    response = client.get(m.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == reverse("recommendation_detail", args=[item.pk])
    m.refresh_from_db()
    assert m.read_at is not None


def test_marking_one_read_keeps_the_others_unread(client, handler, item):
    first, second = message(handler, rec=item), message(handler, rec=item)
    client.force_login(handler)

    response = client.post(reverse("notifications:read", args=[first.pk]))

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_marking_all_read_touches_only_the_users_own(client, handler, other_handler, item):
    mine = [message(handler, rec=item) for _ in range(3)]
    theirs = message(other_handler, rec=item)
    client.force_login(handler)

    response = client.post(reverse("notifications:read_all"))

    assert response.status_code == 302
    assert Message.objects.filter(pk__in=[m.pk for m in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_refuses_get_on_the_marking_actions(client, handler, item):
    m = message(handler, rec=item)
    client.force_login(handler)
    assert client.get(reverse("notifications:read", args=[m.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    m.refresh_from_db()
    assert m.read_at is None


def test_it_does_not_follow_an_outside_next_address(client, handler, item):
    m = message(handler, rec=item)
    client.force_login(handler)
    response = client.post(
        reverse("notifications:read", args=[m.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications:inbox")


def test_the_inbox_has_a_fixed_number_of_queries(
    client, handler, item, django_assert_max_num_queries
):
    for n in range(40):
        message(handler, f"消息{n}", item, read=n % 2 == 0)
    client.force_login(handler)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:inbox"))
    assert len(response.context["page_obj"].object_list) == 30


def test_settings_save_muted_kinds_and_the_digest(client, handler):
    client.force_login(handler)
    kinds = [k for k, _ in Kind.choices if k not in ("commented", "verdict")]

    response = client.post(
        reverse("notifications:preferences"), {"mode": "digest", "email_kinds": kinds}
    )

    assert response.status_code == 302
    preference = Preference.objects.get(user=handler)
    assert preference.digest is True
    assert sorted(preference.muted_kinds) == ["commented", "verdict"]
    form = client.get(reverse("notifications:preferences")).context["form"]
    assert form["mode"].value() == "digest"
    assert "commented" not in form["email_kinds"].value()
    assert "assigned" in form["email_kinds"].value()


def test_settings_refuse_an_unknown_mode_and_change_nothing(client, handler):
    Preference.objects.create(user=handler, muted_kinds=["verdict"])
    client.force_login(handler)

    response = client.post(
        reverse("notifications:preferences"), {"mode": "hourly", "email_kinds": ["assigned"]}
    )

    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    preference = Preference.objects.get(user=handler)
    assert preference.muted_kinds == ["verdict"] and preference.digest is False
