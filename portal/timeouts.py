"""A time limit for the SQL of read requests, and a clear page when it is reached.

One heavy read (a search for a very common word with nothing cached, a deep page of an
unusual filter) must not hold a worker and the database for minutes: every statement of a GET
or HEAD request is cut off after READ_STATEMENT_TIMEOUT_MS, and the viewer gets a page in
Chinese that says so (503, "try a narrower query") instead of an endless wait. Writes (POST) are
not limited: a bulk action or an import is made of many short statements, and cutting one off
would only make the user do it again.

The limit is a session setting of the database connection, changed only when a request of the
other kind arrives on it (connections are kept between requests), so a page costs no extra query.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import OperationalError, connections
from django.db.backends.signals import connection_created
from django.shortcuts import render

SAFE_METHODS = ("GET", "HEAD")
# The limit of the request being served, for connections opened while it runs.
_limit: ContextVar[int | None] = ContextVar("statement_limit", default=None)


def _apply(wrapper, limit_ms: int) -> None:
    raw = wrapper.connection
    if raw is None or getattr(wrapper, "_portal_statement_timeout", None) == (id(raw), limit_ms):
        return
    try:
        # The driver's own cursor: a session setting, not one of the page's queries. SET takes
        # no bound parameter; the value is an int.
        with raw.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(limit_ms)}")
    except wrapper.Database.Error:
        return  # the request's own first query will meet (and report) the broken connection
    wrapper._portal_statement_timeout = (id(raw), limit_ms)


def _on_connect(sender, connection, **kwargs):
    limit = _limit.get()
    if limit is not None:
        _apply(connection, limit)


connection_created.connect(_on_connect, dispatch_uid="portal.timeouts")


QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout


def is_timeout(exc: BaseException) -> bool:
    cause = exc.__cause__
    # psycopg 3 names it sqlstate, psycopg2 pgcode; Django may use either driver.
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return isinstance(exc, OperationalError) and code == QUERY_CANCELED


class ReadTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.READ_STATEMENT_TIMEOUT_MS if request.method in SAFE_METHODS else 0
        token = _limit.set(limit)
        try:
            # Open connections now; one opened later gets the limit from _on_connect.
            for alias in settings.DATABASES:
                _apply(connections[alias], limit)
            return self.get_response(request)
        finally:
            _limit.reset(token)

    def process_exception(self, request, exception):
        if not is_timeout(exception):
            return None
        seconds = settings.READ_STATEMENT_TIMEOUT_MS / 1000
        return render(request, "timeout.html", {"seconds": f"{seconds:g}"}, status=503)
