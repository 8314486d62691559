"""Every write action × every role × GET/POST, checked on the server.

The action URLs are found by walking the URL resolver, so a new action without a row in the
table below fails here instead of going unchecked.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from recommendations.models import Recommendation
from tests.action_helpers import S, days_from_today, detail_url

pytestmark = pytest.mark.django_db

ACTIONS_MODULE = "recommendations.views.actions"
ROLES = ["viewer", "staff", "handler", "other_handler", "admin"]

# Who may post to each action, on an item assigned to the handler's department (区科信局).
ALLOWED = {
    "recommendation_tags": {"staff", "admin"},
    "recommendation_assign": {"staff", "admin"},
    # The lead handler moves the item through the loop's steps instead (handling/).
    "recommendation_transition": {"staff", "admin"},
    "recommendation_reply": {"staff", "admin", "handler"},
    "recommendation_comment": {"staff", "admin", "handler"},
    "recommendation_bulk": {"staff", "admin"},
}


def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def action_url_names() -> set[str]:
    return {
        p.name
        for p in _walk(get_resolver().url_patterns)
        if p.name and p.callback.__module__ == ACTIONS_MODULE
    }


def valid_data(name, rec, other_department, tag) -> dict:
    """A post the action accepts from any user allowed to make it."""
    return {
        "recommendation_tags": {"version": rec.version, "tags": [tag.pk]},
        "recommendation_assign": {
            "version": rec.version,
            "lead_department": rec.lead_department_id,
            "co_departments": [other_department.pk],
            "deadline": days_from_today(20).isoformat(),
        },
        "recommendation_transition": {"version": rec.version, "to_status": S.IN_PROGRESS},
        "recommendation_reply": {"version": rec.version, "answer_category": "B", "reply": "草稿"},
        "recommendation_comment": {"body": "意见"},
        "recommendation_bulk": {
            "ids": [rec.pk],
            "action": "status",
            "status": S.IN_PROGRESS,
            "next": "/recommendations/",
        },
    }[name]


def action_url(name, rec) -> str:
    return reverse(name) if name == "recommendation_bulk" else reverse(name, args=[rec.pk])


def snapshot(rec):
    rec = Recommendation.objects.get(pk=rec.pk)
    return (
        rec.version,
        rec.status,
        rec.reply,
        set(rec.tags.values_list("pk", flat=True)),
        set(rec.co_departments.values_list("pk", flat=True)),
        rec.comments.count(),
    )


def test_the_table_covers_every_action_url():
    assert action_url_names() == set(ALLOWED)


@pytest.mark.parametrize("name", sorted(ALLOWED))
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login(client, assigned_item, other_department, tag, name, method):
    target = action_url(name, assigned_item)
    data = valid_data(name, assigned_item, other_department, tag) if method == "post" else None
    before = snapshot(assigned_item)

    response = getattr(client, method)(target, data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert snapshot(assigned_item) == before


@pytest.mark.parametrize("name", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_get_writes_nothing_and_lands_on_the_form_s_page(client, users, assigned_item, name, role):
    # A reload or a shared link of the action URL: the page its form is on, never a 405.
    client.force_login(users[role])
    before = snapshot(assigned_item)

    response = client.get(action_url(name, assigned_item))

    assert response.status_code == 302
    page = "/recommendations/" if name == "recommendation_bulk" else detail_url(assigned_item)
    assert response["Location"] == page
    assert snapshot(assigned_item) == before


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_other_methods_are_refused(client, staff, assigned_item, name):
    client.force_login(staff)
    before = snapshot(assigned_item)

    response = client.put(action_url(name, assigned_item))

    assert response.status_code == 405
    assert snapshot(assigned_item) == before


@pytest.mark.parametrize("name", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_post_is_allowed_or_forbidden_by_role(
    client, users, assigned_item, other_department, tag, name, role
):
    client.force_login(users[role])
    before = snapshot(assigned_item)

    response = client.post(
        action_url(name, assigned_item), valid_data(name, assigned_item, other_department, tag)
    )

    if role in ALLOWED[name]:
        assert response.status_code == 302
        assert snapshot(assigned_item) != before
    else:
        assert response.status_code == 403
        assert snapshot(assigned_item) == before


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_a_post_without_csrf_token_is_refused(assigned_item, staff, other_department, tag, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    before = snapshot(assigned_item)

    response = client.post(
        action_url(name, assigned_item), valid_data(name, assigned_item, other_department, tag)
    )

    assert response.status_code == 403
    assert snapshot(assigned_item) == before


def test_a_post_with_the_csrf_token_is_accepted(assigned_item, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    client.get(reverse("dashboard"))  # any page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        action_url("recommendation_comment", assigned_item),
        {"body": "有令牌", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert assigned_item.comments.get().body == "有令牌"


@pytest.mark.parametrize("name", sorted(set(ALLOWED) - {"recommendation_bulk"}))
def test_a_missing_item_is_404(client, staff, name):
    client.force_login(staff)

    response = client.post(reverse(name, args=[999999]), {"version": 1})

    assert response.status_code == 404
