"""Read from a streaming replica, write to the primary (docs/deployment.md, section 3).

Not wired in by default. To use it, the settings add a second database and this router when
REPLICA_DATABASE_URL is set:

    DATABASES["replica"] = dj_database_url.parse(REPLICA_DATABASE_URL, conn_max_age=60,
                                                 conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "portal.db_router.ReplicaReadsMiddleware")

Rules: everything reads from the primary unless the middleware has opened a replica window for
the current request: a GET or HEAD, outside the admin, sign-in and health check, from a browser
that has not written in the last STICKY_SECONDS (read-your-writes: the page shown after a POST
must show the change, whatever the replica's lag). Even inside that window, sessions, users,
groups and sign-in records come from the primary, and so does any read inside a transaction
(the workflow's compare-and-set writes read and write in one transaction). Writes always go to
the primary.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
STICKY_SECONDS = 5
WROTE_COOKIE = "portal_wrote"
SAFE_METHODS = ("GET", "HEAD")
PRIMARY_PATHS = ("/admin/", "/accounts/", "/healthz")
# Apps whose rows decide who is signed in and what they may do: never read them stale.
PRIMARY_APPS = {"sessions", "auth", "axes", "contenttypes", "admin", "pghistory"}

_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if not (_use_replica.get() and replica_configured()):
            return PRIMARY
        if model._meta.app_label in PRIMARY_APPS or model._meta.label == settings.AUTH_USER_MODEL:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


def replica_allowed(request) -> bool:
    if request.method not in SAFE_METHODS or request.path.startswith(PRIMARY_PATHS):
        return False
    try:
        wrote_at = float(request.COOKIES.get(WROTE_COOKIE, "0"))
    except ValueError:
        wrote_at = 0.0
    return time.time() - wrote_at >= STICKY_SECONDS


class ReplicaReadsMiddleware:
    """Opens the replica window for safe requests and remembers a browser's writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _use_replica.set(replica_allowed(request))
        try:
            response = self.get_response(request)
        finally:
            _use_replica.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                WROTE_COOKIE,
                str(time.time()),
                max_age=STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
