"""Project middleware: Django's and pghistory's, made to survive a database outage.

Both read the signed-in user before the view runs; with a session cookie that is a query, and
during an outage its error became a 500 before `/healthz` could answer 503. A public view (the
health check, the login page) meets the outage itself instead.
"""

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequiredMiddleware
from django.db import DatabaseError
from pghistory.middleware import HistoryMiddleware as BaseHistoryMiddleware


class LoginRequiredMiddleware(BaseLoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None  # public: no need to know who is asking
        return super().process_view(request, view_func, view_args, view_kwargs)


class HistoryMiddleware(BaseHistoryMiddleware):
    def get_context(self, request):
        try:
            return super().get_context(request)
        except DatabaseError:
            # Nothing can be written without the database; the view answers for itself.
            return {"user": None, "url": request.path}
