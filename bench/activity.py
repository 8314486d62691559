"""A year of handling spread over the imported archive: users, tags, assignments, statuses,
co-departments, comments and their history.

The work is done in bulk (a few statements per step, whatever the size) but always as row
writes on the portal's own tables, so the database triggers write the history exactly as they do
for the views: one event per status change, tag, co-department and comment. The workflow's
invariants hold throughout: an assigned, in-progress or answered item has a lead department and a
deadline, an answered one a category and a reply, a not-actionable one a reason; every write bumps
the item's version. Afterwards the events' timestamps are spread over the past year in the
order the steps happened (assigned, then in progress, then answered).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

import pghistory
import pgtrigger
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from recommendations.models import (
    ROLE_HANDLER,
    ROLE_STAFF,
    ROLE_VIEWER,
    CoDepartment,
    Comment,
    Department,
    Recommendation,
    RecommendationTag,
    Tag,
    User,
)

S = Recommendation.Status
# Shares of items (depth 2 and 3) by final status after a year; sections are mostly left new.
ITEM_STATUS_SHARES = [
    (S.NEW, 0.30),
    (S.NOT_ACTIONABLE, 0.10),
    (S.ASSIGNED, 0.20),
    (S.IN_PROGRESS, 0.15),
    (S.ANSWERED, 0.25),
]
SECTION_STATUS_SHARES = [(S.NEW, 0.85), (S.NOT_ACTIONABLE, 0.15)]
ANSWER_SHARES = [("A", 0.35), ("B", 0.40), ("C", 0.20), ("N", 0.05)]
TAGGED_SHARE = 0.65  # items with at least one tag
CO_DEPARTMENT_SHARE = 0.30  # assigned items with co-departments
COMMENTED_SHARE = 0.25  # items with comments
BATCH = 1000  # rows written per transaction (see _batches)

REPLIES = [
    "已会同相关部门研究,纳入{year}年度重点工作计划,按季度报送进展。",
    "该建议已采纳,相关措施已写入区级实施方案,并明确责任分工和时间节点。",
    "经研究,该建议涉及市级事权,已报送市级主管部门参考。",
    "已组织专题调研,形成工作方案,下一步将在试点区域先行先试。",
    "相关政策已出台,企业可通过“海淀服务”平台申报,已受理申请{n}件。",
]
NOTES = [
    "属于情况介绍,无具体办理事项。",
    "与已交办事项重复,合并办理。",
    "为经验总结,留作参考,无需办理。",
]
COMMENTS = [
    "请主办部门注意与协办部门的分工衔接。",
    "已与提出人沟通,补充了具体需求。",
    "建议结合年度重点任务统筹推进。",
    "本周已召开协调会,进展见附件纪要。",
    "期限内可完成,请各协办部门按时反馈材料。",
    "该事项涉及数据共享,需区数据局配合。",
]


@dataclass
class Actors:
    staff: list[User]
    handlers: dict[int, User]  # department id -> handler
    viewer: User


def create_users() -> Actors:
    groups = {g.name: g for g in Group.objects.all()}

    def user(username, group, department=None, name=""):
        # No password: the benchmark signs in by writing a session, never through the form.
        u = User(username=username, first_name=name, department=department)
        u.set_unusable_password()
        u.save()
        u.groups.add(groups[group])
        return u

    staff = [user(f"bench-staff-{i}", ROLE_STAFF, name=f"研判员{i}") for i in range(1, 4)]
    handlers = {
        d.pk: user(f"bench-handler-{d.pk}", ROLE_HANDLER, d, f"{d.name}承办人")
        for d in Department.objects.all()
    }
    viewer = user("bench-viewer", ROLE_VIEWER, name="浏览员")
    return Actors(staff, handlers, viewer)


def _choose(rng: random.Random, shares):
    values, weights = zip(*shares, strict=True)
    return rng.choices(values, weights=weights)[0]


def _max_event_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(pgh_id), 0) FROM {table}")
        return cursor.fetchone()[0]


def _spread(table: str, after_id: int, day_expr: str) -> None:
    """Give the events written by one step (pgh_id > after_id) their day in the past year."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET pgh_created_at = %s::timestamptz + ({day_expr}) * interval '1 day'"
            " + mod(pgh_obj_id, 480) * interval '1 minute' WHERE pgh_id > %s",
            [_year_start(), after_id],
        )


def _year_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=365)


