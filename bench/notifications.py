"""`make bench`, notifications part: how fast a worker sends reminders, and what notifying costs
a web request (called from bench/__main__.py; `python -m bench.notifications OUT` is its child).

1. Queuing and sending: N items (BENCH_NOTIFY_COUNT, default 1,000) whose deadline is near, one
   handler each; one daily-reminders job is queued and one real worker process
   (`manage.py procrastinate worker`) writes the N reminders and sends the N e-mails through a
   real SMTP server (aiosmtpd on loopback). Reported: reminders written per second, e-mails
   delivered per second, from the job's queuing (the worker already running) to the last e-mail
   received.
2. The cost in a request: the same comment POST (which emits a handling event) timed with the
   notifications receiver connected and disconnected; the difference is what queuing the job
   adds (one INSERT into the job table).

Runs in its own database (`<BENCH_DB_PREFIX>_notify`), dropped afterwards.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def log(message: str) -> None:
    print(f"[bench] notifications: {message}", file=sys.stderr, flush=True)


def run(url: str, with_database, create_database, drop_database, out_dir: Path) -> dict:
    """Called by bench/__main__.py: build the database, run the child, drop the database."""
    name = f"{os.environ.get('BENCH_DB_PREFIX', 'portal_bench')}_notify"
    db_url = with_database(url, name)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_ENV": "development",
        "DEBUG": "0",  # DEBUG would keep every query in memory
        "LOG_LEVEL": "WARNING",
        "JOB_LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    create_database(url, name)
    try:
        log(f"migrating {name}")
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        out = out_dir / "notifications.json"
        subprocess.run([PY, "-m", "bench.notifications", str(out)], cwd=ROOT, env=env, check=True)
        return json.loads(out.read_text())
    finally:
        if os.environ.get("BENCH_KEEP_DB") != "1":
            drop_database(url, name)


def table(result: dict) -> str:
    if "error" in result:
        return f"\nNotifications: not measured ({result['error']})"
    send, web = result["sending"], result["request"]
    return "\n".join(
        [
            "",
            "Notifications (one worker process, aiosmtpd on loopback)",
            f"  {send['reminders']} reminders: written and queued in {send['deliver_s']} s "
            f"({send['reminders_per_s']}/s); {send['emails']} e-mails delivered in "
            f"{send['total_s']} s from queuing: {send['emails_per_s']} messages/s",
            f"  comment POST, {web['requests']} requests each way: {web['without_ms']} ms without "
            f"the notification, {web['with_ms']} ms with it (median); added "
            f"{web['added_ms']} ms",
        ]
    )


# --- the child: Django set up on the bench database ---------------------------------------------


def _build(count: int):
    import datetime

    from django.contrib.auth.models import Group

    from recommendations.models import Article, Department, Edition, Recommendation, User

    departments = list(Department.objects.order_by("pk")[:10])
    handler = Group.objects.get(name="handler")
    for d in departments:
        user = User.objects.create_user(
            f"bench-{d.pk}", email=f"bench-{d.pk}@example.test", department=d
        )
        user.groups.add(handler)
    edition = Edition.objects.create(
        source_name="bench", sha256="b" * 64, raw_text="", line_count=0
    )
    article = Article.objects.create(
        edition=edition, order=1, kind=Article.Kind.REFLECTION, title="基准", in_series=True
    )
    from handling import calendar

    # A working day: reminders run on working days only (notifications/reminders.py run_daily).
    today = datetime.date.today()
    while not calendar.is_working_day(today):
        today += datetime.timedelta(days=1)
    deadline = calendar.add_working_days(today, 2)
    Recommendation.objects.bulk_create(
        [
            Recommendation(
                article=article,
                number=f"1.{n}",
                order=n,
                depth=2,
                heading=f"基准条目{n}",
                text=f"基准条目{n}。",
                status=Recommendation.Status.ASSIGNED,
                lead_department=departments[n % len(departments)],
                deadline=deadline,
            )
            for n in range(count)
        ]
    )
    return today, article


def _wait_for_worker(timeout: float = 120) -> None:
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_workers")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.1)
    raise SystemExit("the worker did not start within 120 s")


def _sending(count: int, today) -> dict:
    sys.path.insert(0, str(ROOT))
    from notifications import jobs, tasks
    from notifications.models import Email
    from tests.mail_helpers import SMTPServer

    smtp = SMTPServer().start()
    try:
        worker = subprocess.Popen(
            [PY, "manage.py", "procrastinate", "worker", "--queues", "notifications,mail"],
            cwd=ROOT,
            env={**os.environ, **smtp.env()},
        )
        try:
            _wait_for_worker()  # its start-up (Django, imports) is not what is measured
            started = time.monotonic()
            jobs.defer(tasks.daily_reminders, day=today.isoformat())
            deadline = started + 600
            delivered_at = None
            deliver_s = None
            while time.monotonic() < deadline:
                if deliver_s is None and Email.objects.count() >= count:
                    deliver_s = time.monotonic() - started
                if len(smtp.received) >= count:
                    delivered_at = time.monotonic()
                    break
                time.sleep(0.05)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    finally:
        smtp.stop()
    if delivered_at is None:
        raise SystemExit(f"only {len(smtp.received)} of {count} e-mails arrived within 600 s")
    total = delivered_at - started
    return {
        "reminders": count,
        "emails": len(smtp.received),
        "deliver_s": round(deliver_s, 2),
        "reminders_per_s": round(count / deliver_s, 1),
        "total_s": round(total, 2),
        "emails_per_s": round(count / total, 1),
    }


def _request_cost(article, requests: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from notifications.receivers import queue_delivery
    from recommendations.events import workflow_event
    from recommendations.models import Recommendation, User

    rec = Recommendation.objects.filter(article=article).first()
    staff = User.objects.create_user("bench-staff")
    from django.contrib.auth.models import Group

    staff.groups.add(Group.objects.get(name="staff"))
    client = Client()
    client.force_login(staff)
    url = reverse("recommendation_comment", args=[rec.pk])

    def timed() -> list[float]:
        times = []
        for n in range(requests):
            t = time.perf_counter()
            response = client.post(url, {"body": f"基准评论{n}"})
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 302, response.status_code
        return times

    timed()  # warm up both paths' code and connections
    with_times, without_times = [], []
    for _ in range(3):  # interleaved, so that drift on a shared machine hits both alike
        with_times += timed()
        workflow_event.disconnect(dispatch_uid="notifications.queue_delivery")
        without_times += timed()
        workflow_event.connect(queue_delivery, dispatch_uid="notifications.queue_delivery")
    with_ms, without_ms = statistics.median(with_times), statistics.median(without_times)
    return {
        "requests": len(with_times),
        "with_ms": round(with_ms, 2),
        "without_ms": round(without_ms, 2),
        "added_ms": round(with_ms - without_ms, 2),
    }


def child(out: Path) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    count = int(os.environ.get("BENCH_NOTIFY_COUNT", "1000"))
    requests = int(os.environ.get("BENCH_NOTIFY_REQUESTS", "100"))
    today, article = _build(count)
    log(f"{count} reminders through one worker")
    sending = _sending(count, today)
    log(f"the cost of notifying in a request ({requests} x 6 comment POSTs)")
    result = {"sending": sending, "request": _request_cost(article, requests)}
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    child(Path(sys.argv[1]))
