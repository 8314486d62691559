"""Build one benchmark database: `python -m bench.build SIZE OUT.json`.

Run by `python -m bench` in a process of its own, with DATABASE_URL pointing at a database it
created for this size (Django binds to one database per process). Steps:

1. migrate;
2. time the parser on the seed page (fixtures/haidian-ai-training-3.txt);
3. generate pages in memory and import them with the real parser and importer until the archive
   holds SIZE recommendations: the first MEASURE_PAGES pages one after another in this process
   (that is the importer throughput we report), the rest, if any, in IMPORT_WORKERS processes;
4. spread a year of handling over it (bench/activity.py) and ANALYZE;
5. choose the URLs to load (a tag, detail and article pages, an export filter of ~10,000 rows),
   count the SQL queries of each with django.test.Client, and create the signed-in session that
   wrk will send.

Everything measured goes to OUT.json for the orchestrator (bench/__main__.py).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import django

ROOT = Path(__file__).resolve().parent.parent
SEED_PAGE = ROOT / "fixtures" / "haidian-ai-training-3.txt"
MEASURE_PAGES = int(os.environ.get("BENCH_MEASURE_PAGES", "1000"))
IMPORT_WORKERS = int(os.environ.get("BENCH_IMPORT_WORKERS", str(min(2, os.cpu_count() or 1))))
EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "10000"))
SAMPLES = 200  # detail and article pages that wrk cycles through
# Of those, how many are fetched in-process to count queries.
QUERY_SAMPLES = int(os.environ.get("BENCH_QUERY_SAMPLES", "5"))
# Items assigned by one bulk action through the admin ("select all" over a filter), the issue's
# 5,000; fewer when the archive has fewer new items.
BULK_ITEMS = int(os.environ.get("BENCH_BULK_ITEMS", "5000"))


def log(message: str) -> None:
    print(f"[build] {message}", file=sys.stderr, flush=True)


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


# --- parsing and importing ---------------------------------------------------------------------


def time_seed_parse(runs: int = 20) -> dict:
    from recommendations.newspaper import parse_bytes

    data = SEED_PAGE.read_bytes()
    start = time.perf_counter()
    edition = parse_bytes(data, SEED_PAGE.name)
    cold = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        parse_bytes(data, SEED_PAGE.name)
        times.append(time.perf_counter() - start)
    return {
        "page": SEED_PAGE.name,
        "bytes": len(data),
        "recommendations": edition.node_count(),
        "cold_ms": round(cold * 1000, 1),
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(percentile(times, 95) * 1000, 2),
        "runs": runs,
    }


def _import_one(page, retries: int = 3):
    """Parse and store one page; returns (nodes, parse seconds, import seconds)."""
    from django.db import OperationalError

    from recommendations import importer
    from recommendations.newspaper import parse_bytes

    start = time.perf_counter()
    parsed = parse_bytes(page.data, page.name)
    parsed_at = time.perf_counter()
    for attempt in range(retries):
        try:
            result = importer.import_edition(parsed, page.text, published_on=page.published_on)
            break
        except OperationalError as e:  # two workers creating the same people: a deadlock
            if "deadlock" not in str(e) or attempt == retries - 1:
                raise
    done = time.perf_counter()
    if result.status != importer.CREATED:
        raise RuntimeError(f"{page.name}: expected a new page, got {result.status}")
    return result.recommendations, parsed_at - start, done - parsed_at


def _worker(numbers, queue):
    from django.db import connections

    from bench import generate

    connections.close_all()
    pages = nodes = 0
    parse_s = import_s = 0.0
    try:
        for number in numbers:
            n, p, i = _import_one(generate.page(number))
            pages += 1
            nodes += n
            parse_s += p
            import_s += i
        queue.put(("ok", pages, nodes, parse_s, import_s))
    except Exception as e:  # reported by the parent, which fails the build
        queue.put(("error", repr(e), 0, 0.0, 0.0))
    finally:
        connections.close_all()


def import_archive(size: int) -> dict:
    from django.db import connections

    from bench import generate
    from recommendations.search import tokens_for_document

    tokens_for_document("预热分词词典")  # load jieba before timing (and before forking)
    parse_times, import_times = [], []
    nodes = 0
    number = 0
    started = time.perf_counter()
    # Phase 1: one process, page after page, every page timed.
    while nodes < size and number < MEASURE_PAGES:
        n, p, i = _import_one(generate.page(number))
        nodes += n
        parse_times.append(p)
        import_times.append(i)
        number += 1
        if number % 200 == 0:
            log(f"{number} pages, {nodes} recommendations")
    measured_s = time.perf_counter() - started
    measured = {
        "pages": number,
        "recommendations": nodes,
        "seconds": round(measured_s, 2),
        "pages_per_s": round(number / measured_s, 2),
        "recommendations_per_s": round(nodes / measured_s, 1),
        "parse_ms_mean": round(statistics.mean(parse_times) * 1000, 2),
        "parse_ms_p95": round(percentile(parse_times, 95) * 1000, 2),
        "import_ms_mean": round(statistics.mean(import_times) * 1000, 2),
        "import_ms_p95": round(percentile(import_times, 95) * 1000, 2),
        "store_pages_per_s": round(number / sum(import_times), 2),
    }
    # Phase 2: the rest in parallel, stopping a little short; phase 3 tops up one by one.
    fill = {"pages": 0, "recommendations": 0, "seconds": 0.0, "workers": IMPORT_WORKERS}
    if nodes < size:
        per_page = nodes / number
        todo = max(0, int((size - nodes) / per_page) - IMPORT_WORKERS)
        numbers = list(range(number, number + todo))
        number += todo
        fill_started = time.perf_counter()
        if numbers:
            connections.close_all()
            ctx = multiprocessing.get_context("fork")
            queue = ctx.Queue()
            procs = [
                ctx.Process(target=_worker, args=(numbers[w::IMPORT_WORKERS], queue))
                for w in range(IMPORT_WORKERS)
            ]
            for proc in procs:
                proc.start()
            results = [queue.get() for _ in procs]
            for proc in procs:
                proc.join()
            for status, pages, n, _p, _i in results:
                if status != "ok":
                    raise RuntimeError(f"import worker failed: {pages}")
                fill["pages"] += pages
                fill["recommendations"] += n
                nodes += n
        while nodes < size:
            n, _p, _i = _import_one(generate.page(number))
            nodes += n
            number += 1
            fill["pages"] += 1
            fill["recommendations"] += n
        fill["seconds"] = round(time.perf_counter() - fill_started, 2)
        if fill["seconds"]:
            fill["pages_per_s"] = round(fill["pages"] / fill["seconds"], 2)
    total_s = time.perf_counter() - started
    return {
        "pages": number,
        "recommendations": nodes,
        "seconds": round(total_s, 2),
        "measured": measured,
        "parallel_fill": fill,
    }


# --- after the import --------------------------------------------------------------------------


def analyze() -> None:
    from django.db import connection

    from recommendations.models import ListCount

    # What the worker's periodic job does every five minutes (no worker runs during the build).
    ListCount.compact()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def archive_counts() -> dict:
    from django.db import connection

    tables = {
        "editions": "recommendations_edition",
        "articles": "recommendations_article",
        "recommendations": "recommendations_recommendation",
        "tag_links": "recommendations_recommendationtag",
        "co_departments": "recommendations_codepartment",
        "comments": "recommendations_comment",
        "people": "recommendations_person",
        "organizations": "recommendations_organization",
        "history_events": "recommendations_recommendationevent",
        "tag_events": "recommendations_recommendationtagevent",
        "comment_events": "recommendations_commentevent",
    }
    out = {}
    with connection.cursor() as cursor:
        for key, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            out[key] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        out["database_mb"] = round(cursor.fetchone()[0] / 2**20, 1)
    return out


def export_filter(target: int) -> dict:
    """The filter (status, tag, lead department or a pair) whose rows come closest to target."""
    from django.http import QueryDict

    from recommendations.filters import RecommendationFilter
    from recommendations.models import Department, Recommendation, Tag

    def count(params):
        q = QueryDict(mutable=True)
        q.update(params)
        return RecommendationFilter(q, queryset=Recommendation.objects.all()).qs.count()

    total = count({})
    if total <= target:
        return {"params": {}, "rows": total}
    candidates = [{"status": s} for s in Recommendation.Status.values]
    candidates += [{"tag": str(t)} for t in Tag.objects.values_list("pk", flat=True)]
    candidates += [
        {"lead_department": str(d)} for d in Department.objects.values_list("pk", flat=True)
    ]
    best = min(((abs(count(c) - target), c) for c in candidates), key=lambda x: x[0])
    if best[0] > target * 0.1:
        tags = Tag.objects.values_list("pk", flat=True)[:6]
        pairs = [{"status": s, "tag": str(t)} for s in Recommendation.Status.values for t in tags]
        best = min([best, *((abs(count(c) - target), c) for c in pairs)], key=lambda x: x[0])
    return {"params": best[1], "rows": count(best[1])}


def choose_urls() -> dict:
    """The pages under load; detail and article pages are drawn from the whole archive."""
    from urllib.parse import urlencode

    from django.db.models import Count

    from bench.vocabulary import COMMON_QUERY, RARE_QUERY
    from recommendations.models import Article, Recommendation, Tag

    rng = random.Random(7)
    tag = Tag.objects.annotate(n=Count("recommendation_links")).order_by("-n").first()
    item_ids = list(Recommendation.objects.filter(depth=2).values_list("pk", flat=True))
    article_ids = list(
        Article.objects.filter(kind=Article.Kind.REFLECTION).values_list("pk", flat=True)
    )
    export = export_filter(EXPORT_ROWS)
    details = [
        f"/recommendations/{pk}/" for pk in rng.sample(item_ids, min(SAMPLES, len(item_ids)))
    ]
    articles = [
        f"/articles/{pk}/" for pk in rng.sample(article_ids, min(SAMPLES, len(article_ids)))
    ]
    return {
        "healthz": ["/healthz"],
        "dashboard": ["/"],
        "list": ["/recommendations/"],
        "list_filtered": [f"/recommendations/?status=assigned&tag={tag.pk}"],
        "list_page_200": ["/recommendations/?page=200"],
        "search_common": ["/recommendations/?" + urlencode({"q": COMMON_QUERY})],
        "search_rare": ["/recommendations/?" + urlencode({"q": RARE_QUERY})],
        "detail": details,
        "article": articles,
        "export": ["/recommendations/export.csv?" + urlencode(export["params"])],
        "_export_rows": export["rows"],
        "_real_use": real_use_targets(rng, tag, item_ids, details, articles),
    }


def real_use_targets(rng, tag, item_ids, details, articles) -> dict:
    """What bench/real_use.py reads and writes: a pool of read URLs (hundreds of items and
    articles, dozens of searches, filter combinations, list pages) and the items it writes on."""
    from urllib.parse import urlencode

    from bench.vocabulary import OBJECTS
    from recommendations.models import Department, Recommendation, Tag

    searches = sorted({w for w in OBJECTS if len(w) >= 2})[:40]
    tags = list(Tag.objects.values_list("pk", flat=True)[:6])
    departments = list(Department.objects.values_list("pk", flat=True)[:6])
    statuses = [s for s, _label in Recommendation.Status.choices]
    filters = []
    for status in statuses:
        for t in tags[:4]:
            filters.append({"status": status, "tag": t})
        for d in departments[:4]:
            filters.append({"status": status, "department": d})
    reads = [*details, *articles]
    reads += ["/recommendations/?" + urlencode({"q": w}) for w in searches]
    reads += ["/recommendations/?" + urlencode(f) for f in filters]
    reads += [f"/recommendations/?page={n}" for n in range(1, 21)] + ["/"]
    article_items = {}
    for path in articles:
        pk = int(path.strip("/").split("/")[-1])
        first = Recommendation.objects.filter(article_id=pk, depth=2).order_by("order").first()
        article_items[path] = first.pk if first else item_ids[0]
    return {
        "mixed_reads": reads,
        "items": rng.sample(item_ids, min(400, len(item_ids))),
        "tag": tag.pk,
        "article_items": article_items,
    }


def bulk_target(avoid: set[int]) -> dict:
    """A bulk 交办 of BULK_ITEMS new items in one request, as an admin does it: the changelist
    filtered to an id range of new points, "select all", the action with its form. The items
    are ones no other part of the benchmark writes on (`avoid`), so the filter still matches
    them all when it runs, after the mixed load."""
    import datetime

    from recommendations.models import Department, Recommendation, User

    every = list(
        Recommendation.objects.filter(status="new", is_container=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = [pk for pk in every if pk not in avoid]
    # A tiny archive (the suite's) has hardly any item the mixed load leaves alone.
    chosen = ids[:BULK_ITEMS] if len(ids) >= BULK_ITEMS else every[:BULK_ITEMS]
    admin = User.objects.create_superuser("bench-admin", "bench-admin@example.test")
    department = Department.objects.order_by("pk").first()
    query = {"id__gte": chosen[0], "id__lte": chosen[-1], "status__exact": "new"}
    query["is_container__exact"] = "0"
    matched = Recommendation.objects.filter(
        pk__gte=chosen[0], pk__lte=chosen[-1], status="new", is_container=False
    ).count()
    return {
        "path": "/admin/recommendations/recommendation/?" + urlencode(query),
        # The range also holds the few new items the mixed load may move on: at least `requested`
        # of the `items` it matched at build time are still new when the action runs.
        "requested": len(chosen),
        "items": matched,
        "data": {
            "action": "bulk_assign",
            "select_across": "1",
            "index": "0",
            "_selected_action": str(chosen[0]),
            "apply": "1",
            "lead_department": str(department.pk),
            "deadline": (datetime.date.today() + datetime.timedelta(days=90)).isoformat(),
        },
        "session_cookie": signed_in_session(admin),
    }


def signed_in_session(user) -> str:
    """A session of `user` written straight into the session store: the cookie wrk sends."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "recommendations.auth.PortalBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def count_queries(urls: dict, user) -> dict:
    """SQL queries of each page, fetched in-process against this database: cold (the cache
    emptied first, as right after a write) and warm (the second fetch)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    out = {}
    for name, paths in urls.items():
        if name.startswith("_"):
            continue
        counts, cold_counts, statuses, sizes = [], [], set(), []
        try:
            for path in paths[:QUERY_SAMPLES]:
                cache.clear()  # nothing of the page cached: its cost right after a write
                with CaptureQueriesContext(connection) as cold_ctx:
                    _consume(client.get(path))
                cold_counts.append(len(cold_ctx.captured_queries))
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(path)
                    body = _consume(response)
                counts.append(len(ctx.captured_queries))
                statuses.add(response.status_code)
                sizes.append(len(body))
        except Exception as e:  # a page that fails is reported, the benchmark goes on
            out[name] = {"queries": None, "error": f"{type(e).__name__}: {e}"[:500]}
            log(f"{name}: {out[name]['error']}")
            continue
        out[name] = {
            "queries": max(counts),
            "queries_min": min(counts),
            "queries_cold": max(cold_counts),
            "status": sorted(statuses),
            "bytes": round(statistics.mean(sizes)),
        }
    return out


def _consume(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def explain_dashboard() -> list[dict]:
    """EXPLAIN ANALYZE of every query the dashboard runs: time and whether it scans a table."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from recommendations.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench-staff-1"))
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    plans = []
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            plans.append(
                {
                    "sql": sql[:300],
                    "ms": round(plan["Execution Time"], 2),
                    "seq_scans": sorted(_seq_scans(plan["Plan"])),
                }
            )
    return plans


