"""The dashboard: counts by status, overdue items, departments, tags, answers, recent activity."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ui_helpers import assigned, make_article, make_rec

from recommendations.models import Comment, Recommendation

URL = "/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def data(edition, item, tag, lead_department, other_department, staff):
    other = make_article(edition, order=2, author="李四")
    late = make_rec(other, "1", "逾期的条目", tags=[tag], **assigned(lead_department, days=-5))
    make_rec(other, "2", "按期办理", tags=[tag], **assigned(lead_department, days=5))
    make_rec(
        other,
        "3",
        "已经办结",
        status=Recommendation.Status.ANSWERED,
        lead_department=other_department,
        answer_category="B",
        reply="列入计划。",
    )
    make_rec(other, "4", "已被移除", in_source=False, **assigned(other_department, days=-9))
    Comment.objects.create(recommendation=late, author=staff, body="请尽快办理")
    return {"late": late}


def bar(html, label, value, href):
    """A chart bar: a link to the filtered list, labelled with its number."""
    return re.search(
        rf'<a href="{re.escape(href)}" role="listitem" aria-label="{label}:{value} 条">\s*'
        rf"<title>{label}:{value} 条</title>",
        html,
    )


def test_it_requires_sign_in(client):
    assert client.get(URL).status_code == 302


def test_it_counts_items_by_status_with_bars_linking_to_the_list(client, viewer, data):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert bar(html, "待研判", 2, "/recommendations/?status=new")  # section and item
    assert bar(html, "已交办", 2, "/recommendations/?status=assigned")
    assert bar(html, "已办结", 1, "/recommendations/?status=answered")
    assert bar(html, "无需办理", 0, "/recommendations/?status=not_actionable")
    assert '<text class="bar-value"' in html  # the numbers are text too


def test_it_counts_overdue_items_and_lists_them(client, viewer, data):
    client.force_login(viewer)
    response = client.get(URL)
    html = response.content.decode()
    assert response.context["overdue_count"] == 1  # the removed item does not count
    assert [r.pk for r in response.context["overdue_items"]] == [data["late"].pk]
    assert 'href="/recommendations/?deadline=overdue"' in html
    assert "逾期的条目" in html


def test_it_counts_items_per_lead_department_and_per_tag(
    client, viewer, data, tag, lead_department, other_department
):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert bar(html, "区科信局", 2, f"/recommendations/?lead_department={lead_department.pk}")
    assert bar(html, "区教委", 1, f"/recommendations/?lead_department={other_department.pk}")
    assert bar(html, "算力", 2, f"/recommendations/?tag={tag.pk}")


def test_it_counts_answer_categories(client, viewer, data):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert bar(
        html, "B 正在解决或列入计划", 1, "/recommendations/?answer_category=B&amp;status=answered"
    )
    assert bar(
        html, "A 已采纳或已解决", 0, "/recommendations/?answer_category=A&amp;status=answered"
    )


def test_it_shows_recent_activity(client, viewer, data):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert "最近更新的建议" in html
    assert "请尽快办理" in html
    assert f'href="/recommendations/{data["late"].pk}/"' in html


def test_each_chart_has_a_title_and_an_accessible_name(client, viewer, data):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    for chart in ("chart-status", "chart-department", "chart-tag", "chart-answer"):
        assert f'aria-labelledby="{chart}-title"' in html
    assert html.count("<h1>") == 1


def test_an_empty_portal_still_renders(client, viewer):
    client.force_login(viewer)
    response = client.get(URL)
    assert response.status_code == 200
    assert "目前没有逾期的建议" in response.content.decode()


def test_figures_are_reused_until_something_changes(client, viewer, data, lead_department):
    client.force_login(viewer)
    client.get(URL)
    with CaptureQueriesContext(connection) as first:
        client.get(URL)
    Recommendation.objects.filter(pk=data["late"].pk).update(status="in_progress")
    with CaptureQueriesContext(connection) as second:
        html = client.get(URL).content.decode()
    # A change made even by a bare QuerySet.update() shows at once (history triggers).
    assert bar(html, "办理中", 1, "/recommendations/?status=in_progress")
    assert bar(html, "已交办", 1, "/recommendations/?status=assigned")
    assert len(second) > len(first)  # the figures were computed again
