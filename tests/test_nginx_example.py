"""The nginx example of docs/deployment.md, run by a real nginx (Debian's package) in front of
bin/serve with its secure defaults: the health check, static files, the sign-in page and a
sign-in over TLS, and plain HTTP sent to HTTPS. The configuration is read from the document
itself; only addresses, ports and file paths are replaced."""

import http.client
import os
import re
import shutil
import ssl
import subprocess
import time
from urllib.parse import urlencode

import pytest
from django.conf import global_settings

from recommendations.models import User
from tests.serve_helpers import ROOT, free_port, serve_env, served

pytestmark = pytest.mark.usefixtures("committed_db")

HOST = "portal.example.internal"
PASSWORD = "a-long-password-of-the-district"


def example_config() -> str:
    text = (ROOT / "docs" / "deployment.md").read_text()
    blocks = re.findall(r"```nginx\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "docs/deployment.md should hold one nginx example"
    return blocks[0]


def local_config(tmp, upstream_port, https_port, http_port) -> str:
    config = example_config()
    servers = re.findall(r"^\s*server 10\.0\.0\.\d+:8000[^;]*;\n", config, re.M)
    assert servers, "the example names its app hosts"
    config = config.replace(servers[0], f"    server 127.0.0.1:{upstream_port};\n")
    for other in servers[1:]:
        config = config.replace(other, "")
    replacements = {
        "/var/cache/nginx/static": str(tmp / "cache"),
        "listen 443 ssl": f"listen 127.0.0.1:{https_port} ssl",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/ssl/portal/portal.crt": str(tmp / "portal.crt"),
        "/etc/ssl/portal/portal.key": str(tmp / "portal.key"),
    }
    for old, new in replacements.items():
        assert old in config, f"the example no longer has {old!r}"
        config = config.replace(old, new)
    temp = "".join(
        f"    {kind}_temp_path {tmp / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's folder
    return (
        f"{user}daemon off;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\n"
        f"events {{}}\nhttp {{\n    access_log {tmp / 'access.log'};\n{temp}"
        f"    include /etc/nginx/mime.types;\n{config}}}\n"
    )


@pytest.fixture
def nginx_in_front(tmp_path, settings):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    # Never skipped: bin/test-prereqs installs Debian's nginx (or stops `make test` with the
    # command to run), so a missing binary is a failure here.
    assert os.path.exists(nginx), "nginx is missing: run bin/test-prereqs"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-keyout", str(tmp_path / "portal.key"),
         "-out", str(tmp_path / "portal.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server's own
    User.objects.create_user("official", password=PASSWORD)
    upstream, https_port, http_port = free_port(), free_port(), free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(local_config(tmp_path, upstream, https_port, http_port))
    env = serve_env(
        upstream,
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        BEHIND_TLS_PROXY="1",
        TRUSTED_PROXIES="127.0.0.1",
    )
    with served(env) as server:
        assert server.proc.poll() is None, server.output()
        check = subprocess.run([nginx, "-t", "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen([nginx, "-c", str(conf)], stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            while not (tmp_path / "nginx.pid").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.3)
            yield {"https": https_port, "http": http_port, "server": server}
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def request(port, path, method="GET", body=None, headers=None, tls=True):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=15, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


def cookie(response, name) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie")


def test_the_documented_nginx_in_front_of_bin_serve(nginx_in_front):
    https, plain = nginx_in_front["https"], nginx_in_front["http"]

    health = request(https, "/healthz")  # the load balancer's check
    assert health.status == 200, health.body
    assert b'"ok"' in health.body

    page = request(https, "/accounts/login/")  # Host and X-Forwarded-Proto reach Django
    assert page.status == 200, (page.status, page.headers)
    assert "Secure" in cookie(page, "csrftoken")

    css = re.search(rb'href="(/static/[^"]+\.css)"', page.body).group(1).decode()
    first, second = request(https, css), request(https, css)
    assert first.status == 200 and first.body
    assert "immutable" in first.headers["Cache-Control"]
    assert second.headers["X-Cache"] == "HIT"  # the proxy's static cache

    csrf = re.search(r"csrftoken=([^;]+)", cookie(page, "csrftoken")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    signed_in = request(
        https,
        "/accounts/login/",
        method="POST",
        body=urlencode(
            {"username": "official", "password": PASSWORD, "csrfmiddlewaretoken": token.decode()}
        ),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"https://{HOST}/accounts/login/",
        },
    )
    assert signed_in.status == 302, nginx_in_front["server"].output()[-2000:]
    assert "Secure" in cookie(signed_in, "sessionid")

    redirected = request(plain, "/accounts/login/", tls=False)
    assert redirected.status == 301
    assert redirected.headers["Location"] == f"https://{HOST}/accounts/login/"
