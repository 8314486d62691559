"""The readable history of one recommendation.

Database triggers (django-pghistory, see models.py) write the raw rows: a snapshot of the handling
fields after every change, added/changed/removed rows for tags and co-departments, added and
edited rows for comments, each with the names as they were when it was written. Each
row points at the request's context, whose metadata holds the signed-in user's id. This module
turns those rows into entries "when, who, what: old → new" with display values (status labels,
department and tag names), using a fixed number of queries however long the history is.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, IntegerField, TextField, Value
from django.db.models.fields.json import KeyTransform
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

# The snapshot's columns (attname, type of its NULL in the other tables' rows).
_SNAPSHOT_COLUMNS = [
    (field.attname, field.target_field if field.is_relation else field)
    for field in (Recommendation._meta.get_field(name) for name in TRACKED_FIELDS)
]


def _user_id(event: dict, fallback=None):
    value = event["user"]
    try:
        return int(value) if value is not None else fallback
    except (TypeError, ValueError):
        return fallback


def _field_label(name: str) -> str:
    if name == "in_source":
        return _("原文")  # "原文:在原文中 → 已从原文移除" reads better than the field's name
    return str(Recommendation._meta.get_field(name).verbose_name)


def _display(name: str, value, departments: dict) -> str:
    if value is None or value == "":
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
    if name == "is_container":
        return _("分组条目") if value else _("要点")
    if name == "in_source":
        return _("在原文中") if value else _("已从原文移除")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _snapshot_display(name: str, snapshot: dict, value, departments: dict) -> str:
    if name == "lead_department" and value is not None and snapshot["ref_name"]:
        return snapshot["ref_name"]  # the department's name when the snapshot was written
    return _display(name, value, departments)


def _null(output_field):
    return Value(None, output_field=output_field)


def _event_rows(rec: Recommendation) -> list[dict]:
    """Every trigger-written row about `rec`, read from the four event tables in one UNION ALL.

    The branches share one column layout (a column that a table lacks is NULL there), in the
    order given to values(). `user` is the context's metadata value as stored, decoded from JSON,
    so it reads exactly as `context.metadata.get("user")` would.
    """

    def branch(model, source, owner, *, snapshot=False, ref=None, body=None, name=None):
        snapshot_columns = {
            f"snap_{attname}": F(attname) if snapshot else _null(output_field)
            for attname, output_field in _SNAPSHOT_COLUMNS
        }
        return (
            model.objects.filter(**{owner: rec.pk})
            .order_by()
            .values(
                "pgh_id",
                "pgh_created_at",
                "pgh_label",
                source=Value(_SOURCE_RANK[source], output_field=IntegerField()),
                user=KeyTransform("user", "pgh_context__metadata"),
                **snapshot_columns,
                ref_id=F(ref) if ref else _null(IntegerField()),
                # The related row's name when the event was written (models.py).
                ref_name=F(name) if name else _null(TextField()),
                obj_id=F("pgh_obj_id"),
                comment_body=F(body) if body else _null(TextField()),
            )
        )

    rows = branch(
        RecommendationEvent, "snapshot", "pgh_obj_id", snapshot=True, name="lead_department_name"
    ).union(
        branch(RecommendationTagEvent, "tag", "recommendation_id", ref="tag_id", name="tag_name"),
        branch(
            CoDepartmentEvent,
            "co_department",
            "recommendation_id",
            ref="department_id",
            name="department_name",
        ),
        branch(CommentEvent, "comment", "recommendation_id", ref="author_id", body="body"),
        all=True,
    )
    # Each source in the order its rows were written: a snapshot is compared with the one before.
    return sorted(rows, key=lambda row: (row["source"], row["pgh_id"]))


def build_history(
    rec: Recommendation,
    *,
    departments: dict[int, str] | None = None,
    tags: dict[int, str] | None = None,
) -> list[HistoryEntry]:
    """Every recorded change of `rec`, oldest first.

    One query reads the events and one the users named in them. Department and tag names come
    from `departments` / `tags` ({id: name}) when the caller has them already (the detail page
    fetches every department and tag once for its forms); otherwise one query each reads the
    names needed. An id missing from the names is shown as deleted.
    """
    rows = _event_rows(rec)
    by_source = {source: [] for source in _SOURCE_RANK}
    rank_to_source = {rank: source for source, rank in _SOURCE_RANK.items()}
    for row in rows:
        by_source[rank_to_source[row["source"]]].append(row)
    snapshots = by_source["snapshot"]
    tag_events = by_source["tag"]
    co_events = by_source["co_department"]
    comment_events = by_source["comment"]

    user_ids = {_user_id(e) for e in (*snapshots, *tag_events, *co_events)}
    user_ids |= {_user_id(e, e["ref_id"]) for e in comment_events}
    user_ids.discard(None)
    # With their departments: the history names the actor's department beside the name.
    users = User.objects.select_related("department").in_bulk(user_ids) if user_ids else {}

    if departments is None:
        department_ids = {s["snap_lead_department_id"] for s in snapshots} | {
            e["ref_id"] for e in co_events
        }
        department_ids.discard(None)
        departments = (
            dict(Department.objects.filter(pk__in=department_ids).values_list("pk", "name"))
            if department_ids
            else {}
        )
    if tags is None:
        tag_ids = {e["ref_id"] for e in tag_events}
        tags = dict(Tag.objects.filter(pk__in=tag_ids).values_list("pk", "name")) if tag_ids else {}

    entries: list[HistoryEntry] = []

    def add(event, source, field, old, new, kind, user_id):
        entries.append(
            HistoryEntry(
                when=event["pgh_created_at"],
                user=users.get(user_id),
                field=field,
                old=old,
                new=new,
                kind=kind,
                sort_key=(event["pgh_created_at"], _SOURCE_RANK[source], event["pgh_id"]),
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
                _display("status", snap["snap_status"], departments),
                Kind.CREATED,
                user_id,
            )
        else:
            for name in TRACKED_FIELDS:
                column = "snap_" + Recommendation._meta.get_field(name).attname
                old, new = previous[column], snap[column]
                if old != new:
                    shown = _snapshot_display(name, snap, new, departments)
                    if name == "in_source" and new:
                        shown = _("重新出现在原文")
                    add(
                        snap,
                        "snapshot",
                        _field_label(name),
                        _snapshot_display(name, previous, old, departments),
                        shown,
                        Kind.CHANGED,
                        user_id,
                    )
        previous = snap

    # Tag and co-department links are added, changed (the admin can point a link at another
    # tag) or removed rows, shown the same way, by the name stored with each event.
    links = [
        (co_events, "co_department", _("协办部门"), departments, _("已删除的部门 #%(id)s")),
        (tag_events, "tag", _("标签"), tags, _("已删除的标签 #%(id)s")),
    ]
    for events, field, label, names, deleted in links:
        last_name = {}  # link id → its name in the event before
        for event in events:
            name = (
                event["ref_name"] or names.get(event["ref_id"]) or deleted % {"id": event["ref_id"]}
            )
            old, new, kind = {
                "added": ("", name, Kind.ADDED),
                "changed": (last_name.get(event["obj_id"], ""), name, Kind.CHANGED),
            }.get(event["pgh_label"], (name, "", Kind.REMOVED))
            last_name[event["obj_id"]] = name
            add(event, field, label, old, new, kind, _user_id(event))

    last_body = {}  # comment id → its text before an edit
    for event in comment_events:
        author = _user_id(event, event["ref_id"])
        if event["pgh_label"] == "edited":
            old, kind = last_body.get(event["obj_id"], ""), Kind.CHANGED
        else:
            old, kind = "", Kind.COMMENT
        last_body[event["obj_id"]] = event["comment_body"]
        add(event, "comment", _("评论"), old, event["comment_body"], kind, author)

    entries.sort(key=lambda e: e.sort_key)
    return entries
