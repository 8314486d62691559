"""重点督办: staff mark an item as supervised by a named leader, and take the mark off.

Supervised items carry a badge on their page and in every list, can be filtered for, have a
dashboard card, and come first in My work. Only staff may mark or unmark, which the server
checks on every post. The mark lives in its own table (models.Supervision) whose triggers keep
every change; the item's version and update time move with it, so an open form on the item
sees the change and every cached page and figure is recomputed (figures.py stamps on them).
"""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from handling.models import Supervision
from recommendations import events, workflow
from recommendations.models import Recommendation


def can_supervise(user) -> bool:
    return workflow.is_staff(user)


def _bump(rec: Recommendation, expected_version: int | None) -> None:
    """Compare-and-set the item's version, so that a mark made on a stale page is refused."""
    version = rec.version if expected_version is None else int(expected_version)
    updated = Recommendation.objects.filter(pk=rec.pk, version=version).update(
        version=version + 1, updated_at=timezone.now()
    )
    if not updated:
        raise workflow.ConflictError(workflow.conflict_message())
    rec.refresh_from_db(fields=["version", "updated_at"])


def supervise(rec, user, *, leader: str, note: str = "", expected_version=None) -> Supervision:
    """Mark `rec` as supervised by `leader` (or change the leader or the note)."""
    if not can_supervise(user):
        raise workflow.PermissionDenied(_("只有研判员可以设置重点督办。"))
    leader = (leader or "").strip()
    if not leader:
        raise workflow.WorkflowError(_("请填写督办领导。"), field="leader")
    with transaction.atomic():
        _bump(rec, expected_version)
        mark, _created = Supervision.objects.update_or_create(
            recommendation=rec,
            defaults={"leader": leader, "note": note.strip()},
            create_defaults={"leader": leader, "note": note.strip(), "marked_by": user},
        )
    events.emit(events.SUPERVISED, rec.pk, user.pk, supervised=True, leader=leader)
    return mark


def unsupervise(rec, user, *, expected_version=None) -> None:
    if not can_supervise(user):
        raise workflow.PermissionDenied(_("只有研判员可以取消重点督办。"))
    with transaction.atomic():
        mark = Supervision.objects.filter(recommendation=rec).first()
        if mark is None:
            raise workflow.WorkflowError(_("这条建议不是重点督办。"))
        _bump(rec, expected_version)
        mark.delete()
    events.emit(events.SUPERVISED, rec.pk, user.pk, supervised=False, leader=mark.leader)


# --- queries ---------------------------------------------------------------------------------


def supervised_ids():
    """A subquery of the supervised items' ids (for filters and counts)."""
    return Supervision.objects.values("recommendation_id")


def supervised_first(queryset):
    """`queryset` annotated with `supervised` (True first when ordered by "-supervised")."""
    return queryset.annotate(
        supervised=Exists(Supervision.objects.filter(recommendation=OuterRef("pk")))
    )


def mark_of(rec) -> Supervision | None:
    try:
        return rec.supervision
    except Supervision.DoesNotExist:
        return None
