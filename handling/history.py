"""The handling loop's records in the item's history: "when, who, what: old → new".

The triggers (models.py) keep a row for every insert, change and removal of a receipt, request,
opinion, answer, verdict, progress report or 重点督办 mark. This reads all of them about one item in one query
(a UNION ALL over the event tables, each row as JSON) and turns them into the history entries
recommendations/history.py makes for the item itself, so the item page shows one timeline.
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from handling import models as loop
from recommendations.history import HistoryEntry, Kind
from recommendations.models import Department, User

# (record model, its event model, fields naming who took the step, in order of preference).
SOURCES = [
    (loop.Receipt, loop.ReceiptEvent, ("received_by",)),
    (loop.ReturnRequest, loop.ReturnRequestEvent, ("decided_by", "requested_by")),
    (loop.ExtensionRequest, loop.ExtensionRequestEvent, ("decided_by", "requested_by")),
    (loop.CoOpinion, loop.CoOpinionEvent, ("author",)),
    (loop.Answer, loop.AnswerEvent, ("reviewed_by", "submitted_by")),
    (loop.Verdict, loop.VerdictEvent, ("recorded_by",)),
    (loop.ProgressReport, loop.ProgressReportEvent, ("author",)),
    # The mark is deleted when taken off: the removal's actor is the request's user (context),
    # never marked_by, who set it.
    (loop.Supervision, loop.SupervisionEvent, ("marked_by",)),
]
# After the item's own sources (recommendations/history.py ranks them 0-3).
FIRST_RANK = 10
# Columns that are bookkeeping, not a step's content.
QUIET = {
    "id",
    "recommendation",
    "updated_at",
    "assigned_at",
    "letter",
    "number",
    "answer_round",
    "marked_by",
}
# Records whose adding and removal read as a step of their own, not "添加/移除 <record>".
VERBS = {loop.Supervision: (_lazy("设为"), _lazy("取消"))}


@dataclass
class LoopEntry(HistoryEntry):
    """An entry whose verb is the step's own ("设为重点督办", "取消重点督办")."""

    action: str = ""

    @property
    def verb(self) -> str:
        return self.action or super().verb


def loop_rows(rec) -> list[dict]:
    """Every event row about `rec`, oldest first, each with its record's `model`."""
    branches, params = [], []
    for rank, (_model, event_model, _actors) in enumerate(SOURCES, start=FIRST_RANK):
        branches.append(
            f"""SELECT {rank} AS rank, e.pgh_id, e.pgh_created_at, e.pgh_label, e.pgh_obj_id,
                       c.metadata ->> 'user' AS context_user, to_jsonb(e) AS data
                FROM {event_model._meta.db_table} e
                LEFT JOIN pghistory_context c ON c.id = e.pgh_context_id
                WHERE e.recommendation_id = %s"""
        )
        params.append(rec.pk)
    sql = " UNION ALL ".join(branches) + " ORDER BY pgh_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [col[0] for col in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # Django's adapter hands jsonb over as text
        if isinstance(row["data"], str):
            row["data"] = json.loads(row["data"])
        row["model"] = SOURCES[row["rank"] - FIRST_RANK][0]
    return rows


def models_present(rows) -> set:
    """The record models that have rows (the item page reads only those)."""
    return {row["model"] for row in rows}


