"""The restart drill (`make drill`, `bin/drill`): does the production stack survive a database
restart under load, and does it recover by itself?

It starts a throw-away PostgreSQL of its own (the pgserver wheel, in a temporary folder: it
never touches a system server or the development database), runs the production launcher
(`bin/serve`, with PLAIN_HTTP_LOOPBACK=1 on a free loopback port) against it, signs a few
clients in, and has them make a fixed number of requests each (the dashboard, the list,
/healthz). When each client has made a third of its requests, the database is stopped
(pg_ctl fast stop: every connection is cut), left down for --down seconds, and started again;
meanwhile the clients keep asking every quarter of a second, and once it is back they make the
other two thirds. Each request is
counted by when it started: before the stop, while the database is away (from the stop until
pg_ctl reports it accepting connections again), and after. Failures while it is away
are expected (the site answers 500 or /healthz 503); after it, there must be none: Django
(CONN_MAX_AGE with health checks) must drop its broken connections and open new ones without
a restart of the site. The exit status is 1 when a request after the restart failed.

    .venv/bin/python -m portal.drill [--clients 4] [--requests 60] [--down 3] [--json OUT]
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
PAGES = ("/", "/recommendations/", "/healthz")
PASSWORD = "drill-" + "p" * 12 + "-9Qx"


@dataclass
class Outcome:
    started: float
    path: str
    status: int  # 0: no answer (connection refused or cut)


@dataclass
class Report:
    clients: int
    requests: int
    down_seconds: float
    stopped_at: float = 0.0
    back_at: float = 0.0
    counts: dict = field(default_factory=dict)
    failed_after_examples: list = field(default_factory=list)

    @property
    def failed_after(self) -> int:
        return self.counts.get("after", {}).get("failed", 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A PostgreSQL of the drill's own, which it may stop and start."""

    def __init__(self):
        # Not under a pytest or per-user temporary folder: run as root, pgserver runs
        # PostgreSQL as its own user, which must reach the folder.
        self.base = Path(tempfile.mkdtemp(prefix="portal-drill-"))
        self.base.chmod(0o755)
        self.data = self.base / ".local" / "pg"

    def start(self) -> str:
        from portal.embedded_db import embedded_database_url

        self.url = embedded_database_url(self.base, "drill")
        return self.url

    def _ctl(self, *args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pgserver._commands import pg_ctl
        user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
        pg_ctl(list(args), pgdata=self.data, user=user, timeout=60)

    def stop_for(self, seconds: float) -> None:
        """Stop (every connection is cut), wait, start again on the same socket."""
        socket_dir = urllib.parse.parse_qs(urllib.parse.urlsplit(self.url).query)["host"][0]
        self._ctl("-w", "-m", "fast", "stop")
        time.sleep(seconds)
        self._ctl(
            "-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(self.data / "log"), "start"
        )

    def remove(self) -> None:
        from portal.embedded_db import stop

        with contextlib.suppress(Exception):
            stop(self.base)
        shutil.rmtree(self.base, ignore_errors=True)


class Site:
    """bin/serve on a free loopback port, over plain HTTP."""

    def __init__(self, database_url: str, folder: Path):
        self.port = _free_port()
        self.log_path = folder / "serve.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEMO_"))}
        env.update(
            DATABASE_URL=database_url,
            PLAIN_HTTP_LOOPBACK="1",
            SECRET_KEY="drill-" + "s" * 30 + "-Zq8#Lm2$Wx5&Np7*Rt9@Vb3",
            ALLOWED_HOSTS="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY="2",
            JOB_WORKERS="0",
            EMAIL_HOST="127.0.0.1",
            STATIC_ROOT=str(folder / "static"),  # not the shared staticfiles/ of other runs
            PYTHONDONTWRITEBYTECODE="1",
        )
        self.env = env

    def start(self, timeout: float = 300) -> None:
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            ["bash", "bin/serve"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: bash, gunicorn and its workers
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bin/serve exited:\n{self.log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"bin/serve did not answer within {timeout} s")

    def stop(self) -> None:
        if getattr(self, "proc", None) is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        deadline = time.monotonic() + 30  # until the workers are gone too
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        self.log.close()


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def _cookies(headers, jar):
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()


def sign_in(port, username) -> dict:
    """A signed-in session through the real login form (CSRF token and all)."""
    jar = {}
    status, headers, body = request(port, "GET", "/accounts/login/")
    _cookies(headers, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    status, headers, _ = request(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    _cookies(headers, jar)
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"sign-in of {username} answered {status}")
    return jar


def create_users(database_url: str, count: int) -> list[str]:
    names = [f"drill{n}" for n in range(count)]
    code = (
        "from django.contrib.auth.models import Group\n"
        "from recommendations.models import User\n"
        f"for name in {names!r}:\n"
        f"    User.objects.create_user(name, password={PASSWORD!r}).groups.add(\n"
        "        Group.objects.get(name='viewer'))\n"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_ENV": "development"}
    subprocess.run(
        [str(PY), "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return names


def run(clients=4, requests=60, down=3.0, out=print) -> Report:
    report = Report(clients=clients, requests=requests, down_seconds=down)
    database = Database()
    folder = Path(tempfile.mkdtemp(prefix="portal-drill-run-"))
    site = None
    try:
        out("drill: starting a throw-away PostgreSQL …")
        url = database.start()
        site = Site(url, folder)
        out("drill: starting bin/serve (migrations on an empty database) …")
        site.start()
        users = create_users(url, clients)
        jars = [sign_in(site.port, name) for name in users]
        outcomes: list[Outcome] = []
        lock = threading.Lock()
        first = max(1, requests // 3)
        warmed = threading.Barrier(clients + 1)
        stopping, back = threading.Event(), threading.Event()

        def client(jar):
            cookie = "; ".join(f"{k}={v}" for k, v in jar.items())

            def one(n):
                path = PAGES[n % len(PAGES)]
                started = time.monotonic()
                try:
                    status = request(site.port, "GET", path, headers={"Cookie": cookie})[0]
                except OSError:
                    status = 0
                with lock:
                    outcomes.append(Outcome(started, path, status))
                time.sleep(0.05)  # a person's pace, roughly: a bounded load, not a flood

            for n in range(first):
                one(n)
            warmed.wait()
            stopping.wait()  # counted from here as "during"
            n = first
            while not back.is_set():  # while the database is away: keep asking, slowly
                one(n)
                time.sleep(0.2)
                n += 1
            for n in range(first, requests):
                one(n)

        threads = [threading.Thread(target=client, args=(jar,), daemon=True) for jar in jars]
        out(
            f"drill: {clients} clients × {requests} requests ({first} before the database stops,"
            f" the rest after it is back, and more while it is away)"
        )
        for thread in threads:
            thread.start()
        warmed.wait(timeout=600)
        report.stopped_at = time.monotonic()
        stopping.set()
        database.stop_for(down)
        report.back_at = time.monotonic()
        back.set()
        out(f"drill: database down {report.back_at - report.stopped_at:.1f} s, started again")
        for thread in threads:
            thread.join(timeout=600)
        for phase in ("before", "during", "after"):
            report.counts[phase] = {"requests": 0, "failed": 0}
        for o in outcomes:
            if o.started < report.stopped_at:
                phase = "before"
            elif o.started < report.back_at:
                phase = "during"
            else:
                phase = "after"
            ok = o.status in (200, 302)
            report.counts[phase]["requests"] += 1
            report.counts[phase]["failed"] += 0 if ok else 1
            if phase == "after" and not ok and len(report.failed_after_examples) < 10:
                report.failed_after_examples.append(
                    f"{o.path} → {o.status or 'no answer'} at +{o.started - report.back_at:.1f} s"
                )
        for phase, c in report.counts.items():
            out(f"drill: {phase:>6}: {c['requests']} requests, {c['failed']} failed")
        return report
    finally:
        if site is not None:
            site.stop()
        database.remove()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bin/drill", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=60, help="per client")
    parser.add_argument("--down", type=float, default=3.0, help="seconds the database is away")
    parser.add_argument("--json", help="write the report to this file")
    args = parser.parse_args(argv)
    report = run(args.clients, args.requests, args.down)
    if args.json:
        data = {**asdict(report), "failed_after": report.failed_after}
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=2))
    if report.failed_after:
        print("drill: FAILED: requests after the restart failed:", *report.failed_after_examples)
        return 1
    print("drill: the site recovered: no failed request after the restart")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.exit(main())
