"""The recommendation list: filters in the URL, counts per value, pages, sorting, bulk form."""

import datetime
import re

import pytest
from django.urls import reverse
from ui_helpers import assigned, make_article, make_rec

from recommendations.models import Recommendation, Tag

URL = "/recommendations/"
pytestmark = pytest.mark.django_db


def listed(response):
    """Primary keys of the rows on the page, in order (read from the HTML, which may have
    come from the cache)."""
    html = response.content.decode()
    return [
        int(pk)
        for pk in re.findall(r'<td class="heading"[^>]*><a href="/recommendations/(\d+)/', html)
    ]


@pytest.fixture
def world(edition, item, tag, lead_department, other_department):
    """Three articles' worth of items in different states."""
    other = make_article(edition, order=2, author="李四", organization="区教委")
    return {
        "item": item,
        "late": make_rec(
            other, "1", "逾期的条目", tags=[tag], **assigned(lead_department, days=-5)
        ),
        "soon": make_rec(
            other, "2", "即将到期", co=[lead_department], **assigned(other_department, days=3)
        ),
        "answered": make_rec(
            other,
            "3",
            "已经办结",
            status=Recommendation.Status.ANSWERED,
            lead_department=other_department,
            answer_category="A",
            reply="已落实。",
        ),
        "gone": make_rec(other, "4", "已被移除", in_source=False),
        "section": item.parent,
    }


def test_it_requires_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_current_items_and_hides_removed_ones(client, viewer, world):
    client.force_login(viewer)
    response = client.get(URL)
    assert response.status_code == 200
    pks = listed(response)
    assert world["item"].pk in pks and world["late"].pk in pks
    assert world["gone"].pk not in pks
    assert 'name="removed"' in response.content.decode()


def test_the_removed_checkbox_includes_items_no_longer_in_the_source(client, viewer, world):
    client.force_login(viewer)
    response = client.get(URL, {"removed": "1"})
    assert world["gone"].pk in listed(response)
    assert "已不在原文中" in response.content.decode()


def test_a_row_shows_author_place_tags_status_department_and_deadline(client, viewer, world):
    client.force_login(viewer)
    html = client.get(URL, {"status": "assigned"}).content.decode()
    assert "李四 · 一、1" in html
    assert "逾期的条目" in html
    assert '<a class="tag" href="/tags/' in html and "算力" in html
    assert '<span class="badge status-assigned">已交办</span>' in html
    assert "区科信局" in html
    assert "overdue-badge" in html  # the late item is marked


@pytest.mark.parametrize(
    ("params", "expected", "excluded"),
    [
        ({"status": "answered"}, ["answered"], ["late", "item"]),
        ({"deadline": "overdue"}, ["late"], ["soon", "answered"]),
        ({"due": "7"}, ["soon"], ["late"]),
        ({"level": "1"}, ["section"], ["item", "late"]),
        ({"answer_category": "A"}, ["answered"], ["late"]),
    ],
)
def test_it_filters_by_plain_fields(client, viewer, world, params, expected, excluded):
    client.force_login(viewer)
    pks = listed(client.get(URL, params))
    for name in expected:
        assert world[name].pk in pks
    for name in excluded:
        assert world[name].pk not in pks


def test_department_means_lead_or_co_department(client, viewer, world, lead_department):
    client.force_login(viewer)
    pks = listed(client.get(URL, {"department": lead_department.pk}))
    assert set(pks) == {world["late"].pk, world["soon"].pk}


def test_lead_department_means_lead_only(client, viewer, world, lead_department):
    client.force_login(viewer)
    assert listed(client.get(URL, {"lead_department": lead_department.pk})) == [world["late"].pk]


