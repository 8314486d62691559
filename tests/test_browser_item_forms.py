"""The item page's forms in a real browser: a refused form leaves the browser at the item's URL
with the error and what was typed (post/redirect/get), so a reload or a shared address shows the
item instead of an empty 405. Screenshots at 1366 and 375 px go to test-results/item-forms/ (or
$TEST_OUTPUT_DIR/item-forms/); axe finds nothing serious on the refused page and nothing
overflows the phone."""

import pytest

from recommendations.models import Recommendation
from tests.test_browser import OUTPUT, browser, seeded  # noqa: F401  (fixtures)
from tests.test_screens import LAYOUT_PROBE, serious_violations, sign_in

pytestmark = [pytest.mark.browser]

FOLDER = OUTPUT / "item-forms"


def shoot(page, name):
    FOLDER.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(FOLDER / f"{name}-{width}.png"), full_page=True)
        # What the user sees on arriving: the browser scrolled to the refused form.
        page.evaluate(
            "() => location.hash && document.querySelector(location.hash).scrollIntoView()"
        )
        page.screenshot(path=str(FOLDER / f"{name}-{width}-view.png"))
        if width == 375:
            layout = page.evaluate(LAYOUT_PROBE)
            assert layout["scroll"] <= layout["client"] + 1, (name, layout)
            assert layout["squeezed"] == [], (name, layout)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_refused_form_stays_on_the_item_and_survives_a_reload(browser, live_server, seeded):  # noqa: F811
    rec = Recommendation.objects.filter(status="new", depth=2, is_container=False).first()
    item_url = f"{live_server.url}/recommendations/{rec.pk}/"
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "staff")
    page.goto(item_url)

    # 无需办理 without the reason the rules ask for: refused on the server.
    form = page.locator("#transition-form")
    form.get_by_label("改为").select_option(label="无需办理")
    form.get_by_label("说明").fill("")
    form.get_by_role("button", name="更改状态").click()
    page.wait_for_load_state()
    assert page.url == item_url + "#transition-form"
    assert "未保存:请修正下面标出的问题。" in page.locator("body").inner_text()
    assert page.locator("#transition-form .form-errors, #transition-form .errorlist").count() >= 1
    assert page.locator("#transition-form select").first.input_value() == "not_actionable"
    assert serious_violations(page) == []
    shoot(page, "refused-transition")

    # 重点督办 with a blank leader (spaces pass the browser, not the server): the typed
    # requirement comes back as typed.
    form = page.locator("#supervise-form")
    form.get_by_label("督办领导").fill("   ")
    form.get_by_label("督办要求").fill("请每周报告进展")
    form.get_by_role("button").click()
    page.wait_for_load_state()
    assert page.url == item_url + "#supervise-form"
    assert "请填写督办领导。" in page.locator("#supervise-form").inner_text()
    assert page.locator("#supervise-form textarea").input_value() == "请每周报告进展"
    shoot(page, "refused-supervision")

    # A reload of the address shows the item, not a 405; so does the action URL itself.
    reloaded = page.reload()
    assert reloaded.status == 200
    assert page.url == item_url + "#supervise-form"
    action = page.goto(f"{item_url}transition/")
    assert action.status == 200 and page.url == item_url
    assert rec.heading[:10] in page.locator("main h1").inner_text()
    rec.refresh_from_db()
    assert rec.status == "new"
    context.close()


def test_a_stale_tag_save_applies_the_user_s_change_on_top_of_the_other_s(
    browser,  # noqa: F811  (fixture)
    live_server,
    seeded,  # noqa: F811  (fixture)
):
    from recommendations import workflow
    from recommendations.models import Tag, User

    rec = Recommendation.objects.filter(status="new", depth=2, is_container=False).first()
    y, x = Tag.objects.get(name="算力"), Tag.objects.get(name="人才")
    z = Tag.objects.exclude(pk__in=[x.pk, y.pk]).order_by("pk").first()
    workflow.set_tags(rec, User.objects.get(username="staff"), [y])
    item_url = f"{live_server.url}/recommendations/{rec.pk}/"
    pages = {}
    for role in ("admin", "staff"):
        context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
        pages[role] = context.new_page()
        sign_in(pages[role], live_server.url, role)
        pages[role].goto(item_url)

    # Staff adds 人才 and saves; the admin's page is now stale.
    staff_form = pages["staff"].locator("#tags-form")
    staff_form.get_by_label("人才", exact=True).check()
    staff_form.get_by_role("button", name="保存标签").click()
    pages["staff"].wait_for_load_state()

    page = pages["admin"]
    form = page.locator("#tags-form")
    form.get_by_label("算力", exact=True).uncheck()
    form.get_by_label(z.name, exact=True).check()
    form.get_by_role("button", name="保存标签").click()
    page.wait_for_load_state()
    assert page.url == item_url + "#tags-form"
    merge = page.locator("#tags-form .tag-merge").inner_text()
    assert "添加 人才" in merge and str(User.objects.get(username="staff")) in merge
    assert f"添加 {z.name}" in merge and "移除 算力" in merge
    form = page.locator("#tags-form")
    assert form.get_by_label("人才", exact=True).is_checked()
    assert form.get_by_label(z.name, exact=True).is_checked()
    assert not form.get_by_label("算力", exact=True).is_checked()
    assert serious_violations(page) == []
    shoot(page, "tag-conflict-merge")

    form.get_by_role("button", name="在对方修改的基础上应用我的修改").click()
    page.wait_for_load_state()
    assert "标签已保存。" in page.locator("body").inner_text()
    assert set(rec.tags.all()) == {x, z}
    for p in pages.values():
        p.context.close()
