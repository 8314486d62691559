"""POST /recommendations/<pk>/transition/: move an item along the handling workflow."""

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

NAME = "recommendation_transition"


def step(rec, to_status, **extra):
    return {"version": rec.version, "to_status": to_status, **extra}


def test_it_lets_staff_start_work(client, staff, assigned_item):
    response = post_as(client, staff, NAME, assigned_item, step(assigned_item, S.IN_PROGRESS))

    assert response.status_code == 302
    assert response["Location"] == detail_url(assigned_item)
    assert "状态已改为“办理中”。" in messages_of(response)
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.IN_PROGRESS
    last = build_history(assigned_item)[-1]
    assert (last.field, last.old, last.new, last.user) == ("状态", "已交办", "办理中", staff)


def test_it_lets_staff_answer_with_category_and_reply(client, staff, assigned_item):
    make_status(assigned_item, S.IN_PROGRESS)

    response = post_as(
        client,
        staff,
        NAME,
        assigned_item,
        step(assigned_item, S.ANSWERED, answer_category="B", reply="已列入明年计划。"),
    )

    assert response.status_code == 302
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.ANSWERED
    assert assigned_item.answer_category == "B"
    assert assigned_item.reply == "已列入明年计划。"
    assert assigned_item.answered_at is not None
    changes = {(e.field, e.new) for e in build_history(assigned_item)}
    assert {
        ("状态", "已办结"),
        ("答复类别", "B 正在解决或列入计划"),
        ("答复内容", "已列入明年计划。"),
    } <= changes


def test_it_answers_with_the_saved_draft_when_the_fields_are_left_out(client, staff, assigned_item):
    make_status(assigned_item, S.IN_PROGRESS, answer_category="C", reply="草稿答复")

    response = post_as(client, staff, NAME, assigned_item, step(assigned_item, S.ANSWERED))

    assert response.status_code == 302
    assigned_item.refresh_from_db()
    assert (assigned_item.status, assigned_item.reply) == (S.ANSWERED, "草稿答复")


def test_it_rerenders_an_answer_without_reply_keeping_the_category(client, staff, assigned_item):
    response = post_as(
        client,
        staff,
        NAME,
        assigned_item,
        step(assigned_item, S.ANSWERED, answer_category="A", reply="  ", note="我的说明"),
    )

    response = refused_page(client, response)
    content = response.content.decode()
    assert "办结必须填写答复内容。" in content
    assert '<option value="A" selected>' in content
    assert "我的说明" in content
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.ASSIGNED


def test_it_rerenders_an_answer_without_category(client, staff, assigned_item):
    response = post_as(
        client, staff, NAME, assigned_item, step(assigned_item, S.ANSWERED, reply="我的答复")
    )

    response = refused_page(client, response)
    content = response.content.decode()
    assert "办结必须选择答复类别。" in content
    assert "我的答复</textarea>" in content


def test_it_lets_staff_mark_an_item_not_actionable_with_a_reason(client, staff, item):
    response = post_as(
        client, staff, NAME, item, step(item, S.NOT_ACTIONABLE, note="属于观点陈述。")
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.status_note) == (S.NOT_ACTIONABLE, "属于观点陈述。")


def test_it_requires_a_reason_for_not_actionable(client, staff, item):
    response = post_as(client, staff, NAME, item, step(item, S.NOT_ACTIONABLE))

    response = refused_page(client, response)
    assert "标记为“无需办理”必须说明理由。" in response.content.decode()
    item.refresh_from_db()
    assert item.status == S.NEW


def test_it_lets_staff_reopen_an_answered_item_with_a_note(client, staff, assigned_item):
    answered(assigned_item)

    response = post_as(
        client,
        staff,
        NAME,
        assigned_item,
        step(assigned_item, S.ASSIGNED, note="答复不完整,重新办理。"),
    )

    assert response.status_code == 302
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.ASSIGNED
    assert assigned_item.answered_at is None


def test_it_requires_a_note_to_reopen(client, staff, assigned_item):
    answered(assigned_item)

    response = post_as(client, staff, NAME, assigned_item, step(assigned_item, S.NEW))

    response = refused_page(client, response)
    assert "重新打开已办结或无需办理的建议必须填写说明。" in response.content.decode()
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.ANSWERED


