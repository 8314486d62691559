"""A read request's SQL is cut off after READ_STATEMENT_TIMEOUT_MS with a clear page; writes are
not limited (portal/timeouts.py)."""

import pytest
from django.db import connection

from tests.action_helpers import post_as
from tests.conftest import make_user

# Transactional: the lock is held by another session. Such tests empty the database after each
# other, seeded groups included, so the users here are made without a role.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewer(db):
    return make_user("timeout-viewer", is_superuser=True)


@pytest.fixture
def staff(db):
    return make_user("timeout-staff", is_superuser=True)


@pytest.fixture(autouse=True)
def no_limit_afterwards():
    """The limit is a session setting of the test's connection: lift it for the teardown."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    connection.__dict__.pop("_portal_statement_timeout", None)


@pytest.fixture
def table_locked_elsewhere():
    """Another session holds the recommendations table, so any read of it waits."""
    other = connection.Database.connect(**connection.get_connection_params())
    with other.cursor() as cursor:
        cursor.execute("LOCK TABLE recommendations_recommendation IN ACCESS EXCLUSIVE MODE")
    yield
    other.rollback()
    other.close()


def test_it_cuts_off_a_slow_read_with_a_chinese_message(
    client, viewer, item, settings, table_locked_elsewhere
):
    settings.READ_STATEMENT_TIMEOUT_MS = 300
    client.force_login(viewer)
    response = client.get("/recommendations/", {"q": "算力"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "查询用时过长" in html and "0.3 秒" in html


def test_the_site_answers_again_once_the_slow_read_is_gone(client, viewer, item, settings):
    settings.READ_STATEMENT_TIMEOUT_MS = 300
    client.force_login(viewer)
    assert client.get("/recommendations/", {"q": "算力"}).status_code == 200


def test_a_write_is_not_limited(client, staff, item, settings):
    settings.READ_STATEMENT_TIMEOUT_MS = 300
    client.force_login(staff)
    assert client.get("/recommendations/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "300ms"
    response = post_as(client, staff, "recommendation_comment", item, {"body": "写入不受限"})
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
