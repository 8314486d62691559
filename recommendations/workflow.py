"""The handling workflow (交办 → 办理 → 答复) and who may do what.

Every write to a recommendation goes through here, from the views, the admin's bulk actions and
the importer alike, so the rules of domain.md live in one place. Writes use the row's version
number: a save based on a stale version is refused instead of overwriting someone else's work.
History needs no code here: database triggers record every change (see models.py).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from handling import calendar as working_calendar
from handling import rules as handling_rules
from handling.models import (
    Answer,
    AuthorAccount,
    CoOpinion,
    Decision,
    ExtensionRequest,
    ProgressReport,
    Receipt,
    ReturnRequest,
    Verdict,
)
from recommendations import events
from recommendations.models import (
    Byline,
    CoDepartment,
    Comment,
    Department,
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


# Where each status may go through the plain status form, and who may take the step. Staff may
# change any status, but a step back from a closed status is a reopening and needs a note. Nobody
# moves an item into 待审核 here: only an answer does (submit_answer). Handlers take no plain
# status steps: the lead department's receipt starts the work and its answer goes to review.
STAFF_TRANSITIONS = {
    S.NEW: {S.NOT_ACTIONABLE, S.ASSIGNED},
    S.NOT_ACTIONABLE: {S.NEW, S.ASSIGNED},
    S.ASSIGNED: {S.NEW, S.NOT_ACTIONABLE, S.IN_PROGRESS, S.ANSWERED},
    S.IN_PROGRESS: {S.NEW, S.ASSIGNED, S.NOT_ACTIONABLE, S.ANSWERED},
    S.REVIEW: {S.NEW, S.ASSIGNED},
    S.ANSWERED: {S.NEW, S.ASSIGNED},
}
HANDLER_TRANSITIONS: dict = {}
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
    """交办 (again): not on an answered item, whose reply is the lead department's credit, nor on
    a container (a section that only groups its points)."""
    return can_triage(user) and rec.status != S.ANSWERED and not rec.is_container


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
    if rec.is_container:
        raise WorkflowError(_("这是只起分组作用的章节,请先改为要点再交办。"))
    co_ids = {d.pk for d in co_departments} - {lead_department.pk}
    changes = {"lead_department": lead_department, "deadline": deadline}
    if rec.status in (S.NEW, S.NOT_ACTIONABLE):
        changes["status"] = S.ASSIGNED
    if "status" in changes or rec.lead_department_id != lead_department.pk:
        # A new assignment: receipt and the windows count from now.
        changes["assigned_at"] = timezone.now()
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
    if not is_staff(user):
        # Handlers move an item by the loop's steps (签收, 答复 for review), never directly.
        raise PermissionDenied(_("您无权直接更改这条建议的状态,请使用签收、答复等办理步骤。"))
    if to_status not in allowed_transitions(user, rec):
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
    if to_status == S.ASSIGNED and rec.status in (S.NEW, S.NOT_ACTIONABLE):
        changes["assigned_at"] = timezone.now()
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
    if rec.status in (S.REVIEW, S.ANSWERED) and not (answer_category and reply.strip()):
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


# --- the handling loop (docs/workflow.md; its records are in handling/models.py) -------------
#
# Every step checks who takes it and whether it is its turn, writes its record, bumps the
# item's version (so cached pages and open forms see the change) and emits its event.


def _today():
    return timezone.localdate()


def _rules():
    return handling_rules.current()


def assigned_on(rec) -> datetime.date | None:
    return timezone.localdate(rec.assigned_at) if rec.assigned_at else None


def co_department_ids(rec) -> set[int]:
    """The item's co-departments; the detail page has annotated them already."""
    ids = getattr(rec, "co_department_ids", None)
    if ids is None:
        ids = list(rec.co_department_links.values_list("department_id", flat=True))
        rec.co_department_ids = ids
    return set(ids)


def _lock(rec) -> Recommendation:
    """The item's row locked for the step, read afresh: two steps on one item take turns."""
    return Recommendation.objects.select_for_update().get(pk=rec.pk)