def _seq_scans(node) -> set[str]:
    found = set()
    if node.get("Node Type") == "Seq Scan":
        found.add(node.get("Relation Name"))
    for child in node.get("Plans", []):
        found |= _seq_scans(child)
    return found


def main(argv: list[str]) -> int:
    size, out_path = int(argv[0]), Path(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.core.management import call_command

    from bench.activity import simulate_year
    from recommendations.models import User

    result = {"size": size}
    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
    result["migrate_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    result["seed_parse"] = time_seed_parse()
    log(f"migrated in {result['migrate_s']} s; seed page timed in {time.perf_counter() - t:.1f} s")
    log(f"importing generated pages up to {size} recommendations")
    result["import"] = import_archive(size)
    imp = result["import"]
    log(
        f"imported {imp['pages']} pages, {imp['recommendations']} recommendations in {imp['seconds']} s"
    )
    t = time.perf_counter()
    result["activity"] = simulate_year()
    result["activity_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    analyze()
    result["analyze_s"] = round(time.perf_counter() - t, 1)
    log(f"a year of handling in {result['activity_s']} s, ANALYZE in {result['analyze_s']} s")
    result["archive"] = archive_counts()
    staff = User.objects.get(username="bench-staff-1")
    urls = choose_urls()
    result["export_rows_expected"] = urls.pop("_export_rows")
    result["real_use_targets"] = urls.pop("_real_use")
    result["urls"] = urls
    result["session_cookie"] = signed_in_session(staff)
    # DEBUG is off: templates need the collected files' manifest, as under bin/serve.
    call_command("collectstatic", interactive=False, verbosity=0)
    t = time.perf_counter()
    result["queries"] = count_queries(urls, staff)
    log(f"counted queries per page in {time.perf_counter() - t:.1f} s")
    targets = result["real_use_targets"]
    avoid = {*targets["items"], *targets["article_items"].values()}
    avoid |= {int(path.strip("/").split("/")[-1]) for path in urls["detail"]}
    result["bulk_target"] = bulk_target(avoid)
    try:
        result["dashboard_explain"] = explain_dashboard()
    except Exception as e:
        result["dashboard_explain"] = {"error": f"{type(e).__name__}: {e}"[:500]}
    out_path.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
