"""A large bulk action in a real browser, without JavaScript's help: staff choose every item the
filter matches, the action becomes a job and the browser lands on its page, which reloads itself
until a real worker has done it and links back to the filtered list; a failing job says how far
it got and offers to continue. A refused bulk form lands back on the list with its errors.
Screenshots at 1366 and 375 px go to test-results/bulk-job/ (or $TEST_OUTPUT_DIR/bulk-job/);
axe finds nothing serious and nothing overflows the phone."""

import datetime
import re

import pytest
from django.db import connection

from bulk.models import BulkJob
from recommendations.models import Recommendation
from tests.job_helpers import empty_queue
from tests.test_browser import OUTPUT, browser, seeded  # noqa: F401  (fixtures)
from tests.test_bulk_jobs import run_bulk_worker
from tests.test_screens import LAYOUT_PROBE, serious_violations, sign_in

pytestmark = [pytest.mark.browser]

FOLDER = OUTPUT / "bulk-job"


def shoot(page, name):
    FOLDER.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(FOLDER / f"{name}-{width}.png"), full_page=True)
        # What the user sees on arriving (the list scrolled to its bulk panel, #bulk-actions).
        page.evaluate(
            "() => location.hash && document.querySelector(location.hash).scrollIntoView()"
        )
        page.screenshot(path=str(FOLDER / f"{name}-{width}-view.png"))
        if width == 375:
            layout = page.evaluate(LAYOUT_PROBE)
            assert layout["scroll"] <= layout["client"] + 1, (name, layout)
            assert layout["squeezed"] == [], (name, layout)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def queue(seeded, settings):  # noqa: F811
    # The fixture pages hold 50 items: a job from 10 up, so that they make one.
    settings.BULK_SYNC_MAX = 10
    empty_queue()
    yield
    empty_queue()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS bulk_test_fail ON recommendations_recommendation")
        cursor.execute("DROP FUNCTION IF EXISTS bulk_test_fail()")


def assign_every_match(page, base, query):
    page.goto(f"{base}/recommendations/?{query}")
    panel = page.locator("#bulk-actions")
    panel.get_by_label(re.compile("筛选出的全部")).check()
    assert panel.locator("[data-bulk-count]").inner_text() != "0"  # portal.js counts the match
    panel.get_by_label("批量操作").select_option(label="交办")
    panel.get_by_label("主办部门").select_option(label="区科信局")
    deadline = datetime.date.today() + datetime.timedelta(days=60)
    panel.get_by_label("办理期限").fill(deadline.isoformat())
    panel.get_by_role("button", name="执行").click()
    page.wait_for_url("**/recommendations/bulk/*/")


def test_a_bulk_job_from_the_list_to_done(browser, live_server, queue):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "staff")
    query = "status=new"
    matching = Recommendation.objects.current().points().filter(status="new").count()

    # A refused bulk form: back on the list, with the error, at the panel.
    page.goto(f"{live_server.url}/recommendations/?{query}")
    first_row = page.locator("input.row-select").first
    first_row.check()
    page.locator("#bulk-actions").get_by_label("批量操作").select_option(label="交办")
    page.locator("#bulk-actions").get_by_role("button", name="执行").click()  # no department
    page.wait_for_url(f"**/recommendations/?{query}#bulk-actions")
    assert page.locator("input.row-select").first.is_checked()  # the tick is kept
    assert "未执行:请修正下面标出的问题后再提交。" in page.locator("body").inner_text()
    assert "请选择主办部门。" in page.locator("#bulk-actions").inner_text()
    shoot(page, "refused")

    assign_every_match(page, live_server.url, query)

    job = BulkJob.objects.get()
    assert job.total == matching
    body = page.locator("main").inner_text()
    assert "等待处理" in body and f"已处理 0 / {matching} 条" in body
    assert serious_violations(page) == []
    shoot(page, "queued")
    # Without script the same page reloads itself (a meta refresh) and shows the same.
    plain = browser.new_context(java_script_enabled=False)
    plain.add_cookies(context.cookies())
    bare = plain.new_page()
    bare.goto(page.url)
    assert bare.locator('meta[http-equiv="refresh"]').count() == 1
    assert f"已处理 0 / {matching} 条" in bare.locator("main").inner_text()

    run_bulk_worker()

    # portal.js follows the job in place: the page turns to 已完成 by itself.
    page.wait_for_function("document.querySelector('.bulk-job').dataset.status === 'done'")
    body = page.locator("main").inner_text()
    assert "已完成" in body and f"已处理 {matching} / {matching} 条" in body
    assert page.locator(".bulk-job[data-refresh]").count() == 0
    assert serious_violations(page) == []
    shoot(page, "done")
    bare.reload()
    assert bare.locator('meta[http-equiv="refresh"]').count() == 0
    assert "已完成" in bare.locator("main").inner_text()
    plain.close()
    page.get_by_role("link", name="返回建议列表").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/recommendations/?{query}"
    context.close()


def test_a_failed_bulk_job_says_how_far_it_got(browser, live_server, queue):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "staff")
    # A database error on the last item stops the job; its chunk (all 49 here) is rolled back.
    points = list(Recommendation.objects.current().points().filter(depth=2).order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION bulk_test_fail() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER bulk_test_fail BEFORE UPDATE ON recommendations_recommendation "
            f"FOR EACH ROW WHEN (OLD.id = {points[-1].pk}) EXECUTE FUNCTION bulk_test_fail()"
        )

    assign_every_match(page, live_server.url, "level=2")
    run_bulk_worker()
    page.reload()

    body = page.locator("main").inner_text()
    assert "出错停止" in body and "这一批的修改已全部撤销" in body
    assert page.get_by_role("button", name=re.compile("继续处理剩下的")).count() == 1
    assert serious_violations(page) == []
    shoot(page, "failed")
    context.close()
