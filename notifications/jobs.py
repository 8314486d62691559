"""Queue a job inside the caller's transaction.

procrastinate's Django connector writes the job row through Django's own connection, so a job
queued while rows are being written exists exactly when those rows commit: an e-mail row never
lacks its sending job, and a rolled-back step queues nothing. The worker runs tasks with a
connector of its own (psycopg 3); deferring through it from inside a task would commit the job
apart from the task's transaction, so every defer goes through here instead.
"""

from procrastinate import jobs, manager
from procrastinate.contrib.django.django_connector import DjangoConnector

_through_django = manager.JobManager(DjangoConnector())


def defer(
    task, *, queueing_lock: str | None = None, queue: str | None = None, **task_kwargs
) -> int:
    """Queue `task` with `task_kwargs` (on `queue` instead of its own, if given); returns the
    job id."""
    options = {"queue": queue} if queue else {}
    job = task.configure(queueing_lock=queueing_lock, **options).job
    return jobs.JobDeferrer(job_manager=_through_django, job=job).defer(**task_kwargs)