# The day (0..364) an item was assigned, from its id: the same in SQL and Python.
ASSIGNED_DAY_SQL = "mod(pgh_obj_id * 7919, 300)"


def assigned_day(pk: int) -> int:
    return pk * 7919 % 300


# The event tables are append-only (models.py); only this synthetic archive may move its own
# events back over the past year.
APPEND_ONLY = [
    f"recommendations.{model}:append_only"
    for model in (
        "RecommendationEvent",
        "RecommendationTagEvent",
        "CoDepartmentEvent",
        "CommentEvent",
    )
]


def simulate_year(seed: int = 2025) -> dict:
    with pgtrigger.ignore(*APPEND_ONLY):
        return _simulate_year(seed)


def _simulate_year(seed: int) -> dict:
    """Spread a year of handling over every recommendation; returns counts for the report."""
    rng = random.Random(seed)
    actors = create_users()
    departments = list(Department.objects.values_list("pk", flat=True))
    # A few departments lead most items, as in practice.
    dept_weights = [1 / (i + 1) ** 0.8 for i in range(len(departments))]
    tags = list(Tag.objects.values_list("pk", flat=True))
    tag_weights = [1 / (i + 1) ** 0.6 for i in range(len(tags))]
    rows = list(Recommendation.objects.values_list("pk", "depth").order_by("pk"))
    final = {}
    for pk, depth in rows:
        final[pk] = _choose(rng, ITEM_STATUS_SHARES if depth > 1 else SECTION_STATUS_SHARES)
    year_start = _year_start()
    counts = {}
    ev = "recommendations_recommendationevent"
    staff_ids = [u.pk for u in actors.staff]
    # 1. Assign: lead department and deadline (30–150 days after the day it was assigned).
    assigned = [pk for pk, s in final.items() if s in Recommendation.ASSIGNED_STATUSES]
    leads = {pk: rng.choices(departments, weights=dept_weights)[0] for pk in assigned}
    deadlines = [
        (year_start + datetime.timedelta(days=assigned_day(pk) + rng.randint(30, 150))).date()
        for pk in assigned
    ]
    before = _max_event_id(ev)
    _bulk_update(
        staff_ids,
        "status = 'assigned', lead_department_id = v.lead, deadline = v.deadline",
        ["lead bigint", "deadline date"],
        [assigned, [leads[pk] for pk in assigned], deadlines],
    )
    _spread(ev, before, ASSIGNED_DAY_SQL)
    counts["assigned"] = len(assigned)

    # Co-departments for some of them.
    before = _max_event_id("recommendations_codepartmentevent")
    links = []
    for pk in assigned:
        if rng.random() < CO_DEPARTMENT_SHARE:
            others = [d for d in departments if d != leads[pk]]
            for d in rng.sample(others, rng.randint(1, 2)):
                links.append(CoDepartment(recommendation_id=pk, department_id=d))
    _create(CoDepartment, links, staff_ids)
    _spread("recommendations_codepartmentevent", before, ASSIGNED_DAY_SQL)
    counts["co_departments"] = len(links)

    # 2. In progress, 3–20 days after assignment.
    started = [pk for pk in assigned if final[pk] in (S.IN_PROGRESS, S.ANSWERED)]
    before = _max_event_id(ev)
    _bulk_update(staff_ids, "status = 'in_progress'", [], [started])
    _spread(ev, before, f"{ASSIGNED_DAY_SQL} + 3 + mod(pgh_obj_id, 18)")
    counts["in_progress"] = len(started)

    # 3. Answered, 21–60 days after assignment, with a category and a reply.
    answered = [pk for pk in started if final[pk] == S.ANSWERED]
    categories = [_choose(rng, ANSWER_SHARES) for _ in answered]
    replies = [rng.choice(REPLIES).format(year=2026, n=rng.randint(3, 90)) for _ in answered]
    answered_at = [
        year_start + datetime.timedelta(days=assigned_day(pk) + 21 + pk % 40) for pk in answered
    ]
    before = _max_event_id(ev)
    _bulk_update(
        staff_ids,
        "status = 'answered', answer_category = v.category, reply = v.reply,"
        " answered_at = v.answered_at",
        ["category text", "reply text", "answered_at timestamptz"],
        [answered, categories, replies, answered_at],
    )
    _spread(ev, before, f"{ASSIGNED_DAY_SQL} + 21 + mod(pgh_obj_id, 40)")
    counts["answered"] = len(answered)

    # 4. Not actionable, with the reason.
    dropped = [pk for pk, s in final.items() if s == S.NOT_ACTIONABLE]
    before = _max_event_id(ev)
    _bulk_update(
        staff_ids,
        "status = 'not_actionable', status_note = v.note",
        ["note text"],
        [dropped, [rng.choice(NOTES) for _ in dropped]],
    )
    _spread(ev, before, ASSIGNED_DAY_SQL)
    counts["not_actionable"] = len(dropped)

    # Tags: most items carry one to three, popular tags first.
    before = _max_event_id("recommendations_recommendationtagevent")
    tag_links = []
    for pk, _depth in rows:
        if rng.random() < TAGGED_SHARE:
            chosen = set(rng.choices(tags, weights=tag_weights, k=rng.randint(1, 3)))
            tag_links += [RecommendationTag(recommendation_id=pk, tag_id=t) for t in chosen]
    _create(RecommendationTag, tag_links, staff_ids)
    _spread("recommendations_recommendationtagevent", before, f"{ASSIGNED_DAY_SQL} / 2")
    counts["tags"] = len(tag_links)

    # Comments from staff and the lead department's handler.
    before = _max_event_id("recommendations_commentevent")
    comments = []
    for pk, _depth in rows:
        if rng.random() < COMMENTED_SHARE:
            for _ in range(rng.randint(1, 3)):
                author = (
                    actors.handlers.get(leads.get(pk))
                    if pk in leads and rng.random() < 0.5
                    else rng.choice(actors.staff)
                )
                comments.append(
                    Comment(
                        recommendation_id=pk,
                        author=author,
                        body=rng.choice(COMMENTS),
                        created_at=year_start
                        + datetime.timedelta(
                            days=assigned_day(pk) + rng.randint(0, 60),
                            minutes=rng.randint(0, 600),
                        ),
                    )
                )
    _create(Comment, comments, staff_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recommendations_commentevent e SET pgh_created_at = c.created_at"
            " FROM recommendations_comment c WHERE c.id = e.pgh_obj_id AND e.pgh_id > %s",
            [before],
        )
    counts["comments"] = len(comments)

    # The items' own timestamps follow their last step.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recommendations_recommendation r SET updated_at = e.last"
            " FROM (SELECT pgh_obj_id, max(pgh_created_at) AS last"
            " FROM recommendations_recommendationevent GROUP BY pgh_obj_id) e"
            " WHERE e.pgh_obj_id = r.id"
        )
    counts["items"] = len(rows)
    counts["overdue"] = Recommendation.objects.overdue().count()
    return counts


