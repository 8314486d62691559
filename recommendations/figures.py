"""Aggregates (and rendered page bodies, pagecache.py) cached until the data they show changes.

Counting 100,000 recommendations per request is what makes a dashboard or a faceted list slow;
their figures only change when an item, a tag link or a co-department does. Every such change
writes a history row through the database triggers (even a bare QuerySet.update()), so the newest
history ids (new comments included, which item pages show) plus the newest update time form a
cheap "change stamp": one query over primary-key and updated_at indexes. Figures are cached
under a key that includes the stamp, so a change is visible on the very next request. Edits in
the admin (a renamed tag, department or person, a corrected article) are seen through the
admin's own log; the TTL is only a backstop for changes made elsewhere (a shell, a migration).
"""

import hashlib

from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection

from recommendations.models import (
    CoDepartmentEvent,
    CommentEvent,
    Recommendation,
    RecommendationEvent,
    RecommendationTagEvent,
)

TTL = 300  # seconds


def change_stamp() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT (SELECT MAX(pgh_id) FROM {RecommendationEvent._meta.db_table}),
                       (SELECT MAX(pgh_id) FROM {RecommendationTagEvent._meta.db_table}),
                       (SELECT MAX(pgh_id) FROM {CoDepartmentEvent._meta.db_table}),
                       (SELECT MAX(pgh_id) FROM {CommentEvent._meta.db_table}),
                       (SELECT MAX(updated_at) FROM {Recommendation._meta.db_table}),
                       (SELECT MAX(id) FROM {LogEntry._meta.db_table})"""
        )
        return cursor.fetchone()


def cached(name: str, parts, compute, stamp=None):
    """compute() once per (name, parts, change stamp); `stamp` lets a page that caches several
    figures read the stamp once."""
    stamp = change_stamp() if stamp is None else stamp
    digest = hashlib.sha256(repr((parts, stamp)).encode()).hexdigest()
    key = f"figures:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL)
    return value
