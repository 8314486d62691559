"""What the item page shows of the handling loop, and which step forms it offers this viewer.

A form is offered only when the rules (recommendations/workflow.py) would accept the step from
this user now; the server checks again on every post. The records are read in a fixed number of
queries, whatever their number.
"""

from django.utils import timezone

from handling import forms, rules
from handling.models import (
    Answer,
    CoOpinion,
    Decision,
    ExtensionRequest,
    ProgressReport,
    Receipt,
    ReturnRequest,
    Verdict,
)
from recommendations import workflow
from recommendations.models import Recommendation

S = Recommendation.Status


def viewer_key(user, rec) -> tuple:
    """What besides the data decides the panel for this viewer (the page cache's key)."""
    staff = workflow.is_staff(user)
    return (
        staff,
        user.department_id if user.is_authenticated and user.is_handler else None,
        # Staff may do all an author may (the verdict): no need to ask.
        not staff and workflow.is_author_of(user, rec),
    )


def records(rec, present=None) -> dict:
    """Every record of the loop about `rec`, oldest first. `present` (the models the history
    has rows of) spares the queries of the kinds of record the item has none of."""

    def read(model, queryset):
        return list(queryset) if present is None or model in present else []

    receipts = read(Receipt, rec.receipts.select_related("received_by", "department"))
    returns = read(
        ReturnRequest,
        rec.return_requests.select_related(
            "requested_by", "decided_by", "department", "suggested_department"
        ),
    )
    extensions = read(
        ExtensionRequest,
        rec.extension_requests.select_related("requested_by", "decided_by", "department"),
    )
    opinions = read(CoOpinion, rec.co_opinions.select_related("author", "department"))
    answers = read(Answer, rec.answers.select_related("submitted_by", "reviewed_by", "department"))
    verdicts = read(Verdict, rec.verdicts.select_related("recorded_by"))
    reports = read(ProgressReport, rec.progress_reports.select_related("author", "department"))
    return {
        "receipts": receipts,
        "current_receipts": [r for r in receipts if r.assigned_at == rec.assigned_at],
        "return_requests": returns,
        "open_return": next((r for r in returns if r.decision == Decision.OPEN), None),
        "extension_requests": extensions,
        "open_extension": next((r for r in extensions if r.decision == Decision.OPEN), None),
        "opinions": opinions,
        "answers": list(reversed(answers)),  # newest version first
        "verdicts": verdicts,
        "progress_reports": reports,
    }


def context(user, rec, *, departments=None, co_departments=None, present=None) -> dict:
    """The panel's records and the step forms for `user` (None where not offered)."""
    found = records(rec, present)
    version = {"version": rec.version}
    today = timezone.localdate()
    signed = {r.department_id for r in found["current_receipts"]}
    to_sign = workflow.departments_to_sign(rec, signed)
    names = {d.pk: d.name for d in departments} if departments is not None else None
    co_list = list(co_departments) if co_departments is not None else []
    given = {o.department_id for o in found["opinions"]}
    missing = [d for d in co_list if d.pk not in given]
    own_opinion = next(
        (
            o
            for o in found["opinions"]
            if user.is_authenticated and o.department_id == user.department_id
        ),
        None,
    )
    ctx = {
        "loop": found,
        "loop_signed": signed,
        "loop_to_sign": [names.get(pk, "") for pk in sorted(to_sign)] if names else [],
        "loop_missing_opinions": missing,
        "loop_follow_up_due": workflow.is_followed_up(rec)
        and rec.promised_on is not None
        and rec.promised_on <= today,
        "loop_rollup": workflow.rollup(rec) if rec.is_container else None,
        "receive_form": None,
        "container_form": None,
        "return_form": None,
        "return_decision_form": None,
        "extension_form": None,
        "extension_decision_form": None,
        "opinion_form": None,
        "answer_form": None,
        "review_form": None,
        "verdict_form": None,
        "progress_form": None,
        "finish_form": None,
        "dropped_form": None,
        "loop_dropped": workflow.is_dropped_in_handling(rec),
    }
    if workflow.can_receive(user, rec, to_sign):
        ctx["receive_form"] = forms.ReceiveForm(initial=version)
    if workflow.can_set_container(user, rec) and (
        rec.is_container or rec.status in (S.NEW, S.NOT_ACTIONABLE)
    ):
        ctx["container_form"] = forms.ContainerForm(
            initial={**version, "is_container": "0" if rec.is_container else "1"}
        )
    if workflow.can_request_return(user, rec):
        form = forms.ReturnRequestForm(initial=version)
        ctx["return_form"] = form.use_choices(departments) if departments is not None else form
        ctx["loop_return_window_end"] = workflow.return_window_end(rec)
        ctx["loop_return_window_days"] = rules.current().return_window_days
    if workflow.is_staff(user) and found["open_return"] is not None:
        ctx["return_decision_form"] = forms.ReturnDecisionForm(initial=version)
    if workflow.can_request_extension(user, rec):
        ctx["extension_form"] = forms.ExtensionRequestForm(initial=version)
        ctx["loop_extension_cap"] = workflow.extension_cap(rec)
    if workflow.is_staff(user) and found["open_extension"] is not None:
        ctx["extension_decision_form"] = forms.ExtensionDecisionForm(initial=version)
    if workflow.can_write_opinion(user, rec):
        ctx["opinion_form"] = forms.OpinionForm(
            initial={**version, "body": own_opinion.body if own_opinion else ""}
        )
    if workflow.can_answer(user, rec):
        ctx["answer_form"] = forms.AnswerForm(
            initial={
                **version,
                "answer_category": rec.answer_category,
                "reply": rec.reply,
                "promised_on": rec.promised_on,
            },
            missing=missing,
        )
    if workflow.can_review(user, rec):
        ctx["review_form"] = forms.ReviewForm(initial=version)
    if workflow.can_give_verdict(user, rec):
        ctx["verdict_form"] = forms.VerdictForm(initial=version)
    if workflow.can_report_progress(user, rec):
        ctx["progress_form"] = forms.ProgressForm(initial=version)
    if workflow.can_finish_follow_up(user, rec):
        ctx["finish_form"] = forms.FinishFollowUpForm(initial=version)
    if workflow.can_close_dropped(user, rec):
        ctx["dropped_form"] = forms.CloseDroppedForm(initial=version)
    return ctx
