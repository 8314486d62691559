"""Two people editing the same item: the second save, based on a stale page, is refused (409),
the first one is kept, and the refused page shows both the current state and what was typed."""

import re

import pytest

from recommendations import workflow
from recommendations.models import Recommendation, RecommendationTagEvent, Tag
from tests.action_helpers import S, days_from_today, post_as, refused_page

pytestmark = pytest.mark.django_db

CONFLICT = "保存失败:这条建议已被他人修改。请查看最新内容后再提交。"


@pytest.fixture
def page_version(assigned_item):
    """The version both users saw when they opened the item's page."""
    return assigned_item.version


def reassign(client, staff, rec, version, departments, lead="区商务局"):
    return post_as(
        client,
        staff,
        "recommendation_assign",
        rec,
        {
            "version": version,
            "lead_department": departments[lead].pk,
            "deadline": days_from_today(5).isoformat(),
        },
    )


def test_a_stale_receipt_by_the_lead_handler_is_refused_with_409(
    client, staff, handler, assigned_item, page_version, departments
):
    # Staff shortens the deadline while the handler has the page open.
    assert (
        reassign(client, staff, assigned_item, page_version, departments, "区科信局").status_code
        == 302
    )

    response = post_as(
        client, handler, "handling_receive", assigned_item, {"version": page_version}
    )

    response = refused_page(client, response)
    content = response.content.decode()
    assert CONFLICT in content
    history = content.split('id="history"')[1].split("</section>")[0]
    assert days_from_today(5).isoformat() in history  # the other change, in history
    assigned_item.refresh_from_db()
    assert (assigned_item.status, assigned_item.deadline) == (S.ASSIGNED, days_from_today(5))
    assert not assigned_item.receipts.exists()


def test_a_stale_transition_after_a_reassignment_is_refused(
    client, staff, handler, assigned_item, page_version, departments
):
    assert reassign(client, staff, assigned_item, page_version, departments).status_code == 302

    response = post_as(
        client,
        handler,
        "recommendation_transition",
        assigned_item,
        {"version": page_version, "to_status": S.IN_PROGRESS, "note": "开始办理"},
    )

    # A handler of 区科信局 is no longer the lead: the rule is checked on the current item.
    assert response.status_code == 403
    assigned_item.refresh_from_db()
    assert assigned_item.lead_department == departments["区商务局"]
    assert assigned_item.status == S.ASSIGNED


def test_a_stale_save_shows_the_current_state_and_the_typed_values(
    client, staff, admin_user, assigned_item, page_version, departments
):
    assert reassign(client, staff, assigned_item, page_version, departments).status_code == 302

    response = post_as(
        client,
        admin_user,
        "recommendation_transition",
        assigned_item,
        {"version": page_version, "to_status": S.NOT_ACTIONABLE, "note": "管理员的理由"},
    )

    response = refused_page(client, response)
    content = response.content.decode()
    assert CONFLICT in content
    assert "管理员的理由" in content
    current = Recommendation.objects.get(pk=assigned_item.pk)
    # The other forms on the page start from the item as it is now.
    assign_form = response.context["assign_form"]
    assert assign_form.initial["lead_department"] == departments["区商务局"].pk
    assert assign_form.initial["version"] == current.version
    # The refused form carries the current version: saving again is a deliberate choice.
    transition_form = response.context["transition_form"]
    assert transition_form.data["version"] == str(current.version)
    assert current.status == S.ASSIGNED


def test_saving_again_from_the_conflict_page_succeeds(
    client, staff, admin_user, assigned_item, page_version, departments
):
    reassign(client, staff, assigned_item, page_version, departments)
    refused = post_as(
        client,
        admin_user,
        "recommendation_transition",
        assigned_item,
        {"version": page_version, "to_status": S.NOT_ACTIONABLE, "note": "理由"},
    )
    refused = refused_page(client, refused)

    again = post_as(
        client,
        admin_user,
        "recommendation_transition",
        assigned_item,
        dict(refused.context["transition_form"].data.items()),
    )

    assert again.status_code == 302
    assigned_item.refresh_from_db()
    assert assigned_item.status == S.NOT_ACTIONABLE
    assert assigned_item.lead_department == departments["区商务局"]  # the first change stays


def test_a_stale_tag_save_writes_nothing(client, staff, admin_user, assigned_item, page_version):
    first, second = Tag.objects.get(name="算力"), Tag.objects.get(name="人才")
    post_as(
        client,
        staff,
        "recommendation_tags",
        assigned_item,
        {"version": page_version, "tags": [first.pk]},
    )
    events_before = RecommendationTagEvent.objects.count()

    response = post_as(
        client,
        admin_user,
        "recommendation_tags",
        assigned_item,
        {"version": page_version, "tags": [second.pk]},
    )

    response = refused_page(client, response)
    assert list(assigned_item.tags.all()) == [first]
    assert RecommendationTagEvent.objects.count() == events_before


def test_a_comment_is_never_refused_for_a_concurrent_change(
    client, staff, handler, assigned_item, page_version, departments
):
    # The lead stays the handler's department (who may comment is not what this is about).
    reassign(client, staff, assigned_item, page_version, departments, lead="区科信局")

    response = post_as(
        client, handler, "recommendation_comment", assigned_item, {"body": "同时写的评论"}
    )

    assert response.status_code == 302
    assert assigned_item.comments.get().body == "同时写的评论"