def _int(value):
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class _Names:
    """Display values of one record's columns."""

    def __init__(self, departments, users):
        self.departments = departments
        self.users = users

    def value(self, model, name, raw) -> str:
        if raw is None or raw == "":
            return ""
        field = model._meta.get_field(name)
        if field.choices:
            return str(dict(field.choices).get(raw, raw))
        if field.is_relation:
            if field.related_model is Department:
                return self.departments.get(raw) or _("已删除的部门 #%(id)s") % {"id": raw}
            user = self.users.get(raw)
            return str(user) if user else ""
        if isinstance(raw, bool):
            return _("是") if raw else _("否")
        if field.get_internal_type() == "DateField":
            day = parse_date(str(raw))
            return day.isoformat() if day else str(raw)
        return str(raw)

    def summary(self, model, data) -> str:
        """One line that says what the record is."""

        def v(name):
            return self.value(model, name, data.get(_column(model, name)))

        if model is loop.Receipt:
            return v("department") + (_("(超时签收)") if data.get("late") else "")
        if model is loop.ReturnRequest:
            text = f"{v('department')}:{v('reason')}"
            if data.get("suggested_department_id"):
                text += _(";建议改由%(d)s") % {"d": v("suggested_department")}
            return text
        if model is loop.ExtensionRequest:
            return _("%(d)s:申请延至 %(to)s;%(reason)s") % {
                "d": v("department"),
                "to": v("requested_deadline"),
                "reason": v("reason"),
            }
        if model is loop.Answer:
            text = _("第%(n)s版(%(c)s):%(reply)s") % {
                "n": data.get("number"),
                "c": v("answer_category"),
                "reply": v("reply"),
            }
            if data.get("promised_on"):
                text += _(";承诺完成日期 %(d)s") % {"d": v("promised_on")}
            if data.get("letter"):
                text += _(";附答复函")
            if data.get("missing_opinions"):
                text += _(";确认未等%(names)s的协办意见") % {"names": data["missing_opinions"]}
            return text
        if model is loop.Verdict:
            note = v("note")
            return v("level") + (f":{note}" if note else "")
        if model is loop.Supervision:
            note = v("note")
            return _("督办领导:%(leader)s") % {"leader": v("leader")} + (f";{note}" if note else "")
        return f"{v('department')}:{v('body')}"


def _column(model, name) -> str:
    return model._meta.get_field(name).attname


def _fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in QUIET]


def loop_history(rec, rows=None, departments: dict | None = None) -> list[HistoryEntry]:
    """The entries for `rec` from `rows` (read when not given); `departments` ({id: name}) saves
    reading their names when the caller has them."""
    rows = loop_rows(rec) if rows is None else rows
    if not rows:
        return []
    department_ids, user_ids = set(), set()
    for row in rows:
        model = SOURCES[row["rank"] - FIRST_RANK][0]
        user_ids.add(_int(row["context_user"]))
        for field in model._meta.concrete_fields:
            if field.is_relation:
                target = department_ids if field.related_model is Department else user_ids
                if field.related_model in (Department, User):
                    target.add(row["data"].get(field.attname))
    department_ids.discard(None)
    user_ids.discard(None)
    if departments is None:
        departments = dict(
            Department.objects.filter(pk__in=department_ids).values_list("pk", "name")
        )
    names = _Names(departments, User.objects.in_bulk(user_ids) if user_ids else {})
    entries = []
    previous: dict[tuple, dict] = {}
    for row in rows:
        model, _event_model, actors = SOURCES[row["rank"] - FIRST_RANK]
        data = row["data"]
        user_id = _int(row["context_user"])
        if user_id is None:
            user_id = next((data.get(f"{a}_id") for a in actors if data.get(f"{a}_id")), None)
        label = str(model._meta.verbose_name)

        def add(field, old, new, kind, row=row, user_id=user_id, action=""):
            entries.append(
                LoopEntry(
                    when=row["pgh_created_at"],
                    user=names.users.get(user_id),
                    field=field,
                    old=old,
                    new=new,
                    kind=kind,
                    sort_key=(row["pgh_created_at"], row["rank"], row["pgh_id"]),
                    action=str(action),
                )
            )

        key = (row["rank"], row["pgh_obj_id"])
        before = previous.get(key)
        added, removed = VERBS.get(model, ("", ""))
        if row["pgh_label"] == "added":
            add(label, "", names.summary(model, data), Kind.ADDED, action=added)
        elif row["pgh_label"] == "removed":
            add(label, names.summary(model, data), "", Kind.REMOVED, action=removed)
        elif before is not None:
            for field in _fields(model):
                if field.get_internal_type() == "DateTimeField":
                    continue
                old, new = before.get(field.attname), data.get(field.attname)
                if old != new:
                    add(
                        f"{label}·{field.verbose_name}",
                        names.value(model, field.name, old),
                        names.value(model, field.name, new),
                        Kind.CHANGED,
                    )
        previous[key] = data
    return entries


def merge_history(*parts) -> list[HistoryEntry]:
    return sorted((e for part in parts for e in part), key=lambda e: e.sort_key)
