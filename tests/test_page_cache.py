"""Read pages serve their body from the cache until the data it shows changes (pagecache.py).

What must hold: a warm page skips the body's queries; any change (a workflow step, a bare
QuerySet.update(), a tag, a comment, an admin rename) shows on the next request; each viewer
sees the forms of their own rights; each form carries the viewer's own CSRF token; a refused
form is never cached.
"""

import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from recommendations import pagecache
from recommendations.models import Comment, Recommendation, RecommendationTag, Tag
from tests.action_helpers import detail_url, post_as, refused_page

pytestmark = pytest.mark.django_db

LIST = "/recommendations/"


def article_url(rec):
    return f"/articles/{rec.article_id}/"


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def queries_of(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, path)
    return len(queries)


def form_ids(html) -> list[str]:
    return re.findall(r'<form method="post"[^>]* id="([\w-]+)"', html)


@pytest.mark.parametrize("path", ["/", LIST, f"{LIST}?q=算力&status=new", "detail", "article"])
def test_a_warm_page_is_the_same_html_without_the_bodys_queries(client, staff, item, path):
    path = {"detail": detail_url(item), "article": article_url(item)}.get(path, path)
    client.force_login(staff)
    cold_queries = queries_of(client, path)
    first = page(client, path)
    warm_queries = queries_of(client, path)
    # Session, user, the user's groups, the change stamp and at most the item or article itself.
    assert warm_queries <= 5 < cold_queries
    assert re.sub(r'value="\w+"', "", page(client, path)) == re.sub(r'value="\w+"', "", first)


def test_a_bare_update_shows_at_once_on_every_page(client, viewer, item):
    client.force_login(viewer)
    for path in ("/", LIST, detail_url(item), article_url(item)):
        page(client, path)
    Recommendation.objects.filter(pk=item.pk).update(status=Recommendation.Status.NOT_ACTIONABLE)
    assert "无需办理" in page(client, detail_url(item))
    assert "无需办理" in page(client, LIST)
    assert "无需办理" in page(client, article_url(item))
    assert "/recommendations/?status=not_actionable" in page(client, "/")


def test_tags_and_comments_show_at_once(client, staff, item, tag):
    client.force_login(staff)
    shown = f'<a class="tag" href="{tag.get_absolute_url()}">{tag.name}</a>'
    assert shown not in page(client, detail_url(item))
    RecommendationTag.objects.create(recommendation=item, tag=tag)
    assert shown in page(client, detail_url(item))
    Comment.objects.create(recommendation=item, author=staff, body="请补充测算依据")
    assert "请补充测算依据" in page(client, detail_url(item))


def test_a_rename_in_the_admin_shows_at_once(client, staff, admin_user, item, tag):
    RecommendationTag.objects.create(recommendation=item, tag=tag)
    client.force_login(staff)
    assert tag.name in page(client, LIST)
    admin = Client()
    admin.force_login(admin_user)
    form = admin.get(f"/admin/recommendations/tag/{tag.pk}/change/").context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    response = admin.post(
        f"/admin/recommendations/tag/{tag.pk}/change/", {**data, "name": "算力基础设施"}
    )
    assert response.status_code == 302
    assert LogEntry.objects.filter(
        action_flag=CHANGE, content_type=ContentType.objects.get_for_model(Tag)
    ).exists()
    assert "算力基础设施" in page(client, LIST)
    assert "算力基础设施" in page(client, detail_url(item))


def test_each_viewer_sees_the_forms_of_their_own_rights(
    client, viewer, staff, handler, other_handler, assigned_item
):
    seen = {}
    for user in (staff, viewer, handler, other_handler, staff):
        client.force_login(user)
        seen.setdefault(user.username, []).append(form_ids(page(client, detail_url(assigned_item))))
    assert seen[staff.username][0] == [
        "supervise-form",
        "transition-form",
        "reply-form",
        "assign-form",
        "tags-form",
        "comment-form",
    ]
    assert seen[staff.username][0] == seen[staff.username][1]  # served from the cache
    assert seen[viewer.username] == [[]]
    # The lead handler signs for the item or asks for more time (the loop's forms, handling/).
    assert seen[handler.username] == [["receive-form", "extension-form", "comment-form"]]
    assert seen[other_handler.username] == [[]]  # not on the item: reads only


def test_every_viewer_posts_with_their_own_csrf_token(staff, admin_user, assigned_item):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(staff)
    second.force_login(admin_user)
    page(first, detail_url(assigned_item))  # renders and caches the body
    html = page(second, detail_url(assigned_item))  # served from the cache
    assert pagecache._placeholder() not in html
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', html)
    assert len(tokens) == 7  # sign-out, 重点督办, four action forms and the comment form
    response = second.post(
        f"/recommendations/{assigned_item.pk}/comments/",
        {"body": "第二位用户的评论", "csrfmiddlewaretoken": tokens[-1]},
    )
    assert response.status_code == 302
    assert Comment.objects.get(recommendation=assigned_item).author == admin_user


def test_a_refused_form_is_shown_to_its_author_only(client, staff, assigned_item):
    client.force_login(staff)
    page(client, detail_url(assigned_item))
    typed = {"version": assigned_item.version, "reply": "草稿正文", "answer_category": "Z"}
    refused = post_as(client, staff, "recommendation_reply", assigned_item, typed)
    refused = refused_page(client, refused)
    assert "草稿正文</textarea>" in refused.content.decode()
    assert "草稿正文" not in page(client, detail_url(assigned_item))


def test_search_highlighting_depends_on_the_query(client, viewer, item):
    client.force_login(viewer)
    assert "<mark>算力</mark>" not in page(client, detail_url(item))
    assert "<mark>算力</mark>" in page(client, detail_url(item) + "?q=算力")


def test_a_new_secret_key_never_serves_a_body_rendered_with_the_old_one(
    client, staff, assigned_item, settings
):
    client.force_login(staff)
    page(client, detail_url(assigned_item))
    old_placeholder = pagecache._placeholder()
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    client.force_login(staff)  # sessions are signed with the key too
    html = page(client, detail_url(assigned_item))
    assert old_placeholder not in html
    assert re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', html)
