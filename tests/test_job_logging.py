"""The job queue's logging: loading the task list says nothing on any manage.py command (it
used to print "Adding tasks from blueprint" every time), while a worker still reports a job
that fails, with its error."""

import subprocess
import sys

import pytest

from notifications import delivery
from notifications.models import Email
from tests.job_helpers import ROOT, empty_queue, run_worker, worker_env
from tests.mail_helpers import free_port
from tests.notify_helpers import committed_world

BLUEPRINT_LINE = "Adding tasks from blueprint"
# Even with the portal's and the worker's logs at their most talkative.
LOUD = {"LOG_LEVEL": "DEBUG", "JOB_LOG_LEVEL": "DEBUG"}


@pytest.mark.parametrize("loud", [False, True])
def test_manage_py_check_prints_no_blueprint_line(transactional_db, loud):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=worker_env(**(LOUD if loud else {})),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "System check identified no issues" in result.stdout
    assert BLUEPRINT_LINE not in result.stdout + result.stderr


@pytest.fixture
def world(committed_db):
    empty_queue()
    yield committed_world()
    empty_queue()


def test_a_worker_still_reports_a_failing_job_and_no_blueprint_line(world):
    user = world["handler"]
    delivery.queue_email(
        user,
        "assigned",
        subject_template="notifications/email/single_subject.txt",
        body_template="notifications/email/single_body.txt",
        context={"message": {"title": "测试"}, "user": user, "url": "http://x.test/"},
    )
    # No server listens on this port: the send fails and is retried later.
    result = run_worker(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(free_port()))

    assert BLUEPRINT_LINE not in result.stdout + result.stderr
    assert "notifications.send_email" in result.stderr
    assert "ConnectionRefusedError" in result.stderr  # the error itself, with its traceback
    assert Email.objects.get().state == Email.State.RETRYING
