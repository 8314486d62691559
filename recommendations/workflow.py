"""The handling workflow (交办 → 办理 → 答复) and who may do what.

Every write to a recommendation goes through here, from the views, the admin's bulk actions and
the importer alike, so the rules of domain.md live in one place. Writes use the row's version
number: a save based on a stale version is refused instead of overwriting someone else's work.
History needs no code here: database triggers record every change (see models.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations import events
from recommendations.models import (
    CoDepartment,
    Comment,
    Recommendation,
    RecommendationTag,
    Tag,
)

S = Recommendation.Status


class WorkflowError(Exception):
    """An action the rules refuse; the message is shown to the user as it is.

    `field` names the form field the message belongs beside (None: the whole form).
    """

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


class PermissionDenied(WorkflowError):
    pass


class ConflictError(WorkflowError):
    pass


# Where each status may go, and who may take the step. Staff may change any status, but a step
# back from a closed status is a reopening and needs a note.
STAFF_TRANSITIONS = {
    S.NEW: {S.NOT_ACTIONABLE, S.ASSIGNED},
    S.NOT_ACTIONABLE: {S.NEW, S.ASSIGNED},
    S.ASSIGNED: {S.NEW, S.NOT_ACTIONABLE, S.IN_PROGRESS, S.ANSWERED},
    S.IN_PROGRESS: {S.NEW, S.ASSIGNED, S.NOT_ACTIONABLE, S.ANSWERED},
    S.ANSWERED: {S.NEW, S.ASSIGNED},
}
HANDLER_TRANSITIONS = {
    S.ASSIGNED: {S.IN_PROGRESS, S.ANSWERED},
    S.IN_PROGRESS: {S.ANSWERED},
}
REOPENING = {
    (S.ANSWERED, S.NEW),
    (S.ANSWERED, S.ASSIGNED),
    (S.NOT_ACTIONABLE, S.NEW),
    (S.NOT_ACTIONABLE, S.ASSIGNED),
}


# --- who may do what -------------------------------------------------------------------------


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_portal_staff)


def is_lead_handler(user, rec: Recommendation) -> bool:
    return (
        bool(user and user.is_authenticated)
        and user.is_handler
        and rec.lead_department_id is not None
        and rec.lead_department_id == user.department_id
    )


def can_triage(user) -> bool:
    """Tag, assign, set deadlines, bulk actions."""
    return is_staff(user)


def can_assign(user, rec: Recommendation) -> bool:
    """交办 (again): not on an answered item, whose reply is the lead department's credit."""
    return can_triage(user) and rec.status != S.ANSWERED


def can_reply(user, rec: Recommendation) -> bool:
    return is_staff(user) or (
        is_lead_handler(user, rec) and rec.status in (S.ASSIGNED, S.IN_PROGRESS)
    )


def is_co_handler(user, rec: Recommendation) -> bool:
    """A handler of one of the item's co-departments (协办)."""
    if not (user and user.is_authenticated and user.is_handler):
        return False
    ids = getattr(rec, "co_department_ids", None)  # annotated by the detail page's loader
    if ids is not None:
        return user.department_id in ids
    return CoDepartment.objects.filter(
        recommendation_id=rec.pk, department_id=user.department_id
    ).exists()


def can_comment(user, rec: Recommendation) -> bool:
    """Staff, and the handlers of the lead department and of the co-departments (domain.md);
    every other handler reads, like a viewer."""
    return is_staff(user) or is_lead_handler(user, rec) or is_co_handler(user, rec)


def allowed_transitions(user, rec: Recommendation) -> list[str]:
    if is_staff(user):
        targets = STAFF_TRANSITIONS.get(rec.status, set())
    elif is_lead_handler(user, rec):
        targets = HANDLER_TRANSITIONS.get(rec.status, set())
    else:
        targets = set()
    return [value for value in S.values if value in targets]


# --- single-item actions ---------------------------------------------------------------------


def _check_version(rec: Recommendation, expected_version: int | None) -> int:
    version = rec.version if expected_version is None else int(expected_version)
    if version != rec.version:
        raise ConflictError(conflict_message())
    return version


def conflict_message() -> str:
    return _("保存失败:这条建议已被他人修改。请查看最新内容后再提交。")


