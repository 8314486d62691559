"""The job queue as the health check sees it: how much waits and for how long.

Jobs are procrastinate's rows in PostgreSQL. A busy queue is not a failure of this web host (the
workers may run elsewhere), so these figures are reported, never turned into an error status.
"""

from django.db import connection

# Counting is bounded so that a huge backlog cannot make the health check itself slow.
COUNT_LIMIT = 10_000

_REPORT = """
WITH due AS (
    SELECT id, scheduled_at FROM procrastinate_jobs
    WHERE status = 'todo' AND (scheduled_at IS NULL OR scheduled_at <= now())
), oldest AS (
    SELECT id, scheduled_at FROM due ORDER BY id LIMIT 1
)
SELECT
    (SELECT count(*) FROM (SELECT 1 FROM due LIMIT %(limit)s) AS capped),
    (SELECT extract(epoch FROM now() - greatest(
        oldest.scheduled_at,
        (SELECT min(at) FROM procrastinate_events
         WHERE job_id = oldest.id AND type = 'deferred')))
     FROM oldest),
    (SELECT count(*) FROM procrastinate_workers
     WHERE last_heartbeat > now() - interval '1 minute')
"""


def report() -> dict:
    """Jobs due and waiting (capped), the age in seconds of the oldest one, live workers."""
    with connection.cursor() as cursor:
        cursor.execute(_REPORT, {"limit": COUNT_LIMIT})
        waiting, oldest_seconds, workers = cursor.fetchone()
    return {
        "waiting": waiting,
        "waiting_capped": waiting >= COUNT_LIMIT,
        "oldest_waiting_seconds": (
            None if oldest_seconds is None else round(float(oldest_seconds), 1)
        ),
        "workers": workers,
    }
