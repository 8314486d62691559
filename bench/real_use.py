"""The portal while people work: cold pages, a mixed load with writes, and isolation.

wrk (bench/load.py) measures one URL at a time with everything cached. Real use writes, and a
write discards what it changed (recommendations/figures.py), so here:

- **cold**: each timed request comes right after a write that invalidates it (a tag change on
  the item shown, or on an item of the article shown; for lists and the dashboard on any item),
  one client, p50/p95 per page;
- **mixed**: 8 signed-in clients for BENCH_MIXED_SECONDS, 5 % of requests writes with CSRF
  (comments, tag changes, status transitions, each client on items of its own), the reads spread
  over hundreds of item and article pages, dozens of searches and filter combinations; reads and
  writes are reported separately;
- **isolation**: /healthz latency while 8 clients run common-word searches that nothing cached
  can answer (each with a parameter of its own).

Plain http.client over keep-alive connections, one per client thread; a client keeps its cookies
(session, CSRF) like a browser.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import threading
import time
from urllib.parse import urlencode, urlsplit

COLD_SAMPLES = int(os.environ.get("BENCH_COLD_SAMPLES", "8"))
MIXED_SECONDS = float(os.environ.get("BENCH_MIXED_SECONDS", "30"))
MIXED_CLIENTS = 8
WRITE_SHARE = 0.05
ISOLATION_SECONDS = float(os.environ.get("BENCH_ISOLATION_SECONDS", "15"))
COLD_PAGES = (
    "list",
    "list_filtered",
    "list_page_200",
    "search_common",
    "search_rare",
    "detail",
    "article",
    "dashboard",
)
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="(\w+)"')
_VERSION = re.compile(r'<form[^>]*id="tags-form".*?name="version" value="(\d+)"', re.S)
_STATUS = re.compile(r'<form[^>]*id="transition-form".*?<option value="(\w+)"', re.S)


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[k] * 1000, 1)


class Client:
    """One browser: a keep-alive connection and its cookies."""

    def __init__(self, base_url: str, session: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {"sessionid": session}
        self.conn = None
        self.location = None  # of the last response

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, float]:
        body = urlencode(data, doseq=True) if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    return 0, "", time.perf_counter() - started
                continue
            elapsed = time.perf_counter() - started
            self.location = response.getheader("Location")
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, text, elapsed
        return 0, "", 0.0

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data, page_html):
        """A form post with the token of the page it was on, as a browser sends it."""
        match = _TOKEN.search(page_html)
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": match and match[1]})


# --- writes -------------------------------------------------------------------------------------


def write(client: Client, rec_id: int, kind: str, tag_id: int, rng) -> tuple[int, float]:
    """One write on an item through its page's form; returns (status of the POST, seconds)."""
    status, html, _ = client.get(f"/recommendations/{rec_id}/")
    if status != 200:
        return status, 0.0
    version = (_VERSION.search(html) or [None, "1"])[1]
    if kind == "comment":
        data = {"body": f"基准测试评论 {rng.randrange(10**6)}"}
        path = f"/recommendations/{rec_id}/comments/"
    elif kind == "tag":
        # Alternately sets and clears one tag: either way the item's tags change.
        box = re.search(rf'<input[^>]*name="tags"[^>]*value="{tag_id}"[^>]*>', html)
        has = bool(box and "checked" in box[0])
        data = {"version": version, **({} if has else {"tags": [tag_id]})}
        path = f"/recommendations/{rec_id}/tags/"
    else:
        target = (_STATUS.search(html) or [None, "not_actionable"])[1]
        data = {"version": version, "to_status": target, "note": "基准测试:状态变更"}
        path = f"/recommendations/{rec_id}/transition/"
    status, _, elapsed = client.post(path, data, html)
    return status, elapsed


def ok(status: int) -> bool:
    return 200 <= status < 400


# --- cold ---------------------------------------------------------------------------------------


def cold(base_url: str, session: str, urls: dict, targets: dict) -> dict:
    """Each timed request right after a write that discards it."""
    client = Client(base_url, session)
    rng = random.Random(11)
    out = {}
    for page in COLD_PAGES:
        times, errors = [], 0
        for i in range(COLD_SAMPLES):
            if page == "detail":
                path = urls["detail"][i % len(urls["detail"])]
                rec_id = int(path.strip("/").split("/")[-1])
            elif page == "article":
                path = urls["article"][i % len(urls["article"])]
                rec_id = targets["article_items"][path]
            else:
                path = urls[page][0]
                rec_id = targets["items"][i % len(targets["items"])]
            status, _ = write(client, rec_id, "tag", targets["tag"], rng)
            errors += not ok(status)
            status, _, elapsed = client.get(path)
            errors += not ok(status)
            times.append(elapsed)
        out[page] = {
            "samples": len(times),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "errors": errors,
        }
    return out


# --- mixed --------------------------------------------------------------------------------------


