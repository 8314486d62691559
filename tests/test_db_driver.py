"""Which PostgreSQL driver runs what (docs/deployment.md 2.6, "Database driver"): procrastinate
imports psycopg 3 whenever it is imported, so Django, which prefers psycopg 3 to psycopg2 when
both are installed, uses psycopg 3 in every process; the worker's own connector is psycopg 3 too.
A change of driver must be a decision, not a side effect of an upgrade: this test names it."""

import subprocess
import sys

import psycopg
import pytest
from django.db import connection
from procrastinate.contrib.django import app
from procrastinate.psycopg_connector import PsycopgConnector

from tests.job_helpers import ROOT, worker_env


@pytest.mark.django_db
def test_django_runs_on_psycopg_3():
    assert connection.Database is psycopg
    connection.ensure_connection()
    assert isinstance(connection.connection, psycopg.Connection)


def test_the_worker_connector_is_psycopg_3():
    assert isinstance(app.connector.get_worker_connector(), PsycopgConnector)


@pytest.mark.django_db
def test_a_fresh_process_makes_the_same_choice():
    """Not an accident of the test process's import order: `manage.py shell` decides alike."""
    show = "from django.db import connection; print(connection.Database.__name__)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", show],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "psycopg"
