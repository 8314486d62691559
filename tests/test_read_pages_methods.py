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
