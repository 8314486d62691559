"""Real job workers for the tests: `manage.py procrastinate worker` in its own process, against
the test database, until the queue is empty (or a given time is up)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
QUEUE_TABLES = (
    "procrastinate_periodic_defers",
    "procrastinate_events",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's copy, e.g. test_x_gw0)."""
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    # The embedded database listens on a socket directory: a percent-encoded host.
    host = quote(s.get("HOST") or "", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{s['USER']}{password}@{host}{port}/{s['NAME']}"


def worker_command(*args: str) -> list[str]:
    return [sys.executable, "manage.py", "procrastinate", "worker", *args]


def worker_env(**extra: str) -> dict:
    return {**os.environ, "DATABASE_URL": test_database_url(), **extra}


# The tests' workers leave the "periodic" queue alone: the reminder tick queued at a worker's
# start would otherwise run the real day's reminders in the middle of a test.
TEST_QUEUES = ("--queues", "notifications,mail,default,bulk,builtin")


def run_worker(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """One worker that runs every job due, then stops (`--one-shot`)."""
    return subprocess.run(
        worker_command("--one-shot", *TEST_QUEUES, *args),
        cwd=ROOT,
        env=worker_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def empty_queue() -> None:
    """procrastinate's tables are not Django-managed, so a transactional test's flush leaves
    them: each test that queues starts and ends with them empty."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(QUEUE_TABLES)} CASCADE")
