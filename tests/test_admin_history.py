"""Admin paths through history (issue #9): every change of a tag link, a co-department link or
a comment is recorded, directly or through the item's inlines, with the names as they were; a
handled item is never deleted; a stale change form is refused."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from recommendations import workflow
from recommendations.history import build_history
from recommendations.models import (
    CoDepartment,
    CoDepartmentEvent,
    Comment,
    Recommendation,
    RecommendationEvent,
    RecommendationTag,
    Tag,
)
from tests.action_helpers import days_from_today
from tests.admin_form import form_data

pytestmark = pytest.mark.django_db

REFUSED = DatabaseError  # a trigger refused it (the exact class depends on the error code)


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])


def admin_form(client, obj) -> dict:
    response = client.get(change_url(obj))
    assert response.status_code == 200
    return form_data(response.content.decode(), f"{obj._meta.model_name}_form")


def entries(rec, field):
    return [(e.kind, e.old, e.new, e.user) for e in build_history(rec) if e.field == field]


@pytest.fixture
def signed_in_admin(client, admin_user):
    client.force_login(admin_user)
    return admin_user


def test_changing_a_tag_link_in_the_items_inline_is_recorded(
    client, signed_in_admin, assigned_item, tag
):
    assigned_item.tags.add(tag)
    other = Tag.objects.get(name="人才")
    data = admin_form(client, assigned_item)
    prefix = next(k for k in data if k.endswith("-0-tag"))
    data[prefix] = str(other.pk)

    response = client.post(change_url(assigned_item), data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert list(assigned_item.tags.all()) == [other]
    assert entries(assigned_item, "标签")[-1] == ("changed", "算力", "人才", signed_in_admin)


def test_deleting_a_co_department_in_the_items_inline_is_recorded(
    client, signed_in_admin, assigned_item, other_department
):
    assigned_item.co_departments.add(other_department)
    data = admin_form(client, assigned_item)
    data[
        next(k for k in data if k.endswith("-0-id") and "co_department" in k).replace(
            "-id", "-DELETE"
        )
    ] = "on"

    response = client.post(change_url(assigned_item), data)

    assert response.status_code == 302
    assert not assigned_item.co_departments.exists()
    assert entries(assigned_item, "协办部门")[-1] == (
        "removed",
        other_department.name,
        "",
        signed_in_admin,
    )


def test_a_link_changed_directly_is_recorded_and_never_moves_to_another_item(
    assigned_item, section, departments
):
    link = CoDepartment.objects.create(
        recommendation=assigned_item, department=departments["区教委"]
    )
    CoDepartment.objects.filter(pk=link.pk).update(department=departments["区外办"])

    assert entries(assigned_item, "协办部门")[-1][:3] == ("changed", "区教委", "区外办")
    with pytest.raises(REFUSED), transaction.atomic():
        CoDepartment.objects.filter(pk=link.pk).update(recommendation=section)


def test_renaming_a_tag_does_not_rewrite_old_entries(assigned_item, tag):
    assigned_item.tags.add(tag)
    Tag.objects.filter(pk=tag.pk).update(name="算力基础设施")
    assigned_item.tags.remove(tag)

    assert [e[:3] for e in entries(assigned_item, "标签")] == [
        ("added", "", "算力"),
        ("removed", "算力基础设施", ""),
    ]


def test_renaming_a_department_does_not_rewrite_the_lead_in_old_entries(assigned_item, departments):
    Recommendation.objects.filter(pk=assigned_item.pk).update(lead_department=departments["区外办"])
    departments["区外办"].name = "区外事办公室"
    departments["区外办"].save()

    assert ("changed", "区科信局", "区外办") in [e[:3] for e in entries(assigned_item, "主办部门")]


def test_editing_a_comment_in_the_admin_keeps_the_old_text_in_history(
    client, signed_in_admin, assigned_item, handler
):
    comment = workflow.add_comment(assigned_item, handler, "原来的意见")
    data = admin_form(client, comment)
    data["body"] = "改过的意见"

    assert client.post(change_url(comment), data).status_code == 302

    comment.refresh_from_db()
    assert comment.body == "改过的意见"
    assert entries(assigned_item, "评论")[-1] == (
        "changed",
        "原来的意见",
        "改过的意见",
        signed_in_admin,
    )


def test_a_comment_is_never_deleted(client, signed_in_admin, assigned_item, handler):
    comment = workflow.add_comment(assigned_item, handler, "意见")

    assert client.post(delete_url(comment), {"post": "yes"}).status_code == 403
    with pytest.raises(REFUSED), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).delete()
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_handled_item_cannot_be_deleted_by_any_path(client, signed_in_admin, assigned_item):
    refused = client.post(delete_url(assigned_item), {"post": "yes"})
    assert refused.status_code == 200 and "受保护" in refused.content.decode()
    with pytest.raises(REFUSED), transaction.atomic():
        Recommendation.objects.filter(pk=assigned_item.pk).delete()
    # Nor through its section: the cascade to the children stops at a handled one.
    with pytest.raises(Exception) as refused, transaction.atomic():
        assigned_item.parent.delete()
    assert "不能删除" in str(refused.value) or isinstance(refused.value, REFUSED)
    assert Recommendation.objects.filter(pk=assigned_item.pk).exists()


def test_an_untouched_item_can_still_be_deleted(client, signed_in_admin, item):
    child = Recommendation.objects.create(
        article=item.article,
        parent=item,
        number="1.1.1",
        order=3,
        depth=3,
        heading="子项",
        text="子项",
    )
    assert client.post(delete_url(child), {"post": "yes"}).status_code == 302
    assert not Recommendation.objects.filter(pk=child.pk).exists()


def test_history_rows_are_append_only(assigned_item, other_department):
    assigned_item.co_departments.add(other_department)
    with pytest.raises(REFUSED), transaction.atomic():
        RecommendationEvent.objects.filter(pgh_obj_id=assigned_item.pk).update(status_note="改写")
    with pytest.raises(REFUSED), transaction.atomic():
        CoDepartmentEvent.objects.all().delete()


def test_a_stale_admin_save_is_refused_and_keeps_the_portals_change(
    client, signed_in_admin, staff, assigned_item, departments
):
    data = admin_form(client, assigned_item)  # the admin opens the form …
    workflow.assign(  # … staff reassign the item in the portal meanwhile …
        assigned_item,
        staff,
        lead_department=departments["区外办"],
        deadline=days_from_today(9),
        expected_version=assigned_item.version,
    )
    data["status_note"] = "管理员的修改"

    response = client.post(change_url(assigned_item), data)  # … and saves the old form

    assert response.status_code == 200
    assert "这条建议已被他人修改" in response.content.decode()
    assigned_item.refresh_from_db()
    assert assigned_item.lead_department == departments["区外办"]
    assert assigned_item.status_note != "管理员的修改"


def test_a_fresh_admin_save_goes_through(client, signed_in_admin, assigned_item):
    data = admin_form(client, assigned_item)
    data["status_note"] = "管理员的修改"

    assert client.post(change_url(assigned_item), data).status_code == 302
    assigned_item.refresh_from_db()
    assert assigned_item.status_note == "管理员的修改"


def test_a_tag_link_keeps_its_item_in_the_admin(client, signed_in_admin, assigned_item, tag):
    link = RecommendationTag.objects.create(recommendation=assigned_item, tag=tag)
    assert "recommendation" not in admin_form(client, link)
