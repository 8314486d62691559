"""The notification jobs (procrastinate discovers this module in every installed app).

A handling event is one `deliver_event` job, queued by the signal receiver (receivers.py): the
request pays for one INSERT. The job writes the messages and queues one `send_email` job per
e-mail; a failed send is retried with growing waits (3 s, 9 s, 27 s … about 8 hours in all)
and the e-mail row keeps every attempt's outcome.

Every five minutes each worker offers `reminders_tick`; procrastinate queues it once per tick
whatever the number of workers. The tick runs the day's reminders once the working day's
reminder time has come (reminders.py). `daily_reminders` runs one day's reminders at once, for
an admin (`manage.py procrastinate defer notifications.daily_reminders '{"day": "2026-12-02"}'`)
and the tests.
"""

import datetime

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from notifications import delivery, mail, reminders

EMAIL_ATTEMPTS = 10
EMAIL_RETRY = RetryStrategy(max_attempts=EMAIL_ATTEMPTS, exponential_wait=3)
# Writing messages only fails when the database does: a few quick retries.
DELIVERY_RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)


@app.task(name="notifications.deliver_event", queue="notifications", retry=DELIVERY_RETRY)
def deliver_event(kind: str, recommendation_id: int, actor_id: int | None, data: dict):
    delivery.deliver_event(kind, recommendation_id, actor_id, data)


@app.task(name="notifications.send_email", queue="mail", retry=EMAIL_RETRY, pass_context=True)
def send_email(context, email_id: int):
    # job.attempts counts the attempts before this one.
    mail.send(email_id, last_attempt=context.job.attempts + 1 >= EMAIL_ATTEMPTS)


@app.periodic(cron="*/5 * * * *", periodic_id="reminders")
@app.task(name="notifications.reminders_tick", queue="periodic", queueing_lock="reminders_tick")
def reminders_tick(timestamp: int):
    reminders.tick()


@app.task(name="notifications.daily_reminders", queue="notifications", retry=DELIVERY_RETRY)
def daily_reminders(day: str):
    reminders.run_daily(datetime.date.fromisoformat(day))
