"""The cache the workers of one host share without Redis (portal/hostcache.py).

What must hold: an entry one process stores is read by another; of several processes adding one
key at once exactly one succeeds (the lock figures.py takes on a miss); an expired entry does
not block an add; the directory is refused when others could write into it; production without
REDIS_URL uses it, in a directory of its own per database.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.hostcache import HostCache, default_location
from tests.test_settings import PROD, run_django

ROOT = Path(__file__).resolve().parent.parent


def in_process(directory, code: str) -> subprocess.CompletedProcess:
    """Run `code` in a new Python process with `cache`, a HostCache on `directory`."""
    script = (
        "import sys; from portal.hostcache import HostCache\n"
        f"cache = HostCache({str(directory)!r}, {{}})\n" + code
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def directory(tmp_path):
    path = tmp_path / "cache"
    path.mkdir(mode=0o700)
    return path


def test_an_entry_stored_by_one_process_is_read_by_another(directory):
    cache = HostCache(str(directory), {})
    cache.set("body:detail", ("<p>正文</p>",), 60)
    result = in_process(directory, "print(cache.get('body:detail')[0])")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "<p>正文</p>"
    written = in_process(directory, "cache.set('figures:list', {'count': 7}, 60)")
    assert written.returncode == 0, written.stderr
    assert cache.get("figures:list") == {"count": 7}


def test_of_processes_adding_one_key_at_once_exactly_one_succeeds(directory):
    start = time.time() + 1.5  # every process waits for the same moment, then adds
    code = (
        "import time, os\n"
        f"time.sleep(max(0, {start} - time.time()))\n"
        "print('won' if cache.add('lock', os.getpid(), 30) else 'lost')\n"
    )
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from portal.hostcache import HostCache\ncache = HostCache({str(directory)!r}, {{}})\n"
                + code,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outcomes = [proc.communicate(timeout=60)[0].strip() for proc in procs]
    assert sorted(outcomes) == ["lost"] * 5 + ["won"]
    winner = HostCache(str(directory), {}).get("lock")
    assert winner in {proc.pid for proc in procs}
    assert not [p for p in directory.iterdir() if not p.name.endswith(".djcache")]  # no temp files


def test_an_expired_entry_does_not_block_an_add(directory):
    cache = HostCache(str(directory), {})
    assert cache.add("lock", "old", 1)
    assert not cache.add("lock", "second", 30)
    time.sleep(1.1)
    assert cache.add("lock", "new", 30)
    assert cache.get("lock") == "new"


def test_the_directory_is_culled_to_its_bound(directory):
    cache = HostCache(str(directory), {"OPTIONS": {"MAX_ENTRIES": 30}})
    for n in range(200):
        cache.set(f"body:{n}", "x" * 100, 60)
    # Culled every CULL_EVERY (50) writes of a process: at most that many over the bound.
    assert len(list(directory.iterdir())) <= 30 + 50


@pytest.mark.parametrize("mode", [0o770, 0o755, 0o707])
def test_a_directory_others_can_reach_is_refused(tmp_path, mode):
    path = tmp_path / "open"
    path.mkdir()
    os.chmod(path, mode)
    with pytest.raises(ImproperlyConfigured, match="chmod 700"):
        HostCache(str(path), {})


def test_a_directory_in_a_parent_others_can_write_to_is_refused(tmp_path):
    parent = tmp_path / "shared"
    parent.mkdir()
    os.chmod(parent, 0o777)  # not sticky: anyone could rename the cache away and replace it
    with pytest.raises(ImproperlyConfigured):
        HostCache(str(parent / "cache"), {})


def test_each_database_has_a_directory_of_its_own(tmp_path):
    one = default_location(str(tmp_path), {"HOST": "db1", "PORT": 5432, "NAME": "portal"})
    other = default_location(str(tmp_path), {"HOST": "db1", "PORT": 5432, "NAME": "portal_bench"})
    assert one != other and Path(one).parent == Path(other).parent == tmp_path
    assert default_location(str(tmp_path), {"HOST": "db1", "PORT": 5432, "NAME": "portal"}) == one


def test_production_without_redis_shares_the_cache_between_the_hosts_workers(tmp_path):
    show = [
        "-c",
        "import django; django.setup(); from django.conf import settings as s; "
        "from django.core.cache import caches; caches['default'].set('k', 1); "
        "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])",
    ]
    result = run_django(show, **PROD, CACHE_DIR=str(tmp_path / "portal-cache"))
    assert result.returncode == 0, result.stderr
    engine, backend, location = result.stdout.split()
    # Sessions stay in the database: another host would not see a sign-out in this cache.
    assert engine == "django.contrib.sessions.backends.db"
    assert backend == "portal.hostcache.HostCache"
    assert Path(location).parent == tmp_path / "portal-cache"
    assert len(list(Path(location).iterdir())) == 1
