"""The admin's "import pages": upload, preview, confirm or cancel, follow the job.

1. The upload stores the files in an ImportBatch (imports app) and queues its parsing; nothing
   of the catalogue is written.
2. The batch's page (its URL holds the batch's token, so a refresh shows it again) shows what
   each file would store, the repairs and doubts beside the source text, and for a page
   already stored the difference from it, with the items in handling marked.
3. Confirm queues the import job (all or nothing by default, or file by file); cancel deletes
   the batch, leaving no trace. The page follows the job's progress and shows every file's
   outcome.
4. A batch whose worker died (no progress for imports.models.STALE_AFTER) shows as 已中断,
   with 重试 (run the step again) or 放弃 (delete it).
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from imports import jobs, preview, tasks
from imports.models import ImportBatch, ImportFile
from recommendations import pagecheck
from recommendations.models import Edition
from recommendations.newspaper import PageError


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class ImportPagesForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("版面文本文件"),
        widget=MultipleFileInput(attrs={"accept": ".txt,text/plain"}),
        help_text=gettext_lazy("从报纸版面提取的文本(UTF-8 或 GB18030),可一次选择多个文件。"),
    )
    published_on = forms.DateField(
        label=gettext_lazy("出版日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ConfirmForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("多个文件时"),
        choices=ImportBatch.Mode.choices,
        initial=ImportBatch.Mode.ALL_OR_NOTHING,
        required=False,  # all or nothing unless asked otherwise
        widget=forms.RadioSelect,
    )

    def clean_mode(self):
        return self.cleaned_data["mode"] or ImportBatch.Mode.ALL_OR_NOTHING


def _may_import(request):
    if not request.user.has_perm("recommendations.add_edition"):
        raise PermissionDenied


def _batch_for(request, token) -> ImportBatch:
    """The signed-in admin's own batch, or 404."""
    _may_import(request)
    return get_object_or_404(ImportBatch, pk=token, created_by=request.user)


def _batch_url(batch) -> str:
    return reverse("admin:recommendations_edition_import_batch", args=[batch.pk])


@staff_member_required
def import_pages(request, admin_site):
    _may_import(request)
    form = ImportPagesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                created_by=request.user,
                published_on=form.cleaned_data["published_on"],
                progress_total=len(form.cleaned_data["files"]),
            )
            ImportFile.objects.bulk_create(
                [_stored(batch, n, upload) for n, upload in enumerate(form.cleaned_data["files"])]
            )
            tasks.queue_prepare(batch)
        return redirect(_batch_url(batch))
    context = {
        **admin_site.each_context(request),
        "title": _("导入版面"),
        "form": form,
        "opts": Edition._meta,
        "max_size": pagecheck.size_text(pagecheck.max_page_bytes()),
    }
    return render(request, "admin/recommendations/import_pages.html", context)


def _stored(batch, position, upload) -> ImportFile:
    """The upload as a row; a file above the size limit is refused here and not kept."""
    row = ImportFile(batch=batch, position=position, name=upload.name[:255], size=upload.size)
    try:
        pagecheck.check_size(upload.size, upload.name)
    except PageError as error:
        row.refusal = pagecheck.message_of(error)
    else:
        row.data = upload.read()
    return row


@staff_member_required
def import_batch(request, admin_site, token):
    batch = _batch_for(request, token)
    uploads = list(batch.files.defer("data"))
    for upload in uploads:
        upload.reason = jobs.reason(upload)
        upload.source = list(enumerate(upload.text.split("\n"), start=1)) if upload.text else []
        upload.changes = [
            {**change, "label": preview.CHANGES[change["change"]]}
            for change in upload.preview.get("changes") or []
        ]
    context = {
        **admin_site.each_context(request),
        "title": _("导入版面:预览与确认")
        if batch.status == ImportBatch.Status.READY
        else _("导入版面:%(status)s") % {"status": batch.status_label},
        "opts": Edition._meta,
        "batch": batch,
        "uploads": uploads,
        "form": ConfirmForm(initial={"mode": batch.mode}),
        "conflicts": [u for u in uploads if u.preview.get("status") == "conflict"],
        "writes": any(u.preview.get("writes") and not u.refusal for u in uploads),
    }
    return render(request, "admin/recommendations/import_batch.html", context)


@staff_member_required
@require_POST
def confirm_batch(request, admin_site, token):
    with transaction.atomic():
        batch = _batch_for(request, token)
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.READY:
            messages.error(request, _("这批文件已确认或仍在解析,不能再次确认。"))
            return redirect(_batch_url(batch))
        form = ConfirmForm(request.POST)
        form.is_valid()
        batch.mode = form.cleaned_data.get("mode") or ImportBatch.Mode.ALL_OR_NOTHING
        uploads = list(batch.files.defer("data"))
        confirmed = set(request.POST.getlist("replace"))
        for upload in uploads:
            upload.replace = str(upload.pk) in confirmed
            upload.save(update_fields=["replace"])
        reasons = jobs.blocked(uploads)
        if batch.mode == ImportBatch.Mode.ALL_OR_NOTHING and reasons:
            messages.error(
                request,
                _("整批导入时每个文件都必须能导入,未开始导入:%(reasons)s")
                % {"reasons": ";".join(reasons)},
            )
            batch.save(update_fields=["mode", "updated_at"])
            return redirect(_batch_url(batch))
        batch.status = ImportBatch.Status.QUEUED
        batch.progress_done = 0
        batch.save(update_fields=["mode", "status", "progress_done", "updated_at"])
        tasks.queue_apply(batch)
    return redirect(_batch_url(batch))


@staff_member_required
@require_POST
def cancel_batch(request, admin_site, token):
    batch = _batch_for(request, token)
    if batch.in_progress and batch.status != ImportBatch.Status.PREPARING:
        messages.error(request, _("导入已开始,不能取消;请等待它完成。"))
        return redirect(_batch_url(batch))
    was_done = batch.status == ImportBatch.Status.DONE
    batch.delete()
    if not was_done:
        messages.success(request, _("已取消这次导入,没有写入任何数据。"))
    return redirect("admin:recommendations_edition_import")


@staff_member_required
@require_POST
def retry_batch(request, admin_site, token):
    """Run an interrupted batch (ImportBatch.stalled: its worker is gone) again."""
    with transaction.atomic():
        batch = _batch_for(request, token)
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.stalled:
            messages.error(request, _("这批文件没有中断,不需要重试。"))
            return redirect(_batch_url(batch))
        jobs.retry(batch)
    messages.success(request, _("已重新开始。"))
    return redirect(_batch_url(batch))