def test_it_refuses_any_plain_step_of_the_lead_handler(client, handler, assigned_item):
    # The lead handler moves the item by the loop's steps (签收, 答复 for review: handling/).
    for to_status in (S.NEW, S.IN_PROGRESS, S.ANSWERED):
        response = post_as(
            client,
            handler,
            NAME,
            assigned_item,
            step(assigned_item, to_status, answer_category="A", reply="自行办结"),
        )
        assert response.status_code == 403
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.ASSIGNED


def test_it_refuses_an_illegal_step_for_staff(client, staff, item):
    response = post_as(client, staff, NAME, item, step(item, S.IN_PROGRESS))

    response = refused_page(client, response)
    assert "不能从“待研判”改为“办理中”。" in response.content.decode()


def test_it_refuses_assigning_by_status_without_a_lead_department(client, staff, item):
    make_status(item, S.NOT_ACTIONABLE, status_note="观点")

    response = post_as(client, staff, NAME, item, step(item, S.ASSIGNED, note="需要办理"))

    response = refused_page(client, response)
    assert "请先指定主办部门。" in response.content.decode()


def test_it_refuses_the_current_status(client, staff, assigned_item):
    response = post_as(client, staff, NAME, assigned_item, step(assigned_item, S.ASSIGNED))

    response = refused_page(client, response)
    assert "建议已处于该状态。" in response.content.decode()


def test_it_asks_for_a_status_when_none_is_chosen(client, staff, item):
    response = post_as(client, staff, NAME, item, step(item, "", note="说明"))

    response = refused_page(client, response)
    assert "请选择新的状态。" in response.content.decode()
    item.refresh_from_db()
    assert item.status == S.NEW


def test_it_refuses_an_unknown_status(client, staff, item):
    response = post_as(client, staff, NAME, item, step(item, "archived"))

    response = refused_page(client, response)
    assert "未知的状态。" in response.content.decode()


def test_it_refuses_handler_of_other_department(client, other_handler, assigned_item):
    response = post_as(
        client, other_handler, NAME, assigned_item, step(assigned_item, S.IN_PROGRESS)
    )

    assert response.status_code == 403
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.ASSIGNED


def test_it_refuses_a_co_department_handler(client, other_handler, other_department, assigned_item):
    assigned_item.co_departments.add(other_department)

    response = post_as(
        client, other_handler, NAME, assigned_item, step(assigned_item, S.IN_PROGRESS)
    )

    assert response.status_code == 403


def test_it_refuses_a_viewer(client, viewer, assigned_item):
    response = post_as(client, viewer, NAME, assigned_item, step(assigned_item, S.IN_PROGRESS))

    assert response.status_code == 403


def test_a_get_writes_nothing_and_lands_on_the_item(client, staff, item):
    client.force_login(staff)

    before = item.version
    response = client.get(url(NAME, item))

    assert response.status_code == 302
    assert response["Location"] == detail_url(item)
    item.refresh_from_db()
    assert item.version == before


def test_it_offers_the_lead_handler_the_loops_steps_not_the_status_form(
    client, handler, assigned_item
):
    client.force_login(handler)
    context = client.get(detail_url(assigned_item)).context
    assert context["allowed_transitions"] == []
    assert context["transition_form"] is None
    assert context["receive_form"] is not None
    assert context["assign_form"] is None
    assert context["tag_form"] is None


def test_it_refuses_a_stale_version_and_keeps_the_first_step(client, staff, assigned_item):
    stale = assigned_item.version
    first = post_as(client, staff, NAME, assigned_item, step(assigned_item, S.IN_PROGRESS))
    assert first.status_code == 302

    second = post_as(
        client,
        staff,
        NAME,
        assigned_item,
        {"version": stale, "to_status": S.NOT_ACTIONABLE, "note": "我认为无需办理"},
    )

    second = refused_page(client, second)
    content = second.content.decode()
    assert "保存失败:这条建议已被他人修改。请查看最新内容后再提交。" in content
    assert "我认为无需办理" in content
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.IN_PROGRESS
