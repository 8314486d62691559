"""`make bench`: build synthetic archives, serve the production stack, load it, report.

For each size in BENCH_SIZES (default 1000,100000 recommendations) this creates its own database
`portal_bench_<size>` on the server DATABASE_URL points at (the embedded PostgreSQL when it is
unset), builds the archive in a subprocess (bench/build.py), serves it with bin/serve (gunicorn,
DJANGO_ENV=production, 2 workers), drives it with wrk at 1 and 8 signed-in clients, times the
CSV export, then stops the server and drops the database (BENCH_KEEP_DB=1 keeps it).

It prints one table with a PASS/FAIL per target and writes bench/results.json. A missed target
does not fail the command; only a failure of the harness itself does (exit status 2).

Environment: BENCH_SIZES, BENCH_CLIENTS (1,8), BENCH_DURATION (seconds per wrk run, 6),
BENCH_EXPORT_RUNS (3), BENCH_KEEP_DB, BENCH_IMPORT_WORKERS, BENCH_MEASURE_PAGES (1000),
BENCH_RESULTS (output path), BENCH_WARM_ROUNDS (3), BENCH_QUERY_SAMPLES (5), BENCH_DB_PREFIX (portal_bench: databases portal_bench_<size>).
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import load, notifications, real_use, report
from bench.vocabulary import COMMON_QUERY

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
PY = sys.executable
PAGES = [
    "healthz",
    "dashboard",
    "list",
    "list_filtered",
    "list_page_200",
    "search_common",
    "search_rare",
    "detail",
    "article",
]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def env_list(name: str, default: str) -> list[int]:
    raw = os.environ.get(name, default)
    try:
        values = [int(x) for x in raw.replace(" ", "").split(",") if x]
    except ValueError:
        raise SystemExit(f"{name} must be a comma-separated list of numbers, not {raw!r}") from None
    if not values or any(v <= 0 for v in values):
        raise SystemExit(f"{name} must list positive numbers, not {raw!r}")
    return values


# --- databases ----------------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    log("DATABASE_URL is unset: using the embedded PostgreSQL (python -m portal.embedded_db)")
    out = subprocess.run(
        [PY, "-m", "portal.embedded_db"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def admin_sql(url: str, sql: str, fetch: bool = False):
    import psycopg2

    conn = psycopg2.connect(with_database(url, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0] if fetch else None
    finally:
        conn.close()


def create_database(url: str, name: str) -> None:
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(url, f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the machine --------------------------------------------------------------------------------


def machine(url: str) -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), ""
            )
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        commit, dirty = "", ""
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[
        0
    ]
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgres": admin_sql(url, "SHOW server_version", fetch=True),
        "wrk": wrk_version.strip(),
        "commit": commit,
        "working_tree_modified": bool(dirty),
        "platform": platform.platform(),
    }


# --- one size -----------------------------------------------------------------------------------


def bench_env(database_url: str, secret_key: str) -> dict:
    """The production settings bin/serve runs with, shared by the build and the server so that
    the session written by the build is valid for the server (same SECRET_KEY)."""
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        DATABASE_URL=database_url,
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        PLAIN_HTTP_LOOPBACK="1",  # bin/serve refuses insecure settings without it
        WEB_CONCURRENCY="2",
        JOB_WORKERS="0",  # the web stack alone; bench/notifications.py measures the queue
        # Every bulk action a job (bulk/), so that the suite's small archive measures the same
        # path as 5,000 items do (above the default 200 anyway).
        BULK_SYNC_MAX="0",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run_size(size: int, url: str, clients: list[int], duration: float, export_runs: int) -> dict:
    name = f"{os.environ.get('BENCH_DB_PREFIX', 'portal_bench')}_{size}"
    database_url = with_database(url, name)
    env = bench_env(database_url, secrets.token_urlsafe(50))
    log(f"size {size}: creating database {name}")
    create_database(url, name)
    started = time.monotonic()
    try:
        build_json = OUT_DIR / f"build-{size}.json"
        proc = subprocess.run(
            [PY, "-m", "bench.build", str(size), str(build_json)], cwd=ROOT, env=env
        )
        if proc.returncode != 0:
            raise load.HarnessError(f"building the {size} archive failed (exit {proc.returncode})")
        result = json.loads(build_json.read_text())
        result["build_s"] = round(time.monotonic() - started, 1)
        cookie = result.pop("session_cookie")
        targets = result.pop("real_use_targets")
        bulk_target = result.pop("bulk_target")
        log(f"size {size}: archive built in {result['build_s']} s; starting bin/serve")
        result["load_average_before_load"] = [round(x, 2) for x in os.getloadavg()]
        with load.Server(env, OUT_DIR / f"server-{size}.log") as server:
            result["pages"] = load_pages(server, result["urls"], cookie, clients, duration)
            log(f"size {size}: exporting {result['export_rows_expected']} rows")
            load.drain(server)
            result["export"] = load.export_runs(
                server, result["urls"]["export"][0], cookie, export_runs
            )
            result["worker_peak_rss_mb"] = max(
                [p["worker_peak_hwm_mb"] for p in result["pages"].values()]
                + [r["worker_peak_hwm_mb"] for r in result["export"]["runs"]]
            )
            result["real_use"] = run_real_use(server, result["urls"], cookie, targets)
            # Last: it changes thousands of items (and queues their notifications).
            load.drain(server)
            log(f"size {size}: one bulk action on {bulk_target['items']} items (admin)")
            # The action runs as a job (bulk/): one worker on its queue, as bin/serve starts.
            worker_log = OUT_DIR / f"bulk-worker-{size}.log"
            with load.JobWorker(server.env, worker_log, queues="bulk"):
                result["bulk"] = real_use.bulk(server.base_url, bulk_target)
            b = result["bulk"]
            log(
                f"  bulk: HTTP {b['status']} in {b['post_seconds']} s, job {b['job_status']} "
                f"{b['seconds']} s after the POST, {b['assigned']} assigned"
            )
        result["total_s"] = round(time.monotonic() - started, 1)
        return result
    finally:
        if os.environ.get("BENCH_KEEP_DB") == "1":
            log(f"keeping database {name} (BENCH_KEEP_DB=1): {database_url}")
        else:
            drop_database(url, name)


def run_real_use(server, urls: dict, cookie: str, targets: dict) -> dict:
    """Cold pages, the mixed load and isolation (bench/real_use.py), then the workers' memory."""
    urls = {**urls, "mixed_reads": targets["mixed_reads"]}
    load.drain(server)
    log("cold pages: each timed request right after a write")
    out = {"cold": real_use.cold(server.base_url, cookie, urls, targets)}
    load.drain(server)
    log(f"mixed load: {real_use.MIXED_CLIENTS} clients, {real_use.MIXED_SECONDS:g} s")
    with load.MemoryMonitor(server, interval=0.5) as memory:
        out["mixed"] = real_use.mixed(server.base_url, cookie, urls, targets)
    out["mixed"]["worker_peak_hwm_mb"] = memory.peak_hwm_mb
    out["mixed"]["worker_rss_after_mb"] = load.workers_rss_mb(server)
    m = out["mixed"]
    log(
        f"  mixed: {m['rps']} req/s, read p95 {m['read_p95_ms']} ms, write p95 "
        f"{m['write_p95_ms']} ms, errors {m['errors']}"
    )
    load.drain(server)
    log("isolation: /healthz while 8 clients run cold common-word searches")
    out["isolation"] = real_use.isolation(server.base_url, cookie, COMMON_QUERY)
    i = out["isolation"]
    log(f"  healthz p95 {i['healthz_p95_ms']} ms; searches p95 {i['search_p95_ms']} ms")
    return out


