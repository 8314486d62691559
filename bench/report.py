"""The targets of the benchmark, judged on its results, and the table it prints."""

from __future__ import annotations

from bench import notifications

P95_LIMIT_MS = 100
EXPORT_LIMIT_S = 5.0
# "Worker memory flat": a worker that streams grows by less than this while exporting; one that
# built the whole file in memory would grow by tens of megabytes for 10,000 rows.
EXPORT_GROWTH_LIMIT_MB = 20
MAX_QUERIES = 12
SEED_PARSE_LIMIT_MS = 50
IMPORT_PAGES_PER_S = 20
RATIO_TARGETS = {
    "list": 0.20,
    "list_filtered": 0.20,
    "list_page_200": 0.20,
    "detail": 0.20,
    "article": 0.20,
    "search_common": 0.10,
    "search_rare": 0.10,
    "dashboard": 0.10,
}
BIG_TABLES = {
    "recommendations_recommendation",
    "recommendations_recommendationtag",
    "recommendations_codepartment",
    "recommendations_comment",
    "recommendations_recommendationevent",
    "recommendations_article",
    "recommendations_edition",
}


def ratio(size_result: dict, page: str, clients: str) -> float | None:
    pages = size_result["pages"]
    ceiling = pages["healthz"]["runs"][clients]["rps"]
    if not ceiling:
        return None
    return round(pages[page]["runs"][clients]["rps"] / ceiling, 3)


