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
