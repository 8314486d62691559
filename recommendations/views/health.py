from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notifications import queue


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Load balancers ask this; 200 when the database answers, 503 when it does not.

    The job queue is reported (jobs waiting, the oldest one's age, live workers) but a busy queue
    or no worker on this host is no reason to take the web host out of service.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        jobs = queue.report()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "queue": jobs})
