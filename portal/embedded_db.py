"""A self-contained PostgreSQL for machines without a database server.

When DATABASE_URL is unset (development and tests on a fresh machine), the `pgserver` wheel
starts its own PostgreSQL with data under the git-ignored `.local/pg`. The server is left
running between commands (cleanup_mode=None) so that the second `make run` starts quickly;
`make db-stop` stops it.
"""

import os
import sys
import warnings
from pathlib import Path


def _server(data_dir: Path, cleanup_mode):
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); harmless here.
        warnings.simplefilter("ignore")
        import pgserver  # imported lazily: production never needs it

        return pgserver.get_server(data_dir, cleanup_mode=cleanup_mode)


def embedded_database_url(base_dir: Path, database: str = "portal") -> str:
    data_dir = base_dir / ".local" / "pg"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = _server(data_dir, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


def stop(base_dir: Path) -> str:
    """Stop the embedded server, whoever started it; returns what was done, for the console.

    pgserver stops the server only when the last process that opened it lets go, and it learns
    that from `.handle_pids.json`. A process ended by a signal (a killed `make run`, a CI
    timeout) never removes its entry, so pgserver would think the server is still in use and
    leave it running. `make db-stop` is an explicit request: stop it, and forget every handle.
    """
    data_dir = base_dir / ".local" / "pg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import pg_ctl
        from pgserver.postgres_server import PostgresServer
        from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir) if data_dir.exists() else None
    if info is None or not info.is_running():
        return "The embedded database is not running."
    # As root pgserver runs PostgreSQL as its own system user; pg_ctl must be run as it too.
    user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
    with PostgresServer._lock:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
        (data_dir / ".handle_pids.json").unlink(missing_ok=True)
    return f"Stopped the embedded database (process {info.pid})."


if __name__ == "__main__":
    # `python -m portal.embedded_db` prints the URL for tools that need DATABASE_URL set;
    # `python -m portal.embedded_db stop` stops the server.
    base = Path(__file__).resolve().parent.parent
    if sys.argv[1:] == ["stop"]:
        print(stop(base))
    else:
        print(embedded_database_url(base))
