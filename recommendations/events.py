"""Handling events: one signal for "a step of the handling loop happened to an item".

The rules (`workflow.py`, `handling/`) emit an event for every completed step; whoever needs to
hear about steps (`notifications/`) connects a receiver. Neither side imports the other.

An event is sent only after the transaction that made the step commits, so a receiver never
hears of a step that was rolled back. Receivers must be cheap: queue work, never send mail in
the request.

Receivers get `sender=<kind>` and the keyword arguments `recommendation_id`, `actor_id` (the
user who acted, or None for the system: importer, periodic jobs) and `data` (a dict of
JSON-serialisable details of the step, e.g. department ids, a note, a requested date).
"""

from django.db import transaction
from django.dispatch import Signal

workflow_event = Signal()

# Kinds. Steps taken by people:
ASSIGNED = "assigned"  # data: lead_department_id, co_department_ids, deadline
RECEIVED = "received"  # a department signed for the item; data: department_id, late
RETURN_REQUESTED = "return_requested"  # data: reason, suggested_department_id
RETURN_DECIDED = "return_decided"  # data: approved, note, department_id
EXTENSION_REQUESTED = "extension_requested"  # data: requested_deadline, reason
EXTENSION_DECIDED = "extension_decided"  # data: approved, note, deadline, department_id
CO_OPINION = "co_opinion"  # data: department_id
ANSWER_SUBMITTED = "answer_submitted"  # an answer awaits review; data: department_id
ANSWER_APPROVED = "answer_approved"  # data: department_id
ANSWER_RETURNED = "answer_returned"  # data: department_id, note
VERDICT = "verdict"  # the author's satisfaction; data: verdict, department_id
PROGRESS_REPORTED = "progress_reported"  # a follow-up report; data: department_id
FOLLOW_UP_DONE = "follow_up_done"  # staff moved a followed-up B answer to A; data: department_id
COMMENTED = "commented"  # data: comment_id
STATUS_CHANGED = "status_changed"  # any other status step; data: from_status, to_status
DROPPED_FROM_SOURCE = "dropped_from_source"  # a re-import no longer prints an item in handling
SUPERVISED = "supervised"  # 重点督办 set or taken off by staff; data: supervised (bool), leader
# Kinds found by the periodic jobs, not by a step (actor None):
DEADLINE_NEAR = "deadline_near"
OVERDUE = "overdue"
FOLLOW_UP_DUE = "follow_up_due"


def emit(kind: str, recommendation_id: int, actor_id: int | None, **data) -> None:
    """Send `kind` for one item once the current transaction commits (at once outside one)."""

    def send():
        workflow_event.send(
            sender=kind, recommendation_id=recommendation_id, actor_id=actor_id, data=data
        )

    transaction.on_commit(send)
