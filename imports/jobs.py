"""The import job, in two runs of a worker (imports/tasks.py queues them):

- `prepare`: parse every uploaded file and record what importing it would do (the preview);
- `apply`, after the admin confirmed: import the files. An all-or-nothing batch is one
  transaction, so one refused file leaves the database as it was; a file-by-file batch stores
  each good file on its own.

Both record their progress on the batch row (committed as they go), which the admin's page
shows; both are plain functions of the batch's token, so a test or a shell can run them too.
"""

from __future__ import annotations

import logging

from django.db import transaction

from imports import preview
from imports.models import ImportBatch, ImportFile
from recommendations import importer, pagecheck
from recommendations.newspaper import PageError

log = logging.getLogger(__name__)

NOT_IN_BATCH = "{name}:未导入(同批有文件不能导入,整批未导入)"


def _step(batch: ImportBatch, stage: str, done: int | None = None) -> None:
    batch.stage = stage
    fields = ["stage", "updated_at"]
    if done is not None:
        batch.progress_done = done
        fields.append("progress_done")
    batch.save(update_fields=fields)


def _read(upload: ImportFile):
    """(parsed, text) of a stored upload, or None with its refusal recorded."""
    try:
        return importer.read_page(bytes(upload.data), upload.name)
    except PageError as error:
        upload.refusal = pagecheck.message_of(error)
    except Exception as error:  # a parser bug refuses this file, not the batch
        log.exception("parsing %s", upload.name)
        upload.refusal = f"{upload.name}:解析出错,未导入(程序错误 {type(error).__name__})"
    return None


def prepare(token) -> None:
    batch = ImportBatch.objects.filter(pk=token).first()
    if batch is None or batch.status != ImportBatch.Status.PREPARING:
        return  # cancelled, or already prepared (a job run twice)
    uploads = list(batch.files.all())
    batch.progress_total = len(uploads)
    try:
        for done, upload in enumerate(uploads):
            _step(batch, f"正在解析 {upload.name}(第 {done + 1}/{len(uploads)} 个)", done)
            if not upload.refusal:
                page = _read(upload)
                if page is not None:
                    parsed, text = page
                    upload.text = text
                    upload.preview = preview.build(parsed, text, importer.plan(parsed, text))
            upload.save(update_fields=["text", "preview", "refusal"])
    except Exception as error:
        if not ImportBatch.objects.filter(pk=token).exists():
            return  # cancelled while it was being parsed
        log.exception("preparing import batch %s", token)
        _fail(batch, f"解析时出错(程序错误 {type(error).__name__}),没有写入任何数据")
        raise
    batch.status = ImportBatch.Status.READY
    batch.progress_done = len(uploads)
    batch.stage = ""
    batch.save(update_fields=["status", "progress_done", "stage", "updated_at"])


def reason(upload: ImportFile) -> str:
    """Why this file cannot be imported as it stands ("" when it can): a refusal, or another
    page under a stored page's name that the admin has not confirmed replacing."""
    if upload.refusal:
        return upload.refusal
    if upload.preview.get("status") == importer.CONFLICT and not upload.replace:
        return f"{upload.name}:{upload.preview['outcome']}"
    return ""


def blocked(uploads) -> list[str]:
    """Why an all-or-nothing batch cannot be imported: every file's reason."""
    return [r for r in map(reason, uploads) if r]


def apply(token) -> None:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=token)
        if batch.status != ImportBatch.Status.QUEUED:
            return  # not confirmed, or already run
        batch.status = ImportBatch.Status.IMPORTING
        batch.save(update_fields=["status", "updated_at"])
    uploads = list(batch.files.all())
    batch.progress_total = 2 * len(uploads)  # parse, then write, each file
    try:
        _apply(batch, uploads)
    except Exception as error:
        log.exception("import batch %s", token)
        _fail(batch, f"导入时出错(程序错误 {type(error).__name__}),没有写入任何数据")
        raise
    batch.status = ImportBatch.Status.DONE
    batch.progress_done = batch.progress_total
    batch.stage = ""
    batch.save(update_fields=["status", "progress_done", "stage", "updated_at"])


def _apply(batch, uploads) -> None:
    pages = {}
    for done, upload in enumerate(uploads):
        _step(batch, f"正在解析 {upload.name}(第 {done + 1}/{len(uploads)} 个)", done)
        if not upload.refusal:
            page = _read(upload)
            if page is not None:
                pages[upload.pk] = page
    all_or_nothing = batch.mode == ImportBatch.Mode.ALL_OR_NOTHING
    if all_or_nothing and blocked(uploads):
        _not_imported(uploads)
        return
    start = len(uploads)
    if all_or_nothing:
        _step(batch, f"正在写入 {len(pages)} 个文件(整批一次写入)", start)
        try:
            with transaction.atomic():
                for upload in uploads:
                    _store(batch, upload, pages.get(upload.pk))
                if not all(u.imported for u in uploads):
                    raise _Rollback
        except _Rollback:
            _not_imported(uploads)
            return
        for upload in uploads:
            upload.save(update_fields=["imported", "result"])
        return
    for done, upload in enumerate(uploads):
        _step(batch, f"正在写入 {upload.name}(第 {done + 1}/{len(uploads)} 个)", start + done)
        _store(batch, upload, pages.get(upload.pk))
        upload.save(update_fields=["imported", "result"])


class _Rollback(Exception):
    pass


def _store(batch, upload, page) -> None:
    """Import one file in its own savepoint; its outcome goes on the upload row (unsaved)."""
    if page is None or reason(upload):
        upload.imported, upload.result = False, reason(upload)
        return
    parsed, text = page
    try:
        with transaction.atomic():
            result = importer.import_edition(
                parsed, text, published_on=batch.published_on, replace=upload.replace
            )
    except importer.ImportRefused as error:
        upload.imported, upload.result = False, str(error)
    except Exception as error:
        log.exception("importing %s", upload.name)
        upload.imported = False
        upload.result = f"{upload.name}:导入失败,未写入任何数据(程序错误 {type(error).__name__})"
    else:
        upload.imported, upload.result = True, result.summary()


def _not_imported(uploads) -> None:
    """Nothing of the batch is stored: each file says why, or that another file stopped it."""
    for upload in uploads:
        if reason(upload):
            upload.result = reason(upload)
        elif upload.imported is not False or not upload.result:
            upload.result = NOT_IN_BATCH.format(name=upload.name)
        upload.imported = False
        upload.save(update_fields=["imported", "result"])


def _fail(batch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED, error=message, stage=""
    )


def clean_old_batches(now=None) -> int:
    """Delete the batches ImportBatch.old() names, with their files; returns how many."""
    batches = ImportBatch.old(now)
    count = batches.count()
    batches.delete()
    return count


def retry(batch) -> None:
    """Run an interrupted batch again from the step it was in (the caller checked `stalled`):
    its parsing, or its import. An all-or-nothing import that was cut off wrote nothing; a
    file-by-file one meets the files it stored as already imported (importer identity)."""
    from imports import tasks

    if batch.status == ImportBatch.Status.PREPARING:
        batch.progress_done = 0
        batch.stage = ""
        batch.save(update_fields=["progress_done", "stage", "updated_at"])
        tasks.queue_prepare(batch)
        return
    batch.files.update(imported=None, result="")
    batch.status = ImportBatch.Status.QUEUED
    batch.progress_done = 0
    batch.stage = ""
    batch.save(update_fields=["status", "progress_done", "stage", "updated_at"])
    tasks.queue_apply(batch)
