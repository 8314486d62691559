"""POST /recommendations/bulk/: tag, untag, assign or change the status of the ticked items."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from recommendations.models import (
    Recommendation,
    RecommendationEvent,
    RecommendationTagEvent,
    Tag,
)
from tests.action_helpers import S, days_from_today, messages_of, post_as, url

pytestmark = pytest.mark.django_db

NAME = "recommendation_bulk"
LIST = "/recommendations/?status=new"


@pytest.fixture
def second_item(section):
    return Recommendation.objects.create(
        article=section.article,
        parent=section,
        number="1.2",
        order=3,
        depth=2,
        marker="二是",
        place="一、2",
        heading="开放算力券",
        text="二是开放算力券。",
    )


@pytest.fixture
def pair(item, second_item):
    return [item, second_item]


def ids(recs):
    return [r.pk for r in recs]


def test_it_tags_the_ticked_items(client, staff, pair, tag):
    response = post_as(
        client,
        staff,
        NAME,
        data={"ids": ids(pair), "action": "tag", "tags": [tag.pk], "next": LIST},
    )

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert "已为 2 条建议添加标签:算力。" in messages_of(response)
    for rec in pair:
        assert list(rec.tags.all()) == [tag]
    events = RecommendationTagEvent.objects.filter(recommendation_id__in=ids(pair))
    assert {(e.recommendation_id, e.pgh_label) for e in events} == {
        (pair[0].pk, "added"),
        (pair[1].pk, "added"),
    }
    assert {e.pgh_context.metadata["user"] for e in events} == {staff.pk}


def test_it_leaves_unticked_items_alone(client, staff, pair, tag):
    post_as(client, staff, NAME, data={"ids": [pair[0].pk], "action": "tag", "tags": [tag.pk]})

    assert not pair[1].tags.exists()


def test_it_counts_only_items_that_changed(client, staff, pair, tag):
    pair[0].tags.add(tag)

    response = post_as(
        client, staff, NAME, data={"ids": ids(pair), "action": "tag", "tags": [tag.pk]}
    )

    assert "已为 1 条建议添加标签:算力。" in messages_of(response)


def test_it_removes_a_tag(client, staff, pair, tag):
    other = Tag.objects.get(name="人才")
    for rec in pair:
        rec.tags.add(tag, other)

    response = post_as(
        client, staff, NAME, data={"ids": ids(pair), "action": "untag", "tags": [tag.pk]}
    )

    assert response.status_code == 302
    assert "已从 2 条建议移除标签:算力。" in messages_of(response)
    for rec in pair:
        assert list(rec.tags.all()) == [other]
    removed = RecommendationTagEvent.objects.filter(pgh_label="removed", tag_id=tag.pk)
    assert removed.count() == 2


def test_it_assigns_the_ticked_items(client, staff, pair, departments):
    deadline = days_from_today(10)

    response = post_as(
        client,
        staff,
        NAME,
        data={
            "ids": ids(pair),
            "action": "assign",
            "lead_department": departments["区商务局"].pk,
            "co_departments": [departments["区教委"].pk],
            "deadline": deadline.isoformat(),
        },
    )

    assert response.status_code == 302
    assert "已将 2 条建议交办给区商务局。" in messages_of(response)
    for rec in pair:
        rec.refresh_from_db()
        assert (rec.status, rec.lead_department, rec.deadline) == (
            S.ASSIGNED,
            departments["区商务局"],
            deadline,
        )
        assert list(rec.co_departments.all()) == [departments["区教委"]]
    events = RecommendationEvent.objects.filter(pgh_obj_id__in=ids(pair), pgh_label="changed")
    assert events.count() == 2
    assert {e.pgh_context.metadata["user"] for e in events} == {staff.pk}


def test_it_changes_status_and_reports_the_items_where_the_step_is_illegal(
    client, staff, assigned_item, second_item
):
    response = post_as(
        client,
        staff,
        NAME,
        data={
            "ids": [assigned_item.pk, second_item.pk],
            "action": "status",
            "status": S.IN_PROGRESS,
        },
    )

    assert response.status_code == 302
    shown = messages_of(response)
    assert "已将 1 条建议改为“办理中”。" in shown
    assert "未更改 一、2 开放算力券:不能从“待研判”改为“办理中”。" in shown
    assigned_item.refresh_from_db()
    second_item.refresh_from_db()
    assert assigned_item.status == S.IN_PROGRESS
    assert second_item.status == S.NEW
    event = RecommendationEvent.objects.filter(pgh_obj_id=assigned_item.pk).latest("pgh_id")
    assert (event.status, event.pgh_context.metadata["user"]) == (S.IN_PROGRESS, staff.pk)


def test_it_marks_items_not_actionable_with_the_note(client, staff, pair):
    response = post_as(
        client,
        staff,
        NAME,
        data={"ids": ids(pair), "action": "status", "status": S.NOT_ACTIONABLE, "note": "观点陈述"},
    )

    assert response.status_code == 302
    for rec in pair:
        rec.refresh_from_db()
        assert (rec.status, rec.status_note) == (S.NOT_ACTIONABLE, "观点陈述")


def test_it_reports_every_item_when_the_note_is_missing(client, staff, pair):
    response = post_as(
        client, staff, NAME, data={"ids": ids(pair), "action": "status", "status": S.NOT_ACTIONABLE}
    )

    shown = messages_of(response)
    assert sum("标记为“无需办理”必须说明理由。" in m for m in shown) == 2
    assert not any(m.startswith("已将") for m in shown)
    for rec in pair:
        rec.refresh_from_db()
        assert rec.status == S.NEW


@pytest.mark.parametrize("role", ["viewer", "handler", "other_handler"])
def test_it_refuses_everyone_but_staff(client, users, pair, tag, role):
    response = post_as(
        client, users[role], NAME, data={"ids": ids(pair), "action": "tag", "tags": [tag.pk]}
    )

    assert response.status_code == 403
    assert not any(rec.tags.exists() for rec in pair)


def test_a_get_lands_on_the_list(client, staff):
    client.force_login(staff)

    response = client.get(url(NAME))

    assert response.status_code == 302
    assert response["Location"] == "/recommendations/"


def refused_list(client, response, list_url="/recommendations/"):
    """A refused bulk form sends the browser back to the list it came from (303, post/redirect/
    get), never leaving it at the action URL; that list shows the form with its errors, once."""
    assert response.status_code == 303, response.status_code
    assert response["Location"] == f"{list_url}#bulk-actions"
    page = client.get(response["Location"].split("#")[0])
    assert page.status_code == 200
    content = page.content.decode()
    assert "未执行:请修正下面标出的问题后再提交。" in content
    again = client.get(list_url).content.decode()  # shown once: a reload is the plain list
    assert "未执行" not in again and 'class="errorlist' not in again
    return content


def test_it_refuses_when_nothing_is_ticked(client, staff, tag):
    response = post_as(client, staff, NAME, data={"action": "tag", "tags": [tag.pk], "next": LIST})

    content = refused_list(client, response, LIST)
    assert "请至少勾选一条建议。" in content
    assert f'name="next" value="{LIST}"'.replace("&", "&amp;") in content


def test_a_refused_assignment_keeps_its_choices_and_ticks(client, staff, pair, departments):
    lead = departments["区商务局"]

    response = post_as(
        client, staff, NAME, data={"ids": ids(pair), "action": "assign", "lead_department": lead.pk}
    )

    content = refused_list(client, response)
    assert "请填写办理期限。" in content
    assert f'<option value="{lead.pk}" selected>区商务局</option>' in content
    assert '<option value="assign" selected>' in content
    for rec in pair:
        assert f'name="ids" value="{rec.pk}" checked' in content
        rec.refresh_from_db()
        assert rec.lead_department is None


def test_a_refused_form_keeps_ticks_that_are_not_on_the_page_it_lands_on(
    client, staff, pair, lead_department
):
    # The list it lands on shows only the second item: the first stays ticked above the rows.
    only_second = "/recommendations/?" + urlencode({"q": pair[1].heading})
    response = post_as(
        client,
        staff,
        NAME,
        data={"ids": ids(pair), "action": "assign", "next": only_second},
    )

    content = refused_list(client, response, only_second)
    assert "这些已勾选的建议不在本页" in content
    for rec in pair:
        assert f'name="ids" value="{rec.pk}" checked' in content


def test_it_refuses_a_past_deadline(client, staff, pair, lead_department):
    response = post_as(
        client,
        staff,
        NAME,
        data={
            "ids": ids(pair),
            "action": "assign",
            "lead_department": lead_department.pk,
            "deadline": days_from_today(-1).isoformat(),
        },
    )

    assert "办理期限不能早于今天。" in refused_list(client, response)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"action": "tag"}, "请至少选择一个标签。"),
        ({"action": "status"}, "请选择新的状态。"),
        ({"action": "status", "status": "archived"}, "未知的状态。"),
        ({"action": "delete"}, "未知的操作。"),
        ({}, "请选择批量操作。"),
    ],
)
def test_it_refuses_incomplete_input(client, staff, pair, data, error):
    response = post_as(client, staff, NAME, data={"ids": ids(pair), **data})

    assert error in refused_list(client, response)


@pytest.mark.parametrize("bad_id", ["abc", "999999", "-1"])
def test_it_refuses_bad_ids_without_failing(client, staff, item, tag, bad_id):
    response = post_as(
        client, staff, NAME, data={"ids": [item.pk, bad_id], "action": "tag", "tags": [tag.pk]}
    )

    refused_list(client, response)
    assert not item.tags.exists()


def test_a_refusal_aimed_elsewhere_lands_on_the_list(client, staff, item, tag):
    # Only the list holds the bulk form: a `next` on another page of the site would lose it.
    response = post_as(client, staff, NAME, data={"ids": [item.pk], "action": "x", "next": "/"})

    refused_list(client, response)


def test_it_acts_on_every_item_the_filter_matches_sent_as_the_filter(
    client, staff, pair, section, tag
):
    # The filter matches both items (not the section): it travels as one field, not as ids.
    response = post_as(
        client,
        staff,
        NAME,
        data={
            "scope": "filter",
            "filter": "status=new&level=2",
            "action": "tag",
            "tags": [tag.pk],
            "next": LIST,
        },
    )

    assert response.status_code == 302
    assert "已为 2 条建议添加标签:算力。" in messages_of(response)
    assert all(list(rec.tags.all()) == [tag] for rec in pair)
    assert not section.tags.exists()  # depth 1: outside the filter


def test_a_filter_that_matches_nothing_is_refused(client, staff, pair, tag):
    response = post_as(
        client,
        staff,
        NAME,
        data={"scope": "filter", "filter": "q=没有这个词语", "action": "tag", "tags": [tag.pk]},
    )

    assert "没有符合筛选条件的建议。" in refused_list(client, response)


def test_the_list_offers_every_matching_item_with_its_count(client, staff, pair):
    client.force_login(staff)

    content = client.get(LIST + "&level=2").content.decode()

    assert "筛选出的全部 2 条建议" in content
    assert 'name="filter" value="level=2&amp;status=new"' in content


def test_it_ignores_a_next_on_another_site(client, staff, pair, tag):
    response = post_as(
        client,
        staff,
        NAME,
        data={"ids": ids(pair), "action": "tag", "tags": [tag.pk], "next": "//evil.example/x"},
    )

    assert response["Location"] == reverse("recommendation_list")


def test_a_selection_larger_than_a_chunk_is_done_chunk_by_chunk(
    client, staff, section, tag, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from recommendations import workflow

    monkeypatch.setattr(workflow, "BULK_CHUNK", 2)
    recs = [
        Recommendation.objects.create(
            article=section.article,
            parent=section,
            number=f"1.{n}",
            order=n + 2,
            depth=2,
            heading=f"条目{n}",
            text=f"条目{n}。",
        )
        for n in range(5)
    ]
    with CaptureQueriesContext(connection) as queries:
        response = post_as(
            client, staff, NAME, data={"ids": ids(recs), "action": "tag", "tags": [tag.pk]}
        )
    assert response.status_code == 302
    assert all(set(rec.tags.all()) == {tag} for rec in recs)
    # Three chunks (2 + 2 + 1), each locked in a transaction of its own.
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 3
