"""Production settings refuse to start without secrets, and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "Zq8#Lm2$Wx5&Np7*Rt9@Vb3!Hc6^Jd4%Fg1"


def run_django(args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("SECRET_KEY", None)
    env.pop("ALLOWED_HOSTS", None)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env.update(env_overrides)
    for key, value in list(env.items()):
        if value is None:
            del env[key]
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


SETUP = ["-c", "import django; django.setup(); print('started')"]
PROD = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
    "EMAIL_HOST": "mail.example.org",  # check --deploy warns without it (notifications/checks.py)
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without(missing):
    result = run_django(SETUP, **{**PROD, missing: None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_starts_with_its_secrets():
    result = run_django(SETUP, **PROD)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_a_malformed_boolean_is_an_error_not_a_default():
    result = run_django(SETUP, **PROD, SECURE_SSL_REDIRECT="maybe")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr


def test_an_unknown_environment_name_is_an_error():
    result = run_django(SETUP, DJANGO_ENV="prod")
    assert result.returncode != 0
    assert "DJANGO_ENV" in result.stderr


def test_a_non_postgres_database_is_refused():
    result = run_django(SETUP, **{**PROD, "DATABASE_URL": "sqlite:///db.sqlite3"})
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_check_deploy_passes_in_production():
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PROD)
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_are_chinese_and_shanghai():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    middleware = settings.MIDDLEWARE
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == (
        middleware.index("django.middleware.security.SecurityMiddleware") + 1
    )


def test_sessions_stay_in_the_database_without_a_shared_cache():
    # A per-process memory cache would keep a signed-out session alive on other workers.
    from django.conf import settings

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_a_shared_redis_cache_carries_sessions_when_configured():
    show = [
        "-c",
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'])",
    ]
    result = run_django(show, **PROD, REDIS_URL="redis://127.0.0.1:6379/1")
    assert result.returncode == 0, result.stderr
    assert "cached_db" in result.stdout and "RedisCache" in result.stdout


def test_a_malformed_trusted_proxy_is_an_error():
    result = run_django(SETUP, **PROD, TRUSTED_PROXIES="10.0.0.5,nginx-host")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


@pytest.mark.django_db
def test_connections_plan_with_the_ssd_page_cost():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


@pytest.mark.parametrize("value", ["fast", "0", "-1", "nan"])
def test_a_malformed_page_cost_is_an_error_not_a_default(value):
    result = run_django(SETUP, **PROD, DB_RANDOM_PAGE_COST=value)
    assert result.returncode != 0
    assert "DB_RANDOM_PAGE_COST" in result.stderr
