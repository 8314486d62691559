"""The readable history of one recommendation.

Database triggers (django-pghistory, see models.py) write the raw rows: a snapshot of the handling
fields after every change, and added/removed rows for tags, co-departments and comments. Each
row points at the request's context, whose metadata holds the signed-in user's id. This module
turns those rows into entries "when, who, what: old → new" with display values (status labels,
department and tag names), using a fixed number of queries however long the history is.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from recommendations.models import (
    TRACKED_FIELDS,
    CoDepartmentEvent,
    CommentEvent,
    Department,
    Recommendation,
    RecommendationEvent,
    RecommendationTagEvent,
    Tag,
    User,
)


class Kind:
    CREATED = "created"
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"
    COMMENT = "comment"


@dataclass
class HistoryEntry:
    when: datetime.datetime
    user: User | None
    field: str  # the label shown, e.g. "状态"
    old: str
    new: str
    kind: str
    # Events of one request share a timestamp (NOW() is the transaction's start); the snapshot
    # comes first, then co-departments, tags and comments, each in the order they were written.
    sort_key: tuple = ()

    @property
    def who(self) -> str:
        return str(self.user) if self.user else _("系统")

    @property
    def verb(self) -> str:
        return {
            Kind.CREATED: _("创建"),
            Kind.CHANGED: _("修改"),
            Kind.ADDED: _("添加"),
            Kind.REMOVED: _("移除"),
            Kind.COMMENT: _("发表"),
        }[self.kind]


_SOURCE_RANK = {"snapshot": 0, "co_department": 1, "tag": 2, "comment": 3}


def _user_id(event, fallback=None):
    context = event.pgh_context
    metadata = context.metadata if context is not None else {}
    value = metadata.get("user") if isinstance(metadata, dict) else None
    try:
        return int(value) if value is not None else fallback
    except (TypeError, ValueError):
        return fallback


def _field_label(name: str) -> str:
    return str(Recommendation._meta.get_field(name).verbose_name)


def _display(name: str, value, departments: dict) -> str:
    if value in (None, ""):
        return ""
    if name == "status":
        return (
            str(Recommendation.Status(value).label)
            if value in Recommendation.Status.values
            else value
        )
    if name == "answer_category":
        choices = Recommendation.AnswerCategory
        return str(choices(value).label) if value in choices.values else value
    if name == "lead_department":
        return departments.get(value) or _("已删除的部门 #%(id)s") % {"id": value}
    if name == "deadline":
        return value.isoformat()
    return str(value)


def build_history(rec: Recommendation) -> list[HistoryEntry]:
    """Every recorded change of `rec`, oldest first. Seven queries at most."""
    snapshots = list(
        RecommendationEvent.objects.filter(pgh_obj_id=rec.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    tag_events = list(
        RecommendationTagEvent.objects.filter(recommendation_id=rec.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    co_events = list(
        CoDepartmentEvent.objects.filter(recommendation_id=rec.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    comment_events = list(
        CommentEvent.objects.filter(recommendation_id=rec.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )

    user_ids = {_user_id(e) for e in (*snapshots, *tag_events, *co_events)}
    user_ids |= {_user_id(e, e.author_id) for e in comment_events}
    user_ids.discard(None)
    department_ids = {s.lead_department_id for s in snapshots} | {
        e.department_id for e in co_events
    }
    department_ids.discard(None)
    tag_ids = {e.tag_id for e in tag_events}

    users = User.objects.in_bulk(user_ids) if user_ids else {}
    departments = (
        dict(Department.objects.filter(pk__in=department_ids).values_list("pk", "name"))
        if department_ids
        else {}
    )
    tags = dict(Tag.objects.filter(pk__in=tag_ids).values_list("pk", "name")) if tag_ids else {}

    entries: list[HistoryEntry] = []

    def add(event, source, field, old, new, kind, user_id):
        entries.append(
            HistoryEntry(
                when=event.pgh_created_at,
                user=users.get(user_id),
                field=field,
                old=old,
                new=new,
                kind=kind,
                sort_key=(event.pgh_created_at, _SOURCE_RANK[source], event.pgh_id),
            )
        )

    previous = None
    for snap in snapshots:
        user_id = _user_id(snap)
        if previous is None:
            add(
                snap,
                "snapshot",
                _("建议"),
                "",
                _display("status", snap.status, departments),
                Kind.CREATED,
                user_id,
            )
        else:
            for name in TRACKED_FIELDS:
                attname = Recommendation._meta.get_field(name).attname
                old, new = getattr(previous, attname), getattr(snap, attname)
                if old != new:
                    add(
                        snap,
                        "snapshot",
                        _field_label(name),
                        _display(name, old, departments),
                        _display(name, new, departments),
                        Kind.CHANGED,
                        user_id,
                    )
        previous = snap

    for event in co_events:
        name = departments.get(event.department_id) or _("已删除的部门 #%(id)s") % {
            "id": event.department_id
        }
        added = event.pgh_label == "added"
        add(
            event,
            "co_department",
            _("协办部门"),
            "" if added else name,
            name if added else "",
            Kind.ADDED if added else Kind.REMOVED,
            _user_id(event),
        )

    for event in tag_events:
        name = tags.get(event.tag_id) or _("已删除的标签 #%(id)s") % {"id": event.tag_id}
        added = event.pgh_label == "added"
        add(
            event,
            "tag",
            _("标签"),
            "" if added else name,
            name if added else "",
            Kind.ADDED if added else Kind.REMOVED,
            _user_id(event),
        )

    for event in comment_events:
        add(
            event,
            "comment",
            _("评论"),
            "",
            event.body,
            Kind.COMMENT,
            _user_id(event, event.author_id),
        )

    entries.sort(key=lambda e: e.sort_key)
    return entries
