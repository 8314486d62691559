"""The bulk job on the queue (procrastinate, see notifications/): the work is in jobs.py.

Its own queue, "bulk", so that a host can give large bulk actions a worker of their own
(`procrastinate worker --queues bulk`); a worker without --queues, as `make run` and `make serve`
start, takes it with everything else.
"""

from django.db import transaction
from procrastinate.contrib.django import app

from bulk import jobs


@app.task(name="bulk.run", queue="bulk")
def run_job(token: str) -> None:
    jobs.run(token)


def queue_run(job) -> None:
    token = str(job.pk)
    transaction.on_commit(lambda: run_job.defer(token=token))


@app.periodic(cron="29 3 * * *", periodic_id="bulk_cleanup")
@app.task(name="bulk.clean_old_jobs", queue="periodic", queueing_lock="bulk_cleanup")
def clean_old_jobs(timestamp: int) -> None:
    """Every night: finished bulk jobs untouched for a month go (their changes stay in history)."""
    jobs.clean_old_jobs()
