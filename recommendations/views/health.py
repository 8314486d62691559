from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notifications import queue

# The queue figures are read at most once per this many seconds (per cache: per worker with
# the local cache, once for all hosts with the shared one). Load balancers and the benchmark
# call /healthz many times a second; counting the queue each time made the yardstick itself
# the dearest part of the check.
QUEUE_REPORT_SECONDS = 5
QUEUE_REPORT_KEY = "healthz:queue-report"


def _cached_report():
    try:
        return cache.get(QUEUE_REPORT_KEY)
    except Exception:  # an unreachable shared cache is no reason to fail the health check
        return None


def _store_report(jobs) -> None:
    try:
        cache.set(QUEUE_REPORT_KEY, jobs, QUEUE_REPORT_SECONDS)
    except Exception:
        pass


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Load balancers ask this; 200 when the database answers, 503 when it does not.

    The job queue is reported (jobs waiting, the oldest one's age, live workers) but a busy queue
    or no worker on this host is no reason to take the web host out of service. The figures may
    be up to QUEUE_REPORT_SECONDS old; the database itself is asked on every call, by exactly one
    statement: the queue's report when it is due, `SELECT 1` otherwise.
    """
    try:
        jobs = _cached_report()
        if jobs is None:
            jobs = queue.report()
            _store_report(jobs)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "queue": jobs})
