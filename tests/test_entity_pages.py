"""Author, organisation, department and tag pages: their recommendations in the shared rows."""

import pytest
from ui_helpers import assigned, make_article, make_rec

from recommendations.models import Person, Recommendation, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(edition, item, tag, lead_department, other_department):
    other = make_article(edition, order=2, author="李四", organization="区教委")
    return {
        "led": make_rec(other, "1", "科信局主办", tags=[tag], **assigned(lead_department)),
        "co": make_rec(
            other, "2", "科信局协办", co=[lead_department], **assigned(other_department)
        ),
        "unrelated": make_rec(other, "3", "无关条目"),
        "gone": make_rec(
            other, "4", "已被移除", tags=[tag], in_source=False, **assigned(lead_department)
        ),
        "item": item,
        "article": other,
    }


def rows(response, name="page_obj"):
    return [rec.pk for rec in response.context[name].object_list]


def test_the_person_page_lists_their_articles_and_recommendations(client, viewer, world):
    person = Person.objects.get(name="李四")
    client.force_login(viewer)
    response = client.get(f"/people/{person.pk}/")
    html = response.content.decode()
    assert "<h1>李四</h1>" in html
    assert "区教委</a>局长" in html
    assert f'href="/articles/{world["article"].pk}/"' in html
    assert set(rows(response)) == {world["led"].pk, world["co"].pk, world["unrelated"].pk}
    assert f'href="/recommendations/?author={person.pk}"' in html
    assert "李四 · 一、1" in html  # the shared row layout


def test_the_organisation_page_lists_people_and_recommendations(client, viewer, world):
    organization = world["article"].bylines.get().affiliations.get().organization
    client.force_login(viewer)
    response = client.get(f"/organizations/{organization.pk}/")
    html = response.content.decode()
    assert "<h1>区教委</h1>" in html
    assert "李四" in html
    assert set(rows(response)) == {world["led"].pk, world["co"].pk, world["unrelated"].pk}


def test_the_department_page_lists_items_led_and_co_handled(client, viewer, world, lead_department):
    client.force_login(viewer)
    response = client.get(f"/departments/{lead_department.pk}/")
    assert rows(response, "led_page") == [world["led"].pk]  # not the removed one
    assert rows(response, "co_page") == [world["co"].pk]
    html = response.content.decode()
    assert "主办的建议" in html and "协办的建议" in html
    assert (
        f'href="/recommendations/?lead_department={lead_department.pk}&amp;status=assigned"' in html
    )


def test_the_department_page_paginates_each_list_separately(
    client, viewer, article, lead_department
):
    Recommendation.objects.bulk_create(
        Recommendation(
            article=article,
            number=str(n),
            order=n,
            heading=f"条目{n}",
            text="正文",
            status="assigned",
            lead_department=lead_department,
        )
        for n in range(1, 53)
    )
    client.force_login(viewer)
    response = client.get(f"/departments/{lead_department.pk}/", {"page": "2"})
    assert len(rows(response, "led_page")) == 2
    assert 'href="?page=1"' in response.content.decode()


def test_the_tag_list_shows_counts_without_removed_items(client, viewer, world, tag):
    client.force_login(viewer)
    response = client.get("/tags/")
    counts = {t.name: t.n for t in response.context["tags"]}
    assert counts["算力"] == 1
    assert counts["人才"] == 0
    assert len(counts) == Tag.objects.count()
    html = response.content.decode()
    assert "<caption>" in html and 'scope="col"' in html
    assert f'href="/recommendations/?tag={tag.pk}"' in html


def test_the_tag_page_lists_its_recommendations(client, viewer, world, tag):
    client.force_login(viewer)
    response = client.get(f"/tags/{tag.pk}/")
    assert rows(response) == [world["led"].pk]
    assert "<h1>算力</h1>" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/people/9999/", "/organizations/9999/", "/departments/9999/", "/tags/9999/"]
)
def test_a_missing_entity_is_404(client, viewer, path):
    client.force_login(viewer)
    assert client.get(path).status_code == 404


def test_entity_pages_require_sign_in(client, world, tag):
    assert client.get(f"/tags/{tag.pk}/").status_code == 302
    assert client.get("/tags/").status_code == 302
