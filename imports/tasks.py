"""The import job on the queue (procrastinate, see notifications/): the work is in jobs.py."""

from django.db import transaction
from procrastinate.contrib.django import app

from imports import jobs


@app.task(name="imports.prepare")
def prepare_batch(token: str) -> None:
    jobs.prepare(token)


@app.task(name="imports.apply")
def apply_batch(token: str) -> None:
    jobs.apply(token)


def queue_prepare(batch) -> None:
    """Queue the parsing of an uploaded batch once the upload is committed."""
    token = str(batch.pk)
    transaction.on_commit(lambda: prepare_batch.defer(token=token))


def queue_apply(batch) -> None:
    token = str(batch.pk)
    transaction.on_commit(lambda: apply_batch.defer(token=token))


@app.periodic(cron="17 3 * * *", periodic_id="import_cleanup")
@app.task(name="imports.clean_old_batches", queue="periodic", queueing_lock="import_cleanup")
def clean_old_batches(timestamp: int) -> None:
    """Every night: the import batches untouched for a week go (jobs.clean_old_batches)."""
    jobs.clean_old_batches()
