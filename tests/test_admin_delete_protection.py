"""A page or an article whose items have handling, comments or history cannot be deleted in the
admin (protect, not cascade); a page nobody has worked on still can."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from recommendations import workflow
from recommendations.models import Article, Comment, Edition, Recommendation


def delete_edition(client, edition):
    return client.post(
        reverse("admin:recommendations_edition_delete", args=[edition.pk]), {"post": "yes"}
    )


@pytest.mark.django_db
def test_it_deletes_a_page_nobody_worked_on(client, admin_user, item):
    client.force_login(admin_user)

    response = delete_edition(client, item.article.edition)

    assert response.status_code == 302
    assert not Edition.objects.exists()
    assert not Recommendation.objects.exists()


@pytest.mark.django_db
def test_it_refuses_to_delete_a_page_with_an_assigned_item(client, admin_user, assigned_item):
    client.force_login(admin_user)

    response = delete_edition(client, assigned_item.article.edition)

    assert response.status_code == 200
    content = response.content.decode()
    assert "受保护" in content
    assert assigned_item.heading in content
    assert Recommendation.objects.filter(pk=assigned_item.pk).exists()
    assert Edition.objects.exists()


@pytest.mark.django_db
def test_it_refuses_to_delete_a_page_with_a_commented_item(client, admin_user, item, staff):
    Comment.objects.create(recommendation=item, author=staff, body="请关注")
    client.force_login(admin_user)

    delete_edition(client, item.article.edition)

    assert Recommendation.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_it_refuses_to_delete_a_page_whose_item_has_history_only(client, admin_user, item, tag):
    # Tagged, then untagged: nothing is in handling now, but the history must stay readable.
    workflow.set_tags(item, admin_user, [tag])
    workflow.set_tags(item, admin_user, [])
    client.force_login(admin_user)

    delete_edition(client, item.article.edition)

    assert Recommendation.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_it_refuses_to_delete_an_article_with_an_assigned_item(client, admin_user, assigned_item):
    client.force_login(admin_user)
    article = assigned_item.article

    response = client.post(
        reverse("admin:recommendations_article_delete", args=[article.pk]), {"post": "yes"}
    )

    assert response.status_code == 200
    assert Article.objects.filter(pk=article.pk).exists()


@pytest.mark.django_db
def test_the_bulk_delete_action_refuses_too(client, admin_user, assigned_item):
    client.force_login(admin_user)
    edition = assigned_item.article.edition

    client.post(
        reverse("admin:recommendations_edition_changelist"),
        {"action": "delete_selected", "_selected_action": [edition.pk], "post": "yes"},
    )

    assert Edition.objects.filter(pk=edition.pk).exists()


@pytest.mark.django_db
def test_deleting_in_code_is_refused_as_well(assigned_item):
    with pytest.raises(ProtectedError):
        assigned_item.article.edition.delete()
    assert Recommendation.objects.filter(pk=assigned_item.pk).exists()