def evaluate(results: dict) -> list[dict]:
    """[{target, measured, pass}] — judged at the largest size and the most clients."""
    sizes = results["sizes"]
    largest = str(max(int(s) for s in sizes))
    big = sizes[largest]
    clients = str(max(results["settings"]["clients"]))
    out = []

    def add(target, measured, ok):
        out.append({"target": target, "measured": measured, "pass": bool(ok)})

    seed = big["seed_parse"]
    add(
        f"seed page parses in < {SEED_PARSE_LIMIT_MS} ms",
        f"{seed['median_ms']} ms median of {seed['runs']} (first parse {seed['cold_ms']} ms)",
        seed["median_ms"] < SEED_PARSE_LIMIT_MS,
    )
    measured = big["import"]["measured"]
    add(
        f"import >= {IMPORT_PAGES_PER_S} pages/s",
        f"{measured['pages_per_s']} pages/s parse+store over {measured['pages']} generated pages "
        f"({measured['store_pages_per_s']} pages/s store only)",
        measured["pages_per_s"] >= IMPORT_PAGES_PER_S,
    )
    errors = {
        f"{size}/{page}/c{c}": run["errors"]
        for size, r in sizes.items()
        for page, p in r["pages"].items()
        for c, run in p["runs"].items()
        if run["errors"]
    }
    errors.update(
        {f"{s}/export": r["export"]["errors"] for s, r in sizes.items() if r["export"]["errors"]}
    )
    add("no errors (non-2xx, socket errors) on any page, any size", errors or "none", not errors)
    slow = {
        page: _p95(p["runs"][clients])
        for page, p in big["pages"].items()
        if p["runs"][clients]["p95_ms"] is None or p["runs"][clients]["p95_ms"] >= P95_LIMIT_MS
    }
    add(
        f"p95 < {P95_LIMIT_MS} ms for every page at {largest}, {clients} clients",
        slow or f"max {max(p['runs'][clients]['p95_ms'] for p in big['pages'].values())} ms",
        not slow,
    )
    export = big["export"]
    add(
        f"export of {big['export_rows_expected']} rows streams in < {EXPORT_LIMIT_S} s",
        f"{export['seconds_median']} s median, {export['rows']} rows, first byte "
        f"{export['first_byte_s_median']} s",
        export["seconds_median"] is not None
        and export["seconds_median"] < EXPORT_LIMIT_S
        and export["rows"] >= big["export_rows_expected"],
    )
    add(
        f"worker memory flat during export (growth < {EXPORT_GROWTH_LIMIT_MB} MB)",
        f"+{export['worker_rss_growth_mb']} MB",
        export["worker_rss_growth_mb"] < EXPORT_GROWTH_LIMIT_MB,
    )
    for page, limit in RATIO_TARGETS.items():
        value = ratio(big, page, clients)
        add(
            f"{page} >= {limit:.2f} of /healthz throughput ({clients} clients)",
            value,
            value is not None and value >= limit,
        )
    # The export is judged on time and memory; its queries grow with its rows (fetched in
    # chunks), and its rows differ between sizes, so it is reported apart.
    counts = {
        page: {size: r["queries"].get(page, {}).get("queries") for size, r in sizes.items()}
        for page in big["queries"]
        if page != "export"
    }
    too_many = {
        p: c for p, c in counts.items() if any(v is None or v > MAX_QUERIES for v in c.values())
    }
    add(f"<= {MAX_QUERIES} queries on every page", too_many or "all within", not too_many)
    varying = {p: c for p, c in counts.items() if len(set(c.values())) > 1}
    add(
        "queries per page the same at every size",
        varying
        or (f"same at {', '.join(sizes)}" if len(sizes) > 1 else "one size measured: not shown"),
        not varying and len(sizes) > 1,
    )
    cold_counts = {
        page: {size: r["queries"].get(page, {}).get("queries_cold") for size, r in sizes.items()}
        for page in big["queries"]
        if page != "export"
    }
    too_many = {
        p: c
        for p, c in cold_counts.items()
        if any(v is None or v > MAX_QUERIES for v in c.values())
    }
    add(f"<= {MAX_QUERIES} queries on every cold page", too_many or "all within", not too_many)
    varying = {p: c for p, c in cold_counts.items() if len(set(c.values())) > 1}
    add(
        "cold queries per page the same at every size",
        varying
        or (f"same at {', '.join(sizes)}" if len(sizes) > 1 else "one size measured: not shown"),
        not varying and len(sizes) > 1,
    )
    _real_use_targets(big, add)
    bulk = big.get("bulk")
    if bulk:
        # POST answered at once (303 to the job's page) and the job done with every item.
        finished = bulk["status"] == 302 or bulk.get("job_status") == "done"
        add(
            f"bulk action on {bulk['requested']} items completes without a timeout",
            f"HTTP {bulk['status']} in {bulk.get('post_seconds')} s, job "
            f"{bulk.get('job_status')} {bulk['seconds']} s after the POST; {bulk['assigned']} of "
            f"{bulk['items']} selected assigned",
            bulk["status"] in (302, 303)
            and finished
            and (bulk["assigned"] or 0) >= bulk["requested"],
        )
    plans = big.get("dashboard_explain")
    if isinstance(plans, list):
        scans = sorted({t for p in plans for t in p["seq_scans"] if t in BIG_TABLES})
        slowest = max((p["ms"] for p in plans), default=0)
        add(
            "dashboard: no sequential scan of a large table",
            f"seq scans: {', '.join(scans) or 'none'}; slowest query {slowest} ms",
            not scans,
        )
    else:
        add("dashboard: no sequential scan of a large table", plans, False)
    return out


# Real use (bench/real_use.py), as multiples of /healthz measured in the same run.
COLD_LIMITS = {
    "list": 40,
    "list_filtered": 40,
    "list_page_200": 40,
    "dashboard": 40,
    "detail": 15,
    "article": 15,
    "search_common": 150,
    "search_rare": 30,
}
MIXED_THROUGHPUT = 0.15  # × /healthz req/s at 8 clients
MIXED_READ_P95 = 150  # × /healthz p50 at 1 client
MIXED_WRITE_P95 = 60
ISOLATION_HEALTHZ_P95_MS = 50


def healthz_reference(size_result: dict) -> tuple[float | None, float | None]:
    """(/healthz p50 at 1 client in ms, /healthz req/s at the most clients) of the same run."""
    runs = size_result["pages"]["healthz"]["runs"]
    most = str(max(int(c) for c in runs))
    return runs[min(runs, key=int)]["p50_ms"], runs[most]["rps"]


