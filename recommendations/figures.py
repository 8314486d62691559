"""Aggregates (and rendered page bodies, pagecache.py) cached until the data they show changes.

Each cached value names the scopes it depends on: an item's page its own item ("rec:<id>": the
row, its tags, co-departments, comments and so its history), the links between the items of its
article ("tree:<article>") and the article itself ("meta:<article>": title, bylines, page text);
a list or a dashboard the tables it counts over ("t:rec", "t:tag_link", …). The database keeps a
version per scope, moved by triggers when a write commits (migration 0008_cache_versions), so a
change made anywhere (a view, the admin, the importer, a bare QuerySet.update()) discards exactly
what depends on it, in every worker and on every host, and nothing else.

A new table whose rows a cached page shows needs such triggers too (a migration like 0007's,
naming the scopes its rows change); without them its changes wait for the TTL.

The key of a value holds the versions read BEFORE its data: a value is never cached under a
version newer than what it shows. A transaction that has itself written (inside an atomic block)
reads its own pending notes too and keys what it computes to itself, so it never hands a value
built on uncommitted rows to anybody else.

Concurrent misses of one key compute once: the first takes a lock with cache.add(); the others
wait for its value (briefly: after WAIT_SECONDS they compute it themselves rather than fail).
With the host's cache (portal/hostcache.py, production without Redis) the lock holds across the
host's workers; with the shared Redis cache across hosts too; with a per-process LocMem
(development) among a process's threads. At most COMPUTE_SLOTS values are computed at once per
process: the other threads of a worker wait (asleep, holding no CPU) so that cached pages and
/healthz keep being served while a burst of cold searches runs.
"""

import hashlib
import threading
import time

from django.core.cache import cache
from django.db import connections, router

from recommendations.models import Recommendation

TTL = 900  # seconds; a backstop only: every tracked write moves the versions
LOCK_SECONDS = 30
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02
# One per worker process: a cold computation is CPU work, in Python (which holds the GIL) and
# in PostgreSQL; with 2 workers on 2 cores a second one per worker only queued at the CPU and
# took the cores from cached pages and /healthz (measured, bench/RESULTS.md: /healthz p95
# during 8 cold searches fell from 190–275 ms to 72–99 ms on a loaded machine).
COMPUTE_SLOTS = 1
_computing = threading.BoundedSemaphore(COMPUTE_SLOTS)

# What every list-like figure (the list, its facets, the dashboard's counts) reads.
LIST_SCOPES = ("t:rec", "t:tag_link", "t:codept", "t:meta", "t:names", "t:labels", "t:search")
# The dashboard's body also lists the latest comments; its counts do not read comments.
DASHBOARD_SCOPES = (*LIST_SCOPES, "t:comment")


# The scopes of a page about one row, each a constant or a prefix and a column of that row
# (versions_and_row() builds them in SQL, item_scopes() and article_scopes() in Python).
ITEM_SCOPES = ("rec:{id}", "tree:{article_id}", "meta:{article_id}", "t:names", "t:labels")
ARTICLE_SCOPES = ("art:{id}", "tree:{id}", "meta:{id}", "t:names")


def item_scopes(rec_id: int, article_id: int) -> tuple[str, ...]:
    return tuple(s.format(id=rec_id, article_id=article_id) for s in ITEM_SCOPES)


def article_scopes(article_id: int) -> tuple[str, ...]:
    return tuple(s.format(id=article_id) for s in ARTICLE_SCOPES)


_VERSION_COLUMNS = """COALESCE(v.version, 0),
    (SELECT count(*) FROM recommendations_pendingversion p
     WHERE p.xact = pg_current_xact_id_if_assigned() AND s.scope = ANY(p.scopes)),
    pg_current_xact_id_if_assigned()::text"""


def versions(scopes) -> tuple:
    """The versions of `scopes` in one query, read where the page's data will be read."""
    scopes = sorted(set(scopes))
    using = router.db_for_read(Recommendation)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"""SELECT s.scope, {_VERSION_COLUMNS}
               FROM unnest(%s::text[]) AS s(scope)
               LEFT JOIN recommendations_cacheversion v ON v.scope = s.scope""",
            [scopes],
        )
        return _stamp(cursor.fetchall())


