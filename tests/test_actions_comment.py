"""POST /recommendations/<pk>/comments/: add a comment (staff, the lead and co-departments' handlers)."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from recommendations.history import build_history
from recommendations.models import CoDepartment, Comment, CommentEvent
from recommendations.views.actions import action_context
from tests.action_helpers import detail_url, messages_of, post_as, refused_page, url

pytestmark = pytest.mark.django_db

NAME = "recommendation_comment"


@pytest.mark.parametrize("role", ["staff", "handler", "admin"])
def test_it_adds_a_comment(client, users, assigned_item, role):
    response = post_as(client, users[role], NAME, assigned_item, {"body": "  请补充数据来源。 "})

    assert response.status_code == 302
    assert response["Location"] == detail_url(assigned_item) + "#comments"
    assert "评论已发表。" in messages_of(response)
    comment = Comment.objects.get(recommendation=assigned_item)
    assert (comment.author, comment.body) == (users[role], "请补充数据来源。")


def test_it_records_the_comment_in_history(client, handler, assigned_item):
    post_as(client, handler, NAME, assigned_item, {"body": "已联系相关科室。"})

    event = CommentEvent.objects.get(recommendation_id=assigned_item.pk)
    assert event.pgh_context.metadata["user"] == handler.pk
    last = build_history(assigned_item)[-1]
    assert (last.kind, last.field, last.new, last.user) == (
        "comment",
        "评论",
        "已联系相关科室。",
        handler,
    )


def test_it_does_not_change_the_item_or_its_version(client, handler, assigned_item):
    version = assigned_item.version

    post_as(client, handler, NAME, assigned_item, {"body": "意见"})

    assigned_item.refresh_from_db()
    assert assigned_item.version == version


def test_it_refuses_a_handler_of_a_department_not_on_the_item(client, other_handler, assigned_item):
    response = post_as(client, other_handler, NAME, assigned_item, {"body": "不是我们的事"})

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_it_accepts_a_co_departments_handler(
    client, other_handler, other_department, assigned_item
):
    CoDepartment.objects.create(recommendation=assigned_item, department=other_department)

    response = post_as(client, other_handler, NAME, assigned_item, {"body": "协办意见"})

    assert response.status_code == 302
    assert Comment.objects.get().author == other_handler


def test_it_refuses_a_viewer(client, viewer, assigned_item):
    response = post_as(client, viewer, NAME, assigned_item, {"body": "我也想说"})

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_get_writes_nothing_and_lands_on_the_item(client, handler, assigned_item):
    client.force_login(handler)

    before = assigned_item.version
    response = client.get(url(NAME, assigned_item))

    assert response.status_code == 302
    assert response["Location"] == detail_url(assigned_item)
    assigned_item.refresh_from_db()
    assert assigned_item.version == before


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_it_rerenders_an_empty_comment(client, handler, assigned_item, body):
    response = post_as(client, handler, NAME, assigned_item, {"body": body})

    response = refused_page(client, response)
    assert "评论不能为空。" in response.content.decode()
    assert not Comment.objects.exists()


def test_it_rerenders_a_too_long_comment_keeping_the_text(client, handler, assigned_item):
    body = "长" * 5001

    response = post_as(client, handler, NAME, assigned_item, {"body": body})

    response = refused_page(client, response)
    content = response.content.decode()
    assert "评论不能超过 5000 个字。" in content
    assert body in content
    assert not Comment.objects.exists()


def test_it_shows_markup_in_a_comment_as_text(client, handler, assigned_item):
    post_as(client, handler, NAME, assigned_item, {"body": "<script>alert(1)</script>"})

    # Any page showing the comments escapes them: here the page shown for a refused comment.
    response = refused_page(client, post_as(client, handler, NAME, assigned_item, {"body": ""}))

    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert content.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # comments and history


def test_the_comments_and_history_need_no_query_per_comment(
    rf, staff, handler, other_handler, assigned_item
):
    def queries_to_render():
        request = rf.get("/")
        request.user = staff
        staff.__dict__.pop("_group_names", None)  # as on a fresh request
        assigned_item.__dict__.pop("co_department_ids", None)
        with CaptureQueriesContext(connection) as ctx:
            context = action_context(request, assigned_item)
            render_to_string("recommendations/_comments.html", context, request=request)
            render_to_string("recommendations/_history.html", context, request=request)
        return len(ctx.captured_queries)

    Comment.objects.create(recommendation=assigned_item, author=handler, body="一")
    few = queries_to_render()
    for n in range(6):
        author = [staff, handler, other_handler][n % 3]
        Comment.objects.create(recommendation=assigned_item, author=author, body=f"评论{n}")

    assert queries_to_render() == few
