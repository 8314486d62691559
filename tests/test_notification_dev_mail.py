"""Mail without an SMTP server: in development without EMAIL_HOST a real worker writes each
e-mail to a file and its row says so in the admin, instead of waiting for localhost:25 for ever;
production always uses SMTP and `check --deploy` warns while no server is named."""

import email
import email.policy

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from notifications.models import Email
from recommendations import workflow
from recommendations.models import ROLE_ADMIN, User
from tests.conftest import PASSWORD
from tests.job_helpers import empty_queue, run_worker
from tests.notify_helpers import committed_world
from tests.test_settings import PROD, run_django

BACKEND = [
    "-c",
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.EMAIL_BACKEND)",
]


@pytest.fixture
def world(committed_db):
    empty_queue()
    yield committed_world()
    empty_queue()


def written_messages(folder) -> list[email.message.EmailMessage]:
    """The e-mails Django's file backend wrote: one file per connection, each message followed
    by a line of 79 dashes."""
    found = []
    for path in sorted(folder.iterdir()):
        for part in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if part.strip():
                found.append(email.message_from_bytes(part, policy=email.policy.default))
    return found


def test_development_without_a_mail_server_writes_the_mail_and_says_so(world, tmp_path, client):
    workflow.assign(
        world["item"], world["staff"], lead_department=world["lead"], deadline=world["deadline"]
    )

    # `make run` on a workstation: development settings, no EMAIL_HOST.
    run_worker(DJANGO_ENV="development", EMAIL_HOST="", EMAIL_FILE_PATH=str(tmp_path))

    rows = list(Email.objects.order_by("to_address").values_list("to_address", "state", "attempts"))
    assert rows == [
        ("handler_b@example.test", Email.State.WRITTEN, 1),
        ("handler_n@example.test", Email.State.WRITTEN, 1),
    ]
    assert not Email.objects.filter(sent_at__isnull=False).exists()  # not taken for sent
    written = written_messages(tmp_path)
    assert sorted(m["To"] for m in written) == ["handler_b@example.test", "handler_n@example.test"]
    assert {str(m["Subject"]).strip() for m in written} == {
        "[建议办理平台] 新交办(主办):建设智算中心"
    }

    admin = User.objects.create_user("mailadmin", password=PASSWORD, is_staff=True)
    admin.is_superuser = True
    admin.save()
    admin.groups.add(Group.objects.get(name=ROLE_ADMIN))
    client.force_login(admin)
    page = client.get(reverse("admin:notifications_email_changelist")).content.decode()
    assert page.count("开发环境:未发出,已写入文件") >= 2  # each row (and the state filter)


def test_development_with_a_mail_server_uses_it():
    result = run_django(BACKEND, DJANGO_ENV="development", EMAIL_HOST="mail.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
    unset = run_django(BACKEND, DJANGO_ENV="development", EMAIL_HOST=None)
    assert unset.stdout.strip() == "django.core.mail.backends.filebased.EmailBackend"


def test_production_always_uses_smtp_and_check_deploy_warns_without_a_server():
    result = run_django(BACKEND, **{**PROD, "EMAIL_HOST": None})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"

    check = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    unset = run_django(check, **{**PROD, "EMAIL_HOST": None})
    assert unset.returncode != 0
    assert "notifications.W001" in unset.stderr
    assert "生产环境未设置 EMAIL_HOST" in unset.stderr

    named = run_django(check, **{**PROD, "EMAIL_HOST": "mail.example.org"})
    assert named.returncode == 0, named.stdout + named.stderr
    assert "notifications.W001" not in named.stdout + named.stderr
