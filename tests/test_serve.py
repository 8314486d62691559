"""bin/serve: secure by default, plain HTTP only on loopback and only when asked, one control
socket per instance (none)."""

import http.client
import re
from urllib.parse import urlencode

import pytest
from django.conf import global_settings

from recommendations.models import User
from tests.serve_helpers import free_port, get, serve_env, served

# The launcher is another process: the tests commit what it reads.
pytestmark = pytest.mark.usefixtures("committed_db")

HTTPS = {"X-Forwarded-Proto": "https"}


def cookie_flags(response, name) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers}")


def sign_in(port, username, password, headers) -> http.client.HTTPResponse:
    page = get(port, "/accounts/login/", headers)
    csrf = re.search(r"csrftoken=([^;]+)", cookie_flags(page, "csrftoken")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.decode()}
    )
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": ("https" if headers else "http") + f"://127.0.0.1:{port}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_it_is_secure_by_default(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server's own
    User.objects.create_user("official", password="a-long-password-of-the-district")
    port = free_port()
    # The defaults a deployment gets; only the proxy header is trusted, as behind nginx.
    with served(serve_env(port, BEHIND_TLS_PROXY="1")) as server:
        assert server.proc.poll() is None, server.output()  # check --deploy passed
        plain = get(port, "/accounts/login/")
        assert plain.status == 301
        assert plain.headers["Location"].startswith("https://")
        assert get(port, "/healthz").status == 200  # a load balancer may poll over HTTP

        page = get(port, "/accounts/login/", HTTPS)
        assert page.status == 200
        assert "max-age=" in page.headers["Strict-Transport-Security"]
        assert "Secure" in cookie_flags(page, "csrftoken")
        signed_in = sign_in(port, "official", "a-long-password-of-the-district", HTTPS)
        assert signed_in.status == 302, server.output()
        session = cookie_flags(signed_in, "sessionid")
        assert "Secure" in session and "HttpOnly" in session


def test_it_refuses_weakened_settings_without_the_switch():
    port = free_port()
    with served(serve_env(port, SESSION_COOKIE_SECURE="0")) as server:
        assert server.proc.wait(timeout=60) != 0
        assert "security.W012" in server.output()


def test_plain_http_is_refused_off_loopback():
    port = free_port()
    env = serve_env(port, PLAIN_HTTP_LOOPBACK="1", BIND=f"0.0.0.0:{port}")
    with served(env) as server:
        assert server.proc.wait(timeout=60) == 2
        assert "loopback" in server.output()


def test_two_instances_on_one_host_share_no_control_socket(tmp_path):
    first, second = free_port(), free_port()
    home = {"HOME": str(tmp_path)}  # gunicorn's default socket lives under the home folder
    with (
        served(serve_env(first, PLAIN_HTTP_LOOPBACK="1", **home)) as one,
        served(serve_env(second, PLAIN_HTTP_LOOPBACK="1", **home)) as two,
    ):
        assert one.proc.poll() is None and two.proc.poll() is None
        page = get(first, "/accounts/login/")
        assert page.status == 200  # plain HTTP on loopback, as asked
        assert "Secure" not in cookie_flags(page, "csrftoken")
        assert get(second, "/healthz").status == 200
        assert not list(tmp_path.rglob("*.ctl")), "an instance opened a control socket"
