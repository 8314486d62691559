"""A self-contained PostgreSQL for machines without a database server.

When DATABASE_URL is unset (development and tests on a fresh machine), the `pgserver` wheel
starts its own PostgreSQL with data under the git-ignored `.local/pg`. The server is left
running between commands (cleanup_mode=None) so that the second `make run` starts quickly;
`make db-stop` stops it.
"""

from pathlib import Path


def embedded_database_url(base_dir: Path, database: str = "portal") -> str:
    import pgserver  # imported lazily: production never needs it

    data_dir = base_dir / ".local" / "pg"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


if __name__ == "__main__":
    # `python -m portal.embedded_db` prints the URL, for tools that need DATABASE_URL set.
    print(embedded_database_url(Path(__file__).resolve().parent.parent))
