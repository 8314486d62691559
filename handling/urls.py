"""The handling loop's URLs: one POST-only step per route under the item, and the letter."""

from django.urls import path

from handling import supervision_views
from handling.views import (
    answer_letter,
    close_dropped,
    decide_extension,
    decide_return,
    finish_follow_up,
    receive,
    record_verdict,
    report_progress,
    request_extension,
    request_return,
    review_answer,
    save_opinion,
    set_container,
    submit_answer,
)


def _item(route, view, name):
    return path(f"recommendations/<int:pk>/{route}/", view, name=name)


urlpatterns = [
    _item("supervise", supervision_views.supervise, "handling_supervise"),
    _item("unsupervise", supervision_views.unsupervise, "handling_unsupervise"),
    _item("receive", receive, "handling_receive"),
    _item("close-dropped", close_dropped, "handling_close_dropped"),
    _item("kind", set_container, "handling_set_container"),
    _item("return-request", request_return, "handling_request_return"),
    _item("return-decision", decide_return, "handling_decide_return"),
    _item("extension-request", request_extension, "handling_request_extension"),
    _item("extension-decision", decide_extension, "handling_decide_extension"),
    _item("opinion", save_opinion, "handling_save_opinion"),
    _item("answer", submit_answer, "handling_submit_answer"),
    _item("review", review_answer, "handling_review_answer"),
    _item("verdict", record_verdict, "handling_record_verdict"),
    _item("progress", report_progress, "handling_report_progress"),
    _item("follow-up-done", finish_follow_up, "handling_finish_follow_up"),
    path("answers/<int:pk>/letter/", answer_letter, name="handling_answer_letter"),
]
