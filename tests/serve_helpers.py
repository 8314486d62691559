"""Start the production launcher (bin/serve, or `make serve`) against the test database.

The server is a separate process, so the tests that use it need `committed_db` (conftest.py:
their rows are committed where it can read them). Start-ups are serialised across pytest-xdist workers:
each runs `collectstatic` into the one `staticfiles/` folder.
"""

import contextlib
import fcntl
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
START_LOCK = Path("/tmp/portal-test-serve.lock")
SECRET = "test-serve-" + "k" * 20 + "Zq8#Lm2$Wx5&Np7*Rt9@Vb3!Hc6^Jd4%Fg1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tests_database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def serve_env(port: int, **overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEMO_"))}
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "BIND"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=tests_database_url(),
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        JOB_WORKERS="0",  # the web server alone: what these tests look at
        EMAIL_HOST="127.0.0.1",  # a deployment names its mail server (check --deploy)
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def get(port: int, path: str, headers: dict | None = None, host="127.0.0.1"):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


class Served:
    """A running launcher; `.port`, `.output()` (what it printed) and `.proc`."""

    def __init__(self, env: dict, command=("bash", "bin/serve"), log: Path | None = None):
        self.env, self.command = env, list(command)
        self.port = int(env["PORT"])
        self.log_path = log or Path(f"/tmp/portal-test-serve-{self.port}.log")

    def start(self, timeout=120) -> "Served":
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: make, bash and gunicorn stop together
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return self  # exited: the caller looks at returncode and output()
            with contextlib.suppress(OSError):
                if get(self.port, "/healthz").status == 200:
                    return self
            time.sleep(0.3)
        self.stop()
        raise AssertionError(f"no answer on /healthz within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # Until gunicorn's workers are gone too: they hold connections to the test database.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        self.log.close()


@contextlib.contextmanager
def served(env: dict, command=("bash", "bin/serve")):
    server = Served(env, command)
    with START_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server.start()
    try:
        yield server
    finally:
        server.stop()
