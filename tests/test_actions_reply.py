"""POST /recommendations/<pk>/reply/: write or revise the reply without changing the status."""

import pytest

from recommendations.history import build_history
from tests.action_helpers import (
    S,
    answered,
    detail_url,
    make_status,
    messages_of,
    post_as,
    refused_page,
    url,
)

pytestmark = pytest.mark.django_db

NAME = "recommendation_reply"


def draft(rec, reply="正在组织论证。", category="B"):
    return {"version": rec.version, "answer_category": category, "reply": reply}


def test_it_saves_a_draft_for_the_lead_handler_while_in_progress(client, handler, assigned_item):
    make_status(assigned_item, S.IN_PROGRESS)

    response = post_as(client, handler, NAME, assigned_item, draft(assigned_item))

    assert response.status_code == 302
    assert response["Location"] == detail_url(assigned_item)
    assert "答复草稿已保存。改为“已办结”时一并提交。" in messages_of(response)
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.IN_PROGRESS
    assert (assigned_item.answer_category, assigned_item.reply) == ("B", "正在组织论证。")
    last = build_history(assigned_item)[-1]
    assert (last.field, last.new, last.user) == ("答复内容", "正在组织论证。", handler)


def test_it_allows_a_draft_without_category(client, handler, assigned_item):
    response = post_as(client, handler, NAME, assigned_item, draft(assigned_item, category=""))

    assert response.status_code == 302
    assigned_item.refresh_from_db()
    assert (assigned_item.answer_category, assigned_item.reply) == ("", "正在组织论证。")


def test_it_lets_staff_revise_an_answered_reply(client, staff, assigned_item):
    answered(assigned_item)

    response = post_as(
        client, staff, NAME, assigned_item, draft(assigned_item, "已采纳并实施。", "A")
    )

    assert response.status_code == 302
    assert "答复已更新。" in messages_of(response)
    assigned_item.refresh_from_db()
    assert (assigned_item.status, assigned_item.reply) == (S.ANSWERED, "已采纳并实施。")
    history = [(e.field, e.old, e.new) for e in build_history(assigned_item)]
    assert ("答复内容", "已采纳。", "已采纳并实施。") in history


def test_it_refuses_to_empty_the_category_of_an_answered_item(client, staff, assigned_item):
    answered(assigned_item)

    response = post_as(client, staff, NAME, assigned_item, draft(assigned_item, "新答复", ""))

    response = refused_page(client, response)
    content = response.content.decode()
    assert "已办结的建议必须保留答复类别和答复内容。" in content
    assert "新答复</textarea>" in content
    assigned_item.refresh_from_db()
    assert assigned_item.reply == "已采纳。"


def test_it_rerenders_an_empty_reply(client, handler, assigned_item):
    response = post_as(
        client, handler, NAME, assigned_item, draft(assigned_item, reply="", category="C")
    )

    response = refused_page(client, response)
    content = response.content.decode()
    assert "请填写答复内容。" in content
    assert '<option value="C" selected>' in content


def test_it_rerenders_an_unknown_category(client, handler, assigned_item):
    response = post_as(client, handler, NAME, assigned_item, draft(assigned_item, category="Z"))

    response = refused_page(client, response)
    assert "未知的答复类别。" in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "other_handler"])
def test_it_refuses_users_outside_the_lead_department(client, users, assigned_item, role):
    response = post_as(client, users[role], NAME, assigned_item, draft(assigned_item))

    assert response.status_code == 403
    assigned_item.refresh_from_db()
    assert assigned_item.reply == ""


def test_it_refuses_the_lead_handler_once_answered(client, handler, assigned_item):
    answered(assigned_item)

    response = post_as(client, handler, NAME, assigned_item, draft(assigned_item, "改一下", "A"))

    assert response.status_code == 403
    assigned_item.refresh_from_db()
    assert assigned_item.reply == "已采纳。"


def test_a_get_writes_nothing_and_lands_on_the_item(client, handler, assigned_item):
    client.force_login(handler)

    before = assigned_item.version
    response = client.get(url(NAME, assigned_item))

    assert response.status_code == 302
    assert response["Location"] == detail_url(assigned_item)
    assigned_item.refresh_from_db()
    assert assigned_item.version == before


def test_it_refuses_a_stale_version_keeping_both_texts_visible(
    client, staff, handler, assigned_item
):
    stale = assigned_item.version
    first = post_as(client, staff, NAME, assigned_item, draft(assigned_item, "研判员的答复"))
    assert first.status_code == 302

    second = post_as(
        client,
        handler,
        NAME,
        assigned_item,
        {**draft(assigned_item, "承办人的答复"), "version": stale},
    )

    second = refused_page(client, second)
    content = second.content.decode()
    assert "承办人的答复</textarea>" in content  # what the second user typed
    assert "研判员的答复" in content  # the saved reply, in the history shown
    assigned_item.refresh_from_db()
    assert assigned_item.reply == "研判员的答复"
