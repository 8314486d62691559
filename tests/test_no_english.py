"""No English on the portal's screens: every page type (the admin's too) is rendered as each
role, and every word of Latin letters a reader sees — text, button values, placeholders,
titles, labels for screen readers — must be on the allow-list. Every template under
templates/ must have been rendered by the walk, so a new screen cannot slip past."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from ui_helpers import assigned, make_article, make_rec

from imports.models import ImportBatch
from notifications import jobs, tasks
from portal.limits import bad_request
from recommendations.models import Comment, Edition, RecommendationTag, User

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Words that are Chinese officials' own vocabulary or the names of file formats and protocols.
ALLOWED = {"CSV", "XLSX", "Excel", "AI", "SHA", "IP", "HTTP", "Accept", "GET", "POST", "JSON"}
ALLOWED |= {"UTF", "KB", "MB", "GB", "LDAP"}
# The calendar admin cites its data source by its package name (chinese-calendar).
ALLOWED |= {"chinese", "calendar"}
VOID = {"br", "img", "input", "hr", "meta", "link", "source", "wbr", "col", "area"}
ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}


class VisibleText(HTMLParser):
    """The words a reader sees. Data shown as it is stored (the admin's read-only fields: a
    page's raw text, a password hash, JSON) is not UI text and is skipped."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.skip and tag not in VOID:
            self.skip += 1
            return
        if tag in ("script", "style", "template") or "readonly" in (attrs.get("class") or ""):
            self.skip = 1 if tag not in VOID else 0
            return
        self.parts += [v for k, v in attrs.items() if k in ATTRIBUTES and v]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if self.skip and tag not in VOID:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


DATA_WORDS: set[str] = set()  # usernames and file names: the test's data, not UI text
HASHES: list[str] = []  # password hashes: the user form shows masked pieces of them


def english_words(html: str) -> set[str]:
    reader = VisibleText()
    reader.feed(html)
    words = set(re.findall(r"[A-Za-z]+(?:['’][A-Za-z]+)*", " ".join(reader.parts)))
    return {
        w
        for w in words
        if len(w) > 1
        and w not in ALLOWED
        and w not in DATA_WORDS
        and not any(w in h for h in HASHES)
    }


@pytest.fixture
def world(edition, item, tag, staff, lead_department, other_department):
    other = make_article(edition, order=2, author="李四", organization="区教委")
    make_rec(
        other, "1", "数据要素流通", tags=[tag], co=[other_department], **assigned(lead_department)
    )
    RecommendationTag.objects.create(recommendation=item, tag=tag)
    Comment.objects.create(recommendation=item, author=staff, body="请研究。")
    Edition.objects.filter(pk=edition.pk).update(
        warnings=[{"kind": "word_joined", "lines": [7], "message": "断行已接合", "article": 0}]
    )
    # The job queue's pages: a job with its events, and a periodic task's record of queuing.
    job_id = jobs.defer(tasks.send_email, email_id=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_periodic_defers (task_name, defer_timestamp, job_id,"
            " periodic_id) VALUES ('notifications.reminders_tick', 1900000000, %s, 'reminders')",
            [job_id],
        )
    return {"item": item, "article": item.article, "other": other}


def portal_urls(world, tag, lead_department):
    item, article = world["item"], world["article"]
    byline_person = world["other"].bylines.first().person
    return [
        "/",
        "/my-work/",
        "/recommendations/",
        "/recommendations/?q=算力&status=new",
        "/recommendations/?q=" + "税" * 201,
        "/recommendations/?tag=999999&due=-3",
        "/recommendations/export.csv?tag=999999",
        item.get_absolute_url(),
        item.get_absolute_url() + "?q=算力",
        article.get_absolute_url(),
        byline_person.get_absolute_url(),
        byline_person.affiliations.first().organization.get_absolute_url(),
        lead_department.get_absolute_url(),
        "/tags/",
        tag.get_absolute_url(),
        "/accounts/password/",
        "/accounts/password/done/",
        "/recommendations/424242/",
    ]


def admin_urls(world):
    urls = ["/admin/", "/admin/recommendations/edition/import/", "/admin/password_change/"]
    # An upload waiting for confirmation (the import preview page), the walking admin's own.
    batch = ImportBatch.objects.create(created_by=User.objects.get(username="admin1"))
    batch.status = ImportBatch.Status.READY
    batch.save()
    urls.append(reverse("admin:recommendations_edition_import_batch", args=[batch.pk]))
    for model in admin.site._registry:
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{base}_changelist"))
        urls.append(reverse(f"{base}_add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"{base}_change", args=[obj.pk]))
            urls.append(reverse(f"{base}_history", args=[obj.pk]))
            urls.append(reverse(f"{base}_delete", args=[obj.pk]))
    return urls


def walk(client, urls, rendered, found):
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.get("Content-Type", "").startswith("text/html"):
            for word in english_words(response.content.decode()):
                found.setdefault(word, url)


def test_no_screen_shows_english_outside_the_allow_list(
    client, users, world, tag, lead_department, settings
):
    rendered = set()
    for user in User.objects.all():  # names, and the password hash the user form summarises
        DATA_WORDS.update(re.findall(r"[A-Za-z]+", user.username))
        HASHES.append(user.password)
    DATA_WORDS.add("unknown")  # axes records a missing User-Agent header as "<unknown>"
    DATA_WORDS.update(re.findall(r"[A-Za-z]+", world["item"].article.edition.source_name))
    DATA_WORDS.update({"Asia", "Shanghai"})  # the time zone named on the rules' admin page

    def record(sender, template, **kwargs):
        if template.origin and template.origin.name:
            rendered.add(Path(template.origin.name).resolve())

    template_rendered.connect(record)
    found: dict[str, str] = {}
    try:
        walk(client, ["/accounts/login/"], rendered, found)
        for role in ("viewer", "staff", "handler", "admin"):
            client.force_login(users[role])
            walk(client, portal_urls(world, tag, lead_department), rendered, found)
        walk(client, admin_urls(world), rendered, found)
        # Pages reached by a refused post: a bulk action without choices, a stale tab's form.
        client.force_login(users["staff"])
        page = client.post(reverse("recommendation_bulk"), {"action": "tag"}, follow=True)
        found.update({w: "bulk refused" for w in english_words(page.content.decode())})
        # A bulk job's page, stopped by an error, with a refused item.
        from bulk.models import BulkJob

        for status in ("queued", "failed", "done"):
            job = BulkJob.objects.create(
                created_by=users["staff"],
                action="assign",
                status=status,
                summary="交办给区科信局,办理期限 2031-06-30",
                ids=[world["item"].pk],
                total=1,
                refused_count=1,
                refusals=[{"id": world["item"].pk, "label": "一、1", "reason": "不能交办。"}],
                error="处理第 1–1 条时出错" if status == "failed" else "",
            )
            page = client.get(reverse("bulk_job", args=[job.pk]))
            found.update({w: f"bulk job {status}" for w in english_words(page.content.decode())})
        stale = Client(enforce_csrf_checks=True)
        stale.force_login(users["staff"])
        page = stale.post(world["item"].get_absolute_url() + "comments/", {"body": "请研究"})
        found.update({w: "csrf 403" for w in english_words(page.content.decode())})
        forbidden = client.get("/admin/")  # a staff member is not let into the admin
        found.update({w: "403" for w in english_words(forbidden.content.decode())})
        client.force_login(users["admin"])
        page = client.post(  # the admin's bulk assignment asks for the department first
            reverse("admin:recommendations_recommendation_changelist"),
            {"action": "bulk_assign", "_selected_action": [world["item"].pk]},
        )
        found.update({w: "admin bulk" for w in english_words(page.content.decode())})
        client.logout()
        for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):  # the locked-out page
            page = client.post("/accounts/login/", {"username": "viewer1", "password": "x"})
        assert page.status_code == 429
        found.update({w: "locked out" for w in english_words(page.content.decode())})
        for word in english_words(render_to_string("500.html")):
            found[word] = "500.html"
        # The page of a read that hit the statement timeout (tests/test_read_timeout.py
        # provokes the real one); here only its words count.
        for word in english_words(render_to_string("timeout.html", {"seconds": "5"})):
            found[word] = "timeout.html"
        # The refusal of an oversized or overfull request (tests/test_page_bounds.py sends
        # them); its reasons are written in portal/limits.py.
        for error in (RequestDataTooBig(), TooManyFieldsSent(), SuspiciousOperation()):
            for word in english_words(bad_request(None, error).content.decode()):
                found[word] = "400.html"
    finally:
        template_rendered.disconnect(record)

    assert found == {}, f"English on screen (word: first page): {found}"
    ours = {p.resolve() for p in TEMPLATES.rglob("*.html")}
    never = {p.relative_to(TEMPLATES).as_posix() for p in ours - rendered} - {"500.html"}
    assert never == set(), f"templates the walk never rendered: {sorted(never)}"