def _refresh(rec, locked) -> None:
    """Copy the locked, written state onto the caller's instance."""
    rec.refresh_from_db()
    if hasattr(rec, "co_department_ids"):
        del rec.co_department_ids


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _text(value, message, field) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkflowError(message, field=field)
    return value


# Points and containers


def can_set_container(user, rec) -> bool:
    return is_staff(user)


def set_container(rec, user, is_container: bool, *, expected_version=None):
    """Staff turn a grouping section into a point of its own, or back."""
    _require(can_set_container(user, rec), _("只有研判员可以更改条目类型。"))
    with transaction.atomic():
        locked = _lock(rec)
        if bool(is_container) == locked.is_container:
            raise WorkflowError(_("条目已是该类型。"))
        if is_container:
            if not Recommendation.objects.filter(parent_id=locked.pk).exists():
                raise WorkflowError(_("没有下级条目的条目只能作为要点办理。"))
            if locked.status not in (S.NEW, S.NOT_ACTIONABLE):
                raise WorkflowError(_("已交办的条目不能改为分组条目,请先退回待研判。"))
        _write(locked, expected_version, is_container=bool(is_container))
    _refresh(rec, locked)


def rollup(container) -> dict:
    """ "5 条 · 3 已办结 · 1 逾期" for a container: its points, answered ones, overdue ones."""
    today = _today()
    points = Recommendation.objects.current().points_under(container)
    late = Recommendation.late(today)
    return points.aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(status=S.ANSWERED)),
        overdue=Count("pk", filter=late),
    )


# 签收 (receipt)


def departments_to_sign(rec, signed: set[int] | None = None) -> set[int]:
    """Departments (lead and co) that have not signed for the current assignment; `signed`
    (the departments whose receipt is known) spares reading the receipts."""
    if rec.lead_department_id is None or rec.status not in (
        *Recommendation.HANDLING_STATUSES,
        S.REVIEW,
    ):
        return set()
    wanted = co_department_ids(rec) | {rec.lead_department_id}
    if signed is None:
        signed = set(
            Receipt.objects.filter(recommendation=rec, assigned_at=rec.assigned_at).values_list(
                "department_id", flat=True
            )
        )
    return wanted - signed


def can_receive(user, rec, to_sign: set[int] | None = None) -> bool:
    if not (user and user.is_authenticated and user.is_handler):
        return False
    return user.department_id in (departments_to_sign(rec) if to_sign is None else to_sign)


def receipt_is_late(rec, when=None) -> bool:
    if rec.assigned_at is None:
        return False  # assigned before assignment times were kept: unknown, not late
    days = working_calendar.working_days_between(assigned_on(rec), when or _today())
    return days > _rules().receipt_window_days


def receive(rec, user, *, expected_version=None) -> Receipt:
    """A handler signs for the item on behalf of their department; the lead's receipt starts the
    work (已交办 → 办理中)."""
    with transaction.atomic():
        locked = _lock(rec)
        _require(
            is_lead_handler(user, locked) or is_co_handler(user, locked),
            _("只有主办或协办部门的承办人可以签收。"),
        )
        if not can_receive(user, locked):
            raise WorkflowError(_("本部门已签收,或这条建议当前无需签收。"))
        late = receipt_is_late(locked)
        receipt = Receipt.objects.create(
            recommendation=locked,
            department_id=user.department_id,
            assigned_at=locked.assigned_at,
            received_by=user,
            late=late,
        )
        if user.department_id == locked.lead_department_id and locked.status == S.ASSIGNED:
            _write(locked, expected_version, status=S.IN_PROGRESS, status_note="")
        else:
            _touch(locked, expected_version)
        events.emit(
            events.RECEIVED, locked.pk, user.pk, department_id=user.department_id, late=late
        )
    _refresh(rec, locked)
    return receipt


# 申请退回/调整 (return request)


def open_request(model, rec):
    return model.objects.filter(recommendation=rec, decision=Decision.OPEN).first()


def return_window_open(rec, today=None) -> bool:
    start = assigned_on(rec)
    if start is None:
        return False
    days = working_calendar.working_days_between(start, today or _today())
    return days <= _rules().return_window_days


