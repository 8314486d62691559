"""The cache shared by every process of one host when there is no Redis: files in a private
directory (memory-backed under /dev/shm on Linux).

Django's file cache with what a page cache shared by the gunicorn workers needs:

- **One copy per host, not per worker.** With a memory cache per process, each of the W workers
  rendered and kept its own copy of every page body and figure after each change (W first
  renders per change), a recycled worker started empty, and the lock that makes concurrent
  misses compute once (recommendations/figures.py) held within one worker only. Here the first
  worker to render a page stores it for all of them.
- **An atomic `add()`.** Django's file cache checks and then writes, so two processes could both
  take the lock figures.py takes with it. Here the entry is written to a temporary file and
  hard-linked into place: exactly one process creates it.
- **Cheap writes.** Django lists the whole directory before every write to decide whether to
  cull; here that happens every CULL_EVERY writes of a process (the directory may run over
  MAX_ENTRIES by that many writes per process before random entries are removed, down to two
  thirds of it). Entries are
  compressed at zlib level 1: HTML shrinks about as much, at a fraction of the CPU.
- **Private.** A cache file is unpickled when read, so whoever can write into the directory can
  run code in the portal: the directory must belong to the portal's user and be closed to
  others (0700), or the cache refuses to start.

Entries of one database only: settings.py puts each database's cache in a directory of its own,
so two portals on one host never read each other's pages, and `manage.py preflight` (bin/serve)
empties it before the workers start, so a new release never serves a body rendered by the old
templates.
"""

import hashlib
import os
import pickle
import random
import stat
import tempfile
import zlib
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import ImproperlyConfigured

CULL_EVERY = 50
COMPRESSION = 1


def default_location(base: str | None, database: dict) -> str:
    """The cache directory of `database` (its host, port and name): under `base` (CACHE_DIR), by
    default a directory of this user's in /dev/shm (memory), or else in the temporary directory."""
    if not base:
        shm = Path("/dev/shm")
        root = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
        base = root / f"portal-cache-{os.getuid()}"
    identity = f"{database.get('HOST') or ''}:{database.get('PORT') or ''}/{database['NAME']}"
    return str(Path(base) / hashlib.sha256(identity.encode()).hexdigest()[:16])


class HostCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._writes = 0
        self._check_private()

    def _check_private(self) -> None:
        info = os.stat(self._dir)
        parent = os.stat(os.path.dirname(self._dir))
        # Nobody else may write into the directory, nor rename it away in its parent (a
        # world-writable parent such as /tmp must be sticky).
        shared_parent = parent.st_mode & 0o022 and not parent.st_mode & stat.S_ISVTX
        if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077 or shared_parent:
            raise ImproperlyConfigured(
                f"The cache directory {self._dir} must belong to this user and be closed to "
                "others (chmod 700), in a directory others cannot write to: its files are "
                "unpickled when read."
            )

    def _write_content(self, file, timeout, value):
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), COMPRESSION))

    def _cull(self):
        self._writes += 1
        if self._writes % CULL_EVERY != 1:
            return
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        # Down to two thirds of the bound (CULL_FREQUENCY 3), random entries as Django culls.
        keep = self._max_entries - self._max_entries // max(self._cull_frequency, 1)
        for fname in random.sample(files, len(files) - keep):
            self._delete(fname)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Store `value` only if no live entry has `key`; True if this call stored it."""
        self._createdir()
        fname = self._key_to_file(key, version)
        self._cull()
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as f:
                self._write_content(f, timeout, value)
            for _attempt in range(2):
                try:
                    os.link(tmp_path, fname)  # fails if the name exists: one process wins
                    return True
                except FileExistsError:
                    # A live entry keeps its place; an expired one is deleted by has_key()
                    # (FileBasedCache._is_expired), and the link is tried once more.
                    if self.has_key(key, version):
                        return False
            return False
        finally:
            os.remove(tmp_path)
