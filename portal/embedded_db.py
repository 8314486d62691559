"""A self-contained PostgreSQL for machines without a database server.

When DATABASE_URL is unset (development and tests on a fresh machine), the `pgserver` wheel
starts its own PostgreSQL with data under the git-ignored `.local/pg`. The server is left
running between commands (cleanup_mode=None) so that the second `make run` starts quickly;
`make db-stop` stops it.
"""

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


def stop(base_dir: Path) -> None:
    data_dir = base_dir / ".local" / "pg"
    if data_dir.exists():
        _server(data_dir, cleanup_mode="stop").cleanup()


if __name__ == "__main__":
    # `python -m portal.embedded_db` prints the URL for tools that need DATABASE_URL set;
    # `python -m portal.embedded_db stop` stops the server.
    base = Path(__file__).resolve().parent.parent
    if sys.argv[1:] == ["stop"]:
        stop(base)
    else:
        print(embedded_database_url(base))