def return_window_end(rec) -> datetime.date | None:
    start = assigned_on(rec)
    return _rules().return_window_end(start) if start else None


def can_request_return(user, rec) -> bool:
    return (
        is_lead_handler(user, rec)
        and rec.status in Recommendation.HANDLING_STATUSES
        and return_window_open(rec)
        and open_request(ReturnRequest, rec) is None
    )


def request_return(rec, user, *, reason, suggested_department=None) -> ReturnRequest:
    with transaction.atomic():
        locked = _lock(rec)
        _require(is_lead_handler(user, locked), _("只有主办部门的承办人可以申请退回。"))
        if locked.status not in Recommendation.HANDLING_STATUSES:
            raise WorkflowError(_("这条建议当前不能申请退回。"))
        if not return_window_open(locked):
            raise WorkflowError(
                _("已超过申请退回的期限(交办后 %(n)s 个工作日内),交办维持不变。")
                % {"n": _rules().return_window_days}
            )
        if open_request(ReturnRequest, locked) is not None:
            raise WorkflowError(_("这条建议已有待审批的退回申请。"))
        reason = _text(reason, _("请填写退回理由。"), "reason")
        if suggested_department is not None and suggested_department.pk == user.department_id:
            raise WorkflowError(_("建议改由的部门不能是本部门。"), field="suggested_department")
        request = ReturnRequest.objects.create(
            recommendation=locked,
            department_id=user.department_id,
            requested_by=user,
            reason=reason,
            suggested_department=suggested_department,
        )
        _touch(locked, None)
        events.emit(
            events.RETURN_REQUESTED,
            locked.pk,
            user.pk,
            reason=reason,
            suggested_department_id=suggested_department.pk if suggested_department else None,
            department_id=user.department_id,
        )
    _refresh(rec, locked)
    return request


class ReturnOutcome:
    TRIAGE = "triage"  # back to 待研判
    SUGGESTED = "suggested"  # straight to the department the request suggested
    REJECT = "reject"


def can_decide(user, rec, model) -> bool:
    return is_staff(user) and open_request(model, rec) is not None


def decide_return(rec, user, *, outcome, note="", expected_version=None) -> ReturnRequest:
    _require(is_staff(user), _("只有研判员可以审批退回申请。"))
    with transaction.atomic():
        locked = _lock(rec)
        request = open_request(ReturnRequest, locked)
        if request is None:
            raise WorkflowError(_("没有待审批的退回申请。"))
        note = (note or "").strip()
        if outcome == ReturnOutcome.REJECT:
            note = _text(note, _("驳回退回申请必须填写说明。"), "note")
            _touch(locked, expected_version)
            decision = Decision.REJECTED
        elif outcome == ReturnOutcome.TRIAGE:
            _write(
                locked,
                expected_version,
                status=S.NEW,
                status_note=note or _("退回申请已同意,退回待研判。"),
                lead_department=None,
                deadline=None,
                assigned_at=None,
            )
            _sync_co_departments(locked, set())
            decision = Decision.APPROVED
        elif outcome == ReturnOutcome.SUGGESTED:
            target = request.suggested_department
            if target is None:
                raise WorkflowError(_("申请未建议改由的部门,请选择退回待研判。"), field="outcome")
            today = _today()
            _write(
                locked,
                expected_version,
                status=S.ASSIGNED,
                status_note=note,
                lead_department=target,
                deadline=_rules().default_deadline(today),
                assigned_at=timezone.now(),
            )
            _sync_co_departments(locked, co_department_ids(locked) - {target.pk})
            decision = Decision.APPROVED
        else:
            raise WorkflowError(_("请选择审批结果。"), field="outcome")
        ReturnRequest.objects.filter(pk=request.pk).update(
            decision=decision, decided_by=user, decided_at=timezone.now(), decision_note=note
        )
        request.refresh_from_db()
        events.emit(
            events.RETURN_DECIDED,
            locked.pk,
            user.pk,
            approved=decision == Decision.APPROVED,
            note=note,
            department_id=request.department_id,
        )
        if outcome == ReturnOutcome.SUGGESTED:
            events.emit(
                events.ASSIGNED,
                locked.pk,
                user.pk,
                lead_department_id=locked.lead_department_id,
                co_department_ids=sorted(co_department_ids(locked) - {locked.lead_department_id}),
                deadline=locked.deadline.isoformat(),
            )
    _refresh(rec, locked)
    return request


