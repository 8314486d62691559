from django.db import OperationalError, connection
from django.urls import reverse

from tests.serve_helpers import free_port


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
