"""Every bulk job, for administrators: who sent what, how far it got, and its page. Read-only:
a job changes items only through its worker (bulk/jobs.py)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bulk.models import BulkJob


@admin.register(BulkJob)
class BulkJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "created_by", "action", "summary", "state", "progress", "page"]
    list_filter = ["status", "action"]
    list_select_related = ["created_by"]
    show_full_result_count = False
    # The stored ids (thousands) are left out: the item changes are in each item's history.
    fields = [
        "created_by",
        "created_at",
        "finished_at",
        "action",
        "summary",
        "state",
        "progress",
        "changed",
        "refused_count",
        "error",
        "back_url",
        "page",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A queued job may be dropped (its worker then finds nothing: a cancel); a running one
        # is not pulled from under its worker, unless it has stalled.
        return obj is None or obj.status != BulkJob.Status.RUNNING or obj.stalled

    @admin.display(description=_("状态"), ordering="status")
    def state(self, job):
        return job.status_label

    @admin.display(description=_("进度"))
    def progress(self, job):
        return f"{job.processed} / {job.total}"

    @admin.display(description=_("进度页面"))
    def page(self, job):
        # Only its sender can open it (and continue it); the link is there for them.
        return format_html('<a href="{}">{}</a>', reverse("bulk_job", args=[job.pk]), _("打开"))