# 申请延期 (extension request)


def extension_cap(rec) -> datetime.date | None:
    start = assigned_on(rec)
    return _rules().extension_cap(start) if start else None


def can_request_extension(user, rec) -> bool:
    return (
        is_lead_handler(user, rec)
        and rec.status in Recommendation.HANDLING_STATUSES
        and rec.deadline is not None
        and _today() <= rec.deadline
        and open_request(ExtensionRequest, rec) is None
    )


def _check_extension(rec, requested) -> None:
    if requested is None:
        raise WorkflowError(_("请填写申请延至的日期。"), field="requested_deadline")
    if requested <= rec.deadline:
        raise WorkflowError(
            _("申请延至的日期必须晚于现在的办理期限 %(d)s。") % {"d": rec.deadline.isoformat()},
            field="requested_deadline",
        )
    cap = extension_cap(rec)
    if cap is not None and requested > cap:
        raise WorkflowError(
            _("延期后的期限不能晚于 %(cap)s(交办后最长 %(n)s 个月)。")
            % {"cap": cap.isoformat(), "n": _rules().extension_cap_months},
            field="requested_deadline",
        )


def request_extension(rec, user, *, requested_deadline, reason) -> ExtensionRequest:
    with transaction.atomic():
        locked = _lock(rec)
        _require(is_lead_handler(user, locked), _("只有主办部门的承办人可以申请延期。"))
        if locked.status not in Recommendation.HANDLING_STATUSES or locked.deadline is None:
            raise WorkflowError(_("这条建议当前不能申请延期。"))
        if _today() > locked.deadline:
            raise WorkflowError(_("已超过办理期限,不能再申请延期。"))
        if open_request(ExtensionRequest, locked) is not None:
            raise WorkflowError(_("这条建议已有待审批的延期申请。"))
        _check_extension(locked, requested_deadline)
        reason = _text(reason, _("请填写延期理由。"), "reason")
        request = ExtensionRequest.objects.create(
            recommendation=locked,
            department_id=user.department_id,
            requested_by=user,
            old_deadline=locked.deadline,
            requested_deadline=requested_deadline,
            reason=reason,
        )
        _touch(locked, None)
        events.emit(
            events.EXTENSION_REQUESTED,
            locked.pk,
            user.pk,
            requested_deadline=requested_deadline.isoformat(),
            reason=reason,
            department_id=user.department_id,
        )
    _refresh(rec, locked)
    return request


def decide_extension(rec, user, *, approve: bool, note="", expected_version=None):
    _require(is_staff(user), _("只有研判员可以审批延期申请。"))
    with transaction.atomic():
        locked = _lock(rec)
        request = open_request(ExtensionRequest, locked)
        if request is None:
            raise WorkflowError(_("没有待审批的延期申请。"))
        note = (note or "").strip()
        if approve:
            _check_extension(locked, request.requested_deadline)
            _write(locked, expected_version, deadline=request.requested_deadline)
        else:
            note = _text(note, _("驳回延期申请必须填写说明。"), "note")
            _touch(locked, expected_version)
        ExtensionRequest.objects.filter(pk=request.pk).update(
            decision=Decision.APPROVED if approve else Decision.REJECTED,
            decided_by=user,
            decided_at=timezone.now(),
            decision_note=note,
        )
        request.refresh_from_db()
        events.emit(
            events.EXTENSION_DECIDED,
            locked.pk,
            user.pk,
            approved=approve,
            note=note,
            deadline=locked.deadline.isoformat(),
            department_id=request.department_id,
        )
    _refresh(rec, locked)
    return request


# 协办意见 (co-department opinion)


def can_write_opinion(user, rec) -> bool:
    return is_co_handler(user, rec) and rec.status in Recommendation.HANDLING_STATUSES