def times(value, reference):
    if value is None or not reference:
        return None
    return round(value / reference, 1)


def _real_use_targets(big: dict, add) -> None:
    use = big.get("real_use")
    if not use:
        return
    p50, rps = healthz_reference(big)
    for page, limit in COLD_LIMITS.items():
        c = use["cold"][page]
        add(
            f"cold {page} p95 <= {limit} × /healthz p50 ({p50} ms), 1 client",
            f"{c['p95_ms']} ms = {times(c['p95_ms'], p50)} ×",
            c["p95_ms"] is not None and c["p95_ms"] <= limit * p50 and not c["errors"],
        )
    m = use["mixed"]
    add(
        f"mixed: throughput >= {MIXED_THROUGHPUT} × /healthz ({rps} req/s)",
        f"{m['rps']} req/s = {times(m['rps'], rps)} ×",
        m["rps"] >= MIXED_THROUGHPUT * rps,
    )
    add(
        f"mixed: read p95 <= {MIXED_READ_P95} × /healthz p50",
        f"{m['read_p95_ms']} ms = {times(m['read_p95_ms'], p50)} ×",
        m["read_p95_ms"] is not None and m["read_p95_ms"] <= MIXED_READ_P95 * p50,
    )
    add(
        f"mixed: write p95 <= {MIXED_WRITE_P95} × /healthz p50",
        f"{m['write_p95_ms']} ms = {times(m['write_p95_ms'], p50)} ×",
        m["write_p95_ms"] is not None and m["write_p95_ms"] <= MIXED_WRITE_P95 * p50,
    )
    add("mixed: no errors", m["errors"], not m["errors"])
    i = use["isolation"]
    add(
        f"isolation: /healthz p95 < {ISOLATION_HEALTHZ_P95_MS} ms during cold searches",
        f"{i['healthz_p95_ms']} ms",
        i["healthz_p95_ms"] is not None and i["healthz_p95_ms"] < ISOLATION_HEALTHZ_P95_MS,
    )


def real_use_table(r: dict) -> list[str]:
    use = r.get("real_use")
    if not use:
        return []
    p50, rps = healthz_reference(r)
    lines = [f"cold pages (each right after a write), 1 client; /healthz p50 {p50} ms:"]
    lines.append(
        _row(
            ["page", "n", "p50 ms", "p95 ms", "×hz p50", "errors", "queries"],
            [14, 4, 8, 8, 8, 6, 13],
        )
    )
    for page, c in use["cold"].items():
        q = r["queries"].get(page, {})
        lines.append(
            _row(
                [
                    page,
                    c["samples"],
                    _ms(c["p50_ms"]),
                    _ms(c["p95_ms"]),
                    times(c["p95_ms"], p50),
                    c["errors"],
                    f"{q.get('queries_cold', '?')} cold/{q.get('queries', '?')} warm",
                ],
                [14, 4, 8, 8, 8, 6, 13],
            )
        )
    m = use["mixed"]
    lines.append(
        f"mixed: {m['clients']} clients, {m['seconds']} s, {m['distinct_read_urls']} read URLs: "
        f"{m['rps']} req/s ({times(m['rps'], rps)} × /healthz {rps}); "
        f"reads {m['reads']}: p50 {m['read_p50_ms']} p95 {m['read_p95_ms']} ms "
        f"({times(m['read_p95_ms'], p50)} ×); writes {m['writes']} {m['write_kinds']}: "
        f"p50 {m['write_p50_ms']} p95 {m['write_p95_ms']} ms ({times(m['write_p95_ms'], p50)} ×); "
        f"errors {m['errors']}; worker RSS after {m['worker_rss_after_mb']} MB "
        f"(peak {m['worker_peak_hwm_mb']} MB)"
    )
    i = use["isolation"]
    lines.append(
        f"isolation: /healthz p50 {i['healthz_p50_ms']} p95 {i['healthz_p95_ms']} ms "
        f"({i['healthz_requests']} probes) while {i['search_clients']} clients ran "
        f"{i['searches']} cold searches (p50 {i['search_p50_ms']} p95 {i['search_p95_ms']} ms); "
        f"errors {i['errors']}"
    )
    return lines


