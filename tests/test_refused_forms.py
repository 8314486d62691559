"""Post/redirect/get on the item page: every form there, when refused, leaves the browser at the
item's URL (never at the action URL, which a reload would answer with an empty 405), and the
item's page shows the error and what the user typed, once."""

import pytest
from django.test import Client
from django.urls import reverse

from handling import calendar
from recommendations.views.actions import REFUSED_SESSION_KEY
from tests.action_helpers import S, detail_url, make_status, refused_page
from tests.test_handling_permissions import STEPS, _fresh_item

pytestmark = pytest.mark.django_db

CONFLICT = "保存失败:这条建议已被他人修改。请查看最新内容后再提交。"
FIX = "未保存:请修正下面标出的问题。"

# The text field each handling step's form lets the user type into (None: the form has none).
TYPED_FIELD = {
    "handling_receive": None,
    "handling_set_container": None,
    "handling_request_return": "reason",
    "handling_decide_return": "note",
    "handling_request_extension": "reason",
    "handling_decide_extension": "note",
    "handling_save_opinion": "body",
    "handling_submit_answer": "reply",
    "handling_review_answer": "note",
    "handling_record_verdict": "note",
    "handling_report_progress": "body",
    "handling_finish_follow_up": "note",
    "handling_close_dropped": "note",
}


@pytest.fixture(autouse=True)
def official_calendar(db):
    calendar.load_from_package()


@pytest.fixture
def roles(staff, handler, co_handler):
    return {"staff": staff, "lead_handler": handler, "co_handler": co_handler}


def _typed(name) -> str:
    return f"我打的字·{name}"


def test_the_table_covers_every_step():
    assert set(TYPED_FIELD) == set(STEPS)


@pytest.mark.parametrize("name", sorted(STEPS))
def test_a_stale_step_lands_on_the_item_with_the_conflict_and_the_typed_text(
    name, roles, article, lead_department, co_department
):
    allowed, ready, data, happened = STEPS[name]
    role = sorted(allowed & set(roles))[0]
    rec = ready(roles, _fresh_item(article, roles["staff"], lead_department, co_department, 1))
    rec.refresh_from_db()
    client = Client()
    client.force_login(roles[role])
    post = {"version": rec.version + 1, **data(rec)}  # a page older or newer than the item
    field = TYPED_FIELD[name]
    if field:
        post[field] = _typed(name)

    response = client.post(reverse(name, args=[rec.pk]), post)

    page = refused_page(client, response).content.decode()
    assert CONFLICT in page
    if field:
        assert _typed(name) in page
    anchor = response["Location"].split("#")[1]
    assert f'id="{anchor}"' in page  # the redirect lands on the refused form
    rec.refresh_from_db()
    assert not happened(rec)
    # Shown once: a reload shows the item as it is, without the old error.
    again = client.get(detail_url(rec)).content.decode()
    assert CONFLICT not in again
    if field:
        assert _typed(name) not in again


def test_a_step_out_of_turn_shows_the_rule_s_message_and_the_typed_text(client, handler, loop_item):
    # The lead handler has not signed for the item: the answer is refused by the rule (not by
    # the form), and its message and the typed reply come back after the redirect.
    client.force_login(handler)
    response = client.post(
        reverse("handling_submit_answer", args=[loop_item.pk]),
        {
            "version": loop_item.version,
            "answer_category": "A",
            "reply": "我写好的答复全文",
            "confirm_missing": "on",
        },
    )

    page = refused_page(client, response).content.decode()
    assert FIX in page
    assert "我写好的答复全文" in page
    loop_item.refresh_from_db()
    assert loop_item.status != S.REVIEW


# The item's own forms: (url name, who posts, the item's state, a refused post, the typed text).
ITEM_FORMS = {
    "recommendation_tags": ("staff", {"version": 1, "tags": ["999999"], "new_tag": "我的新标签"}),
    "recommendation_assign": (
        "staff",
        {"version": 1, "lead_department": "", "deadline": "2031-02-03"},
    ),
    "recommendation_transition": ("staff", {"version": 1, "to_status": "", "note": "我的说明"}),
    "recommendation_reply": ("staff", {"version": 1, "answer_category": "B", "reply": ""}),
    "recommendation_comment": ("handler", {"body": "长" * 5001}),
    "handling_supervise": ("staff", {"version": 1, "leader": "", "note": "我的督办要求"}),
}
TYPED = {
    "recommendation_tags": 'value="我的新标签"',
    "recommendation_assign": 'value="2031-02-03"',
    "recommendation_transition": "我的说明",
    "recommendation_reply": 'value="B" selected',
    "recommendation_comment": "长" * 5001,
    "handling_supervise": "我的督办要求",
}


@pytest.mark.parametrize("name", sorted(ITEM_FORMS))
def test_bad_input_lands_on_the_item_with_the_error_and_the_typed_text(
    client, users, assigned_item, name
):
    role, post = ITEM_FORMS[name]
    make_status(assigned_item, S.IN_PROGRESS)
    before = assigned_item.version
    client.force_login(users[role])

    response = client.post(reverse(name, args=[assigned_item.pk]), post)

    page = refused_page(client, response).content.decode()
    assert FIX in page
    assert 'class="form-errors"' in page or "field-has-error" in page
    assert TYPED[name] in page
    assert client.session.get(REFUSED_SESSION_KEY) is None  # taken by the page
    assigned_item.refresh_from_db()
    assert assigned_item.version == before


def test_a_refused_form_is_shown_only_on_its_own_item(client, staff, assigned_item, section):
    client.force_login(staff)
    response = client.post(
        reverse("recommendation_transition", args=[assigned_item.pk]),
        {"version": assigned_item.version, "to_status": "", "note": "只属于这一条"},
    )
    assert response.status_code == 303

    other = client.get(detail_url(section)).content.decode()

    assert "只属于这一条" not in other
    page = client.get(response["Location"]).content.decode()
    assert "只属于这一条" in page
