"""portal/db_router.py: which database a read goes to (the router is not wired in by default)."""

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from portal import db_router
from portal.db_router import PrimaryReplicaRouter, ReplicaReadsMiddleware
from recommendations.models import Recommendation, User


def read_db_during(request, model):
    """The database the router picks for `model` while the middleware handles `request`."""
    seen = {}

    def view(req):
        seen["db"] = PrimaryReplicaRouter().db_for_read(model)
        return HttpResponse("ok")

    response = ReplicaReadsMiddleware(view)(request)
    return seen["db"], response


@pytest.fixture
def with_replica(monkeypatch):
    # As if settings.DATABASES had a "replica" alias (the test database has none).
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)


def test_it_reads_a_get_page_from_the_replica(with_replica):
    db, _ = read_db_during(RequestFactory().get("/recommendations/"), Recommendation)
    assert db == "replica"


def test_it_reads_everything_from_the_primary_without_a_replica():
    db, _ = read_db_during(RequestFactory().get("/recommendations/"), Recommendation)
    assert db == "default"


def test_it_reads_users_and_sessions_from_the_primary(with_replica):
    db, _ = read_db_during(RequestFactory().get("/recommendations/"), User)
    assert db == "default"
    from django.contrib.sessions.models import Session

    db, _ = read_db_during(RequestFactory().get("/recommendations/"), Session)
    assert db == "default"


@pytest.mark.parametrize("path", ["/admin/", "/accounts/login/", "/healthz"])
def test_it_keeps_admin_sign_in_and_health_check_on_the_primary(with_replica, path):
    db, _ = read_db_during(RequestFactory().get(path), Recommendation)
    assert db == "default"


def test_a_post_reads_from_the_primary_and_marks_the_browser(with_replica):
    db, response = read_db_during(
        RequestFactory().post("/recommendations/1/assign/"), Recommendation
    )
    assert db == "default"
    cookie = response.cookies[db_router.WROTE_COOKIE]
    assert cookie["max-age"] == db_router.STICKY_SECONDS and cookie["httponly"]


def test_the_page_after_a_write_reads_from_the_primary(with_replica):
    request = RequestFactory().get("/recommendations/1/")
    request.COOKIES[db_router.WROTE_COOKIE] = str(time.time())
    db, _ = read_db_during(request, Recommendation)
    assert db == "default"


def test_a_malformed_write_cookie_is_ignored(with_replica):
    request = RequestFactory().get("/recommendations/1/")
    request.COOKIES[db_router.WROTE_COOKIE] = "<script>"
    db, _ = read_db_during(request, Recommendation)
    assert db == "replica"


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(with_replica):
    from django.db import transaction

    def view(request):
        with transaction.atomic():
            return HttpResponse(PrimaryReplicaRouter().db_for_read(Recommendation))

    response = ReplicaReadsMiddleware(view)(RequestFactory().get("/recommendations/"))
    assert response.content == b"default"


def test_writes_and_migrations_go_to_the_primary(with_replica):
    router = PrimaryReplicaRouter()
    assert router.db_for_write(Recommendation) == "default"
    assert router.allow_migrate("default", "recommendations") is True
    assert router.allow_migrate("replica", "recommendations") is False


def test_outside_a_request_reads_go_to_the_primary(with_replica):
    assert PrimaryReplicaRouter().db_for_read(Recommendation) == "default"


def test_the_window_closes_after_the_request(with_replica):
    read_db_during(RequestFactory().get("/recommendations/"), Recommendation)
    assert PrimaryReplicaRouter().db_for_read(Recommendation) == "default"
