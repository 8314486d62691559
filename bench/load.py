"""The load driver: the production server (bin/serve), wrk runs, the streaming export client and
the worker memory monitor.

Every request goes to 127.0.0.1 only, each wrk run is bounded by its duration and the server is
stopped (by the process id we started) when the size is done.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("wrk_report.lua")


class HarnessError(RuntimeError):
    """The benchmark itself could not run (as opposed to a page missing its target)."""


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`bash bin/serve` (gunicorn, DJANGO_ENV=production) on a loopback port."""

    def __init__(self, env: dict, log_path: Path):
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.log = self.log_path.open("wb")
        # bin/serve execs gunicorn, so this pid is gunicorn's master.
        self.proc = subprocess.Popen(
            ["bash", str(ROOT / "bin" / "serve")],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,  # the access log: one line per request, not needed
            stderr=self.log,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(
                    f"bin/serve exited with {self.proc.returncode}; see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as r:
                    if r.status == 200 and len(self.workers()) >= 1:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        raise HarnessError(f"the server did not answer /healthz within 90 s; see {self.log_path}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def workers(self) -> list[int]:
        return children(self.proc.pid) if self.proc else []


class JobWorker:
    """One `manage.py procrastinate worker` on `queues`, for a step that needs the queue (the
    web stack runs with JOB_WORKERS=0). Stopped with SIGTERM, which lets it finish its job."""

    def __init__(self, env: dict, log_path: Path, queues: str):
        self.env, self.log_path, self.queues = env, log_path, queues
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker", "--queues", self.queues],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        # Ready once it has registered (as a worker that was already running would be): its
        # start-up is not part of what the step measures.
        try:
            self._wait_registered()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_registered(self) -> None:
        import psycopg2

        conn = psycopg2.connect(self.env["DATABASE_URL"])
        conn.autocommit = True
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise HarnessError(f"the job worker exited; see {self.log_path}")
                with conn.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM procrastinate_workers")
                    if cursor.fetchone()[0]:
                        return
                time.sleep(0.2)
        finally:
            conn.close()
        raise HarnessError(f"the job worker did not start within 90 s; see {self.log_path}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def memory_kb(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of a process in kB, or None when it has gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            values = dict(line.split(":", 1) for line in f if line.startswith(("VmRSS", "VmHWM")))
    except OSError:
        return None
    try:
        return int(values["VmRSS"].split()[0]), int(values["VmHWM"].split()[0])
    except (KeyError, ValueError):
        return None


def workers_rss_mb(server: Server) -> list[float]:
    """The resident set of each gunicorn worker now, in MB."""
    sizes = [memory_kb(pid) for pid in server.workers()]
    return [round(m[0] / 1024, 1) for m in sizes if m is not None]


class MemoryMonitor:
    """Samples the RSS of every gunicorn worker while a block runs.

    `peak_hwm_mb`: the highest VmHWM (peak resident set) of any worker seen;
    `growth_mb`: for each worker, its highest RSS during the block minus its RSS at the start,
    the largest over workers (how much a request made a worker grow)."""

    def __init__(self, server: Server, interval: float = 0.05):
        self.server = server
        self.interval = interval
        self.start_rss: dict[int, int] = {}
        self.max_rss: dict[int, int] = {}
        self.max_hwm = 0
        self.samples = 0
        self._stop = threading.Event()

    def _sample(self):
        for pid in self.server.workers():
            mem = memory_kb(pid)
            if mem is None:
                continue
            rss, hwm = mem
            self.start_rss.setdefault(pid, rss)
            self.max_rss[pid] = max(self.max_rss.get(pid, 0), rss)
            self.max_hwm = max(self.max_hwm, hwm)
        self.samples += 1

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self):
        self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def peak_hwm_mb(self) -> float:
        return round(self.max_hwm / 1024, 1)

    @property
    def growth_mb(self) -> float:
        growth = [self.max_rss[p] - self.start_rss[p] for p in self.max_rss if p in self.start_rss]
        return round(max(growth, default=0) / 1024, 1)

    @property
    def start_rss_mb(self) -> float:
        return round(max(self.start_rss.values(), default=0) / 1024, 1)


# --- warming and draining -----------------------------------------------------------------------


def fetch(base_url: str, path: str, cookie: str, timeout: float = 60) -> int:
    request = urllib.request.Request(base_url + path, headers={"Cookie": f"sessionid={cookie}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def timed_fetch(base_url: str, path: str, cookie: str) -> tuple[int, float]:
    start = time.perf_counter()
    status = fetch(base_url, path, cookie)
    return status, time.perf_counter() - start


def concurrently(jobs: int, fn) -> list:
    results = [None] * jobs

    def run(i):
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def warm(server: Server, paths: list[str], cookie: str, workers: int = 2, rounds: int = 3) -> None:
    """Fetch the page to completion a few times from as many clients as there are workers, so
    that every worker has loaded its code, templates, dictionary and session before timing."""
    for _ in range(rounds):
        concurrently(workers, lambda i: fetch(server.base_url, paths[i % len(paths)], cookie))


def drain(server: Server, workers: int = 2) -> None:
    """Wait until requests left queued by the previous wrk run are served: wrk stops with up to
    `connections` requests in the listen queue, which must not be counted against the next run.
    The queue is first in, first out, so once two rounds of fresh requests have been answered by
    every worker, nothing older is waiting."""
    for _ in range(2):
        concurrently(workers, lambda i: fetch(server.base_url, "/healthz", ""))


# --- wrk ----------------------------------------------------------------------------------------


def wrk(base_url: str, paths: list[str], connections: int, duration: float, cookie: str) -> dict:
    """One wrk run; returns throughput, latency percentiles (ms) and error counts."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(paths) + "\n")
        paths_file = f.name
    threads = min(connections, 2)
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        "-H",
        f"Cookie: sessionid={cookie}",
        base_url,
        "--",
        paths_file,
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    finally:
        os.unlink(paths_file)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise HarnessError(f"wrk failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout}")
    raw = json.loads(line[5:])
    seconds = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    socket_errors = sum(
        raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    done = raw["requests"] > 0
    # No request finished within the run: every latency is longer than the run itself.
    ms = (lambda us: round(us / 1000, 1)) if done else (lambda us: None)
    return {
        "connections": connections,
        "seconds": round(seconds, 2),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": ms(lat["p50"]),
        "p90_ms": ms(lat["p90"]),
        "p95_ms": ms(lat["p95"]),
        "p99_ms": ms(lat["p99"]),
        "max_ms": ms(lat["max"]),
        "non2xx": raw["non2xx"],
        "socket_errors": socket_errors,
        "errors": raw["non2xx"] + socket_errors,
    }


# --- the export ---------------------------------------------------------------------------------


def stream_export(server: Server, path: str, cookie: str) -> dict:
    """Download the CSV export in 64 KiB reads, timing the first byte and the whole, while the
    memory monitor samples the workers every 20 ms."""
    with MemoryMonitor(server, interval=0.02) as memory:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        start = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
        response = conn.getresponse()
        first = None
        chunks = []
        while True:
            chunk = response.read1(65536)
            if not chunk:
                break
            if first is None:
                first = time.perf_counter() - start
            chunks.append(chunk)
        total = time.perf_counter() - start
        conn.close()
    body = b"".join(chunks)
    rows = 0
    if response.status == 200:
        text = body.decode("utf-8-sig", errors="replace")
        rows = max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)  # minus the header
    return {
        "status": response.status,
        "chunked": response.getheader("Transfer-Encoding") == "chunked"
        or response.getheader("Content-Length") is None,
        "seconds": round(total, 3),
        "first_byte_s": round(first or total, 3),
        "bytes": len(body),
        "rows": rows,
        "worker_rss_before_mb": memory.start_rss_mb,
        "worker_rss_growth_mb": memory.growth_mb,
        "worker_peak_hwm_mb": memory.peak_hwm_mb,
        "memory_samples": memory.samples,
    }


def export_runs(server: Server, path: str, cookie: str, runs: int = 3) -> dict:
    # One untimed download per worker first: the first export in a worker imports the CSV
    # code and fills its caches, which is not the growth "memory flat" is about.
    concurrently(2, lambda i: fetch(server.base_url, path, cookie))
    results = [stream_export(server, path, cookie) for _ in range(runs)]
    ok = [r for r in results if r["status"] == 200]
    return {
        "path": path,
        "runs": results,
        "seconds_median": statistics.median(r["seconds"] for r in ok) if ok else None,
        "first_byte_s_median": statistics.median(r["first_byte_s"] for r in ok) if ok else None,
        "rows": ok[0]["rows"] if ok else 0,
        "worker_rss_growth_mb": max((r["worker_rss_growth_mb"] for r in results), default=0),
        "errors": len(results) - len(ok),
    }
