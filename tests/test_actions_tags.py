"""POST /recommendations/<pk>/tags/: set the item's tags, optionally creating a new one."""

import pytest

from recommendations.models import RecommendationTagEvent, Tag
from tests.action_helpers import detail_url, messages_of, post_as, refused_page, url

pytestmark = pytest.mark.django_db

NAME = "recommendation_tags"


@pytest.fixture
def other_tag(db):
    return Tag.objects.get(name="人才")


def test_it_sets_the_ticked_tags(client, staff, item, tag, other_tag):
    response = post_as(
        client, staff, NAME, item, {"version": item.version, "tags": [tag.pk, other_tag.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(item)
    assert "标签已保存。" in messages_of(response)
    item.refresh_from_db()
    assert set(item.tags.all()) == {tag, other_tag}
    assert item.version == 2


def test_it_removes_the_unticked_tags_and_records_both_steps(client, staff, item, tag, other_tag):
    item.tags.add(tag)
    item.refresh_from_db()

    response = post_as(client, staff, NAME, item, {"version": item.version, "tags": [other_tag.pk]})

    assert response.status_code == 302
    assert list(item.tags.all()) == [other_tag]
    events = RecommendationTagEvent.objects.filter(recommendation_id=item.pk).order_by("pgh_id")
    assert [(e.pgh_label, e.tag_id) for e in events] == [
        ("added", tag.pk),  # the fixture's add, outside any request
        ("removed", tag.pk),
        ("added", other_tag.pk),
    ]
    assert events[1].pgh_context.metadata["user"] == staff.pk


def test_it_creates_a_new_tag_and_attaches_it(client, staff, item, tag):
    response = post_as(
        client,
        staff,
        NAME,
        item,
        {"version": item.version, "tags": [tag.pk], "new_tag": " 具身 智能 "},
    )

    assert response.status_code == 302
    created = Tag.objects.get(name="具身 智能")
    assert created.created_by == staff
    assert set(item.tags.all()) == {tag, created}


def test_it_reuses_an_existing_tag_of_the_same_name(client, staff, item, tag):
    count = Tag.objects.count()

    response = post_as(client, staff, NAME, item, {"version": item.version, "new_tag": "算力"})

    assert response.status_code == 302
    assert Tag.objects.count() == count
    assert list(item.tags.all()) == [tag]


def test_it_clears_all_tags_when_none_is_ticked(client, staff, item, tag):
    item.tags.add(tag)
    item.refresh_from_db()

    response = post_as(client, staff, NAME, item, {"version": item.version})

    assert response.status_code == 302
    assert not item.tags.exists()


@pytest.mark.parametrize("role", ["viewer", "handler", "other_handler"])
def test_it_refuses_everyone_but_staff(client, users, item, role):
    response = post_as(client, users[role], NAME, item, {"version": item.version, "new_tag": "新"})

    assert response.status_code == 403
    assert not item.tags.exists()
    assert not Tag.objects.filter(name="新").exists()


def test_a_get_writes_nothing_and_lands_on_the_item(client, staff, item):
    client.force_login(staff)

    before = item.version
    response = client.get(url(NAME, item))

    assert response.status_code == 302
    assert response["Location"] == detail_url(item)
    item.refresh_from_db()
    assert item.version == before


def test_it_rerenders_an_unknown_tag_with_the_error_and_the_typed_name(client, staff, item):
    response = post_as(
        client,
        staff,
        NAME,
        item,
        {"version": item.version, "tags": ["999999"], "new_tag": "我的新标签"},
    )

    response = refused_page(client, response)
    content = response.content.decode()
    assert "所选标签不存在。" in content
    assert 'value="我的新标签"' in content
    assert not Tag.objects.filter(name="我的新标签").exists()


def test_it_rerenders_a_too_long_name(client, staff, item):
    name = "长" * 51

    response = post_as(client, staff, NAME, item, {"version": item.version, "new_tag": name})

    response = refused_page(client, response)
    assert "标签名称不能超过 50 个字。" in response.content.decode()
    assert not Tag.objects.filter(name=name).exists()


def test_it_rerenders_a_post_without_version(client, staff, item, tag):
    response = post_as(client, staff, NAME, item, {"tags": [tag.pk]})

    response = refused_page(client, response)
    assert "表单缺少版本号,请刷新页面后重试。" in response.content.decode()
    assert not item.tags.exists()


def test_it_refuses_a_stale_version_and_keeps_the_first_change(
    client, staff, admin_user, item, tag, other_tag
):
    stale = item.version
    first = post_as(client, staff, NAME, item, {"version": stale, "tags": [tag.pk]})
    assert first.status_code == 302

    second = post_as(
        client,
        admin_user,
        NAME,
        item,
        {"version": stale, "tags": [other_tag.pk], "new_tag": "晚到"},
    )

    second = refused_page(client, second)
    assert "保存失败:这条建议已被他人修改。请查看最新内容后再提交。" in second.content.decode()
    assert 'value="晚到"' in second.content.decode()  # what the second user typed
    assert list(item.tags.all()) == [tag]
    assert not Tag.objects.filter(name="晚到").exists()  # the new tag was not half-created


def test_it_follows_a_safe_next_and_ignores_another_site(client, staff, item, tag):
    safe = post_as(
        client,
        staff,
        NAME,
        item,
        {"version": item.version, "tags": [tag.pk], "next": "/recommendations/?tag=1"},
    )
    item.refresh_from_db()
    unsafe = post_as(
        client, staff, NAME, item, {"version": item.version, "next": "https://evil.example/"}
    )

    assert safe["Location"] == "/recommendations/?tag=1"
    assert unsafe["Location"] == detail_url(item)


def test_it_answers_404_for_a_missing_item(client, staff):
    client.force_login(staff)

    response = client.post("/recommendations/999999/tags/", {"version": 1})

    assert response.status_code == 404
