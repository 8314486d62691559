"""A write discards the cached pages that show what it changed, and only those (figures.py).

A page served from the cache runs only its fixed few queries (session, user, groups, the
versions, and for an item its title and whether the viewer signs as one of its authors, which
decides the verdict form); a page rendered afresh runs the body's queries too. That
difference tells here whether a page survived a write.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from ui_helpers import make_article, make_rec

from recommendations import figures, workflow
from recommendations.models import (
    Article,
    Comment,
    Person,
    Recommendation,
    RecommendationTag,
    Tag,
)
from tests.action_helpers import detail_url, post_as

pytestmark = pytest.mark.django_db

LIST = "/recommendations/"
CACHED = 6  # queries of a page served from the cache (see the module docstring)


def article_url(rec):
    return f"/articles/{rec.article_id}/"


def fetch(client, path) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def is_cached(client, path) -> bool:
    return fetch(client, path)[1] <= CACHED


@pytest.fixture
def elsewhere(edition):
    """An item of another article: unrelated to `item`."""
    return make_rec(make_article(edition, order=5, title="推动数据要素流通"), "1", "建设数据底座")


def test_an_item_page_changes_after_its_own_comment_and_another_item_page_survives(
    client, staff, item, elsewhere
):
    client.force_login(staff)
    for path in (detail_url(item), detail_url(elsewhere), LIST):
        fetch(client, path)
        assert is_cached(client, path)
    response = post_as(client, staff, "recommendation_comment", item, {"body": "请补充测算依据"})
    assert response.status_code == 302
    html, queries = fetch(client, detail_url(item))
    assert "请补充测算依据" in html and queries > CACHED
    assert is_cached(client, detail_url(elsewhere))
    # The list counts nothing over comments: it survives too.
    assert is_cached(client, LIST)


def test_a_sibling_in_the_same_article_survives_a_comment(client, staff, item, section):
    sibling = make_rec(item.article, "1.2", "推动算力共享", parent=section, order=3)
    client.force_login(staff)
    fetch(client, detail_url(sibling))
    Comment.objects.create(recommendation=item, author=staff, body="同一篇文章的另一条")
    assert is_cached(client, detail_url(sibling))


def test_a_tag_discards_the_item_its_article_and_the_list_but_not_another_article(
    client, staff, item, elsewhere, tag
):
    client.force_login(staff)
    paths = [detail_url(item), article_url(item), LIST, detail_url(elsewhere)]
    for path in paths:
        fetch(client, path)
    workflow.set_tags(item, staff, [tag])
    for path in paths[:3]:
        html, queries = fetch(client, path)
        assert tag.name in html and queries > CACHED, path
    assert is_cached(client, detail_url(elsewhere))


def test_a_status_change_shows_on_the_pages_of_its_siblings(client, staff, item, section):
    sibling = make_rec(item.article, "1.2", "推动算力共享", parent=section, order=3)
    client.force_login(staff)
    fetch(client, detail_url(sibling))
    Recommendation.objects.filter(pk=item.pk).update(status=Recommendation.Status.NOT_ACTIONABLE)
    html, queries = fetch(client, detail_url(sibling))
    assert "无需办理" in html and queries > CACHED


# The list rows show an article's author names, not its title.
@pytest.mark.parametrize(
    "field,pages",
    [("title", ["detail", "article"]), ("author_names", ["detail", "list", "search"])],
)
def test_an_article_correction_shows_at_once_on_every_page(
    client, viewer, item, elsewhere, field, pages
):
    client.force_login(viewer)
    every = {
        "detail": detail_url(item),
        "article": article_url(item),
        "list": LIST,
        "search": f"{LIST}?q=智算",
    }
    paths = [every[name] for name in pages]
    for path in [*every.values(), detail_url(elsewhere)]:
        fetch(client, path)
    Article.objects.filter(pk=item.article_id).update(**{field: "更正后的署名与标题"})
    for path in paths:
        assert "更正后的署名与标题" in fetch(client, path)[0], path
    assert is_cached(client, detail_url(elsewhere))


def test_a_renamed_author_shows_at_once_on_the_article_page(client, viewer, edition):
    article = make_article(edition, order=6, author="王小明", organization="区教委")
    rec = make_rec(article, "1", "完善教师培训")
    client.force_login(viewer)
    assert "王小明" in fetch(client, article_url(rec))[0]
    Person.objects.filter(name="王小明").update(name="王晓明")
    assert "王晓明" in fetch(client, article_url(rec))[0]


def aggregates(client, path) -> tuple[str, list[str]]:
    """The page, and the statements of the dashboard's counts its request ran (its GROUP BYs
    over the items and over the tag links, grouped by column position)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries if "GROUP BY 1" in q["sql"]]


