"""`make db-stop` stops the embedded PostgreSQL, even after a process using it was killed.

Each test starts its own pgserver PostgreSQL in a temporary folder, the way `make run` does
without DATABASE_URL, so the developer's own `.local/pg` is never touched.
"""

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from pgserver.utils import PostmasterInfo

from portal.embedded_db import stop

ROOT = Path(__file__).resolve().parent.parent

# A process that opens the embedded database as settings.py does, then dies by SIGKILL: its
# atexit handler never runs, so its pid stays in .handle_pids.json.
OPEN_AND_DIE = """
import os, signal, sys
from pathlib import Path
from portal.embedded_db import embedded_database_url
print(embedded_database_url(Path(sys.argv[1])), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def postmaster(base: Path):
    return PostmasterInfo.read_from_pgdata(base / ".local" / "pg")


def wait_until_gone(pid, seconds=10):
    deadline = time.monotonic() + seconds
    while psutil.pid_exists(pid) and time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.1)


@pytest.fixture
def base():
    # Not pytest's tmp_path: run as root, pgserver opens the folders above its data to its own
    # user, and any pytest starting meanwhile on this machine closes /tmp/pytest-of-root again
    # (it insists on mode 0700), which locks the server's user out halfway through a test.
    path = Path(tempfile.mkdtemp(prefix="portal-embedded-db-"))
    yield path
    info = postmaster(path)
    if info is not None and info.is_running():  # a failed test must not leave a server behind
        info.process.send_signal(signal.SIGQUIT)
        wait_until_gone(info.pid)
    shutil.rmtree(path, ignore_errors=True)


def test_it_stops_the_server_when_a_killed_process_left_its_handle(base):
    run = subprocess.run(
        [sys.executable, "-c", OPEN_AND_DIE, str(base)], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert run.stdout.startswith("postgresql://")
    info = postmaster(base)
    assert info is not None and info.is_running()
    handles = json.loads((base / ".local" / "pg" / ".handle_pids.json").read_text())
    assert handles and not any(psutil.pid_exists(pid) for pid in handles)  # stale entries

    message = stop(base)

    wait_until_gone(info.pid)
    assert not info.is_running() or info.process.status() == psutil.STATUS_ZOMBIE
    assert "Stopped" in message
    assert not (base / ".local" / "pg" / ".handle_pids.json").exists()


def test_it_does_not_start_a_server_only_to_stop_it(base):
    (base / ".local" / "pg").mkdir(parents=True)

    assert stop(base) == "The embedded database is not running."
    assert postmaster(base) is None
    assert not (base / ".local" / "pg" / "PG_VERSION").exists()
