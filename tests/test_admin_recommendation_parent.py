"""An item's parent edited in the admin cannot make the tree a cycle."""

import pytest
from django.urls import reverse

from recommendations.models import Recommendation


def change(client, rec, parent):
    data = {
        "parent": parent.pk,
        "heading": rec.heading,
        "text": rec.text,
        "status": rec.status,
        "status_note": "",
        "lead_department": "",
        "deadline": "",
        "answer_category": "",
        "reply": "",
        "seen_version": rec.version,  # the change form's version check (as the page sends it)
    }
    for prefix in ("tag_links", "co_department_links", "comments"):
        data |= {
            f"{prefix}-TOTAL_FORMS": 0,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    return client.post(reverse("admin:recommendations_recommendation_change", args=[rec.pk]), data)


@pytest.mark.django_db
def test_it_refuses_an_item_as_its_own_parent(client, admin_user, section):
    client.force_login(admin_user)

    response = change(client, section, section)

    assert response.status_code == 200
    assert "上级不能是本条建议或它的下级条目" in response.content.decode()
    section.refresh_from_db()
    assert section.parent_id is None


@pytest.mark.django_db
def test_it_refuses_a_descendant_as_the_parent(client, admin_user, section, item):
    client.force_login(admin_user)

    response = change(client, section, item)

    assert "上级不能是本条建议或它的下级条目" in response.content.decode()
    section.refresh_from_db()
    assert section.parent_id is None


@pytest.mark.django_db
def test_it_accepts_another_branch_as_the_parent(client, admin_user, section, item):
    other = Recommendation.objects.create(
        article=section.article, number="2", order=3, depth=1, heading="培养人才", text="二、"
    )
    client.force_login(admin_user)

    response = change(client, item, other)

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.parent_id == other.pk
