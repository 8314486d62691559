"""Bulk actions run by a worker (bulk/tasks.py queues them), chunk by chunk.

The list page's bulk form and the admin's actions hand a selection above BULK_SYNC_MAX items to
`start`, which stores it in a BulkJob and queues `run`; the user is sent to the job's page
(bulk/views.py). `run` goes through the same workflow functions as a request (the rules and their
refusals live there), BULK_CHUNK items per transaction, recording its progress inside each
chunk's transaction. An error in a chunk rolls that chunk back and stops the job, which then says
how many items were done; 继续 runs the rest. Every change is in the history with the user who
sent the form, under one pghistory context, as the request's middleware would have set it.
"""

from __future__ import annotations

import datetime
import logging

import pghistory
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bulk.models import BulkJob
from recommendations import workflow
from recommendations.models import Department, Tag

log = logging.getLogger(__name__)


def sync_max() -> int:
    """Selections up to this size (settings.BULK_SYNC_MAX, 200: one chunk, a second or two)
    run in the request, which answers at once with its messages; larger ones become a job, so no
    request runs into the proxy's or gunicorn's timeout, however many items are chosen."""
    return settings.BULK_SYNC_MAX


# Refused items named one by one on the job's page (the count covers them all).
REFUSALS_KEPT = 200


class _Superseded(Exception):
    """This run's attempt is no longer the job's current one: stop, rolling back its chunk."""


def start(*, user, action, params, summary, ids, back_url, origin) -> BulkJob:
    """Store the selection and queue the job once the caller's transaction commits."""
    from bulk import tasks

    ids = sorted(set(ids))
    job = BulkJob.objects.create(
        created_by=user,
        action=action,
        params=params,
        summary=summary[:500],
        ids=ids,
        total=len(ids),
        back_url=back_url[:2000],
        origin=origin[:300],
    )
    tasks.queue_run(job)
    return job


# What each action stores (params) and says (summary), from the form's cleaned values.


def assign_spec(*, lead_department, deadline, co_departments=()) -> dict:
    summary = f"交办给{lead_department},办理期限 {deadline.isoformat()}"
    if co_departments:
        summary += ",协办部门:" + "、".join(str(d) for d in co_departments)
    params = {
        "lead_department": lead_department.pk,
        "deadline": deadline.isoformat(),
        "co_departments": [d.pk for d in co_departments],
    }
    return {"action": BulkJob.Action.ASSIGN, "params": params, "summary": summary}


def status_spec(*, to_status, note="") -> dict:
    from recommendations.models import Recommendation

    summary = f"改为“{Recommendation.Status(to_status).label}”"
    if note:
        summary += f",说明:{note}"
    return {
        "action": BulkJob.Action.STATUS,
        "params": {"status": to_status, "note": note},
        "summary": summary,
    }


def tag_spec(*, tags, remove=False) -> dict:
    names = "、".join(t.name for t in tags)
    return {
        "action": BulkJob.Action.UNTAG if remove else BulkJob.Action.TAG,
        "params": {"tags": [t.pk for t in tags]},
        "summary": ("移除标签:" if remove else "添加标签:") + names,
    }


def _bound(job: BulkJob):
    """The workflow function of the job's action, with its arguments read back from params."""
    p = job.params
    if job.action == BulkJob.Action.ASSIGN:
        lead = Department.objects.filter(pk=p["lead_department"]).first()
        if lead is None:
            raise workflow.WorkflowError("所选主办部门已被删除,没有继续交办。")
        co = list(Department.objects.filter(pk__in=p.get("co_departments", [])))
        deadline = datetime.date.fromisoformat(p["deadline"])
        return lambda ids, **kw: workflow.bulk_assign(
            ids, lead_department=lead, co_departments=co, deadline=deadline, **kw
        )
    if job.action == BulkJob.Action.STATUS:
        return lambda ids, **kw: workflow.bulk_transition(
            ids, to_status=p["status"], note=p.get("note", ""), **kw
        )
    tags = list(Tag.objects.filter(pk__in=p.get("tags", [])))
    if not tags:
        raise workflow.WorkflowError("所选标签已被删除,没有继续。")
    remove = job.action == BulkJob.Action.UNTAG
    return lambda ids, **kw: workflow.bulk_tag_result(ids, tags=tags, remove=remove, **kw)


