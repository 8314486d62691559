"""A real browser walks the main task: staff triage and assign, the handler answers.

Chromium is Debian's (`apt-get install chromium`, done by .ci/run), driven by Playwright with
`executable_path`; Playwright never downloads a browser of its own. Screenshots of each step are
saved under test-results/browser/ (or $TEST_OUTPUT_DIR/browser/).
"""

import datetime
import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from recommendations.models import Recommendation

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SEED = Path(__file__).resolve().parent.parent / "fixtures" / "haidian-ai-training-3.txt"
OUTPUT = Path(
    os.environ.get("TEST_OUTPUT_DIR", Path(__file__).resolve().parent.parent / "test-results")
)

pytestmark = [pytest.mark.browser]

# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes between
# browser steps are plain synchronous code and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def seeded(committed_db, settings):
    settings.DEMO_ACCOUNTS = True  # the steps sign in as the demo staff and handler
    call_command("seed_portal", stdout=StringIO())
    call_command("import_newspaper", str(SEED), stdout=StringIO())


class Steps:
    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.folder = OUTPUT / "browser"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def shot(self, name):
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)

    def sign_in(self, username, password):
        self.page.goto(self.base_url + "/accounts/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        # Each role lands where its work is (recommendations/roles.py home_url).
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def sign_out(self):
        self.page.get_by_role("button", name="退出").click()
        self.page.wait_for_url("**/accounts/login/**")


def test_staff_assigns_and_handler_answers(browser, live_server, seeded):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    steps = Steps(page, live_server.url)
    deadline = datetime.date.today() + datetime.timedelta(days=20)

    # Staff signs in and searches.
    steps.sign_in("staff", "staff-demo-2026")
    steps.shot("staff-dashboard")
    page.goto(live_server.url + "/recommendations/")
    page.get_by_label("关键词").fill("人才")
    page.locator("#filter-form").get_by_role("button", name="筛选").click()
    page.wait_for_url("**q=**")
    results = page.locator("main table tbody tr")
    assert results.count() >= 1
    assert page.locator("mark", has_text="人才").count() >= 1
    steps.shot("staff-search")

    # Tags the first result, then filters the list by that tag.
    results.first.locator("a[href*='/recommendations/']").first.click()
    tags_form = page.locator("#tags-form")
    tags_form.get_by_label("人才", exact=True).check()
    tags_form.get_by_role("button", name="保存标签").click()
    page.wait_for_load_state()
    item_url = page.url.split("?")[0].split("#")[0]
    steps.shot("staff-tagged")

    page.goto(live_server.url + "/recommendations/")
    page.get_by_label("标签", exact=True).select_option(label="人才 (1)")
    page.locator("#filter-form").get_by_role("button", name="筛选").click()
    page.wait_for_url("**tag=**")
    assert page.locator("main table tbody tr").count() == 1
    steps.shot("staff-filter-by-tag")

    # Opens the item and assigns it to 区科信局 with a deadline.
    page.locator("main table tbody tr").first.locator("a[href*='/recommendations/']").first.click()
    assign = page.locator("#assign-form")
    assign.get_by_label("主办部门").select_option(label="区科信局")
    assign.get_by_label("办理期限").fill(deadline.isoformat())
    assign.get_by_role("button", name="保存交办").click()
    page.wait_for_load_state()
    assert "已交办" in page.locator("main").inner_text()
    steps.shot("staff-assigned")
    rec = Recommendation.objects.get(tag_links__tag__name="人才")
    assert rec.status == "assigned" and rec.lead_department.name == "区科信局"
    assert rec.deadline == deadline
    steps.sign_out()

    # The handler of 区科信局 finds it in My work, signs for it and answers it with category A;
    # the answer goes to staff for review (the whole loop: test_browser_handling_loop.py).
    steps.sign_in("handler", "handler-demo-2026")
    page.goto(live_server.url + "/my-work/")
    link = page.locator(f"main a[href^='/recommendations/{rec.pk}/']").first
    assert link.count() == 1
    steps.shot("handler-my-work")
    link.click()
    page.locator("#receive-form").get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    answer = page.locator("#answer-form")
    answer.get_by_label("答复类别").select_option(value="A")
    answer.get_by_label("答复内容").fill("已纳入区人才工作计划,并建立联合培养机制。")
    answer.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state()
    assert "待审核" in page.locator("main").inner_text()
    steps.shot("handler-answered")
    rec.refresh_from_db()
    assert rec.status == "review" and rec.answer_category == "A"
    assert page.url.split("?")[0].split("#")[0] == item_url
    steps.sign_out()

    # Staff approve the answer.
    steps.sign_in("staff", "staff-demo-2026")
    page.goto(item_url)
    page.locator("#review-form").get_by_label("审核结果").select_option("1")
    page.locator("#review-form").get_by_role("button", name="提交审核结果").click()
    page.wait_for_load_state()
    rec.refresh_from_db()
    assert rec.status == "answered"
    steps.shot("staff-approved")

    # The dashboard reflects it.
    page.goto(live_server.url + "/")
    dashboard = page.locator("main").inner_text()
    assert "已办结" in dashboard
    answered_link = page.locator("main a[href*='status=answered']").first
    assert "1" in answered_link.inner_text()
    steps.shot("staff-dashboard-answered")