def save_opinion(rec, user, body) -> CoOpinion:
    """Write or revise the department's opinion; editable until the lead department answers."""
    with transaction.atomic():
        locked = _lock(rec)
        _require(is_co_handler(user, locked), _("只有协办部门的承办人可以填写协办意见。"))
        if locked.status not in Recommendation.HANDLING_STATUSES:
            raise WorkflowError(_("主办部门已答复,协办意见不能再修改。"))
        body = _text(body, _("请填写协办意见。"), "body")
        opinion, created = CoOpinion.objects.get_or_create(
            recommendation=locked,
            department_id=user.department_id,
            defaults={"author": user, "body": body, "answer_round": locked.answer_round},
        )
        if not created:
            CoOpinion.objects.filter(pk=opinion.pk).update(
                author=user, body=body, answer_round=locked.answer_round, updated_at=timezone.now()
            )
            opinion.refresh_from_db()
        _touch(locked, None)
        events.emit(events.CO_OPINION, locked.pk, user.pk, department_id=user.department_id)
    _refresh(rec, locked)
    return opinion


def missing_opinions(rec) -> list:
    """Co-departments that have not given their opinion, in department order."""
    given = set(CoOpinion.objects.filter(recommendation=rec).values_list("department", flat=True))
    missing = co_department_ids(rec) - given
    return list(Department.objects.filter(pk__in=missing)) if missing else []


# 答复 and 审核 (answer and review)


def can_answer(user, rec) -> bool:
    return is_lead_handler(user, rec) and rec.status == S.IN_PROGRESS


def submit_answer(
    rec,
    user,
    *,
    answer_category,
    reply,
    promised_on=None,
    letter=None,
    confirm_missing=False,
    expected_version=None,
) -> Answer:
    """The lead department's answer, kept as a new version and sent to staff for review."""
    with transaction.atomic():
        locked = _lock(rec)
        _require(is_lead_handler(user, locked), _("只有主办部门的承办人可以答复。"))
        if locked.status == S.ASSIGNED:
            raise WorkflowError(_("请先签收,再答复。"))
        if locked.status != S.IN_PROGRESS:
            raise WorkflowError(_("这条建议当前不能提交答复。"))
        if answer_category not in Recommendation.AnswerCategory.values:
            raise WorkflowError(_("请选择答复类别。"), field="answer_category")
        reply = _text(reply, _("请填写答复内容。"), "reply")
        if answer_category == Recommendation.AnswerCategory.B:
            if promised_on is None:
                raise WorkflowError(
                    _("B 类答复(正在解决或列入计划)必须填写承诺完成日期。"), field="promised_on"
                )
            if promised_on < _today():
                raise WorkflowError(_("承诺完成日期不能早于今天。"), field="promised_on")
        else:
            promised_on = None
        missing = missing_opinions(locked)
        if missing and not confirm_missing:
            raise WorkflowError(
                _("%(names)s尚未提交协办意见。如确认不等其意见即答复,请勾选确认。")
                % {"names": "、".join(d.name for d in missing)},
                field="confirm_missing",
            )
        answer = Answer(
            recommendation=locked,
            number=locked.answers.count() + 1,
            answer_round=locked.answer_round,
            department_id=user.department_id,
            answer_category=answer_category,
            reply=reply,
            promised_on=promised_on,
            missing_opinions="、".join(d.name for d in missing),
            submitted_by=user,
        )
        if letter is not None:
            answer.letter_name = letter.name[:255]
            answer.letter.save(letter.name, letter, save=False)
        answer.save()
        _write(
            locked,
            expected_version,
            status=S.REVIEW,
            status_note="",
            answer_category=answer_category,
            reply=reply,
            promised_on=promised_on,
        )
        events.emit(
            events.ANSWER_SUBMITTED, locked.pk, user.pk, department_id=locked.lead_department_id
        )
    _refresh(rec, locked)
    return answer


def pending_answer(rec) -> Answer | None:
    return rec.answers.filter(review=Answer.Review.PENDING).first()


def can_review(user, rec) -> bool:
    return is_staff(user) and rec.status == S.REVIEW


