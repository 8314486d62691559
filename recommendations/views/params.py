"""Shared list URLs carry only the parameters that say something.

The filter form is a GET form: without script every field is sent, so a shared link reads
`?q=&tag=&status=&…`. A request with empty parameters is sent on to the same address without
them (portal.js already leaves them out when it can).
"""

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpResponseRedirect


def drop_empty_params(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        pairs = [(k, v) for k, values in request.GET.lists() for v in values]
        kept = [(k, v) for k, v in pairs if v.strip()]
        if len(kept) < len(pairs):
            query = urlencode(kept)
            return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        return view(request, *args, **kwargs)

    return wrapper
