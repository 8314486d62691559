"""History is written by database triggers, whatever path the change takes."""

import datetime

import pghistory
from django.apps import apps

from recommendations.models import CoDepartment, Recommendation, RecommendationTag


def events_for(rec):
    RecommendationEvent = apps.get_model("recommendations", "RecommendationEvent")
    return list(RecommendationEvent.objects.filter(pgh_obj=rec).order_by("pgh_id"))


def test_a_queryset_update_is_recorded_with_old_and_new_value(assigned_item, departments):
    before = events_for(assigned_item)
    Recommendation.objects.filter(pk=assigned_item.pk).update(
        lead_department=departments["区教委"], deadline=datetime.date(2027, 1, 31)
    )
    after = events_for(assigned_item)
    assert len(after) == len(before) + 1
    old, new = after[-2], after[-1]
    assert old.lead_department_id != new.lead_department_id
    assert new.lead_department_id == departments["区教委"].pk
    assert new.deadline == datetime.date(2027, 1, 31)
    assert new.pgh_label == "changed"


def test_a_change_to_untracked_fields_is_not_recorded(item):
    count = len(events_for(item))
    Recommendation.objects.filter(pk=item.pk).update(version=7)
    assert len(events_for(item)) == count


def test_the_user_in_context_is_recorded(item, staff):
    with pghistory.context(user=staff.pk):
        Recommendation.objects.filter(pk=item.pk).update(status_note="先观察")
    event = events_for(item)[-1]
    assert event.pgh_context.metadata["user"] == staff.pk


def test_tag_and_co_department_links_are_recorded_when_added_and_removed(item, tag, departments):
    link = RecommendationTag.objects.create(recommendation=item, tag=tag)
    link.delete()
    co = CoDepartment.objects.create(recommendation=item, department=departments["区教委"])
    co.delete()
    TagEvent = apps.get_model("recommendations", "RecommendationTagEvent")
    CoEvent = apps.get_model("recommendations", "CoDepartmentEvent")
    assert list(
        TagEvent.objects.filter(recommendation=item).values_list("pgh_label", flat=True)
    ) == ["added", "removed"]
    assert list(
        CoEvent.objects.filter(recommendation=item).values_list("pgh_label", flat=True)
    ) == ["added", "removed"]


def test_one_statement_over_many_items_records_each_changed_item_once(item, section, staff):
    # The items' history triggers are statement-level: one statement, one event per changed row.
    others = [
        Recommendation.objects.create(
            article=section.article, parent=section, number=f"1.{n}", heading="点", text="点。"
        )
        for n in (2, 3)
    ]
    Recommendation.objects.filter(pk=others[0].pk).update(status_note="已看过")
    counts = {rec.pk: len(events_for(rec)) for rec in [item, *others]}
    with pghistory.context(user=staff.pk):
        Recommendation.objects.filter(pk__in=[item.pk, *[o.pk for o in others]]).update(
            status_note="已看过"
        )
    added = {rec.pk: len(events_for(rec)) - counts[rec.pk] for rec in [item, *others]}
    assert added == {item.pk: 1, others[0].pk: 0, others[1].pk: 1}
    for rec in (item, others[1]):
        event = events_for(rec)[-1]
        assert (event.pgh_label, event.status_note) == ("changed", "已看过")
        assert event.pgh_context.metadata["user"] == staff.pk


def test_a_statement_that_changes_no_tracked_field_leaves_no_context(item, staff):
    Context = apps.get_model("pghistory", "Context")
    before = Context.objects.count()
    with pghistory.context(user=staff.pk):
        Recommendation.objects.filter(pk=item.pk).update(version=9)
        Recommendation.objects.filter(pk=-1).update(status_note="无")
    assert Context.objects.count() == before