def mixed(base_url: str, session: str, urls: dict, targets: dict, seconds=MIXED_SECONDS) -> dict:
    reads = urls["mixed_reads"]
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    figures = {"reads": [], "writes": [], "read_errors": 0, "write_errors": 0, "kinds": {}}

    def run(i):
        client = Client(base_url, session)
        rng = random.Random(100 + i)
        mine = targets["items"][i::MIXED_CLIENTS]
        local_reads, local_writes, read_errors, write_errors = [], [], 0, 0
        kinds = {}
        while time.monotonic() < stop:
            if rng.random() < WRITE_SHARE:
                kind = rng.choice(("comment", "tag", "transition"))
                status, elapsed = write(client, rng.choice(mine), kind, targets["tag"], rng)
                local_writes.append(elapsed)
                write_errors += not ok(status)
                kinds[kind] = kinds.get(kind, 0) + 1
            else:
                status, _, elapsed = client.get(rng.choice(reads))
                local_reads.append(elapsed)
                read_errors += not ok(status)
        with lock:
            figures["reads"] += local_reads
            figures["writes"] += local_writes
            figures["read_errors"] += read_errors
            figures["write_errors"] += write_errors
            for kind, n in kinds.items():
                figures["kinds"][kind] = figures["kinds"].get(kind, 0) + n

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(MIXED_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    n_reads, n_writes = len(figures["reads"]), len(figures["writes"])
    return {
        "clients": MIXED_CLIENTS,
        "seconds": round(wall, 1),
        "distinct_read_urls": len(set(reads)),
        "rps": round((n_reads + n_writes) / wall, 1),
        "reads": n_reads,
        "read_p50_ms": percentile(figures["reads"], 50),
        "read_p95_ms": percentile(figures["reads"], 95),
        "writes": n_writes,
        "write_kinds": figures["kinds"],
        "write_p50_ms": percentile(figures["writes"], 50),
        "write_p95_ms": percentile(figures["writes"], 95),
        "errors": figures["read_errors"] + figures["write_errors"],
    }


# --- isolation ----------------------------------------------------------------------------------


def isolation(base_url: str, session: str, query: str, seconds=ISOLATION_SECONDS) -> dict:
    stop = time.monotonic() + seconds
    searches, health = [], []
    errors = [0]
    lock = threading.Lock()

    def search(i):
        client = Client(base_url, session)
        n = 0
        local = []
        while time.monotonic() < stop:
            n += 1
            # A parameter of its own: no cached figure or body can answer it.
            status, _, elapsed = client.get(
                "/recommendations/?" + urlencode({"q": query, "cold": f"{i}-{n}"})
            )
            local.append(elapsed)
            with lock:
                errors[0] += not ok(status)
        with lock:
            searches.extend(local)

    def probe():
        client = Client(base_url, "")
        while time.monotonic() < stop:
            status, _, elapsed = client.get("/healthz")
            health.append(elapsed)
            with lock:
                errors[0] += not ok(status)
            time.sleep(0.05)

    threads = [threading.Thread(target=search, args=(i,)) for i in range(MIXED_CLIENTS)]
    threads.append(threading.Thread(target=probe))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "search_clients": MIXED_CLIENTS,
        "searches": len(searches),
        "search_p50_ms": percentile(searches, 50),
        "search_p95_ms": percentile(searches, 95),
        "healthz_requests": len(health),
        "healthz_p50_ms": percentile(health, 50),
        "healthz_p95_ms": percentile(health, 95),
        "errors": errors[0],
    }


# --- one large bulk action ------------------------------------------------------------------------

BULK_TIMEOUT_S = 1800  # the client waits; what is measured is whether the server finishes
BULK_POLL_S = 0.5
_BULK_DONE = re.compile(r"已交办 (\d+) 条建议")
_JOB = re.compile(
    r'class="bulk-job[^"]*"[^>]*data-status="(\w+)" data-processed="(\d+)" data-total="(\d+)" '
    r'data-changed="(\d+)"'
)


def bulk(base_url: str, target: dict) -> dict:
    """The admin's bulk 交办 over `target["items"]` items ("select all" over a filtered
    changelist), end to end: from the POST to the job's page saying it is done (bulk/), polled
    as its meta refresh would, every BULK_POLL_S. A selection small enough to stay in the
    request (302 back to the changelist) is timed to that redirect, as before."""
    client = Client(base_url, target["session_cookie"])
    status, html, _ = client.get(target["path"])
    result = {
        "requested": target["requested"],
        "items": target["items"],
        "status": status,
        "post_seconds": None,
        "seconds": None,
        "job_status": None,
        "assigned": None,
        "items_per_s": None,
    }
    if status != 200:
        return result
    parts = urlsplit(base_url)
    client.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=BULK_TIMEOUT_S)
    started = time.perf_counter()
    status, _, post_elapsed = client.post(target["path"], target["data"], html)
    result.update(status=status, post_seconds=round(post_elapsed, 2))
    if status == 302:
        done = _BULK_DONE.search(client.get(target["path"])[1])
        result["assigned"] = int(done[1]) if done else None
    elif status == 303 and client.location:
        job_path = urlsplit(client.location).path
        while time.perf_counter() - started < BULK_TIMEOUT_S:
            page_status, page, _ = client.get(job_path)
            found = _JOB.search(page) if page_status == 200 else None
            if found and found[1] in ("done", "failed"):
                result.update(job_status=found[1], assigned=int(found[4]))
                result["job_processed"], result["job_total"] = int(found[2]), int(found[3])
                break
            time.sleep(BULK_POLL_S)
    elapsed = time.perf_counter() - started
    result["seconds"] = round(elapsed, 1)
    result["items_per_s"] = round(target["items"] / elapsed, 1) if elapsed else None
    return result
