"""重点督办: staff mark an item as supervised by a named leader; badge, filter, card, My work."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handling import supervision
from handling.models import Supervision, SupervisionEvent
from recommendations import events
from recommendations.models import Recommendation
from tests.action_helpers import S, detail_url, make_status, messages_of, post_as, refused_page


def supervise(client, user, rec, leader="王区长", note="月底前报进展", version=None):
    return post_as(
        client,
        user,
        "handling_supervise",
        rec,
        {"leader": leader, "note": note, "version": version or rec.version},
    )


def more_items(item, n, **fields):
    made = []
    for i in range(n):
        made.append(
            Recommendation.objects.create(
                article=item.article,
                parent=item.parent,
                number=f"1.{i + 2}",
                order=10 + i,
                depth=2,
                place=f"一、{i + 2}",
                heading=f"第{i + 2}条",
                text=f"第{i + 2}条正文",
                **fields,
            )
        )
    return made


@pytest.fixture
def heard():
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs["recommendation_id"], kwargs["actor_id"], kwargs["data"]))

    events.workflow_event.connect(receiver, weak=False)
    yield received
    events.workflow_event.disconnect(receiver)


def test_staff_mark_an_item_and_its_page_shows_the_badge_and_the_leader(
    client, staff, item, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = supervise(client, staff, item)
    assert response.status_code == 302
    assert response.url == detail_url(item) + "#supervision"
    assert "已设为重点督办(督办领导:王区长)。" in messages_of(response)
    mark = Supervision.objects.get(recommendation=item)
    assert (mark.leader, mark.note, mark.marked_by) == ("王区长", "月底前报进展", staff)
    item.refresh_from_db()
    assert item.version == 2  # an open form on the item sees the change
    assert heard == [
        (events.SUPERVISED, item.pk, staff.pk, {"supervised": True, "leader": "王区长"})
    ]

    page = client.get(detail_url(item)).content.decode()
    assert 'class="badge supervised"' in page
    assert "王区长" in page and "月底前报进展" in page
    assert 'id="unsupervise-form"' in page


def test_staff_change_the_leader_and_take_the_mark_off_and_history_keeps_each_step(
    client, staff, item
):
    supervise(client, staff, item)
    item.refresh_from_db()
    supervise(client, staff, item, leader="李书记")
    item.refresh_from_db()
    assert Supervision.objects.get(recommendation=item).leader == "李书记"
    response = post_as(client, staff, "handling_unsupervise", item, {"version": item.version})
    assert response.status_code == 302
    assert not Supervision.objects.filter(recommendation=item).exists()
    rows = SupervisionEvent.objects.filter(recommendation_id=item.pk).order_by("pgh_id")
    assert [(e.pgh_label, e.leader) for e in rows] == [
        ("added", "王区长"),
        ("changed", "李书记"),
        ("removed", "李书记"),
    ]
    assert all(e.pgh_context.metadata["user"] == staff.pk for e in rows)
    assert 'class="badge supervised"' not in client.get(detail_url(item)).content.decode()


@pytest.mark.parametrize("role", ["viewer", "handler", "other_handler"])
def test_it_refuses_anyone_but_staff(client, users, assigned_item, role):
    response = supervise(client, users[role], assigned_item)
    assert response.status_code == 403
    assert not Supervision.objects.exists()
    Supervision.objects.create(recommendation=assigned_item, leader="王区长")
    response = post_as(client, users[role], "handling_unsupervise", assigned_item, {"version": 1})
    assert response.status_code == 403
    assert Supervision.objects.filter(recommendation=assigned_item).exists()


@pytest.mark.parametrize("role", ["viewer", "handler", "other_handler"])
def test_the_form_is_offered_to_staff_only(client, users, staff, assigned_item, role):
    Supervision.objects.create(recommendation=assigned_item, leader="王区长")
    client.force_login(users[role])
    page = client.get(detail_url(assigned_item)).content.decode()
    assert "王区长" in page  # everyone sees the mark
    assert 'id="supervise-form"' not in page and 'id="unsupervise-form"' not in page
    client.force_login(staff)
    assert 'id="supervise-form"' in client.get(detail_url(assigned_item)).content.decode()


def test_a_get_lands_on_the_item_and_anonymous_posts_are_refused(client, staff, item):
    url = reverse("handling_supervise", args=[item.pk])
    response = client.post(url, {"leader": "王区长", "version": 1})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 302 and response.url == detail_url(item)
    assert not Supervision.objects.exists()


def test_a_missing_leader_is_refused_with_a_message_and_keeps_the_note(client, staff, item):
    response = supervise(client, staff, item, leader="  ", note="请每周报告")
    response = refused_page(client, response)
    page = response.content.decode()
    assert "请填写督办领导。" in page
    assert "请每周报告" in page
    assert not Supervision.objects.exists()


def test_a_stale_page_is_refused(client, staff, item):
    make_status(item, S.NEW, version=5)
    response = supervise(client, staff, item, version=4)
    response = refused_page(client, response)
    assert not Supervision.objects.exists()


def test_removing_a_mark_that_is_not_there_is_refused(client, staff, item):
    response = post_as(client, staff, "handling_unsupervise", item, {"version": item.version})
    response = refused_page(client, response)
    assert "这条建议不是重点督办。" in response.content.decode()


def test_lists_show_the_badge_and_filter_supervised_items(client, staff, viewer, item):
    others = more_items(item, 2)
    Supervision.objects.create(recommendation=others[1], leader="王区长")
    client.force_login(viewer)
    page = client.get(reverse("recommendation_list")).content.decode()
    assert page.count('class="badge supervised"') == 1
    filtered = client.get(reverse("recommendation_list"), {"supervised": "1"})
    assert list(filtered.context["page_obj"].object_list) == [others[1]]
    assert 'name="supervised" id="id_supervised" value="1" checked' in filtered.content.decode()


def test_the_dashboard_card_counts_supervised_items_and_opens_their_list(client, viewer, item):
    others = more_items(item, 3)
    for rec in others[:2]:
        Supervision.objects.create(recommendation=rec, leader="王区长")
    Recommendation.objects.filter(pk=others[1].pk).update(in_source=False)  # not on the list
    client.force_login(viewer)
    cards = client.get(reverse("dashboard")).context["summary"]
    card = next(c for c in cards if c["label"] == "重点督办")
    assert card["value"] == 1
    listed = client.get(card["url"]).context["page_obj"].paginator.count
    assert listed == card["value"]


def test_supervised_items_come_first_in_a_handlers_my_work(client, handler, lead_department, item):
    others = more_items(item, 3, status=S.ASSIGNED, lead_department=lead_department)
    Supervision.objects.create(recommendation=others[2], leader="王区长")
    client.force_login(handler)
    rows = list(client.get(reverse("my_work")).context["handler_page"].object_list)
    assert rows[0] == others[2]
    assert [r.pk for r in rows[1:]] == [others[0].pk, others[1].pk]


def test_supervised_items_come_first_in_staff_triage(client, staff, item):
    others = more_items(item, 2)
    Supervision.objects.create(recommendation=others[1], leader="王区长")
    client.force_login(staff)
    rows = list(client.get(reverse("my_work")).context["triage_page"].object_list)
    assert rows[0] == others[1]


def test_the_badge_costs_no_query_per_row(client, staff, viewer, item):
    client.force_login(viewer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("recommendation_list"))
        assert response.status_code == 200
        return len(queries)

    supervision.supervise(item, staff, leader="王区长")
    one = count()
    for rec in more_items(item, 6):
        supervision.supervise(rec, staff, leader="王区长")
    assert count() == one  # seven rows as one; a cold body both times (each mark moves the stamp)


def test_the_history_names_each_mark_and_its_removal_with_the_leader(staff, item):
    """Was: the marks were kept by triggers but the item's 办理记录 did not show them."""
    from handling.history import loop_history

    supervision.supervise(item, staff, leader="王区长", note="月底前报进展")
    supervision.supervise(item, staff, leader="李书记", note="月底前报进展")
    supervision.unsupervise(item, staff)
    entries = [(e.verb + e.field, e.old, e.new, e.user) for e in loop_history(item)]
    assert entries == [
        ("设为重点督办", "", "督办领导:王区长;月底前报进展", staff),
        ("修改重点督办·督办领导", "王区长", "李书记", staff),
        ("取消重点督办", "督办领导:李书记;月底前报进展", "", staff),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_history_panel_shows_one_row_per_mark_in_chinese(committed_db, client):
    """Each step is its own request (its own moment), as in real use: one row each."""
    from recommendations.models import Article, Edition
    from tests.conftest import make_user
    from tests.test_history_table import history_rows

    staff = make_user("staff-s", "staff", first_name="督查科")
    article = Article.objects.create(
        edition=Edition.objects.create(source_name="s.txt", sha256="2" * 64, raw_text="x"),
        order=1,
        kind="reflection",
        title="标题",
    )
    item = Recommendation.objects.create(
        article=article, number="1", order=1, depth=2, place="一、1", heading="要点", text="要点。"
    )
    assert supervise(client, staff, item).status_code == 302
    item.refresh_from_db()
    response = post_as(client, staff, "handling_unsupervise", item, {"version": item.version})
    assert response.status_code == 302
    rows = history_rows(client.get(detail_url(item)).content.decode())
    assert len(rows) == 3, rows  # taken off, marked, imported
    taken_off, marked, _imported = rows
    assert "取消重点督办" in taken_off and "王区长" in taken_off
    assert "设为重点督办" in marked and "督办领导:王区长" in marked
    assert "督查科" in marked.split('class="history-who"')[1]
