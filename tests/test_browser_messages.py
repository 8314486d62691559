"""In a real browser: staff assign an item, a real worker process delivers the event, and the
handler sees the unread count in the header, opens 消息 and follows the message to the item."""

import datetime

import pytest

from notifications.models import Message
from recommendations.models import Recommendation
from tests.job_helpers import empty_queue, run_worker
from tests.test_browser import Steps, browser, seeded  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser]


@pytest.fixture
def queue(seeded):  # noqa: F811
    empty_queue()
    yield
    empty_queue()


def test_the_handler_sees_the_unread_count_after_staff_assign_and_follows_it(
    browser,  # noqa: F811
    live_server,
    queue,
):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    steps = Steps(page, live_server.url)
    rec = Recommendation.objects.items().order_by("pk").first()
    deadline = datetime.date.today() + datetime.timedelta(days=20)

    steps.sign_in("staff", "staff-demo-2026")
    page.goto(f"{live_server.url}/recommendations/{rec.pk}/")
    assign = page.locator("#assign-form")
    assign.get_by_label("主办部门").select_option(label="区科信局")
    assign.get_by_label("办理期限").fill(deadline.isoformat())
    assign.get_by_role("button", name="保存交办").click()
    page.wait_for_load_state()
    assert page.locator(".unread-count").count() == 0  # the actor is not told
    steps.sign_out()

    run_worker()  # delivers the assignment (no EMAIL_HOST: the e-mails are written to files)

    steps.sign_in("handler", "handler-demo-2026")
    count = page.locator("header .messages-link .unread-count")
    assert count.inner_text() == "1"
    steps.shot("handler-unread-count")
    page.locator("header .messages-link").click()
    page.wait_for_url("**/messages/")
    title = f"新交办(主办):{rec.heading}"
    assert page.get_by_role("link", name=title).count() == 1
    steps.shot("handler-messages")
    page.set_viewport_size({"width": 375, "height": 800})
    steps.shot("handler-messages-375")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/recommendations/{rec.pk}/")
    assert page.locator("header .messages-link .unread-count").count() == 0
    assert Message.objects.get(recipient__username="handler").read_at is not None
    steps.shot("handler-followed-message")