def review_answer(rec, user, *, approve: bool, note="", expected_version=None) -> Answer:
    """Staff approve the answer (→ 已办结) or return it with a note (→ 办理中)."""
    _require(is_staff(user), _("只有研判员可以审核答复。"))
    with transaction.atomic():
        locked = _lock(rec)
        answer = pending_answer(locked)
        if locked.status != S.REVIEW or answer is None:
            raise WorkflowError(_("这条建议没有待审核的答复。"))
        note = (note or "").strip()
        if approve:
            _write(
                locked,
                expected_version,
                status=S.ANSWERED,
                status_note=note,
                answered_at=timezone.now(),
            )
        else:
            note = _text(note, _("退回修改必须填写审核意见。"), "note")
            _write(locked, expected_version, status=S.IN_PROGRESS, status_note=note)
        Answer.objects.filter(pk=answer.pk).update(
            review=Answer.Review.APPROVED if approve else Answer.Review.RETURNED,
            reviewed_by=user,
            reviewed_at=timezone.now(),
            review_note=note,
        )
        answer.refresh_from_db()
        kind = events.ANSWER_APPROVED if approve else events.ANSWER_RETURNED
        data = {"department_id": locked.lead_department_id}
        if not approve:
            data["note"] = note
        events.emit(kind, locked.pk, user.pk, **data)
    _refresh(rec, locked)
    return answer


# 评价 (the author's verdict)


def is_author_of(user, rec) -> bool:
    """The user's account is linked to an author of the item's article. Read once per user
    object: the authors of the articles the user speaks for."""
    if not (user and user.is_authenticated):
        return False
    if not hasattr(user, "_authored_articles"):
        user._authored_articles = set(
            AuthorAccount.objects.filter(
                user=user, person__bylines__role=Byline.Role.AUTHOR
            ).values_list("person__bylines__article_id", flat=True)
        )
    return rec.article_id in user._authored_articles


def verdict_of_round(rec) -> Verdict | None:
    return rec.verdicts.filter(answer_round=rec.answer_round).first()


def can_give_verdict(user, rec) -> bool:
    return (
        rec.status == S.ANSWERED
        and (is_staff(user) or is_author_of(user, rec))
        and verdict_of_round(rec) is None
    )


MAX_ROUNDS = 2


def record_verdict(rec, user, *, level, note="", expected_version=None) -> Verdict:
    """满意/基本满意/不满意; 不满意 after the first answer reopens the item for a second round."""
    with transaction.atomic():
        locked = _lock(rec)
        author = is_author_of(user, locked)
        _require(is_staff(user) or author, _("只有研判员或建议作者本人可以填写满意度评价。"))
        if locked.status != S.ANSWERED:
            raise WorkflowError(_("只有已办结的建议可以评价。"))
        if verdict_of_round(locked) is not None:
            raise WorkflowError(_("本轮答复已评价。"))
        if level not in Verdict.Level.values:
            raise WorkflowError(_("请选择满意度。"), field="level")
        note = (note or "").strip()
        if level == Verdict.Level.UNSATISFIED and not note:
            raise WorkflowError(_("不满意时请说明原因。"), field="note")
        verdict = Verdict.objects.create(
            recommendation=locked,
            answer_round=locked.answer_round,
            level=level,
            note=note,
            recorded_by=user,
            on_behalf=not author,
        )
        if level == Verdict.Level.UNSATISFIED and locked.answer_round < MAX_ROUNDS:
            _write(
                locked,
                expected_version,
                status=S.IN_PROGRESS,
                status_note=_("作者不满意,进入第二轮办理:%(note)s") % {"note": note},
                answer_round=locked.answer_round + 1,
                deadline=_rules().second_round_deadline(_today()),
                answered_at=None,
            )
        else:
            _touch(locked, expected_version)
        events.emit(
            events.VERDICT,
            locked.pk,
            user.pk,
            verdict=level,
            department_id=locked.lead_department_id,
        )
    _refresh(rec, locked)
    return verdict


# 跟踪 (follow-up of B answers)


def is_followed_up(rec) -> bool:
    return rec.status == S.ANSWERED and rec.answer_category == Recommendation.AnswerCategory.B


