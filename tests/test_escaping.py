"""Names and texts that contain markup are shown as text on every read-side page."""

import pytest
from ui_helpers import assigned, make_article, make_rec

from recommendations.models import Comment, Person, Tag

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script>'


@pytest.fixture
def evil(edition, staff, lead_department):
    tag = Tag.objects.create(name=EVIL)
    article = make_article(edition, order=2, author=EVIL, title=EVIL, organization=EVIL)
    rec = make_rec(article, "1", EVIL, tags=[tag], **assigned(lead_department, days=-1))
    Comment.objects.create(recommendation=rec, author=staff, body=EVIL)
    return {"tag": tag, "article": article, "rec": rec}


def pages(evil):
    person = Person.objects.get(name=EVIL)
    organization = evil["article"].bylines.get().affiliations.get().organization
    return [
        "/",
        "/recommendations/",
        f"/recommendations/?q={EVIL}",
        f"/recommendations/{evil['rec'].pk}/",
        f"/recommendations/{evil['rec'].pk}/?q=alert",
        f"/articles/{evil['article'].pk}/",
        f"/people/{person.pk}/",
        f"/organizations/{organization.pk}/",
        "/tags/",
        f"/tags/{evil['tag'].pk}/",
        "/my-work/",
    ]


@pytest.mark.parametrize("role", ["viewer", "staff"])
def test_markup_in_names_and_comments_is_escaped_everywhere(client, users, evil, role):
    client.force_login(users[role])
    for path in pages(evil):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "<script>alert" not in html, path
        if path != "/my-work/" or role == "staff":
            assert "&lt;script&gt;" in html, path


def test_the_dashboard_shows_the_tag_and_the_comment_as_text(client, viewer, evil):
    client.force_login(viewer)
    html = client.get("/").content.decode()
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 2  # tag bar, comment
