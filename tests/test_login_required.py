"""Every page needs sign-in except the allow-list; found by walking the URL resolver."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ALLOWED_ANONYMOUS = {"healthz", "login", "favicon"}
# Django admin's own sign-in and the JavaScript catalog redirect or answer for themselves.
ADMIN_PUBLIC = {"admin:login", "admin:logout"}


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns and namespace and entry.namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern)


def concrete_path(pattern: str) -> str:
    """Turn a route or regex into a path with sample values for its parameters."""
    path = re.sub(r"<int:\w+>", "1", pattern)
    path = re.sub(r"<path:\w+>", "x", path)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000000", path)
    path = re.sub(r"<(?:str:|slug:)?\w+>", "x", path)
    path = path.lstrip("^").rstrip("$").replace("\\Z", "")
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = path.replace("\\", "")
    return "/" + path


ALL_URLS = sorted(set(walk(get_resolver().url_patterns)), key=lambda x: x[1])
PROTECTED = [
    (name, pattern)
    for name, pattern in ALL_URLS
    if name not in ALLOWED_ANONYMOUS and name not in ADMIN_PUBLIC
]


def test_the_walk_finds_the_portal_pages():
    names = {name for name, _ in ALL_URLS}
    assert {"dashboard", "healthz", "login", "admin:index"} <= names


@pytest.mark.parametrize(("name", "pattern"), PROTECTED, ids=[p for _, p in PROTECTED])
@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in(client, name, pattern):
    path = concrete_path(pattern)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, (path, response.status_code)
        assert "login" in response["Location"], (path, response["Location"])


@pytest.mark.django_db
def test_the_allow_list_answers_anonymous_users(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 200