def can_report_progress(user, rec) -> bool:
    return is_lead_handler(user, rec) and is_followed_up(rec)


def report_progress(rec, user, body) -> ProgressReport:
    with transaction.atomic():
        locked = _lock(rec)
        _require(is_lead_handler(user, locked), _("只有主办部门的承办人可以填报进展。"))
        if not is_followed_up(locked):
            raise WorkflowError(_("只有已办结的 B 类答复需要跟踪进展。"))
        body = _text(body, _("请填写进展情况。"), "body")
        report = ProgressReport.objects.create(
            recommendation=locked, department_id=user.department_id, author=user, body=body
        )
        _touch(locked, None)
        events.emit(events.PROGRESS_REPORTED, locked.pk, user.pk, department_id=user.department_id)
    _refresh(rec, locked)
    return report


def can_finish_follow_up(user, rec) -> bool:
    return is_staff(user) and is_followed_up(rec)


def finish_follow_up(rec, user, *, note="", expected_version=None):
    """Staff move a followed-up B answer to A once the promise is kept."""
    _require(is_staff(user), _("只有研判员可以更改答复类别。"))
    with transaction.atomic():
        locked = _lock(rec)
        if not is_followed_up(locked):
            raise WorkflowError(_("只有已办结的 B 类答复可以改为 A 类。"))
        _write(
            locked,
            expected_version,
            answer_category=Recommendation.AnswerCategory.A,
            status_note=(note or "").strip() or _("跟踪办结,改为 A 类。"),
        )
        events.emit(
            events.FOLLOW_UP_DONE, locked.pk, user.pk, department_id=locked.lead_department_id
        )
    _refresh(rec, locked)


# 原文已移除 (an item a corrected re-import no longer prints, while in handling)
#
# The importer marks the item (in_source, kept in its history) and tells its department and
# staff; the item stays in the department's work and on staff's list until staff close it out
# here, or a later import prints it again. Closing out is staff's decision: the printed request
# is gone, so the department stops (→ 无需办理, with the reason; lead department and deadline stay
# on record). An answer awaiting review is reviewed first (approving it keeps the department's
# credit) and an open request is decided first, so that no step is left hanging.


def is_dropped_in_handling(rec) -> bool:
    return not rec.in_source and rec.status in (S.ASSIGNED, S.IN_PROGRESS, S.REVIEW)


def can_close_dropped(user, rec) -> bool:
    return is_staff(user) and not rec.in_source and rec.status in Recommendation.HANDLING_STATUSES


def close_dropped(rec, user, *, note, expected_version=None):
    """Staff close out an item dropped from its source: 不再办理 (→ 无需办理) with a note."""
    _require(is_staff(user), _("只有研判员可以决定已从原文移除的条目不再办理。"))
    with transaction.atomic():
        locked = _lock(rec)
        if locked.in_source:
            raise WorkflowError(_("这条建议仍在原文中,不能按“原文已移除”不再办理。"))
        if locked.status == S.REVIEW:
            raise WorkflowError(_("这条建议的答复正在等待审核,请先审核答复。"))
        if locked.status not in Recommendation.HANDLING_STATUSES:
            raise WorkflowError(_("这条建议不在办理中。"))
        if open_request(ReturnRequest, locked) or open_request(ExtensionRequest, locked):
            raise WorkflowError(_("这条建议有待审批的退回或延期申请,请先审批。"))
        note = _text(note, _("请说明不再办理的理由。"), "note")
        from_status = locked.status
        _write(
            locked,
            expected_version,
            status=S.NOT_ACTIONABLE,
            status_note=_("原文已移除,不再办理:%(note)s") % {"note": note},
        )
        events.emit(
            events.STATUS_CHANGED,
            locked.pk,
            user.pk,
            from_status=from_status,
            to_status=S.NOT_ACTIONABLE.value,
            department_id=locked.lead_department_id,
        )
    _refresh(rec, locked)


# --- bulk actions ----------------------------------------------------------------------------


@dataclass
class BulkResult:
    changed: int = 0
    refused: list = field(default_factory=list)  # (recommendation, reason)


