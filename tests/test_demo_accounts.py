"""Demo accounts: only in development, only when asked, never reset; production refuses them."""

from io import StringIO

import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command

from recommendations import demo
from recommendations.models import Comment, Edition, User
from tests.serve_helpers import free_port, get, serve_env, served
from tests.test_settings import PROD, SETUP, run_django

DEMO_NAMES = [username for username, *_ in demo.DEMO_ACCOUNTS]


@pytest.fixture
def real_hashers(settings):
    # The launcher checks passwords with production's hashers, not the tests' fast MD5 one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_portal", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_it_creates_nothing_unless_asked(db):
    assert "DEMO_ACCOUNTS=1" in seed()
    assert not User.objects.filter(username__in=DEMO_NAMES).exists()


def test_it_creates_one_account_per_role_when_asked(db, settings):
    settings.DEMO_ACCOUNTS = True
    out = seed()
    assert User.objects.filter(username__in=DEMO_NAMES).count() == len(DEMO_NAMES)
    handler = User.objects.get(username="handler")
    assert handler.is_handler and handler.department.name == "区科信局"
    assert User.objects.get(username="staff").is_portal_staff
    assert "staff-demo-2026" in out


def test_it_never_resets_an_existing_account(db, settings):
    settings.DEMO_ACCOUNTS = True
    seed()
    admin = User.objects.get(username="admin")
    admin.set_password("a-real-password-chosen-later")
    admin.save()

    assert "left unchanged" in seed()
    admin.refresh_from_db()
    assert admin.check_password("a-real-password-chosen-later")


def test_it_refuses_to_create_them_in_production(db, settings):
    settings.DEMO_ACCOUNTS = True
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        seed()
    assert not User.objects.filter(username__in=DEMO_NAMES).exists()


def test_production_settings_refuse_demo_accounts():
    result = run_django(SETUP, **PROD, DEMO_ACCOUNTS="1")
    assert result.returncode != 0
    assert "DEMO_ACCOUNTS" in result.stderr


def test_the_check_fails_while_a_demo_password_works(db, settings):
    settings.DEMO_ACCOUNTS = True
    seed()
    with pytest.raises(SystemExit) as exited:
        seed("--check")
    assert exited.value.code == 1


def test_a_real_admin_named_admin_is_not_a_demo_account(db):
    User.objects.create_superuser("admin", password="a-real-password-of-the-district")
    seed("--check")  # no SystemExit


def test_remove_deletes_them_and_disables_one_with_comments(db, settings, item):
    settings.DEMO_ACCOUNTS = True
    seed()
    Comment.objects.create(
        recommendation=item, author=User.objects.get(username="staff"), body="意见"
    )

    seed("--remove")

    assert list(
        User.objects.filter(username__in=DEMO_NAMES).values_list("username", flat=True)
    ) == ["staff"]
    staff = User.objects.get(username="staff")
    assert not staff.is_active and not staff.has_usable_password()
    seed("--check")  # no SystemExit


def test_make_serve_creates_no_account_and_no_data(committed_db):
    port = free_port()
    with served(
        serve_env(port, PLAIN_HTTP_LOOPBACK="1"), command=("make", "-s", "serve")
    ) as server:
        assert server.proc.poll() is None, server.output()
        assert get(port, "/healthz").status == 200
    assert not User.objects.exists()
    assert not Edition.objects.exists()


def test_the_launcher_refuses_a_database_with_demo_accounts(committed_db, settings, real_hashers):
    settings.DEMO_ACCOUNTS = True
    seed()
    port = free_port()
    with served(serve_env(port, PLAIN_HTTP_LOOPBACK="1")) as server:
        returncode = server.proc.wait(timeout=60)
        output = server.output()
    assert returncode != 0
    assert "拒绝启动" in output and "seed_portal --remove" in output
    assert "admin" in output and "viewer" in output