def test_it_filters_by_tag_author_organisation_and_article(client, viewer, world, tag):
    client.force_login(viewer)
    other_article = world["late"].article
    person = other_article.bylines.get().person
    organization = other_article.bylines.get().affiliations.get().organization
    assert listed(client.get(URL, {"tag": tag.pk})) == [world["late"].pk]
    by_author = listed(client.get(URL, {"author": person.pk}))
    assert set(by_author) == {world["late"].pk, world["soon"].pk, world["answered"].pk}
    assert listed(client.get(URL, {"organization": organization.pk})) == by_author
    response = client.get(URL, {"article": world["item"].article_id})
    assert set(listed(response)) == {world["item"].pk, world["section"].pk}
    assert "加快人工智能发展" in response.content.decode()  # the chosen article is named


def test_each_choice_shows_its_count(client, viewer, world):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert re.search(
        r'<option value="new">待研判 \(2\)</option>', html
    )  # section, item; not the removed one
    assert re.search(r'<option value="assigned">已交办 \(2\)</option>', html)
    assert re.search(r'<option value="overdue">已逾期 \(1\)</option>', html)


def test_a_facet_counts_over_the_other_filters_but_not_its_own(client, viewer, world, tag):
    client.force_login(viewer)
    html = client.get(URL, {"status": "assigned", "tag": tag.pk}).content.decode()
    # Status alternatives stay visible under the tag filter: one assigned item has the tag.
    assert re.search(r'<option value="assigned" selected>已交办 \(1\)</option>', html)
    assert re.search(r'<option value="new">待研判 \(0\)</option>', html)
    # Tag counts follow the status filter.
    assert re.search(rf'<option value="{tag.pk}" selected>算力 \(1\)</option>', html)


def test_facet_counts_take_a_fixed_number_of_queries(
    client, viewer, world, django_assert_max_num_queries
):
    client.force_login(viewer)
    client.get(URL)
    with django_assert_max_num_queries(25):
        client.get(
            URL,
            {
                "status": "assigned",
                "tag": world["late"].tags.get().pk,
                "department": world["late"].lead_department_id,
            },
        )


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nope"},
        {"tag": "999999"},
        {"tag": "abc"},
        {"due": "-3"},
        {"due": "1.5"},
        {"level": "7"},
        {"sort": "password"},
        {"department": "99999999999999999999999"},
        {"page": "x"},
        {"page": "99999"},
    ],
)
def test_an_invalid_value_is_reported_in_chinese_and_never_fails(client, viewer, world, params):
    client.force_login(viewer)
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    if "page" not in params:
        assert "部分筛选条件无效" in html
        assert re.search(r"选择一个有效的选项|确保该值|确认|请输入", html)


def test_an_invalid_value_does_not_drop_the_valid_filters(client, viewer, world):
    client.force_login(viewer)
    response = client.get(URL, {"status": "answered", "tag": "abc"})
    assert listed(response) == [world["answered"].pk]


def test_it_shows_fifty_per_page_with_page_numbers_in_the_url(client, viewer, article):
    Recommendation.objects.bulk_create(
        Recommendation(article=article, number=str(n), order=n, heading=f"条目{n}", text="正文")
        for n in range(1, 56)
    )
    client.force_login(viewer)
    first = client.get(URL)
    assert len(listed(first)) == 50
    html = first.content.decode()
    assert 'href="?page=2"' in html
    assert 'aria-current="page">1</a>' in html
    second = client.get(URL, {"page": "2"})
    assert len(listed(second)) == 5
    assert set(listed(first)).isdisjoint(listed(second))


@pytest.mark.parametrize("params", [{}, {"sort": "status"}, {"sort": "-updated"}])
def test_a_deep_page_shows_the_rows_in_the_lists_order(client, viewer, article, params):
    """Past the first pages, rows are chosen by their ids first (PagedRows): the same rows in
    the same order as a plain slice of the sorted list."""
    statuses = ["new", "not_actionable"]
    Recommendation.objects.bulk_create(
        Recommendation(
            article=article,
            number=str(n),
            order=n % 97,
            depth=1 + n % 2,
            status=statuses[n % 2],
            heading=f"条目{n}",
            text="正文",
        )
        for n in range(1, 640)
    )
    client.force_login(viewer)
    from django.http import QueryDict

    from recommendations.filters import RecommendationFilter

    query = QueryDict(mutable=True)
    query.update(params)
    ordered = RecommendationFilter(query, queryset=Recommendation.objects.all()).qs
    for page in (11, 13):
        shown = listed(client.get(URL, {**params, "page": str(page)}))
        expected = list(ordered.values_list("pk", flat=True)[(page - 1) * 50 : page * 50])
        assert shown == expected and len(shown) > 0