def load_pages(server, urls: dict, cookie: str, clients: list[int], duration: float) -> dict:
    """Each page: its first request (the cost when a worker's caches are cold), a warm-up by as
    many clients as there are workers, then the wrk runs. Warming right before the runs matters:
    gunicorn recycles a worker after ~2,000 requests (the /healthz runs alone do that), and a new
    worker starts with an empty per-process cache."""
    rounds = int(os.environ.get("BENCH_WARM_ROUNDS", "3"))
    out = {}
    for page in PAGES:
        runs = {}
        load.drain(server)
        status, first = load.timed_fetch(server.base_url, urls[page][0], cookie)
        load.warm(server, urls[page], cookie, rounds=rounds)
        with load.MemoryMonitor(server, interval=0.5) as memory:
            for c in clients:
                load.drain(server)
                runs[str(c)] = load.wrk(server.base_url, urls[page], c, duration, cookie)
                r = runs[str(c)]
                log(
                    f"  {page:<14} c={c}: {r['rps']:>8} req/s  p95 {r['p95_ms']} ms  errors {r['errors']}"
                )
        out[page] = {
            "first_request_ms": round(first * 1000, 1),
            "first_request_status": status,
            "runs": runs,
            "worker_peak_hwm_mb": memory.peak_hwm_mb,
        }
    return out


def main() -> int:
    sizes = env_list("BENCH_SIZES", "1000,100000")
    clients = env_list("BENCH_CLIENTS", "1,8")
    duration = float(os.environ.get("BENCH_DURATION", "6"))
    export_runs = int(os.environ.get("BENCH_EXPORT_RUNS", "3"))
    results_path = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results.json"))
    if not any(os.access(Path(p) / "wrk", os.X_OK) for p in os.environ["PATH"].split(":")):
        log("wrk is not installed: apt-get install -y wrk")
        return 2
    OUT_DIR.mkdir(exist_ok=True)
    started = time.monotonic()
    try:
        url = server_url()
        results = {
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": machine(url),
            "settings": {
                "sizes": sizes,
                "clients": clients,
                "wrk_duration_s": duration,
                "export_runs": export_runs,
                "gunicorn_workers": 2,
            },
            "sizes": {},
        }
        for size in sizes:
            results["sizes"][str(size)] = run_size(size, url, clients, duration, export_runs)
        log("notifications: reminders through one worker, the cost in a request")
        try:
            results["notifications"] = notifications.run(
                url, with_database, create_database, drop_database, OUT_DIR
            )
        except subprocess.CalledProcessError as e:  # the web figures above still count
            log(f"notifications failed: {e}")
            results["notifications"] = {"error": str(e)}
    except (load.HarnessError, subprocess.CalledProcessError, OSError) as e:
        log(f"harness error: {e}")
        return 2
    results["total_s"] = round(time.monotonic() - started, 1)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = report.evaluate(results)
    results_path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(report.table(results))
    log(f"results written to {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
