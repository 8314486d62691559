"""recommendations/history.py: the readable history built from the trigger-written rows."""

import datetime

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.history import build_history
from recommendations.models import Comment, Recommendation, Tag
from tests.action_helpers import S, days_from_today, post_as, refused_page

pytestmark = pytest.mark.django_db


def changes(rec):
    return [(e.field, e.old, e.new) for e in build_history(rec) if e.kind != "created"]


def test_it_starts_with_the_creation(item):
    (entry,) = build_history(item)

    assert (entry.kind, entry.field, entry.new, entry.who) == ("created", "建议", "待研判", "系统")


def test_a_queryset_update_appears_with_old_and_new_values(item, departments):
    deadline = datetime.date(2030, 6, 30)

    Recommendation.objects.filter(pk=item.pk).update(
        status=S.ASSIGNED, lead_department=departments["区科信局"], deadline=deadline
    )
    Recommendation.objects.filter(pk=item.pk).update(lead_department=departments["区教委"])

    assert changes(item) == [
        ("状态", "待研判", "已交办"),
        ("主办部门", "", "区科信局"),
        ("办理期限", "", "2030-06-30"),
        ("主办部门", "区科信局", "区教委"),
    ]


def test_an_update_of_untracked_fields_adds_nothing(item):
    Recommendation.objects.filter(pk=item.pk).update(marker="二、", version=7)

    assert changes(item) == []


def test_it_shows_labels_for_status_and_answer_category(assigned_item):
    Recommendation.objects.filter(pk=assigned_item.pk).update(
        status=S.ANSWERED, answer_category="N", reply="不予采纳的理由。"
    )

    assert changes(assigned_item)[-3:] == [
        ("状态", "已交办", "已办结"),
        ("答复类别", "", "N 不予采纳"),
        ("答复内容", "", "不予采纳的理由。"),
    ]


def test_it_names_tags_and_co_departments_added_and_removed(item, tag, departments):
    item.tags.add(tag)
    item.co_departments.add(departments["区教委"])
    item.tags.remove(tag)
    item.co_departments.remove(departments["区教委"])

    entries = [(e.kind, e.field, e.old, e.new) for e in build_history(item)[1:]]
    assert sorted(entries) == sorted(
        [
            ("added", "标签", "", "算力"),
            ("removed", "标签", "算力", ""),
            ("added", "协办部门", "", "区教委"),
            ("removed", "协办部门", "区教委", ""),
        ]
    )
    tag_entries = [e for e in entries if e[1] == "标签"]
    assert [e[0] for e in tag_entries] == ["added", "removed"]  # in the order written


def test_it_keeps_a_deleted_tag_readable(item):
    doomed = Tag.objects.create(name="临时")
    item.tags.add(doomed)
    pk = doomed.pk
    doomed.delete()  # cascades: the link's removal is recorded too

    entries = [(e.kind, e.new or e.old) for e in build_history(item) if e.field == "标签"]
    assert not Tag.objects.filter(pk=pk).exists()
    assert entries == [("added", "临时"), ("removed", "临时")]  # its name, stored at the time


def test_it_resolves_the_user_of_each_change(client, staff, handler, assigned_item):
    # First, a change outside any request. (Later ones would inherit the context: within the
    # test's single transaction pghistory's transaction-local setting outlives the block.)
    Recommendation.objects.filter(pk=assigned_item.pk).update(reply="无人写的草稿")
    post_as(client, handler, "handling_receive", assigned_item, {"version": assigned_item.version})
    with pghistory.context(user=staff.pk):
        Recommendation.objects.filter(pk=assigned_item.pk).update(deadline=days_from_today(3))

    who = {e.field: e.user for e in build_history(assigned_item) if e.kind == "changed"}
    assert who["状态"] == handler
    assert who["办理期限"] == staff
    assert who["答复内容"] is None
    assert [e.who for e in build_history(assigned_item) if e.field == "答复内容"] == ["系统"]


