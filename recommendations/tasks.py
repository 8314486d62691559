"""The catalogue's periodic job (procrastinate discovers this module in every installed app)."""

from procrastinate.contrib.django import app

from recommendations.models import ListCount


@app.periodic(cron="*/5 * * * *", periodic_id="compact_list_counts")
@app.task(name="recommendations.compact_list_counts", queue="periodic", queueing_lock="list_counts")
def compact_list_counts(timestamp: int) -> None:
    """Every five minutes: fold the rows that writes added to ListCount, so that reading the
    unfiltered list's figures sums about one row per value (a few milliseconds)."""
    ListCount.compact()
