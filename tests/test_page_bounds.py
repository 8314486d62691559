"""Every page stays bounded however large its data (issue #9, "one heavy request"): an article of
3,000 items renders a page of its text and its sections, not megabytes; the admin shows a link
to the filtered list instead of 3,000 inline rows; a request body far above any legal form is
refused before anything reads it, with a Chinese page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.models import Article, Edition, Recommendation
from tests import test_screens
from tests.conftest import PASSWORD
from tests.test_browser import OUTPUT
from tests.test_screens import LAYOUT_PROBE, WIDTHS, serious_violations

pytestmark = pytest.mark.django_db
chromium = test_screens.chromium  # the suite's browser fixture

SECTIONS = 6
PER_SECTION = 500
ITEMS = SECTIONS * (PER_SECTION + 1)
# Far above any real page (an article of 30 items is about 40 KB) and far below what the
# unbounded page rendered (about 1 MB for this article).
MAX_HTML = 120_000
MAX_QUERIES = 16
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def huge(db):
    """One article of 6 sections with 500 items each, one printed paragraph per item, built
    with bulk_create (a few seconds) as an import of such a page would store it."""
    lines = ITEMS
    edition = Edition.objects.create(
        source_name="huge.txt",
        sha256="1" * 64,
        raw_text="\n".join(f"第{n}行" for n in range(1, lines + 1)),
        line_count=lines,
        warnings=[
            {"kind": "numbering_gap", "lines": [n], "message": f"编号不连续{n}", "article": 0}
            for n in range(1, 2001)
        ],
    )
    blocks = []
    article = Article.objects.create(
        edition=edition, order=1, kind=Article.Kind.REFLECTION, title="超大文章", blocks=[]
    )
    heads = Recommendation.objects.bulk_create(
        Recommendation(
            article=article,
            number=str(s),
            order=s * (PER_SECTION + 1),
            depth=1,
            marker=f"{s}、",
            place=f"{s}、",
            heading=f"第{s}部分",
            text=f"第{s}部分",
            is_container=True,
            source_lines=[s * (PER_SECTION + 1) + 1],
        )
        for s in range(SECTIONS)
    )
    items = []
    for s, head in enumerate(heads):
        blocks.append({"type": "heading", "text": head.heading, "lines": head.source_lines})
        for i in range(1, PER_SECTION + 1):
            line = s * (PER_SECTION + 1) + 1 + i
            text = f"第{s}部分第{i}条:建设智算中心,推动算力共享。"
            blocks.append({"type": "paragraph", "text": text, "lines": [line]})
            items.append(
                Recommendation(
                    article=article,
                    parent=head,
                    number=f"{s}.{i}",
                    order=s * (PER_SECTION + 1) + i,
                    depth=2,
                    marker=f"{i}.",
                    place=f"{s}、{i}",
                    heading=f"要点{s}-{i}",
                    text=text,
                    source_lines=[line],
                )
            )
    Recommendation.objects.bulk_create(items, batch_size=5000)
    Article.objects.filter(pk=article.pk).update(blocks=blocks)
    article.refresh_from_db()
    return article


def fetch(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def test_the_article_page_of_a_huge_article_is_bounded(client, viewer, staff, huge):
    client.force_login(viewer)
    html, queries = fetch(client, huge.get_absolute_url())
    assert len(html) < MAX_HTML and queries <= MAX_QUERIES, (len(html), queries)
    # Every section is there with the number of items it holds, linked to its own page.
    first = huge.recommendations.get(number="0")
    assert f'href="{first.get_absolute_url()}"' in html
    assert re.search(r"第0部分</a>\s*<span[^>]*>[^<]*500", html)
    # The text is paged, with links to the other pages and to the whole list of its items.
    assert "第0部分第1条" in html and "第5部分第500条" not in html
    assert 'rel="next"' in html
    assert f"?article={huge.pk}" in html
    # The paragraphs shown link to their items (which are not all in the side tree).
    item = huge.recommendations.get(number="0.1")
    assert f'href="{item.get_absolute_url()}"' in html

    # A later page of the text shows its own paragraphs.
    last = fetch(client, huge.get_absolute_url() + "?page=99999")[0]
    assert "第5部分第500条" in last and "第0部分第1条" not in last
    item = huge.recommendations.get(number="5.500")
    assert f'href="{item.get_absolute_url()}"' in last
    assert len(last) < MAX_HTML
    # A malformed number is the first page, not an error.
    assert "第0部分第1条" in fetch(client, huge.get_absolute_url() + "?page=x&sections=-3")[0]

    # Staff also read the import notes: thousands of them are summarised.
    client.force_login(staff)
    html, queries = fetch(client, huge.get_absolute_url())
    assert len(html) < MAX_HTML and queries <= MAX_QUERIES, (len(html), queries)
    assert re.search(r"编号不连续1(?!\d)", html) and "编号不连续1999" not in html
    assert "共 2000 条提示" in html  # the staff member is told how many there are


def test_the_item_and_admin_pages_of_a_huge_article_are_bounded(client, viewer, admin_user, huge):
    client.force_login(viewer)
    item = huge.recommendations.get(number="3.250")
    html, queries = fetch(client, item.get_absolute_url())
    assert len(html) < MAX_HTML and queries <= MAX_QUERIES, (len(html), queries)
    assert f"?article={huge.pk}" in html  # the rest are in the list
    section = huge.recommendations.get(number="3")
    html, queries = fetch(client, section.get_absolute_url())
    assert len(html) < MAX_HTML and queries <= MAX_QUERIES, (len(html), queries)
    assert "要点3-1<" in html and "要点3-500<" not in html

    # The admin's pages of the same article.
    client.force_login(admin_user)
    change = reverse("admin:recommendations_article_change", args=[huge.pk])
    html, queries = fetch(client, change)
    assert len(html) < MAX_HTML and queries <= 30, (len(html), queries)
    changelist = reverse("admin:recommendations_recommendation_changelist")
    assert f"{changelist}?article__id__exact={huge.pk}" in html
    html, queries = fetch(client, f"{changelist}?article__id__exact={huge.pk}")
    assert len(html) < MAX_HTML and queries <= 30, (len(html), queries)
    # The whole table is not counted a second time beside the filtered count.
    assert not any(
        "COUNT(" in q["sql"].upper() and "WHERE" not in q["sql"].upper()
        for q in _queries(client, f"{changelist}?article__id__exact={huge.pk}")
    )
    section = huge.recommendations.get(number="5")
    html, queries = fetch(
        client, reverse("admin:recommendations_recommendation_change", args=[section.pk])
    )
    assert len(html) < MAX_HTML and queries <= 40, (len(html), queries)
    edition = reverse("admin:recommendations_edition_change", args=[huge.edition_id])
    html, queries = fetch(client, edition)
    # The page's raw text is bounded by IMPORT_MAX_PAGE_BYTES; the 2,000 notes are summarised.
    assert len(html) < MAX_HTML + settings.IMPORT_MAX_PAGE_BYTES, len(html)
    assert "编号不连续1999" not in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return queries.captured_queries


def test_a_request_body_above_the_limit_is_refused_before_it_is_read(client, viewer, item):
    client.force_login(viewer)
    response = client.generic(
        "POST",
        item.get_absolute_url() + "comments/",
        b"x" * 10,
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "提交的内容过大" in html and f"{settings.REQUEST_MAX_BYTES // (1024 * 1024)} MB" in html
    assert item.comments.count() == 0


def test_too_many_fields_get_a_chinese_page(client, staff, item):
    client.force_login(staff)
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(item.get_absolute_url() + "comments/", fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert "字段" in html and str(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) in html
    assert item.comments.count() == 0


def test_a_form_body_above_the_memory_limit_gets_a_chinese_page(client, staff, item):
    client.force_login(staff)
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(item.get_absolute_url() + "comments/", {"body": body})
    assert response.status_code == 400
    assert "提交的内容过大" in response.content.decode()
    assert item.comments.count() == 0


def test_the_limits_are_set_on_purpose_and_agree_with_the_nginx_example():
    # Every legal body fits: the largest is an answer letter with its form, or a batch of pages.
    assert settings.REQUEST_MAX_BYTES > settings.ANSWER_LETTER_MAX_BYTES
    assert settings.REQUEST_MAX_BYTES >= 5 * settings.IMPORT_MAX_PAGE_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    doc = (ROOT / "docs" / "deployment.md").read_text()
    sizes = re.findall(r"client_max_body_size\s+(\d+)m;", doc)
    assert sizes and {int(s) for s in sizes} == {settings.REQUEST_MAX_BYTES // (1024 * 1024)}


@pytest.mark.browser
def test_the_paged_article_reads_well_in_a_browser(
    chromium, live_server, committed_db, staff, huge
):
    """At 1366 and 375 px: no serious axe finding, nothing wider than a phone, and the pager
    leads to the next page of the text. Screenshots go to test-results/screens/."""
    folder = OUTPUT / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in WIDTHS:
        context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("用户名").fill(staff.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(live_server.url + huge.get_absolute_url())
        page.screenshot(path=str(folder / f"article-paged-{width}.png"), full_page=True)
        page.screenshot(path=str(folder / f"article-paged-{width}-top.png"))
        page.get_by_role("navigation", name="正文分页").scroll_into_view_if_needed()
        page.screenshot(path=str(folder / f"article-paged-{width}-pager.png"))
        if width == 1366:
            problems += serious_violations(page)
            page.get_by_role("navigation", name="正文分页").get_by_role(
                "link", name="下一页"
            ).click()
            page.wait_for_url("**page=2**")
            assert page.get_by_text("第0部分第100条").count() == 1
        else:
            layout = page.evaluate(LAYOUT_PROBE)
            if layout["scroll"] > layout["client"] + 1:
                problems.append(f"{width}px: {layout['scroll']}px wide, {layout['wide']}")
            problems += layout["squeezed"]
        context.close()
    assert problems == [], "\n".join(problems)
