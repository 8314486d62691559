import time

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from procrastinate.contrib.django import app

from recommendations.views import health
from tests.job_helpers import empty_queue
from tests.serve_helpers import free_port

REMOVE_OLD_JOBS = "builtin:procrastinate.builtin_tasks.remove_old_jobs"


def test_it_answers_200_without_sign_in(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["queue"] == {
        "waiting": 0,
        "waiting_capped": False,
        "oldest_waiting_seconds": None,
        "workers": 0,
    }


def test_it_answers_503_when_the_database_does_not(client, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_it_refuses_post(client, db):
    assert client.post(reverse("healthz")).status_code == 405


def test_it_answers_503_with_a_session_cookie_while_the_database_is_down(
    committed_db, client, viewer
):
    """The history middleware reads the signed-in user before the view: during a real outage
    (nothing listens on the database port) that read must not turn the 503 into a 500."""
    client.force_login(viewer)
    client.raise_request_exception = False
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())  # nothing listens there
    try:
        response = client.get(reverse("healthz"))
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.fixture
def queue(transactional_db):
    empty_queue()
    yield
    empty_queue()


def test_the_queue_figures_are_read_at_most_once_per_window_and_the_database_every_time(
    client, queue, monkeypatch, django_assert_num_queries
):
    """Load balancers call /healthz many times a second: the queue is counted once per window,
    and each call in between asks the database with one `SELECT 1`."""
    monkeypatch.setattr(health, "QUEUE_REPORT_SECONDS", 1)
    assert client.get(reverse("healthz")).json()["queue"]["waiting"] == 0
    app.configure_task(REMOVE_OLD_JOBS).defer(max_hours=1)

    with django_assert_num_queries(1) as captured:
        within = client.get(reverse("healthz"))
    assert captured.captured_queries[0]["sql"] == "SELECT 1"
    assert within.status_code == 200
    assert within.json()["queue"]["waiting"] == 0  # the figure of the window

    time.sleep(1.2)
    with django_assert_num_queries(1):
        after = client.get(reverse("healthz"))
    assert after.json()["queue"]["waiting"] == 1


def test_it_answers_503_while_the_queue_figures_are_cached(client, db, monkeypatch):
    assert client.get(reverse("healthz")).status_code == 200  # the figures are cached now

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