def test_a_comment_is_attributed_to_its_author_without_a_request(item, handler):
    Comment.objects.create(recommendation=item, author=handler, body="直接写入")

    last = build_history(item)[-1]
    assert (last.kind, last.new, last.user) == ("comment", "直接写入", handler)


def test_it_orders_entries_by_time(item):
    Recommendation.objects.filter(pk=item.pk).update(status_note="一")
    Recommendation.objects.filter(pk=item.pk).update(status_note="二")
    Recommendation.objects.filter(pk=item.pk).update(status_note="三")

    entries = build_history(item)
    assert [(e.old, e.new) for e in entries[1:]] == [("", "一"), ("一", "二"), ("二", "三")]


def test_it_uses_a_fixed_number_of_queries(staff, handler, assigned_item, departments):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            build_history(assigned_item)
        return len(ctx.captured_queries)

    Comment.objects.create(recommendation=assigned_item, author=handler, body="一")
    assigned_item.tags.add(Tag.objects.get(name="人才"))
    assigned_item.co_departments.add(departments["区教委"])
    few = count()

    for n, name in enumerate(["算力", "数据要素", "开源生态", "标准制定"]):
        with pghistory.context(user=[staff.pk, handler.pk][n % 2]):
            assigned_item.tags.add(Tag.objects.get(name=name))
            assigned_item.co_departments.add(departments[["区商务局", "区外办"][n % 2]])
            Recommendation.objects.filter(pk=assigned_item.pk).update(status_note=f"第{n}次")
            Comment.objects.create(recommendation=assigned_item, author=staff, body=f"评论{n}")
    Recommendation.objects.filter(pk=assigned_item.pk).update(lead_department=departments["区外办"])

    # The events in one query, then the users, the departments and the tags named in them.
    assert count() == few <= 4
    assert len(build_history(assigned_item)) > 15


def test_it_shows_the_names_stored_with_the_events_not_todays(
    staff, assigned_item, tag, departments
):
    assigned_item.co_departments.add(departments["区教委"])
    with pghistory.context(user=staff.pk):
        assigned_item.tags.add(tag)
        Recommendation.objects.filter(pk=assigned_item.pk).update(
            lead_department=departments["区外办"]
        )
    names = {d.pk: d.name for d in departments.values() if d.name != "区外办"}
    names[departments["区教委"].pk] = "教委(列表中的名称)"

    with CaptureQueriesContext(connection) as ctx:
        entries = build_history(assigned_item, departments=names, tags={tag.pk: "算力(列表)"})

    assert len(ctx.captured_queries) == 2  # the events and their users, no name look-ups
    shown = {(e.field, e.old, e.new) for e in entries}
    assert ("协办部门", "", "区教委") in shown
    assert ("标签", "", "算力") in shown
    assert ("主办部门", "区科信局", "区外办") in shown
    assert {e.user for e in entries if e.field == "标签"} == {staff}


def test_it_reads_every_event_table_in_one_query(item, tag, departments, handler):
    item.tags.add(tag)
    item.co_departments.add(departments["区教委"])
    Comment.objects.create(recommendation=item, author=handler, body="一")

    with CaptureQueriesContext(connection) as ctx:
        build_history(item, departments={}, tags={})

    (events, users) = [q["sql"] for q in ctx.captured_queries]
    for table in ("recommendationevent", "recommendationtagevent", "codepartmentevent"):
        assert f'"recommendations_{table}"' in events
    assert '"recommendations_commentevent"' in events
    assert '"recommendations_user"' in users


def test_the_page_shows_history_escaped(client, staff, assigned_item):
    Recommendation.objects.filter(pk=assigned_item.pk).update(status_note="<b>加粗</b>")

    # The page a refused post lands on is rendered afresh (never cached), with its history.
    response = refused_page(
        client, post_as(client, staff, "recommendation_comment", assigned_item, {"body": ""})
    )

    content = response.content.decode()
    assert "&lt;b&gt;加粗&lt;/b&gt;" in content
    assert "<b>加粗</b>" not in content
