"""The handling loop on the pages: containers and their roll-up, the list's defaults and step
filter, the dashboard's step cards, My work, and the answer letter's upload and download."""

import pytest
from django.urls import reverse

from handling import calendar
from handling.models import Answer
from recommendations import workflow
from recommendations.models import Recommendation
from tests.action_helpers import messages_of, refused_page
from tests.handling_helpers import (
    PDF,
    S,
    answered_for_review,
    approved,
    in_days,
    pdf_letter,
    signed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def official_calendar(db):
    calendar.load_from_package()


def _container(section):
    Recommendation.objects.filter(pk=section.pk).update(is_container=True)
    section.refresh_from_db()
    return section


def test_the_list_counts_points_by_default_and_shows_containers_on_request(
    client, viewer, section, item
):
    _container(section)
    client.force_login(viewer)
    listed = client.get("/recommendations/").context["page_obj"].paginator.count
    assert listed == 1
    containers = client.get("/recommendations/?kind=containers").context["page_obj"]
    assert [r.pk for r in containers.object_list] == [section.pk]
    assert client.get("/recommendations/?kind=all").context["page_obj"].paginator.count == 2


def test_a_container_page_shows_its_roll_up_and_offers_no_assignment(
    client, staff, section, item, lead_department
):
    _container(section)
    Recommendation.objects.filter(pk=item.pk).update(
        status=S.ASSIGNED, lead_department=lead_department, deadline=in_days(-2)
    )
    client.force_login(staff)
    response = client.get(reverse("recommendation_detail", args=[section.pk]))
    content = response.content.decode()
    assert "1 条 · 0 已办结 · 1 逾期" in content
    assert response.context["container_form"] is not None


def test_staff_turn_a_container_into_a_point_on_its_page(client, staff, section, item):
    _container(section)
    client.force_login(staff)
    response = client.post(
        reverse("handling_set_container", args=[section.pk]),
        {"version": section.version, "is_container": "0"},
    )
    assert response.status_code == 302
    assert "已改为要点,可以交办。" in messages_of(response)
    section.refresh_from_db()
    assert not section.is_container
    history = client.get(reverse("recommendation_detail", args=[section.pk])).context["history"]
    changes = [(e.field, e.old, e.new, e.user) for e in history if e.field == "分组条目"]
    assert changes[-1] == ("分组条目", "分组条目", "要点", staff)


def test_the_dashboard_cards_of_the_loop_agree_with_their_lists(client, staff, loop_item, handler):
    client.force_login(staff)
    summary = client.get("/").context["summary"]
    cards = {card["label"]: card for card in summary}
    assert "待审核" not in cards and "待跟踪" not in cards  # nothing waits there
    for label in ("待签收",):
        card = cards[label]
        listed = client.get(card["url"]).context["page_obj"].paginator.count
        assert card["value"] == listed, label
    assert cards["待签收"]["value"] == 1


def test_my_work_lists_the_steps_waiting_for_each_role(
    client, staff, handler, co_handler, loop_item
):
    client.force_login(co_handler)
    titles = [s["title"] for s in client.get("/my-work/").context["loop_sections"]]
    assert titles == ["待本部门签收", "待本部门提交协办意见"]
    answered_for_review(loop_item, handler)
    client.force_login(staff)
    sections = client.get("/my-work/").context["loop_sections"]
    assert [(s["title"], [r.pk for r in s["rows"]]) for s in sections] == [
        ("待审核的答复", [loop_item.pk])
    ]


def test_my_work_lists_the_follow_up_on_its_promised_date(client, staff, handler, loop_item):
    approved(loop_item, handler, staff, category="B", promised_on=in_days(0))
    client.force_login(handler)
    sections = client.get("/my-work/").context["loop_sections"]
    assert ("待跟踪(已到承诺完成日期的 B 类答复)", [loop_item.pk]) in [
        (s["title"], [r.pk for r in s["rows"]]) for s in sections
    ]
    listed = client.get(sections[-1]["url"]).context["page_obj"].object_list
    assert [r.pk for r in listed] == [loop_item.pk]


def _answer_post(rec, letter, **extra):
    return {
        "version": rec.version,
        "answer_category": "A",
        "reply": "已落实。",
        "confirm_missing": "on",
        "letter": letter,
        **extra,
    }


def test_the_letter_is_uploaded_and_downloaded_as_an_attachment(
    client, handler, viewer, loop_item, media_root
):
    signed(loop_item, handler)
    client.force_login(handler)
    response = client.post(
        reverse("handling_submit_answer", args=[loop_item.pk]),
        _answer_post(loop_item, pdf_letter()),
    )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert answer.letter.name.startswith("letters/") and (media_root / answer.letter.name).exists()
    client.force_login(viewer)
    download = client.get(reverse("handling_answer_letter", args=[answer.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("答复函.pdf", b"<html><script>alert(1)</script></html>", "文件内容与扩展名不符"),
        ("答复函.exe", b"MZ\x90\x00", "PDF 或 Word"),
        ("答复函.html", b"<html></html>", "PDF 或 Word"),
    ],
)
def test_it_refuses_a_letter_that_is_not_pdf_or_word(
    client, handler, loop_item, media_root, name, content, message
):
    signed(loop_item, handler)
    client.force_login(handler)
    response = client.post(
        reverse("handling_submit_answer", args=[loop_item.pk]),
        _answer_post(loop_item, pdf_letter(name, content), reply="我写的答复"),
    )
    response = refused_page(client, response)
    text = response.content.decode()
    assert message in text and "我写的答复" in text
    loop_item.refresh_from_db()
    assert loop_item.status == S.IN_PROGRESS and not Answer.objects.exists()


def test_it_refuses_a_letter_over_the_size_limit(client, handler, loop_item, media_root, settings):
    settings.ANSWER_LETTER_MAX_BYTES = 100
    signed(loop_item, handler)
    client.force_login(handler)
    response = client.post(
        reverse("handling_submit_answer", args=[loop_item.pk]),
        _answer_post(loop_item, pdf_letter(content=PDF + b"0" * 200)),
    )
    response = refused_page(client, response)
    assert "答复函不能超过" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_missing_opinion_needs_the_confirmation_on_the_form(client, handler, loop_item):
    signed(loop_item, handler)
    client.force_login(handler)
    response = client.post(
        reverse("handling_submit_answer", args=[loop_item.pk]),
        {"version": loop_item.version, "answer_category": "A", "reply": "已落实。"},
    )
    response = refused_page(client, response)
    assert "区商务局尚未提交协办意见" in response.content.decode()
    assert response.context["answer_form"].errors["confirm_missing"]


def test_the_item_page_shows_every_answer_version_and_the_review_note(
    client, staff, handler, loop_item
):
    answered_for_review(loop_item, handler)
    workflow.review_answer(loop_item, staff, approve=False, note="未逐条答复")
    workflow.submit_answer(
        loop_item, handler, answer_category="A", reply="逐条答复。", confirm_missing=True
    )
    client.force_login(staff)
    content = client.get(reverse("recommendation_detail", args=[loop_item.pk])).content.decode()
    assert "第2版" in content and "第1版" in content and "未逐条答复" in content
    assert 'id="review-form"' in content
