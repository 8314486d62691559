"""Read pages answer GET and HEAD only; every write goes through a POST-only action URL."""

import pytest
from django.urls import reverse


@pytest.fixture
def read_urls(item, tag, lead_department):
    from recommendations.models import Organization, Person

    person = Person.objects.create(name="张三")
    organization = Organization.objects.create(name="区科信局")
    return [
        reverse("dashboard"),
        reverse("my_work"),
        reverse("recommendation_list"),
        reverse("recommendation_detail", args=[item.pk]),
        reverse("article_detail", args=[item.article_id]),
        reverse("person_detail", args=[person.pk]),
        reverse("organization_detail", args=[organization.pk]),
        reverse("department_detail", args=[lead_department.pk]),
        reverse("tag_list"),
        reverse("tag_detail", args=[tag.pk]),
        reverse("recommendation_export_csv"),
        reverse("recommendation_export_xlsx"),
    ]


def test_read_pages_answer_get_and_head_and_refuse_post(client, staff, read_urls):
    client.force_login(staff)
    for url in read_urls:
        assert client.get(url).status_code == 200, url
        assert client.head(url).status_code == 200, url
        assert client.post(url).status_code == 405, url


# The modules whose views write on the item page; every URL they answer under an item is a form's
# action (the letter download is a read page, tested in test_handling_permissions.py).
ITEM_ACTION_MODULES = {
    "recommendations.views.actions",
    "handling.views",
    "handling.supervision_views",
}


def _item_action_names():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern

    return sorted(
        p.name
        for p in walk(get_resolver().url_patterns)
        if p.callback.__module__ in ITEM_ACTION_MODULES
        and str(p.pattern).startswith("recommendations/<int:pk>/")
    )


def test_every_action_url_of_the_item_page_answers_a_browser_s_get_with_the_item(
    client, staff, handler, item
):
    """A reload or a shared link of any form's action URL lands on the item, for every role the
    walk tries, and writes nothing."""
    names = _item_action_names()
    assert len(names) >= 20, names  # the item page's forms: 5 actions, 13 steps, 2 supervision
    version = item.version
    for user in (staff, handler):
        client.force_login(user)
        for name in names:
            url = reverse(name, args=[item.pk])
            for method in (client.get, client.head):
                response = method(url)
                assert response.status_code == 302, (name, response.status_code)
                assert response["Location"] == reverse("recommendation_detail", args=[item.pk])
    item.refresh_from_db()
    assert item.version == version