def _batches(count: int, staff_ids: list[int]):
    """(start, end) of each batch, run in its own transaction and history context.

    Small transactions matter: every history trigger opens and rolls back a subtransaction
    (pgtrigger's check of its `pgtrigger.ignore` setting), and ending a subtransaction scans the
    transaction's queue of deferred foreign-key checks, so one transaction writing N rows costs
    O(N²). At 100,000 items one transaction took minutes per step; batches of 1,000 take seconds.
    """
    for n, start in enumerate(range(0, count, BATCH)):
        with (
            transaction.atomic(),
            pghistory.context(source="bench", user=staff_ids[n % len(staff_ids)]),
        ):
            yield start, min(start + BATCH, count)


def _create(model, objects: list, staff_ids: list[int]) -> None:
    for start, end in _batches(len(objects), staff_ids):
        model.objects.bulk_create(objects[start:end])


def _bulk_update(staff_ids, assignments: str, columns: list[str], values: list[list]) -> None:
    """UPDATE recommendation rows from arrays, a batch per statement: values[0] are the ids, the
    rest fill `columns` ("name type"). Each write bumps the version, like workflow._write."""
    names = ["id bigint", *columns]
    arrays = ", ".join(f"%s::{c.split()[1]}[]" for c in names)
    aliases = ", ".join(c.split()[0] for c in names)
    sql = (
        f"UPDATE recommendations_recommendation r SET {assignments},"
        " version = r.version + 1, updated_at = now()"
        f" FROM unnest({arrays}) AS v({aliases}) WHERE r.id = v.id"
    )
    for start, end in _batches(len(values[0]), staff_ids):
        with connection.cursor() as cursor:
            cursor.execute(sql, [column[start:end] for column in values])
