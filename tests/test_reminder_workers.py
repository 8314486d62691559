"""Two real workers running the same day's reminders at once send each reminder once."""

import datetime
import subprocess

import pytest

from notifications import jobs, tasks
from notifications.models import Email, Kind, Message, Reminder
from recommendations.models import Recommendation
from tests.job_helpers import ROOT, TEST_QUEUES, empty_queue, worker_command, worker_env
from tests.mail_helpers import SMTPServer
from tests.notify_helpers import committed_world

DAY = datetime.date(2030, 3, 12)  # a Tuesday


@pytest.fixture
def world(committed_db):
    empty_queue()
    yield committed_world()
    empty_queue()


def test_two_workers_running_the_daily_reminders_at_once_send_each_once(world):
    item = world["item"]
    items = [item]
    for n in range(11):
        items.append(
            Recommendation.objects.create(
                article=item.article,
                number=f"2.{n}",
                order=10 + n,
                depth=2,
                heading=f"条目{n}",
                text=f"条目{n}。",
            )
        )
    # Half are due in 2 working days, half overdue since last week.
    for n, rec in enumerate(items):
        Recommendation.objects.filter(pk=rec.pk).update(
            status=Recommendation.Status.ASSIGNED,
            lead_department=world["lead"],
            deadline=datetime.date(2030, 3, 14) if n % 2 else datetime.date(2030, 3, 5),
        )
    # One job per worker, each on a queue only that worker takes: on one shared queue the
    # worker that started first could take both before the other was up.
    own = [f"reminders_{n}" for n in range(2)]
    for queue in own:
        jobs.defer(tasks.daily_reminders, queue=queue, day=DAY.isoformat())
    smtp = SMTPServer().start()
    try:
        env = worker_env(**smtp.env())
        workers = [
            subprocess.Popen(
                worker_command("--one-shot", TEST_QUEUES[0], f"{TEST_QUEUES[1]},{queue}"),
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for queue in own
        ]
        logs = [w.communicate(timeout=180)[1].decode() for w in workers]
        assert [w.returncode for w in workers] == [0, 0], logs
        # Both workers took a daily_reminders job.
        assert all("notifications.daily_reminders" in log for log in logs), logs
        received = smtp.wait_for(24)
    finally:
        smtp.stop()

    # 6 deadline-near and 6 overdue findings, each told once to the 2 lead handlers (no summary
    # on a Tuesday).
    assert Reminder.objects.count() == 12
    assert Message.objects.filter(kind=Kind.DEADLINE_NEAR).count() == 12
    assert Message.objects.filter(kind=Kind.OVERDUE).count() == 12
    assert Email.objects.filter(state=Email.State.SENT).count() == 24
    pairs = [(m.recipients[0], m.subject) for m in received]
    assert len(pairs) == 24 == len(set(pairs))
