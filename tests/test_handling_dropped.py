"""An item a corrected re-import no longer prints while it is in handling (原文已移除): it stays in
its department's work with a badge, staff list it (My work, the list's 办理环节 filter, a
dashboard card), both are told, and staff close it out (不再办理) with a note kept in history."""

import pytest
from django.urls import reverse

from handling import calendar
from notifications.delivery import deliver_event
from notifications.models import Message
from recommendations import events, workflow
from recommendations.history import build_history
from recommendations.models import Recommendation
from tests.action_helpers import detail_url, messages_of, post_as
from tests.handling_helpers import S, answered_for_review, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def official_calendar(db):
    calendar.load_from_package()


def drop(rec):
    """What the importer's drop path writes (tests/test_importer.py drives the importer)."""
    Recommendation.objects.filter(pk=rec.pk).update(in_source=False)
    rec.refresh_from_db()
    return rec


@pytest.fixture
def dropped(loop_item):
    return drop(loop_item)


def test_it_stays_in_the_departments_work_with_a_badge(client, handler, co_handler, dropped):
    for user in (handler, co_handler):
        client.force_login(user)
        response = client.get("/my-work/")
        assert dropped.pk in [r.pk for r in response.context["handler_page"].object_list]
        row = response.content.decode().split(f'href="{dropped.get_absolute_url()}"')[1]
        assert 'class="badge removed"' in row.split("</tr>")[0]


def test_staff_have_a_list_a_card_and_a_my_work_section_that_agree(client, staff, dropped):
    client.force_login(staff)
    listed = client.get(reverse("recommendation_list"), {"step": "dropped"})
    assert [r.pk for r in listed.context["page_obj"].object_list] == [dropped.pk]
    card = next(
        c
        for c in client.get(reverse("dashboard")).context["summary"]
        if c["label"].startswith("原文已移除")
    )
    assert card["value"] == 1 and card["url"] == "/recommendations/?step=dropped"
    sections = client.get("/my-work/").context["loop_sections"]
    section = next(s for s in sections if s["title"].startswith("原文已移除"))
    assert [r.pk for r in section["rows"]] == [dropped.pk]
    assert section["url"] == "/recommendations/?step=dropped"


def test_an_item_still_printed_or_closed_is_not_on_the_list(client, staff, loop_item, item):
    client.force_login(staff)
    listed = client.get(reverse("recommendation_list"), {"step": "dropped"})
    assert listed.context["page_obj"].paginator.count == 0  # in handling, but still printed
    Recommendation.objects.filter(pk=item.pk).update(
        in_source=False, status=S.ANSWERED, answer_category="A", reply="已落实。"
    )
    listed = client.get(reverse("recommendation_list"), {"step": "dropped"})
    assert listed.context["page_obj"].paginator.count == 0  # answered: nothing to decide


def test_its_department_and_staff_are_told(dropped, handler, co_handler, staff):
    told = deliver_event(
        events.DROPPED_FROM_SOURCE,
        dropped.pk,
        None,
        {"department_id": dropped.lead_department_id},
    )
    recipients = set(Message.objects.values_list("recipient__username", flat=True))
    assert recipients == {handler.username, staff.username} and told == 2
    message = Message.objects.get(recipient=handler)
    assert message.title == f"原文已移除:{dropped.heading}"
    assert "区科信局" in message.body and "研判员" in message.body


def test_staff_close_it_out_with_a_note_kept_in_history(client, staff, handler, dropped):
    client.force_login(staff)
    page = client.get(detail_url(dropped)).content.decode()
    assert 'id="dropped-form"' in page and "原文已移除" in page
    response = post_as(
        client,
        staff,
        "handling_close_dropped",
        dropped,
        {"note": "更正稿删去了这一条", "version": dropped.version},
    )
    assert response.status_code == 302
    assert "已确定不再办理(原文已移除)。" in messages_of(response)
    dropped.refresh_from_db()
    assert dropped.status == S.NOT_ACTIONABLE
    assert dropped.status_note == "原文已移除,不再办理:更正稿删去了这一条"
    assert dropped.lead_department_id is not None  # who held it stays on record
    changes = {(e.field, e.new) for e in build_history(dropped)}
    assert ("状态", "无需办理") in changes
    assert ("状态说明", "原文已移除,不再办理:更正稿删去了这一条") in changes
    client.force_login(handler)
    work = client.get("/my-work/").context["handler_page"].object_list
    assert dropped.pk not in [r.pk for r in work]
    client.force_login(staff)
    listed = client.get(reverse("recommendation_list"), {"step": "dropped"})
    assert listed.context["page_obj"].paginator.count == 0


def test_a_missing_note_is_refused_and_changes_nothing(client, staff, dropped):
    response = post_as(
        client, staff, "handling_close_dropped", dropped, {"note": " ", "version": dropped.version}
    )
    assert response.status_code == 303  # back to the item, with the form and its error
    assert response.url == detail_url(dropped) + "#dropped-form"
    page = client.get(response.url).content.decode()
    assert "此项必填。" in page.split('id="dropped-form"')[1].split("</form>")[0]
    dropped.refresh_from_db()
    assert dropped.status == S.ASSIGNED


def test_it_is_refused_out_of_turn(staff, handler, loop_item):
    with pytest.raises(workflow.WorkflowError, match="仍在原文中"):
        workflow.close_dropped(loop_item, staff, note="x")
    drop(loop_item)
    with pytest.raises(workflow.PermissionDenied):
        workflow.close_dropped(loop_item, handler, note="x")
    workflow.request_extension(loop_item, handler, requested_deadline=in_days(120), reason="调研")
    with pytest.raises(workflow.WorkflowError, match="请先审批"):
        workflow.close_dropped(loop_item, staff, note="x")
    workflow.decide_extension(loop_item, staff, approve=False, note="不同意")
    answered_for_review(loop_item, handler)
    with pytest.raises(workflow.WorkflowError, match="请先审核答复"):
        workflow.close_dropped(loop_item, staff, note="x")
    assert loop_item.status == S.REVIEW


def test_the_form_is_offered_to_staff_only(client, users, dropped):
    for role in ("viewer", "handler", "other_handler"):
        client.force_login(users[role])
        page = client.get(detail_url(dropped)).content.decode()
        assert 'id="dropped-form"' not in page
        assert "原文已移除" in page  # everyone sees why