# Items per transaction of a bulk action. One transaction over thousands of items slows down row
# by row (every savepoint scans the transaction's queue of deferred trigger events) until the
# request times out; chunks keep each transaction short and let other writers in between. A
# background bulk job (bulk/jobs.py) records its progress at the end of each chunk, inside the
# chunk's transaction, so what its page says is done is exactly what is committed.
BULK_CHUNK = 200


def _each_chunk(selection, apply, *related, result=None, progress=None):
    """apply(rec) for every item of `selection` (a queryset or ids), BULK_CHUNK items per
    transaction, each chunk's rows locked. The ids are read first (by primary key, because the
    caller's queryset may carry DISTINCT, which PostgreSQL refuses with FOR UPDATE). A chunk that
    fails rolls back alone and stops the run; the chunks before it stay done.

    `progress(result, processed)`, if given, is called at the end of each chunk inside its
    transaction, `processed` counting the ids of `selection` handled so far (an id deleted
    meanwhile counts as handled: there is nothing left to change)."""
    if hasattr(selection, "values_list"):
        selection = selection.values_list("pk", flat=True)
    ids = sorted(set(selection))
    for start in range(0, len(ids), BULK_CHUNK):
        part = ids[start : start + BULK_CHUNK]
        with transaction.atomic():
            chunk = (
                Recommendation.objects.filter(pk__in=part)
                .order_by("pk")
                .select_for_update(of=("self",))
                .select_related(*related)
            )
            for rec in chunk:
                apply(rec)
            if progress is not None:
                progress(result, start + len(part))


def _refusing(result, write):
    """apply() for _each_chunk: `write(rec)` in a savepoint; a refusal by the rules is
    reported on `result` with its reason, the other items go on."""

    def apply(rec):
        try:
            with transaction.atomic():
                write(rec)
        except WorkflowError as exc:
            result.refused.append((rec, str(exc)))
        else:
            result.changed += 1

    return apply


def bulk_assign(
    selection, *, user, lead_department, deadline, co_departments=(), progress=None
) -> BulkResult:
    """Assign every item the rules allow; report the rest (an answered item) with the reason."""
    if not can_triage(user):
        raise PermissionDenied(_("只有研判员可以交办建议。"))
    result = BulkResult()

    def write(rec):
        assign(
            rec,
            user,
            lead_department=lead_department,
            deadline=deadline,
            co_departments=co_departments,
        )

    _each_chunk(
        selection, _refusing(result, write), "lead_department", result=result, progress=progress
    )
    return result


# The statuses a bulk step may set: 已办结 needs each item's own answer category and reply.
BULK_STATUSES = tuple(value for value in S.values if value != S.ANSWERED)


def bulk_transition(selection, *, user, to_status, note="", progress=None) -> BulkResult:
    """Apply the step to every item it is allowed for; report the rest with the reason."""
    if to_status not in BULK_STATUSES:
        raise WorkflowError(_("“已办结”须逐条填写答复类别和答复内容,不能批量设置。"))
    result = BulkResult()

    def write(rec):
        transition(rec, user, to_status, note=note)

    _each_chunk(
        selection, _refusing(result, write), "lead_department", result=result, progress=progress
    )
    return result


def bulk_tag_result(selection, *, user, tags, remove=False, progress=None) -> BulkResult:
    """Add (or remove) `tags` on every item; `changed` counts the items whose tags changed."""
    if not can_triage(user):
        raise PermissionDenied(_("只有研判员可以设置标签。"))
    result = BulkResult()
    chosen = {t.pk for t in tags}

    def apply(rec):
        current = set(rec.tag_links.values_list("tag_id", flat=True))
        wanted = current - chosen if remove else current | chosen
        if wanted != current:
            set_tags(rec, user, [Tag(pk=pk) for pk in wanted])
            result.changed += 1

    _each_chunk(selection, apply, result=result, progress=progress)
    return result


def bulk_tag(selection, *, user, tags, remove=False) -> int:
    return bulk_tag_result(selection, user=user, tags=tags, remove=remove).changed