def _p95(run: dict):
    if run["p95_ms"] is None:
        return f"no response within {run['seconds']} s"
    return run["p95_ms"]


def _ms(value):
    return "—" if value is None else value


def _row(cells, widths):
    return "  ".join(
        str(c).rjust(w) if i else str(c).ljust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def table(results: dict) -> str:
    lines = []
    m = results["machine"]
    lines.append(
        f"Machine: {m['cpu_count']} × {m['cpu_model']}; Python {m['python']}; PostgreSQL "
        f"{m['postgres']}; commit {m['commit'][:10]}{' (modified)' if m['working_tree_modified'] else ''}"
    )
    header = [
        "page",
        "clients",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "queries",
        "×healthz",
        "1st ms",
    ]
    widths = [14, 7, 8, 7, 7, 7, 6, 7, 8, 7]
    for size, r in results["sizes"].items():
        imp = r["import"]
        lines.append("")
        lines.append(
            f"== {int(size):,} recommendations: {imp['recommendations']:,} imported from "
            f"{imp['pages']:,} generated pages in {imp['seconds']} s; built in {r['build_s']} s =="
        )
        meas = imp["measured"]
        lines.append(
            f"parse: seed page {r['seed_parse']['median_ms']} ms; generated pages "
            f"{meas['parse_ms_mean']} ms mean. Import over the first {meas['pages']} pages: "
            f"{meas['pages_per_s']} pages/s ({meas['import_ms_mean']} ms store per page)"
        )
        lines.append(_row(header, widths))
        first_clients = next(iter(next(iter(r["pages"].values()))["runs"]))
        for page, p in r["pages"].items():
            q = r["queries"].get(page, {})
            for c, run in p["runs"].items():
                lines.append(
                    _row(
                        [
                            page,
                            c,
                            run["rps"],
                            _ms(run["p50_ms"]),
                            _ms(run["p95_ms"]),
                            _ms(run["p99_ms"]),
                            run["errors"],
                            q.get("queries", "?"),
                            "" if page == "healthz" else ratio(r, page, c),
                            p.get("first_request_ms", "") if c == first_clients else "",
                        ],
                        widths,
                    )
                )
        e = r["export"]
        lines.append(
            f"export.csv: {e['rows']:,} rows in {e['seconds_median']} s (median of "
            f"{len(e['runs'])}; first byte {e['first_byte_s_median']} s); worker RSS growth "
            f"+{e['worker_rss_growth_mb']} MB; "
            f"{r['queries'].get('export', {}).get('queries', '?')} queries"
        )
        lines.append(f"peak worker RSS (VmHWM): {r['worker_peak_rss_mb']} MB")
        lines.extend(real_use_table(r))
        b = r.get("bulk")
        if b:
            lines.append(
                f"bulk 交办 (admin, select all, background job): {b['items']:,} items, "
                f"HTTP {b['status']} in {b.get('post_seconds')} s, job {b.get('job_status')} "
                f"{b['seconds']} s after the POST ({b['items_per_s']} items/s); "
                f"{b['assigned']} assigned"
            )
    if results.get("notifications"):
        lines.append(notifications.table(results["notifications"]))
    lines.append("")
    lines.append("— : no request finished within the run (each took longer than the run).")
    lines.append(
        "1st ms: the page's first request in this server run, before its warm-up (nothing cached yet)."
    )
    lines.append("Targets (largest size, most clients):")
    for t in results["targets"]:
        lines.append(f"  {'PASS' if t['pass'] else 'FAIL'}  {t['target']}: {t['measured']}")
    lines.append(f"Total time: {results['total_s']} s")
    return "\n".join(lines)
