"""The page of a bulk job: its status, n of N, the refused items, a way back to the list.

It works without JavaScript: while the job runs the page reloads itself every few seconds
(meta refresh) and offers a reload link. Only the user who sent the bulk form sees it.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from bulk import jobs
from bulk.models import BulkJob
from notifications import queue
from recommendations import workflow

# Seconds between the page's reloads while its job runs.
REFRESH_SECONDS = 2
# The refused items the page names (the job keeps up to jobs.REFUSALS_KEPT).
REFUSALS_SHOWN = 50


def _job_for(request, token) -> BulkJob:
    if not workflow.is_staff(request.user):
        raise Http404
    return get_object_or_404(BulkJob, pk=token, created_by=request.user)


def job_url(job) -> str:
    return reverse("bulk_job", args=[job.pk])


def _back(request, job) -> str:
    """The list the job was sent from; checked again as a `next` is, though only the portal's
    own addresses are ever stored."""
    if job.back_url and url_has_allowed_host_and_scheme(
        job.back_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return job.back_url
    return reverse("recommendation_list")


@require_safe
def bulk_job(request, token):
    job = _job_for(request, token)
    # A queued job with no live worker anywhere waits for ever: say so, instead of a page that
    # keeps reloading at 0 %.
    no_worker = job.status == BulkJob.Status.QUEUED and queue.report()["workers"] == 0
    context = {
        "job": job,
        "refusals": job.refusals[:REFUSALS_SHOWN],
        "refusals_hidden": max(0, job.refused_count - min(len(job.refusals), REFUSALS_SHOWN)),
        "refresh": REFRESH_SECONDS if job.in_progress else None,
        "no_worker": no_worker,
        "back_url": _back(request, job),
        "is_admin_back": job.back_url.startswith(reverse("admin:index")),
    }
    return render(request, "bulk/job.html", context)


@require_POST
def bulk_job_continue(request, token):
    """Queue a failed or interrupted job again for the items it has not done."""
    job = _job_for(request, token)
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        if job.can_continue:
            jobs.resume(job)
            messages.success(
                request, _("已重新开始处理剩下的 %(n)d 条建议。") % {"n": job.remaining}
            )
    return redirect(job_url(job))


urlpatterns = [
    path("recommendations/bulk/<uuid:token>/", bulk_job, name="bulk_job"),
    path(
        "recommendations/bulk/<uuid:token>/continue/",
        bulk_job_continue,
        name="bulk_job_continue",
    ),
]