def _write(rec: Recommendation, expected_version: int | None, **changes) -> None:
    """Compare-and-set on the version number; the instance is refreshed afterwards."""
    version = _check_version(rec, expected_version)
    updated = Recommendation.objects.filter(pk=rec.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ConflictError(conflict_message())
    rec.refresh_from_db()


def _touch(rec: Recommendation, expected_version: int | None) -> None:
    """Bump the version for changes kept in related tables (tags, co-departments)."""
    _write(rec, expected_version)


@transaction.atomic
def assign(rec, user, *, lead_department, deadline, co_departments=(), expected_version=None):
    if not can_triage(user):
        raise PermissionDenied(_("只有研判员可以交办建议。"))
    if lead_department is None:
        raise WorkflowError(_("交办必须指定主办部门。"), field="lead_department")
    if deadline is None:
        raise WorkflowError(_("交办必须设定办理期限。"), field="deadline")
    if rec.status == S.ANSWERED:
        raise WorkflowError(_("这条建议已办结,不能重新交办;如需改由其他部门办理,请先重新打开。"))
    co_ids = {d.pk for d in co_departments} - {lead_department.pk}
    changes = {"lead_department": lead_department, "deadline": deadline}
    if rec.status in (S.NEW, S.NOT_ACTIONABLE):
        changes["status"] = S.ASSIGNED
    _write(rec, expected_version, **changes)
    _sync_co_departments(rec, co_ids)
    events.emit(
        events.ASSIGNED,
        rec.pk,
        user.pk,
        lead_department_id=lead_department.pk,
        co_department_ids=sorted(co_ids),
        deadline=deadline.isoformat(),
    )


def _sync_co_departments(rec, wanted_ids: set[int]) -> None:
    current = set(rec.co_department_links.values_list("department_id", flat=True))
    CoDepartment.objects.filter(recommendation=rec, department_id__in=current - wanted_ids).delete()
    CoDepartment.objects.bulk_create(
        [CoDepartment(recommendation=rec, department_id=d) for d in wanted_ids - current]
    )


def _validate_transition(
    rec, to_status, *, note, answer_category, reply, lead_department, deadline
) -> None:
    if to_status == S.NOT_ACTIONABLE and not note.strip():
        raise WorkflowError(_("标记为“无需办理”必须说明理由。"), field="note")
    if (rec.status, to_status) in REOPENING and not note.strip():
        raise WorkflowError(_("重新打开已办结或无需办理的建议必须填写说明。"), field="note")
    if to_status in (S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED):
        if lead_department is None:
            raise WorkflowError(_("请先指定主办部门。"))
        if to_status == S.ASSIGNED and deadline is None:
            raise WorkflowError(_("交办必须设定办理期限。"))
    if to_status == S.ANSWERED:
        if not answer_category:
            raise WorkflowError(_("办结必须选择答复类别。"), field="answer_category")
        if not (reply or "").strip():
            raise WorkflowError(_("办结必须填写答复内容。"), field="reply")


@transaction.atomic
def transition(
    rec, user, to_status, *, note="", answer_category=None, reply=None, expected_version=None
):
    """Move one item to `to_status`, with the fields that step requires."""
    to_status = S(to_status) if isinstance(to_status, str) and to_status in S.values else None
    if to_status is None:
        raise WorkflowError(_("未知的状态。"), field="to_status")
    if to_status == rec.status:
        raise WorkflowError(_("建议已处于该状态。"))
    if to_status not in allowed_transitions(user, rec):
        if not (is_staff(user) or is_lead_handler(user, rec)):
            raise PermissionDenied(_("您无权更改这条建议的状态。"))
        raise WorkflowError(
            _("不能从“%(from)s”改为“%(to)s”。")
            % {"from": rec.get_status_display(), "to": to_status.label}
        )
    answer_category = answer_category if answer_category is not None else rec.answer_category
    reply = reply if reply is not None else rec.reply
    _validate_transition(
        rec,
        to_status,
        note=note,
        answer_category=answer_category,
        reply=reply,
        lead_department=rec.lead_department,
        deadline=rec.deadline,
    )
    changes = {"status": to_status, "status_note": note.strip()}
    if to_status == S.ANSWERED:
        changes.update(
            answer_category=answer_category, reply=reply.strip(), answered_at=timezone.now()
        )
    elif rec.status == S.ANSWERED:
        changes["answered_at"] = None
    from_status = rec.status
    _write(rec, expected_version, **changes)
    events.emit(
        events.STATUS_CHANGED,
        rec.pk,
        user.pk,
        from_status=from_status,
        to_status=to_status.value,
        department_id=rec.lead_department_id,
    )


@transaction.atomic
def save_reply(rec, user, *, answer_category, reply, expected_version=None):
    """Write or revise the reply without changing the status (a draft while 办理中)."""
    if not can_reply(user, rec):
        raise PermissionDenied(_("只有主办部门的承办人或研判员可以填写答复。"))
    if answer_category and answer_category not in Recommendation.AnswerCategory.values:
        raise WorkflowError(_("未知的答复类别。"), field="answer_category")
    if rec.status == S.ANSWERED and not (answer_category and reply.strip()):
        raise WorkflowError(_("已办结的建议必须保留答复类别和答复内容。"))
    _write(rec, expected_version, answer_category=answer_category or "", reply=reply.strip())


@transaction.atomic
def set_tags(rec, user, tags: Iterable, *, expected_version=None):
    if not can_triage(user):
        raise PermissionDenied(_("只有研判员可以设置标签。"))
    wanted = {t.pk for t in tags}
    current = set(rec.tag_links.values_list("tag_id", flat=True))
    if wanted == current:
        return
    _touch(rec, expected_version)
    RecommendationTag.objects.filter(recommendation=rec, tag_id__in=current - wanted).delete()
    RecommendationTag.objects.bulk_create(
        [RecommendationTag(recommendation=rec, tag_id=t) for t in wanted - current]
    )


def add_comment(rec, user, body: str) -> Comment:
    if not can_comment(user, rec):
        raise PermissionDenied(_("您无权评论这条建议。"))
    body = (body or "").strip()
    if not body:
        raise WorkflowError(_("评论不能为空。"), field="body")
    comment = Comment.objects.create(recommendation=rec, author=user, body=body)
    events.emit(events.COMMENTED, rec.pk, user.pk, comment_id=comment.pk)
    return comment


# --- bulk actions ----------------------------------------------------------------------------


@dataclass
class BulkResult:
    changed: int = 0
    refused: list = field(default_factory=list)  # (recommendation, reason)


# Items per transaction of a bulk action. One transaction over thousands of items slows down row
# by row (every savepoint scans the transaction's queue of deferred trigger events) until the
# request times out; chunks keep each transaction short and let other writers in between.
BULK_CHUNK = 200


def _each_chunk(queryset, apply, *related):
    """apply(rec) for every item of `queryset`, BULK_CHUNK items per transaction, each chunk's
    rows locked. The ids are read first (by primary key, because the caller's queryset may carry
    DISTINCT, which PostgreSQL refuses with FOR UPDATE). A chunk that fails rolls back alone; the
    chunks before it stay done."""
    ids = sorted(set(queryset.values_list("pk", flat=True)))
    for start in range(0, len(ids), BULK_CHUNK):
        with transaction.atomic():
            chunk = (
                Recommendation.objects.filter(pk__in=ids[start : start + BULK_CHUNK])
                .order_by("pk")
                .select_for_update(of=("self",))
                .select_related(*related)
            )
            for rec in chunk:
                apply(rec)


def bulk_assign(queryset, *, user, lead_department, deadline, co_departments=()) -> BulkResult:
    """Assign every item the rules allow; report the rest (an answered item) with the reason."""
    if not can_triage(user):
        raise PermissionDenied(_("只有研判员可以交办建议。"))
    result = BulkResult()

    def apply(rec):
        try:
            with transaction.atomic():
                assign(
                    rec,
                    user,
                    lead_department=lead_department,
                    deadline=deadline,
                    co_departments=co_departments,
                )
        except WorkflowError as exc:
            result.refused.append((rec, str(exc)))
        else:
            result.changed += 1

    _each_chunk(queryset, apply, "lead_department")
    return result


# The statuses a bulk step may set: 已办结 needs each item's own answer category and reply.
BULK_STATUSES = tuple(value for value in S.values if value != S.ANSWERED)


def bulk_transition(queryset, *, user, to_status, note="") -> BulkResult:
    """Apply the step to every item it is allowed for; report the rest with the reason."""
    if to_status not in BULK_STATUSES:
        raise WorkflowError(_("“已办结”须逐条填写答复类别和答复内容,不能批量设置。"))
    result = BulkResult()

    def apply(rec):
        try:
            with transaction.atomic():
                transition(rec, user, to_status, note=note)
        except WorkflowError as exc:
            result.refused.append((rec, str(exc)))
        else:
            result.changed += 1

    _each_chunk(queryset, apply, "lead_department")
    return result


def bulk_tag(queryset, *, user, tags, remove=False) -> int:
    if not can_triage(user):
        raise PermissionDenied(_("只有研判员可以设置标签。"))
    count = 0
    chosen = {t.pk for t in tags}

    def apply(rec):
        nonlocal count
        current = set(rec.tag_links.values_list("tag_id", flat=True))
        wanted = current - chosen if remove else current | chosen
        if wanted != current:
            set_tags(rec, user, [Tag(pk=pk) for pk in wanted])
            count += 1

    _each_chunk(queryset, apply)
    return count