def test_the_database_write_is_compare_and_set(staff, assigned_item):
    """A change that lands between reading the item and writing it is not overwritten, even
    when the caller's expected version matched what it had read."""
    loaded = Recommendation.objects.get(pk=assigned_item.pk)
    Recommendation.objects.filter(pk=assigned_item.pk).update(
        status=S.IN_PROGRESS, version=loaded.version + 1
    )

    with pytest.raises(workflow.ConflictError):
        workflow.transition(
            loaded, staff, S.NOT_ACTIONABLE, note="理由", expected_version=loaded.version
        )

    assigned_item.refresh_from_db()
    assert assigned_item.status == S.IN_PROGRESS
    assert assigned_item.status_note == ""


def test_a_stale_expected_version_is_refused_before_any_write(staff, assigned_item, departments):
    with pytest.raises(workflow.ConflictError, match="已被他人修改"):
        workflow.assign(
            assigned_item,
            staff,
            lead_department=departments["区商务局"],
            deadline=days_from_today(3),
            co_departments=[departments["区教委"]],
            expected_version=assigned_item.version + 5,
        )

    assigned_item.refresh_from_db()
    assert assigned_item.lead_department == departments["区科信局"]
    assert not assigned_item.co_departments.exists()


def _tags_form(content: str) -> dict:
    """What the page's tag form would post: its hidden fields and the ticked tags."""
    form = content.split('id="tags-form"')[1].split("</form>")[0]
    values = {}
    for name in ("version", "base", "new_tag"):
        found = re.search(rf'<input[^>]*name="{name}"[^>]*>', form)
        value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
        values[name] = value.group(1) if value else ""
    values["tags"] = [
        re.search(r'value="(\d+)"', box).group(1)
        for box in re.findall(r'<input[^>]*name="tags"[^>]*>', form)
        if " checked" in box
    ]
    return values


def _tag_history(rec):
    from recommendations.history import Kind, build_history

    return [
        (str(e.user), e.kind, e.new if e.kind == Kind.ADDED else e.old)
        for e in build_history(rec)
        if e.field == "标签"
    ]


def test_a_stale_tag_save_offers_the_user_s_change_applied_on_top_of_the_other_s(
    client, staff, admin_user, assigned_item
):
    y, x = Tag.objects.get(name="算力"), Tag.objects.get(name="人才")
    z = Tag.objects.create(name="试点", created_by=staff)
    post_as(
        client,
        staff,
        "recommendation_tags",
        assigned_item,
        {"version": assigned_item.version, "tags": [y.pk]},
    )
    # A (the admin) opens the page: it shows Y.
    client.force_login(admin_user)
    loaded = _tags_form(client.get(assigned_item.get_absolute_url()).content.decode())
    assert loaded["tags"] == [str(y.pk)] and loaded["base"] == str(y.pk)
    # B (staff) adds X and saves.
    assert (
        post_as(
            client, staff, "recommendation_tags", assigned_item, {**loaded, "tags": [y.pk, x.pk]}
        ).status_code
        == 302
    )
    # A, on the stale page, removes Y and adds Z.
    refused = post_as(
        client, admin_user, "recommendation_tags", assigned_item, {**loaded, "tags": [z.pk]}
    )

    page = refused_page(client, refused).content.decode()
    assert CONFLICT in page
    merge = page.split('class="tag-merge"')[1].split("</div>")[0]
    other = merge.split('class="tag-merge-other"')[1].split("</ul>")[0]
    assert "添加 <strong>人才</strong>" in other and "staff1" in other  # B's change, who
    assert "算力" not in other and "试点" not in other
    assert "添加 <strong>试点</strong>" in merge and "移除 <strong>算力</strong>" in merge  # A's
    assert "在对方修改的基础上应用我的修改" in page and "放弃我的修改" in page
    assigned_item.refresh_from_db()
    offered = _tags_form(page)
    assert sorted(offered["tags"]) == sorted([str(x.pk), str(z.pk)])  # X and Z, not Y
    assert offered["version"] == str(assigned_item.version)  # the current version
    assert offered["base"] == ",".join(sorted([str(x.pk), str(y.pk)], key=int))

    applied = post_as(client, admin_user, "recommendation_tags", assigned_item, offered)

    assert applied.status_code == 302
    assert set(assigned_item.tags.all()) == {x, z}
    assert _tag_history(assigned_item) == [
        ("staff1", "added", "算力"),
        ("staff1", "added", "人才"),
        ("admin1", "removed", "算力"),
        ("admin1", "added", "试点"),
    ]


def test_giving_up_the_stale_tag_change_shows_the_other_s_tags(
    client, staff, admin_user, assigned_item
):
    x = Tag.objects.get(name="人才")
    client.force_login(admin_user)
    loaded = _tags_form(client.get(assigned_item.get_absolute_url()).content.decode())
    post_as(client, staff, "recommendation_tags", assigned_item, {**loaded, "tags": [x.pk]})
    refused = post_as(
        client, admin_user, "recommendation_tags", assigned_item, {**loaded, "new_tag": "我的"}
    )
    page = refused_page(client, refused).content.decode()
    give_up = re.search(r'<a class="button" href="([^"]+)">放弃我的修改</a>', page).group(1)

    again = client.get(give_up).content.decode()

    assert "放弃我的修改" not in again and CONFLICT not in again
    assert _tags_form(again)["tags"] == [str(x.pk)]
    assert not Tag.objects.filter(name="我的").exists()
