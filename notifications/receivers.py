"""The handling events' only listener: it queues one job per event and does nothing else, so a
request that takes a step pays one INSERT (in its own transaction's wake: events are sent after
commit) and never waits for mail."""

from django.dispatch import receiver

from notifications import jobs
from recommendations.events import workflow_event


@receiver(workflow_event, dispatch_uid="notifications.queue_delivery")
def queue_delivery(sender, recommendation_id, actor_id, data, **kwargs):
    from notifications import tasks

    jobs.defer(
        tasks.deliver_event,
        kind=sender,
        recommendation_id=recommendation_id,
        actor_id=actor_id,
        data=data,
    )