def test_a_comment_shows_on_the_dashboard_and_keeps_its_counts(client, staff, item, tag):
    client.force_login(staff)
    assert aggregates(client, "/")[1]  # cold: the counts are computed
    Comment.objects.create(recommendation=item, author=staff, body="概览上的新评论")
    html, counted = aggregates(client, "/")
    # The body lists the latest comments, so it is rendered again; the counts read no comment.
    assert "概览上的新评论" in html and not counted
    workflow.set_tags(item, staff, [tag])
    html, counted = aggregates(client, "/")
    assert tag.name in html and counted  # the tag bars count tag links


@pytest.mark.django_db(transaction=True)
def test_narrowing_a_stamp_keeps_the_transactions_own_notes_only_where_they_are(
    committed_db, item, staff
):
    with transaction.atomic():
        Comment.objects.create(recommendation=item, author=staff, body="未提交的评论")
        page = figures.versions(figures.DASHBOARD_SCOPES)
        assert page[-1][0] == "xact"
        # The counts' scopes have no note of this transaction: keyed as anybody else's.
        assert figures.narrow(page, figures.LIST_SCOPES) == figures.versions(figures.LIST_SCOPES)
        assert figures.narrow(page, figures.LIST_SCOPES)[-1][0] != "xact"
        assert figures.narrow(page, ["t:comment"]) == figures.versions(["t:comment"])
        assert figures.narrow(page, ["t:comment"])[-1][0] == "xact"


def test_concurrent_misses_of_one_key_compute_once():
    calls = []
    started = threading.Event()

    def compute():
        calls.append(1)
        started.set()
        threading.Event().wait(0.3)  # long enough for the others to miss too
        return "figure"

    stamp = (("t:rec", 1, 0),)
    results = []

    def read():
        results.append(figures.cached("concurrent", (), compute, stamp=stamp))

    first = threading.Thread(target=read)
    first.start()
    started.wait(2)
    others = [threading.Thread(target=read) for _ in range(4)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(10)
    assert results == ["figure"] * 5
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_version_moves_when_the_write_commits_not_before(item):
    scopes = figures.item_scopes(item.pk, item.article_id)
    before = figures.versions(scopes)
    with transaction.atomic():
        RecommendationTag.objects.create(recommendation=item, tag=Tag.objects.create(name="提交后"))
        inside = figures.versions(scopes)
        # Inside the writing transaction its own notes count, keyed to the transaction.
        assert inside != before and inside[-1][0] == "xact"
    after = figures.versions(scopes)
    assert after != before and after[-1][0] != "xact"
    assert dict((s, v) for s, v, _p in after)[f"rec:{item.pk}"] == (
        dict((s, v) for s, v, _p in before)[f"rec:{item.pk}"] + 1
    )


def test_a_page_reads_its_row_and_its_versions_in_one_statement(item):
    fields = ("heading", "status", "article")
    with CaptureQueriesContext(connection) as queries:
        stamp, rec = figures.versions_and_row(Recommendation, item.pk, fields, figures.ITEM_SCOPES)
    assert len(queries) == 1
    assert stamp == figures.versions(figures.item_scopes(item.pk, item.article_id))
    assert (rec.pk, rec.heading, rec.status, rec.article_id) == (
        item.pk,
        item.heading,
        item.status,
        item.article_id,
    )
    assert rec.get_deferred_fields() >= {"text", "reply"}  # the rest stays unread
    stamp, article = figures.versions_and_row(
        Article, item.article_id, ["title"], figures.ARTICLE_SCOPES
    )
    assert stamp == figures.versions(figures.article_scopes(item.article_id))
    assert article.title == item.article.title
    assert figures.versions_and_row(Article, 10**9, ["title"], figures.ARTICLE_SCOPES) == ((), None)
