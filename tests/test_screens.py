"""Every page type as each role, in a real browser: axe-core finds no serious or critical
accessibility problem, nothing overflows a 375 px phone, and captions and headings are not
squeezed into a column of single characters. Screenshots of each page type at 1366 and 375 px
go to test-results/screens/ (or $TEST_OUTPUT_DIR/screens/).

axe-core is the npm registry's package, vendored under tests/vendor/axe-core (see its README)
and loaded from that file into the page, so the check needs no network.
"""

import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from recommendations.models import Article, Department, Organization, Person, Recommendation, Tag
from tests.test_browser import CHROMIUM, OUTPUT, SEED

pytestmark = [pytest.mark.browser]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PASSWORDS = {
    "viewer": "viewer-demo-2026",
    "staff": "staff-demo-2026",
    "handler": "handler-demo-2026",
    "admin": "admin-demo-2026",
}
WIDTHS = (1366, 375)

# Run in the page: is the document wider than the screen, and is any caption or heading laid
# out narrower than a few of its own characters (the "one character per line" caption)?
LAYOUT_PROBE = """() => {
  const doc = document.documentElement;
  const squeezed = [];
  for (const el of document.querySelectorAll('main caption, main h1, main h2, main h3')) {
    const text = el.textContent.trim();
    const rect = el.getBoundingClientRect();
    if (!text || rect.width === 0 || getComputedStyle(el).position === 'absolute') continue;
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
    const lines = Math.round(rect.height / line);
    // Squeezed: wrapped onto three lines or more with fewer than four characters on each.
    if (lines >= 3 && text.length / lines < 4) squeezed.push(`${el.tagName} “${text.slice(0, 20)}” ${Math.round(rect.width)}px`);
  }
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > doc.clientWidth + 1)
    .filter(el => !el.closest('.table-wrap, .visually-hidden, .skip-link'))
    .map(el => `${el.tagName}.${el.className}`).slice(0, 5);
  return {scroll: doc.scrollWidth, client: doc.clientWidth, squeezed, wide};
}"""


@pytest.fixture
def seeded(committed_db, settings):
    settings.DEMO_ACCOUNTS = True  # each role signs in as its demo account
    call_command("seed_portal", stdout=StringIO())
    call_command("import_newspaper", str(SEED), stdout=StringIO())


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run bin/test-prereqs")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def page_types(role):
    """One URL of each kind of page this role can open."""
    rec = Recommendation.objects.filter(depth=2).order_by("pk").first()
    tag = Tag.objects.order_by("pk").first()
    pages = {
        "dashboard": "/",
        "list": "/recommendations/",
        "search": "/recommendations/?q=" + "人才",
        "filtered": f"/recommendations/?status=new&tag={tag.pk}",
        "item": rec.get_absolute_url(),
        "article": Article.objects.order_by("pk").first().get_absolute_url(),
        "person": Person.objects.order_by("pk").first().get_absolute_url(),
        "organization": Organization.objects.order_by("pk").first().get_absolute_url(),
        "department": Department.objects.get(name="区科信局").get_absolute_url(),
        "tags": "/tags/",
        "tag": tag.get_absolute_url(),
        "my-work": "/my-work/",
        "password": "/accounts/password/",
        "not-found": "/recommendations/999999/",
    }
    if role == "admin":
        pages.update(
            {
                "admin-index": "/admin/",
                "admin-list": "/admin/recommendations/recommendation/",
                "admin-item": f"/admin/recommendations/recommendation/{rec.pk}/change/",
                "admin-user": "/admin/recommendations/user/add/",
            }
        )
    return pages


def sign_in(page, base, role):
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(role)
    page.get_by_label("密码").fill(PASSWORDS[role])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    found = []
    for violation in json.loads(result)["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def check_pages(browser, base, role, shoot):
    problems = []
    folder = OUTPUT / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        # bypass_csp: the page's policy allows no inline script, and axe is injected as one.
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, base, role)
        pages = page_types(role) if role != "anonymous" else {"login": "/accounts/login/"}
        for name, url in pages.items():
            page.goto(base + url)
            where = f"{role} {name} {width}px"
            if shoot:
                page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
            if width == 1366:
                problems += [f"{where}: {v}" for v in serious_violations(page)]
            else:
                layout = page.evaluate(LAYOUT_PROBE)
                if layout["scroll"] > layout["client"] + 1:
                    problems.append(f"{where}: {layout['scroll']}px wide, {layout['wide']}")
                problems += [f"{where}: squeezed {s}" for s in layout["squeezed"]]
        context.close()
    return problems


def test_every_page_type_passes_axe_and_fits_a_phone_for_each_role(chromium, live_server, seeded):
    # One test for every role: the seeded database (groups from a data migration) is built once.
    # Screenshots once, as the admin, who sees every page type (and the widest forms).
    problems = check_pages(chromium, live_server.url, "anonymous", shoot=True)
    for role in ("viewer", "staff", "handler", "admin"):
        problems += check_pages(chromium, live_server.url, role, shoot=role == "admin")
    assert problems == [], "\n".join(problems)
