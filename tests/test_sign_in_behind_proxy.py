"""Sign-in throttling (django-axes) behind the reverse proxy: the client's address comes from
X-Forwarded-For only when the request comes from a trusted proxy (portal/client_ip.py)."""

import pytest
from django.urls import reverse

from portal.client_ip import client_ip
from tests.conftest import PASSWORD

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def trusted_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY, "10.0.1.0/24"]


def attempt(client, password, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": "viewer1", "password": password}, **extra)


def fail_until_locked(client, settings, remote, forwarded=None):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", remote, forwarded)


def test_failures_of_one_client_behind_the_proxy_lock_out_only_that_client(
    client, viewer, settings
):
    fail_until_locked(client, settings, PROXY, "198.51.100.7")

    assert attempt(client, PASSWORD, PROXY, "198.51.100.7").status_code == 429
    assert attempt(client, PASSWORD, PROXY, "198.51.100.8").status_code == 302


def test_a_header_from_an_untrusted_address_is_ignored(client, viewer, settings):
    # Someone reaching gunicorn directly cannot escape the lock by writing the header.
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", "203.0.113.9", f"198.51.100.{n}")

    assert attempt(client, PASSWORD, "203.0.113.9", "192.0.2.200").status_code == 429


def test_what_the_client_wrote_left_of_the_proxys_entry_is_not_believed(rf):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"


def test_chained_trusted_proxies_are_skipped(rf):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.1.20")
    assert client_ip(request) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "10.0.1.3"])
def test_without_a_usable_client_entry_the_proxys_address_is_used(rf, forwarded):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == PROXY


def test_without_trusted_proxies_the_header_is_never_read(rf, settings):
    settings.TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) == PROXY
