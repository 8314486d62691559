"""Every step of the handling loop × every role × GET/POST, checked on the server.

Each step is posted on an item that is at that step (so a refusal is about who posts, not when),
by every role: the roles allowed get their redirect and the step happens; every other role gets
403 and nothing changes; a GET writes nothing and lands on the item for everyone (never 405). The URLs are found by walking the
resolver, so a new step without a row here fails.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from handling import calendar
from handling.models import Answer
from recommendations import workflow
from recommendations.models import Recommendation
from tests.conftest import make_user
from tests.handling_helpers import S, answered_for_review, approved, in_days, signed

pytestmark = pytest.mark.django_db

VIEWS_MODULE = "handling.views"
ROLES = ["viewer", "staff", "lead_handler", "co_handler", "other_handler", "admin"]
STAFF = {"staff", "admin"}


@pytest.fixture(autouse=True)
def official_calendar(db):
    calendar.load_from_package()


def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def step_url_names() -> set[str]:
    return {
        p.name
        for p in _walk(get_resolver().url_patterns)
        if p.name and p.callback.__module__ == VIEWS_MODULE
    }


# For each step: who may post it, how to bring an item to it, the post, and what shows it
# happened. `ready(users, rec)` gets the item as staff assigned it (区科信局 leads, 区商务局
# co-handles).
def _container(users, rec):
    section = rec.parent
    Recommendation.objects.filter(pk=section.pk).update(is_container=True)
    return section


def _open_return(users, rec):
    workflow.request_return(rec, users["lead_handler"], reason="不属于本部门")
    return rec


def _open_extension(users, rec):
    workflow.request_extension(
        rec, users["lead_handler"], requested_deadline=in_days(120), reason="调研"
    )
    return rec


def _in_review(users, rec):
    return answered_for_review(rec, users["lead_handler"])


def _answered(users, rec):
    return approved(rec, users["lead_handler"], users["staff"])


def _dropped(users, rec):
    Recommendation.objects.filter(pk=rec.pk).update(in_source=False)  # a correction dropped it
    rec.refresh_from_db()
    return rec


def _answered_b(users, rec):
    return approved(
        rec, users["lead_handler"], users["staff"], category="B", promised_on=in_days(5)
    )


STEPS = {
    "handling_receive": (
        {"lead_handler", "co_handler"},
        lambda users, rec: rec,
        lambda rec: {},
        lambda rec: rec.receipts.exists(),
    ),
    "handling_set_container": (
        STAFF,
        _container,
        lambda rec: {"is_container": "0"},
        lambda rec: not rec.is_container,
    ),
    "handling_request_return": (
        {"lead_handler"},
        lambda users, rec: rec,
        lambda rec: {"reason": "不属于本部门职责"},
        lambda rec: rec.return_requests.exists(),
    ),
    "handling_decide_return": (
        STAFF,
        _open_return,
        lambda rec: {"outcome": "reject", "note": "维持交办"},
        lambda rec: rec.return_requests.filter(decision="rejected").exists(),
    ),
    "handling_request_extension": (
        {"lead_handler"},
        lambda users, rec: rec,
        lambda rec: {"requested_deadline": in_days(120).isoformat(), "reason": "调研"},
        lambda rec: rec.extension_requests.exists(),
    ),
    "handling_decide_extension": (
        STAFF,
        _open_extension,
        lambda rec: {"approve": "1"},
        lambda rec: rec.deadline == in_days(120),
    ),
    "handling_save_opinion": (
        {"co_handler"},
        lambda users, rec: rec,
        lambda rec: {"body": "同意主办部门意见"},
        lambda rec: rec.co_opinions.exists(),
    ),
    "handling_submit_answer": (
        {"lead_handler"},
        lambda users, rec: signed(rec, users["lead_handler"]),
        lambda rec: {"answer_category": "A", "reply": "已落实。", "confirm_missing": "on"},
        lambda rec: rec.status == S.REVIEW,
    ),
    "handling_review_answer": (
        STAFF,
        _in_review,
        lambda rec: {"approve": "1"},
        lambda rec: rec.status == S.ANSWERED,
    ),
    "handling_record_verdict": (
        STAFF,
        _answered,
        lambda rec: {"level": "satisfied"},
        lambda rec: rec.verdicts.exists(),
    ),
    "handling_report_progress": (
        {"lead_handler"},
        _answered_b,
        lambda rec: {"body": "已开工"},
        lambda rec: rec.progress_reports.exists(),
    ),
    "handling_close_dropped": (
        STAFF,
        _dropped,
        lambda rec: {"note": "原文已删去这一条"},
        lambda rec: rec.status == S.NOT_ACTIONABLE,
    ),
    "handling_finish_follow_up": (
        STAFF,
        _answered_b,
        lambda rec: {},
        lambda rec: rec.answer_category == "A",
    ),
}


@pytest.fixture
def roles(staff, handler, co_handler, other_handler, viewer, admin_user):
    return {
        "viewer": viewer,
        "staff": staff,
        "lead_handler": handler,
        "co_handler": co_handler,
        "other_handler": other_handler,
        "admin": admin_user,
    }


def test_every_step_has_a_row_in_the_matrix():
    assert step_url_names() - {"handling_answer_letter"} == set(STEPS)


def _fresh_item(article, staff, lead, co, n):
    from handling import rules

    section = Recommendation.objects.create(
        article=article, number=str(n), order=n * 10, depth=1, heading="章节", text="章节"
    )
    rec = Recommendation.objects.create(
        article=article,
        parent=section,
        number=f"{n}.1",
        order=n * 10 + 1,
        depth=2,
        heading="要点",
        text="要点。",
    )
    workflow.assign(
        rec,
        staff,
        lead_department=lead,
        co_departments=[co],
        deadline=rules.current().default_deadline(in_days(0)),
    )
    return rec


@pytest.mark.parametrize("name", sorted(STEPS))
def test_each_role_may_take_the_step_only_if_allowed(
    name, roles, article, lead_department, co_department
):
    allowed, ready, data, happened = STEPS[name]
    for n, role in enumerate(ROLES, start=10):
        rec = ready(roles, _fresh_item(article, roles["staff"], lead_department, co_department, n))
        rec.refresh_from_db()
        client = Client()
        client.force_login(roles[role])
        url = reverse(name, args=[rec.pk])
        got = client.get(url)
        assert got.status_code == 302, (name, role, got.status_code)
        assert got["Location"] == reverse("recommendation_detail", args=[rec.pk]), (name, role)
        rec.refresh_from_db()
        assert not happened(rec), (name, role)
        response = client.post(url, {"version": rec.version, **data(rec)})
        rec.refresh_from_db()
        if role in allowed:
            assert response.status_code == 302, (name, role, response.status_code)
            assert happened(rec), (name, role)
        else:
            assert response.status_code == 403, (name, role, response.status_code)
            assert not happened(rec), (name, role)


def test_anonymous_users_are_sent_to_sign_in(loop_item):
    client = Client()
    for name in sorted(STEPS):
        response = client.post(reverse(name, args=[loop_item.pk]), {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_the_letter_is_for_every_signed_in_role_and_never_for_a_post(roles, loop_item, media_root):
    from tests.handling_helpers import pdf_letter

    answered_for_review(loop_item, roles["lead_handler"], letter=pdf_letter())
    url = reverse("handling_answer_letter", args=[Answer.objects.get().pk])
    assert Client().get(url).status_code == 302
    for role in ROLES:
        client = Client()
        client.force_login(roles[role])
        assert client.get(url).status_code == 200, role
        assert client.post(url).status_code == 405, role


def test_a_handler_without_a_department_is_refused(loop_item):
    drifter = make_user("drifter", "handler")
    client = Client()
    client.force_login(drifter)
    response = client.post(reverse("handling_receive", args=[loop_item.pk]), {"version": 1})
    assert response.status_code == 403
