"""The article as printed, with its recommendation tree and import warnings."""

import pytest

from recommendations.models import Affiliation, Byline, Edition, Organization, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed(article, item):
    article.kicker = "学员思考"
    article.subtitle = "——以算力为底座"
    article.photo_credits = ["图片来源:区融媒体中心"]
    article.blocks = [
        {"type": "heading", "text": "一、加强算力统筹", "lines": [5]},
        {"type": "paragraph", "text": "一是建设智算中心。推动算力共享。", "lines": [7]},
    ]
    article.save()
    person = Person.objects.create(name="张三")
    byline = Byline.objects.create(article=article, person=person, role="author")
    for name, position in (("区科信局", "局长"), ("区数据局", "副局长")):
        org = Organization.objects.create(name=name)
        byline.affiliations.add(
            Affiliation.objects.create(person=person, organization=org, position=position)
        )
    Edition.objects.filter(pk=article.edition_id).update(
        warnings=[
            {"kind": "word_break", "lines": [7], "message": "疑似断词", "article": 0},
            {"kind": "other", "lines": [1], "message": "别篇的提示", "article": 1},
            {"kind": "page", "lines": [], "message": "整版提示", "article": None},
        ]
    )
    return article


def test_it_reads_like_the_newspaper(client, viewer, printed):
    client.force_login(viewer)
    html = client.get(f"/articles/{printed.pk}/").content.decode()
    assert '<p class="kicker">学员思考</p>' in html
    assert '<h1 id="article-title">加快人工智能发展</h1>' in html
    assert "——以算力为底座" in html
    assert '<h2 class="block-heading">一、加强算力统筹</h2>' in html
    assert "<p>一是建设智算中心。推动算力共享。</p>" in html
    assert "图片来源:区融媒体中心" in html


def test_the_byline_lists_organisations_with_positions(client, viewer, printed):
    client.force_login(viewer)
    html = client.get(f"/articles/{printed.pk}/").content.decode()
    byline = html.split('<ul class="byline">')[1].split("</ul>")[0]
    assert "区科信局</a>局长" in byline
    assert "区数据局</a>副局长" in byline
    assert ">张三</a>" in byline and "/people/" in byline


def test_each_recommendation_is_anchored_and_linked(client, viewer, printed, item):
    client.force_login(viewer)
    html = client.get(f"/articles/{printed.pk}/").content.decode()
    for rec in (item.parent, item):
        assert f'id="rec-{rec.pk}"' in html
        assert f'href="/recommendations/{rec.pk}/"' in html
    assert f'href="#rec-{item.pk}"' in html  # the paragraph points at its item
    # The item nests inside its section in the tree.
    section_at = html.index(f'id="rec-{item.parent.pk}"')
    assert section_at < html.index(f'id="rec-{item.pk}"')


def test_it_shows_only_this_articles_import_warnings(client, staff, printed):
    client.force_login(staff)
    response = client.get(f"/articles/{printed.pk}/")
    html = response.content.decode()
    assert "疑似断词" in html
    assert "别篇的提示" not in html and "整版提示" not in html
    assert response.context["warnings"][0]["lines"] == [(7, "一是建设智算中心。推动算力共享。")]


def test_malformed_blocks_and_warnings_do_not_fail(client, viewer, article):
    article.blocks = ["odd", {"text": None, "lines": "x"}]
    article.save()
    Edition.objects.filter(pk=article.edition_id).update(warnings=["odd", {"article": 0}])
    client.force_login(viewer)
    assert client.get(f"/articles/{article.pk}/").status_code == 200


def test_a_missing_article_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get("/articles/424242/").status_code == 404
