"""Small, rarely changed tables (the calendar, the rules) kept in each process's memory.

Reading them is on every deadline computation, so they are loaded once per process and read
from memory afterwards, with no query. A change made through a model's save() or delete() (the
admin) or through the loaders calls `invalidate()`, which drops this process's copy and moves a
version token in the shared cache, so other processes sharing that cache (Redis) reload on
their next read. Processes that do not share a cache (LocMem in development, the workers of
another host without Redis) reload after `MAX_AGE` seconds at the latest.
"""

import time
import uuid

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "handling:localcache:version"
MAX_AGE = 300  # seconds

_state: dict = {"token": None, "loaded_at": 0.0, "values": {}}


def _token() -> str:
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        token = cache.get(VERSION_KEY)
    return token


def get(key, load):
    """The value for `key`, from `load()` when this process has no fresh copy."""
    token = _token()
    now = time.monotonic()
    if token != _state["token"] or now - _state["loaded_at"] > MAX_AGE:
        _state.update(token=token, loaded_at=now, values={})
    values = _state["values"]
    if key not in values:
        values[key] = load()
    return values[key]


def _drop() -> None:
    _state.update(token=None, values={})
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def invalidate() -> None:
    # Now, so this process reads its own change at once, and again after the commit, so that a
    # copy read inside the transaction (or from before it, in another process) is not kept.
    _drop()
    transaction.on_commit(_drop)
