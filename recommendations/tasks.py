"""The catalogue's periodic job (procrastinate discovers this module in every installed app)."""

from procrastinate.contrib.django import app

from recommendations.models import ListCount


@app.periodic(cron="*/5 * * * *", periodic_id="compact_list_counts")
@app.task(name="recommendations.compact_list_counts", queue="periodic", queueing_lock="list_counts")
def compact_list_counts(timestamp: int) -> None:
    """Every five minutes: fold the rows that writes added to ListCount, so that reading the
    unfiltered list's figures sums about one row per value (a few milliseconds)."""
    ListCount.compact()


@app.periodic(cron="41 3 * * *", periodic_id="rebuild_list_counts")
@app.task(name="recommendations.rebuild_list_counts", queue="periodic", queueing_lock="list_counts")
def rebuild_list_counts(timestamp: int) -> None:
    """Every night: count ListCount again from the items (about a second at 100,000), so that
    anything the triggers cannot see (a writable CTE changing an item and its links at once)
    lasts a day at most."""
    ListCount.rebuild()
