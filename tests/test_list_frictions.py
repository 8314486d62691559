"""The list as a newcomer meets it: why a result matched, an over-long query, shared links,
filters in force on a closed panel, the bulk panel above the rows it acts on."""

import json
import re

import pytest
from ui_helpers import assigned, make_article, make_rec

from recommendations.models import Recommendation

URL = "/recommendations/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(edition, item, tag, lead_department):
    other = make_article(edition, order=2, author="李四")
    deep = "。".join(["推进园区建设"] * 8) + "。支持综合保税区发展跨境数据服务,形成示范。"
    return {
        "deep": make_rec(other, "1", "完善开放平台", text="完善开放平台。" + deep),
        "heading": make_rec(other, "2", "优化税收服务", tags=[tag], **assigned(lead_department)),
        "item": item,
    }


def excerpts(html):
    return re.findall(r'<p class="excerpt">(.*?)</p>', html)


def test_a_match_deep_in_the_text_shows_an_excerpt_with_the_match_marked(client, viewer, world):
    client.force_login(viewer)
    html = client.get(URL, {"q": "税"}).content.decode()
    found = excerpts(html)
    assert len(found) == 1  # the item whose heading shows the match needs none
    assert "综合保<mark>税</mark>区" in found[0]
    assert found[0].startswith("…") and len(re.sub("<[^>]+>", "", found[0])) < 120
    assert "优化<mark>税</mark>收服务" in html


def test_no_excerpt_without_a_search(client, viewer, world):
    client.force_login(viewer)
    assert excerpts(client.get(URL).content.decode()) == []


def test_a_query_over_200_characters_shows_the_error_and_no_results(client, viewer, world):
    """Was: the error above the whole unfiltered list."""
    client.force_login(viewer)
    response = client.get(URL, {"q": "税" * 201})
    html = response.content.decode()
    assert "关键词无效,没有显示结果" in html
    assert response.context["page_obj"].paginator.count == 0
    assert "没有符合条件的建议" in html


def test_empty_parameters_are_dropped_from_a_shared_link(client, viewer, world):
    client.force_login(viewer)
    response = client.get(URL + "?q=&tag=&status=new&due=&sort=")
    assert response.status_code == 302
    assert response["Location"] == URL + "?status=new"
    assert client.get(URL + "?q=&tag=")["Location"] == URL
    export = client.get("/recommendations/export.csv?status=&q=%E7%A8%8E")
    assert export["Location"] == "/recommendations/export.csv?q=%E7%A8%8E"


def test_the_filter_panel_names_the_filters_in_force(client, viewer, world, tag):
    client.force_login(viewer)
    html = client.get(URL, {"status": "assigned", "tag": tag.pk, "q": "税"}).content.decode()
    summary = re.search(r"<summary>(.*?)</summary>", html, re.S).group(1)
    assert "状态:已交办" in summary
    assert f"标签:{tag.name}" in summary
    assert "关键词:税" in summary
    bare = client.get(URL).content.decode()
    assert "未设条件" in re.search(r"<summary>(.*?)</summary>", bare, re.S).group(1)


def test_an_invalid_filter_keeps_the_panel_open(client, viewer, world):
    client.force_login(viewer)
    html = client.get(URL, {"tag": "999999"}).content.decode()
    assert re.search(r'<details class="filter-panel" id="filter-panel" open data-keep-open>', html)


def test_the_bulk_panel_comes_before_the_rows_with_a_count(client, staff, world):
    client.force_login(staff)
    html = client.get(URL).content.decode()
    assert html.index('id="bulk-actions"') < html.index('name="ids"')
    assert "已选" in html and "data-bulk-count" in html
    pk = world["heading"].pk
    row = re.search(rf'<input type="checkbox" name="ids" value="{pk}"[^>]*>', html)
    assert 'data-status="assigned"' in row.group(0) and "data-assigned" in row.group(0)


def test_the_bulk_panel_knows_where_each_status_may_go(client, staff, world):
    client.force_login(staff)
    html = client.get(URL).content.decode()
    raw = re.search(r'data-transitions="([^"]+)"', html).group(1).replace("&quot;", '"')
    transitions = json.loads(raw)
    assert transitions["new"] == sorted(["not_actionable", "assigned"])
    assert "answered" not in transitions["answered"]
    assert set(transitions) == set(Recommendation.Status.values)
