"""`python -m bench.plans [URL …]`: every SQL query of each page rendered cold, with its plan.

For each URL (default: the benchmark's pages) this empties the cache, fetches the page in-process
as a staff user (django.test.Client), captures its queries and runs EXPLAIN (ANALYZE, BUFFERS) on
each SELECT. It prints per page the number of queries and their summed execution time, and per
query its time, buffers (shared hit + read) and the plan nodes that matter: sequential scans,
heap fetches of index-only scans, bitmap rechecks and sorts that spill. DATABASE_URL must point
at a built benchmark database (BENCH_KEEP_DB=1 keeps one).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time

import django

DEFAULT_URLS = {
    "dashboard": "/",
    "list": "/recommendations/",
    "list_filtered": "/recommendations/?status=assigned&tag={tag}",
    "list_page_200": "/recommendations/?page=200",
    "search_common": "/recommendations/?q=人才",
    "search_rare": "/recommendations/?q=脑启发计算",
    "detail": "/recommendations/{rec}/",
    "article": "/articles/{article}/",
}


def _walk(node, found):
    kind = node.get("Node Type", "")
    label = kind
    if node.get("Relation Name"):
        label += f" on {node['Relation Name']}"
    if node.get("Index Name"):
        label += f" using {node['Index Name']}"
    notes = []
    if kind == "Seq Scan" and node.get("Actual Rows", 0) * node.get("Actual Loops", 1) > 1000:
        notes.append(f"{label}: {node['Actual Rows']} rows")
    if node.get("Heap Fetches"):
        notes.append(f"{label}: {node['Heap Fetches']} heap fetches")
    if node.get("Rows Removed by Index Recheck"):
        notes.append(f"{label}: {node['Rows Removed by Index Recheck']} removed by recheck")
    if node.get("Sort Space Type") == "Disk":
        notes.append(f"{label}: sort on disk {node.get('Sort Space Used')} kB")
    found.extend(notes)
    for child in node.get("Plans", []):
        _walk(child, found)


def explain(sql: str, params) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]
    root = plan["Plan"]
    notes = []
    _walk(root, notes)
    return {
        "ms": round(plan["Execution Time"], 2),
        "buffers": root.get("Shared Hit Blocks", 0) + root.get("Shared Read Blocks", 0),
        "root": root["Node Type"],
        "notes": notes,
        "sql": sql[:160],
    }


def page_plans(client, url: str) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    wall = time.perf_counter() - started
    queries = []
    for query in captured.captured_queries:
        # pghistory's middleware prefixes the statements of a request with its context.
        sql = re.sub(
            r"^SELECT set_config\('pghistory\.context_id'.*?, true\);\s*",
            "",
            query["sql"],
            flags=re.S,
        )
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        try:
            # The captured SQL has its parameters inlined already.
            queries.append(explain(sql, None))
        except Exception as exc:  # a query that cannot be re-run as captured
            queries.append({"ms": None, "sql": sql[:160], "error": str(exc)[:120]})
            connection.rollback() if connection.in_atomic_block else None
    return {
        "url": url,
        "status": response.status_code,
        "wall_ms": round(wall * 1000, 1),
        "queries": len(captured.captured_queries),
        "sql_ms": round(sum(q["ms"] or 0 for q in queries), 1),
        "plans": queries,
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    from recommendations.models import Recommendation, Tag, User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rec = Recommendation.objects.filter(depth=2).order_by("pk")[500]
    tag = Tag.objects.order_by("pk").first()
    values = {"rec": rec.pk, "article": rec.article_id, "tag": tag.pk}
    urls = {name: url.format(**values) for name, url in DEFAULT_URLS.items()}
    if argv:
        urls = {url: url for url in argv}
    client = Client()
    client.force_login(User.objects.filter(groups__name="staff").first())
    client.get("/healthz")
    results = {}
    for name, url in urls.items():
        page_plans(client, url)  # loads templates and code once
        results[name] = page_plans(client, url)
        r = results[name]
        print(
            f"== {name} {url}: {r['status']}, {r['queries']} queries, wall {r['wall_ms']} ms, "
            f"SQL {r['sql_ms']} ms"
        )
        for q in r["plans"]:
            if q.get("ms") is None:
                print(f"   ?      {q['sql']} ({q.get('error')})")
                continue
            print(f"   {q['ms']:8.2f} ms {q['buffers']:7d} buf  {q['root']:<14} {q['sql'][:90]}")
            for note in q["notes"]:
                print(f"                                 ! {note}")
    out = os.environ.get("PLANS_OUT")
    if out:
        with open(out, "w") as f:
            json.dump(results, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