def test_page_links_keep_the_filters(client, viewer, article):
    Recommendation.objects.bulk_create(
        Recommendation(article=article, number=str(n), order=n, heading=f"条目{n}", text="正文")
        for n in range(1, 56)
    )
    client.force_login(viewer)
    html = client.get(URL, {"status": "new", "level": "1"}).content.decode()
    assert 'href="?status=new&amp;level=1&amp;page=2"' in html


def test_it_sorts_by_deadline_and_by_last_update(client, viewer, world):
    client.force_login(viewer)
    by_deadline = listed(client.get(URL, {"sort": "deadline", "status": "assigned"}))
    assert by_deadline == [world["late"].pk, world["soon"].pk]
    assert listed(client.get(URL, {"sort": "-deadline", "status": "assigned"})) == by_deadline[::-1]
    Recommendation.objects.filter(pk=world["item"].pk).update(
        updated_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )
    assert listed(client.get(URL, {"sort": "-updated"}))[0] == world["item"].pk


def test_default_order_follows_the_printed_place(client, viewer, world):
    client.force_login(viewer)
    pks = listed(client.get(URL))
    assert (
        pks.index(world["section"].pk) < pks.index(world["item"].pk) < pks.index(world["late"].pk)
    )


def test_export_links_carry_the_current_filters(client, viewer, world):
    client.force_login(viewer)
    html = client.get(URL, {"status": "assigned", "page": "1"}).content.decode()
    assert 'href="/recommendations/export.csv?status=assigned"' in html
    assert 'href="/recommendations/export.xlsx?status=assigned"' in html


def test_staff_get_a_bulk_form_with_one_labelled_checkbox_per_row(client, staff, world):
    client.force_login(staff)
    response = client.get(URL, {"status": "assigned"})
    html = response.content.decode()
    assert '<form method="post" action="/recommendations/bulk/" class="bulk-form">' in html
    assert '<input type="hidden" name="next" value="/recommendations/?status=assigned">' in html
    for name in ("late", "soon"):
        pk = world[name].pk
        assert f'<input type="checkbox" name="ids" value="{pk}" id="select-{pk}"' in html
        assert f'<label for="select-{pk}"' in html
    assert "recommendations/_bulk_actions.html" in [t.name for t in response.templates]


def test_viewers_get_no_bulk_form(client, viewer, world):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert 'name="ids"' not in html
    assert "bulk-form" not in html


def test_every_filter_control_has_a_label(client, viewer, world):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    ids = re.findall(r'<(?:select|input)[^>]* id="(id_[a-z_]+)"', html)
    assert {"id_q", "id_status", "id_tag", "id_due", "id_removed", "id_sort"} <= set(ids)
    for control_id in ids:
        assert f'for="{control_id}"' in html, control_id


def test_searching_filters_ranks_and_highlights(client, viewer, world):
    client.force_login(viewer)
    response = client.get(URL, {"q": "逾期"})
    assert listed(response) == [world["late"].pk]
    html = response.content.decode()
    assert "<mark>逾期</mark>" in html
    assert f'href="/recommendations/{world["late"].pk}/?q=%E9%80%BE%E6%9C%9F"' in html
    assert '<option value="relevance" selected>' in html