def _stamp(rows) -> tuple:
    rows = sorted(rows, key=lambda row: row[0])
    own = [row for row in rows if row[2]]
    stamp = tuple((scope, version, pending) for scope, version, pending, _xact, *_ in rows)
    # Values built on this transaction's own uncommitted writes are keyed to the transaction.
    return (*stamp, ("xact", own[0][3])) if own else stamp


def versions_and_row(model, pk, fields, scopes) -> tuple[tuple, object | None]:
    """The row of `model` with primary key `pk` (only `fields`, the rest deferred) and the
    versions of the page about it, in one statement: a page served from the cache needs both,
    and one round trip to PostgreSQL is a good part of its time. `scopes` are templates like
    ITEM_SCOPES, whose columns come from the row. One statement also reads both in one
    snapshot, so the versions are never newer than the row (see pagecache.py). (stamp, None)
    when there is no such row."""
    meta = model._meta
    using = router.db_for_read(model)
    quote = connections[using].ops.quote_name
    columns = [meta.pk.attname, *(meta.get_field(f).attname for f in fields if f != "pk")]
    columns = list(dict.fromkeys(columns))
    parts, params = [], []
    for template in scopes:
        prefix, _, rest = template.partition("{")
        if rest:
            column = meta.get_field(rest.rstrip("}")).attname
            if column not in columns:
                columns.append(column)
            parts.append(f"%s || r.{quote(column)}")
        else:
            parts.append("%s")
        params.append(prefix)
    # Model.from_db() takes the values in the model's field order.
    order = [f.attname for f in meta.concrete_fields]
    columns.sort(key=order.index)
    select = ", ".join(f"r.{quote(c)}" for c in columns)
    sql = f"""WITH r AS (
            SELECT {", ".join(quote(c) for c in columns)} FROM {quote(meta.db_table)}
            WHERE {quote(meta.pk.column)} = %s)
        SELECT s.scope, {_VERSION_COLUMNS}, {select}
        FROM r CROSS JOIN LATERAL (SELECT DISTINCT unnest(ARRAY[{", ".join(parts)}]::text[]))
            AS s(scope)
        LEFT JOIN recommendations_cacheversion v ON v.scope = s.scope"""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [pk, *params])
        rows = cursor.fetchall()
    if not rows:
        return (), None
    return _stamp(rows), model.from_db(using, columns, rows[0][4:])


def narrow(stamp: tuple, scopes) -> tuple:
    """The part of a page's `stamp` that `scopes` have: a figure that reads fewer tables than the
    page around it is keyed to those only (the dashboard's counts survive a comment, which its
    body shows), from the versions the page read once, before its data. The same as
    versions(scopes) would have been at that moment."""
    wanted = set(scopes)
    rows = tuple(row for row in stamp if row[0] in wanted)
    own = [row for row in stamp if row[0] == "xact"]
    if own and any(pending for _scope, _version, pending in rows):
        return (*rows, own[0])
    return rows


def _key(name: str, parts, stamp) -> str:
    digest = hashlib.sha256(repr((parts, stamp)).encode()).hexdigest()
    return f"figures:{name}:{digest}"


def cached(name: str, parts, compute, *, scopes=None, stamp=None):
    """compute() once per (name, parts, versions of `scopes`); a page that caches several
    figures reads the versions once and passes them as `stamp`."""
    stamp = versions(scopes) if stamp is None else stamp
    key = _key(name, parts, stamp)
    found = cache.get(key)
    if found is not None:
        return found[0]
    lock = f"{key}:lock"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            value = _compute(compute)
            cache.set(key, (value,), TTL)
        finally:
            cache.delete(lock)
        return value
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = cache.get(key)
        if found is not None:
            return found[0]
        if cache.get(lock) is None:  # the other computation failed: take over
            break
    value = _compute(compute)
    cache.set(key, (value,), TTL)
    return value


_held = threading.local()


def _compute(compute):
    # A page body computes its figures inside: only the outermost computation takes a slot.
    if getattr(_held, "slot", False):
        return compute()
    with _computing:
        _held.slot = True
        try:
            return compute()
        finally:
            _held.slot = False
