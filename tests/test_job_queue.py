"""The job queue: jobs queued by the web side are run by a real worker process against
PostgreSQL, and the health check reports what waits."""

import pytest
from django.db import connection
from procrastinate.contrib.django import app

from tests.job_helpers import empty_queue, run_worker

REMOVE_OLD_JOBS = "builtin:procrastinate.builtin_tasks.remove_old_jobs"


@pytest.fixture
def queue(transactional_db):
    empty_queue()
    yield
    empty_queue()


def jobs_by_status():
    # The reminder tick a worker queues at its start (queue "periodic") is left out.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status::text, count(*) FROM procrastinate_jobs"
            " WHERE queue_name <> 'periodic' GROUP BY 1"
        )
        return dict(cursor.fetchall())


def test_a_real_worker_runs_a_job_queued_through_django(queue):
    app.configure_task(REMOVE_OLD_JOBS).defer(max_hours=1)
    assert jobs_by_status() == {"todo": 1}

    result = run_worker()

    # Successful jobs are deleted (PROCRASTINATE_WORKER_DEFAULTS); nothing waits or failed.
    assert jobs_by_status() == {}
    assert "remove_old_jobs" in result.stderr


def test_the_health_check_reports_waiting_jobs_and_stays_up_when_busy(client, queue):
    for _ in range(3):
        app.configure_task(REMOVE_OLD_JOBS).defer(max_hours=1)
    with connection.cursor() as cursor:
        # The first job has been waiting for five minutes.
        cursor.execute(
            "UPDATE procrastinate_events SET at = now() - interval '5 minutes' "
            "WHERE job_id = (SELECT min(id) FROM procrastinate_jobs)"
        )

    response = client.get("/healthz")

    assert response.status_code == 200
    report = response.json()["queue"]
    assert report["waiting"] == 3
    assert report["waiting_capped"] is False
    assert 299 <= report["oldest_waiting_seconds"] < 400
    assert report["workers"] == 0


def test_a_job_scheduled_for_later_is_not_waiting(client, queue):
    app.configure_task(REMOVE_OLD_JOBS, schedule_in={"hours": 1}).defer(max_hours=1)

    report = client.get("/healthz").json()["queue"]

    assert report["waiting"] == 0
    assert report["oldest_waiting_seconds"] is None