def test_relevance_is_offered_only_when_searching(client, viewer, world):
    client.force_login(viewer)
    html = client.get(URL, {"sort": "relevance"}).content.decode()
    assert 'value="relevance"' not in html
    assert listed(client.get(URL, {"sort": "relevance"})) == listed(client.get(URL))


def test_tag_choices_list_every_tag(client, viewer, world):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    for tag in Tag.objects.all():
        assert f'<option value="{tag.pk}"' in html


def test_the_author_facet_offers_the_busiest_authors_and_keeps_a_chosen_one(
    client, viewer, edition
):
    from recommendations.filters import MAX_NAMED_FACET_OPTIONS
    from recommendations.models import Person

    for i in range(MAX_NAMED_FACET_OPTIONS + 5):
        article = make_article(edition, order=10 + i, author=f"作者{i:02d}", title=f"文章{i}")
        for n in range(1 if i else 3):
            make_rec(article, f"1.{n + 1}", heading=f"要点{i}-{n}")
    client.force_login(viewer)
    options = client.get("/recommendations/").context["facets"]["author"]
    assert len(options) == MAX_NAMED_FACET_OPTIONS
    assert options[0]["label"] == "作者00" and options[0]["count"] == 3
    rare = Person.objects.get(name="作者34")
    chosen = client.get("/recommendations/", {"author": rare.pk}).context["facets"]["author"]
    assert chosen[0] == {"value": str(rare.pk), "label": "作者34", "count": 1, "selected": True}


def test_search_pages_keep_the_ranked_order_and_see_changes_at_once(client, viewer, edition):
    from recommendations.views import lists

    article = make_article(edition, order=5, author="王五", title="人才工作")
    for n in range(1, 8):
        make_rec(article, f"1.{n}", heading=f"第{n}条" + ("人才" if n % 2 else "算力"))
    client.force_login(viewer)
    ranked = listed(client.get("/recommendations/", {"q": "人才"}))
    assert len(ranked) == 4 and ranked == list(
        lists.RecommendationFilter(
            {"q": "人才"}, queryset=Recommendation.objects.all()
        ).qs.values_list("pk", flat=True)
    )
    assert listed(client.get("/recommendations/", {"q": "人才"})) == ranked
    # A new item is found on the very next request (the cached ranking is keyed on changes).
    make_rec(article, "1.9", heading="人才引育")
    fresh = client.get("/recommendations/", {"q": "人才"})
    assert len(listed(fresh)) == 5
    assert "共 5 条建议" in fresh.content.decode()


def test_deep_search_pages_beyond_the_cached_ranking_come_from_the_database(
    client, viewer, edition, monkeypatch
):
    from recommendations.views import lists

    monkeypatch.setattr(lists, "RANKED_IDS", lists.PAGE_SIZE)  # page 1 cached, page 2 not
    article = make_article(edition, order=5, author="王五", title="人才工作")
    for n in range(1, lists.PAGE_SIZE + 11):
        make_rec(article, f"1.{n}", heading=f"人才第{n}条")
    client.force_login(viewer)
    seen = []
    for number in (1, 2):
        page = client.get("/recommendations/", {"q": "人才", "page": number}).context["page_obj"]
        seen += [rec.pk for rec in page.object_list]
    expected = lists.RecommendationFilter({"q": "人才"}, queryset=Recommendation.objects.all())
    assert seen == list(expected.qs.values_list("pk", flat=True))


def test_a_cached_table_shows_a_change_on_the_next_request(client, staff, edition):
    article = make_article(edition, order=5, author="王五", title="人才工作")
    rec = make_rec(article, "1.1", heading="建设人才公寓")
    client.force_login(staff)
    assert "待研判" in client.get("/recommendations/").content.decode()
    warm = client.get("/recommendations/").content.decode()
    assert "建设人才公寓" in warm
    Recommendation.objects.filter(pk=rec.pk).update(status_note="先观察", status="not_actionable")
    fresh = client.get("/recommendations/").content.decode()
    assert "无需办理" in fresh.split('class="rec-table"')[1]
