"""One recommendation: where it sits, its source, its handling, and the action partials."""

import pytest
from ui_helpers import assigned, make_rec

from recommendations.models import Department, Recommendation, Tag

pytestmark = pytest.mark.django_db


def url(rec, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/recommendations/{rec.pk}/" + (f"?{query}" if query else "")


@pytest.fixture
def tree(item, tag, lead_department, other_department):
    sibling = make_rec(item.article, "1.2", "推动算力共享", parent=item.parent, order=3)
    child = make_rec(item.article, "1.1.1", "建设市级智算平台", parent=item, depth=3, order=4)
    Recommendation.objects.filter(pk=item.pk).update(**assigned(lead_department, days=-2))
    item.refresh_from_db()
    item.tags.add(tag)
    item.co_departments.add(other_department)
    return {"item": item, "section": item.parent, "sibling": sibling, "child": child}


def test_it_requires_sign_in(client, item):
    assert client.get(url(item)).status_code == 302


def test_a_missing_item_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get("/recommendations/999999/").status_code == 404


def test_it_shows_the_breadcrumb_article_section_item(client, viewer, tree):
    client.force_login(viewer)
    html = client.get(url(tree["item"])).content.decode()
    crumbs = html.split('class="breadcrumb"')[1].split("</nav>")[0]
    article = tree["item"].article
    assert f'href="/articles/{article.pk}/"' in crumbs
    assert f'href="/recommendations/{tree["section"].pk}/"' in crumbs
    assert '<span aria-current="page">一、1</span>' in crumbs
    assert crumbs.index("加快人工智能发展") < crumbs.index("加强算力统筹")


def test_it_shows_text_children_and_siblings(client, viewer, tree):
    client.force_login(viewer)
    response = client.get(url(tree["item"]))
    html = response.content.decode()
    assert "一是建设智算中心。推动算力共享。" in html
    assert [c.pk for c in response.context["children"]] == [tree["child"].pk]
    assert [s.pk for s in response.context["siblings"]] == [tree["sibling"].pk]
    assert "建设市级智算平台" in html and "推动算力共享" in html


def test_it_shows_the_source_paragraph_and_lines(client, viewer, tree):
    client.force_login(viewer)
    response = client.get(url(tree["item"]))
    assert [b["lines"] for b in response.context["source_blocks"]] == [[7]]
    assert response.context["source_lines"] == [(7, "一是建设智算中心。推动算力共享。")]
    assert '<span class="line-no">7</span>' in response.content.decode()


def test_it_shows_tags_assignment_and_overdue(client, viewer, tree, lead_department):
    client.force_login(viewer)
    html = client.get(url(tree["item"])).content.decode()
    assert '<a class="tag" href="/tags/' in html and "算力" in html
    assert f'href="/departments/{lead_department.pk}/">区科信局</a>' in html
    assert "区教委" in html
    assert '<span class="badge status-assigned">已交办</span>' in html
    assert "overdue-badge" in html


def test_it_shows_the_reply_and_answer_category(client, viewer, item, lead_department):
    Recommendation.objects.filter(pk=item.pk).update(
        status="answered", lead_department=lead_department, answer_category="A", reply="已建成。"
    )
    client.force_login(viewer)
    html = client.get(url(item)).content.decode()
    assert "A 已采纳或已解决" in html
    assert "已建成。" in html


def test_it_highlights_the_search_words(client, viewer, tree):
    client.force_login(viewer)
    html = client.get(url(tree["item"], q="智算")).content.decode()
    assert "<mark>智算</mark>" in html
    assert "取消标记" in html


def test_a_hostile_query_is_escaped(client, viewer, tree):
    client.force_login(viewer)
    html = client.get(url(tree["item"], q="<script>alert(1)</script>")).content.decode()
    assert "<script>alert(1)" not in html


def test_it_includes_the_action_history_and_comment_partials(client, staff, tree):
    client.force_login(staff)
    response = client.get(url(tree["item"]))
    names = [t.name for t in response.templates]
    for partial in ("_actions.html", "_history.html", "_comments.html"):
        assert f"recommendations/{partial}" in names


def test_there_is_one_h1(client, viewer, tree):
    client.force_login(viewer)
    html = client.get(url(tree["item"])).content.decode()
    assert html.count("<h1") == 1


def test_tags_and_co_departments_are_listed_in_their_usual_order(client, viewer, item, departments):
    chosen = ["算力", "人才", "模型技术"]
    item.tags.add(*Tag.objects.filter(name__in=chosen))
    item.co_departments.add(departments["区外办"], departments["区教委"])
    client.force_login(viewer)

    response = client.get(url(item))

    expected_tags = list(Tag.objects.filter(name__in=chosen))  # Tag's own order, by name
    assert response.context["rec_tags"] == expected_tags
    assert [d.name for d in response.context["co_departments"]] == ["区教委", "区外办"]
    html = response.content.decode()
    facts = html.split('class="facts"')[1].split("</dl>")[0]
    positions = [facts.index(f">{t.name}</a>") for t in expected_tags]
    assert positions == sorted(positions)
    assert "区教委</a>、<a" in facts


def test_a_section_lists_its_items_and_the_other_sections(client, viewer, tree, section):
    other_section = make_rec(section.article, "2", "培育人才队伍", depth=1, order=10)
    client.force_login(viewer)

    response = client.get(url(section))

    assert [c.pk for c in response.context["children"]] == [
        tree["item"].pk,
        tree["sibling"].pk,
    ]
    assert [s.pk for s in response.context["siblings"]] == [other_section.pk]
    assert response.context["ancestors"] == []


def test_staff_forms_offer_every_choice_with_the_current_ones_marked(
    client, staff, tree, tag, lead_department, other_department
):
    client.force_login(staff)

    html = client.get(url(tree["item"])).content.decode()

    assign = html.split('id="assign-form"')[1].split("</form>")[0]
    for department in Department.objects.all():
        assert f'value="{department.pk}"' in assign
    assert f'<option value="{lead_department.pk}" selected>区科信局</option>' in assign
    assert '<option value="">请选择</option>' in assign
    assert f'value="{other_department.pk}" id="id_assign_co_departments_' in assign
    co_checked = assign.split(f'value="{other_department.pk}" id="id_assign_co_departments_')[1]
    assert co_checked.split(">")[0].endswith("checked")
    tags_form = html.split('id="tags-form"')[1].split("</form>")[0]
    assert tags_form.count('type="checkbox" name="tags"') == Tag.objects.count()
    tag_box = tags_form.split(f'name="tags" value="{tag.pk}"')[1].split(">")[0]
    assert "checked" in tag_box
