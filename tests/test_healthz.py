from django.db import OperationalError, connection
from django.urls import reverse


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