def _label(rec) -> str:
    return f"{rec.place or rec.number} {rec.heading}"[:200]


def run(token) -> None:
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().filter(pk=token).first()
        if job is None or job.status != BulkJob.Status.QUEUED:
            return  # deleted, or already run (a queue job run twice)
        job.status = BulkJob.Status.RUNNING
        job.attempt += 1
        job.error = ""
        job.updated_at = timezone.now()
        job.save(update_fields=["status", "attempt", "error", "updated_at"])
    attempt = job.attempt
    # Continued after a failure: the chunks committed before it are not done again.
    remaining = job.ids[job.processed :]
    base = {"processed": job.processed, "changed": job.changed, "refused": job.refused_count}
    kept = list(job.refusals)
    seen = 0

    def progress(result, processed):
        # Inside the chunk's transaction: the chunk and its progress commit together.
        nonlocal seen
        for rec, reason in result.refused[seen:]:
            if len(kept) < REFUSALS_KEPT:
                kept.append({"id": rec.pk, "label": _label(rec), "reason": reason})
        seen = len(result.refused)
        updated = BulkJob.objects.filter(
            pk=job.pk, attempt=attempt, status=BulkJob.Status.RUNNING
        ).update(
            processed=base["processed"] + processed,
            changed=base["changed"] + result.changed,
            refused_count=base["refused"] + len(result.refused),
            refusals=kept,
            updated_at=timezone.now(),
        )
        if not updated:
            raise _Superseded

    user = job.created_by
    try:
        if not user.is_active:
            raise workflow.PermissionDenied("发起人的账号已停用,没有继续。")
        act = _bound(job)
        with pghistory.context(user=user.pk, url=job.origin, bulk_job=str(job.pk)):
            act(remaining, user=user, progress=progress)
    except _Superseded:
        return
    except workflow.WorkflowError as exc:
        # A rule refused the whole action (the user lost the right to it, a chosen department
        # or tag was deleted): nothing of the current chunk was written.
        _fail(job, attempt, f"{exc}{_so_far(job.pk)}")
        return
    except Exception as exc:
        log.exception("bulk job %s", token)
        _fail(job, attempt, _chunk_failed(job.pk, exc))
        raise
    BulkJob.objects.filter(pk=job.pk, attempt=attempt).update(
        status=BulkJob.Status.DONE, finished_at=timezone.now(), updated_at=timezone.now()
    )


def _so_far(pk) -> str:
    job = BulkJob.objects.get(pk=pk)
    return f"已处理 {job.processed} 条(其中 {job.changed} 条已更改),其余 {job.remaining} 条未处理。"


def _chunk_failed(pk, exc) -> str:
    job = BulkJob.objects.get(pk=pk)
    first = job.processed + 1
    last = min(job.total, job.processed + workflow.BULK_CHUNK)
    return (
        f"处理第 {first}–{last} 条时出错(程序或数据库错误,详情在后台处理进程的日志中),"
        f"这一批的修改已全部撤销,处理已停止。{_so_far(pk)}"
        "可以点“继续处理剩下的建议”重试;如果再次出错,请联系管理员。"
    )


def _fail(job, attempt, message: str) -> None:
    BulkJob.objects.filter(pk=job.pk, attempt=attempt).update(
        status=BulkJob.Status.FAILED,
        error=message,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def resume(job: BulkJob) -> None:
    """Queue a failed or interrupted job again for the items it has not done (the caller
    checked can_continue, under the row's lock)."""
    from bulk import tasks

    job.status = BulkJob.Status.QUEUED
    job.error = ""
    job.finished_at = None
    job.updated_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "updated_at"])
    tasks.queue_run(job)


def clean_old_jobs(now=None) -> int:
    jobs = BulkJob.old(now)
    count = jobs.count()
    jobs.delete()
    return count
