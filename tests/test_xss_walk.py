"""The stored-XSS walk of the audit (issue #9), kept in the suite: a newspaper page whose every
field carries markup is imported through the real parser and importer, the handling loop is run
through its real steps with markup in every text a person types, and then every text column of
every model of the project gets a payload appended (derived from the models, so a new field is
covered without touching this test). Every page type is rendered as every role, the admin's
changelists and change forms too, and no payload may be live: no unescaped tag of ours, no
event-handler attribute, no `javascript:` link.

test_escaping.py checks a few names on the read pages; this is the whole walk.
"""

import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from handling_helpers import pdf_letter
from test_no_english import admin_urls, portal_urls

from bulk.models import BulkJob
from handling import rules
from handling.models import Supervision
from notifications.models import Message
from recommendations import importer, workflow
from recommendations.models import (
    Article,
    Comment,
    Department,
    Edition,
    Person,
    Recommendation,
    Tag,
)
from recommendations.newspaper.parser import parse_bytes
from recommendations.workflow import ReturnOutcome

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "<script>alert(1)</script>"
IMG = "\"'><img src=x onerror=alert(1)>"
LINK = "javascript:alert(1)"
PAYLOAD = SCRIPT + IMG + LINK
SHORT = "<svg onload=1>"  # for columns too short for the whole payload
# What a payload looks like when it is live (not escaped).
LIVE = ("<script>alert", "<img src=x", "<svg onload")
PROJECT_APPS = ("recommendations", "handling", "notifications", "imports", "bulk")
# Columns whose value the code reads as data rather than shows as text: tree numbers parsed
# as "2.3.1", search columns, fingerprints and codes, and system-made links.
NOT_TEXT = {
    "number",
    "search_words",
    "search_chars",
    "sha256",
    "encoding",
    "username",
    "password",
    "email",
    "to_address",
    "link",
    "token",
    "kind",
}


def payload_page() -> str:
    """The fixture page with markup in the series title and subtitle, an article's title, a
    section heading, item texts (so the blocks too) and a photo credit."""
    text = (ROOT / "fixtures" / "haidian-ai-training-3.txt").read_text()
    for printed, changed in (
        ("## 自主创新铸技术底座", f"## 自主创新{SCRIPT}铸技术底座"),
        ("学员思考和建议③", f"学员思考和建议{IMG}③"),
        ("## 以人工智能为翼 赋能", f"## 以人工智能为翼{SCRIPT} 赋能"),
        ("国际高端要素", f"国际高端要素{IMG}"),
        ("一是加大AI原生产业国际孵化力度。", f"一是加大AI原生产业国际孵化力度{SCRIPT}。"),
        ("二是深化AI人才国际化布局。", f"二是深化AI人才国际化布局{LINK}{IMG}。"),
        ("学校/供图", f"学校{SHORT}/供图"),
    ):
        assert printed in text, printed
        text = text.replace(printed, changed, 1)
    return text


def text_columns(model):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and field.name not in NOT_TEXT
            and not getattr(field, "generated", False)
        ):
            yield field


def payload_for(field) -> str:
    return PAYLOAD if (field.max_length or 10_000_000) >= 120 else SHORT


def poison_every_text_column() -> list[str]:
    """Append a payload to every text column of every row of the project's models (the
    history event tables are filled by the triggers, with the payloads, as the rows change).
    Returns the columns it could not change, which must be none."""
    refused = []
    models_ = [m for app in PROJECT_APPS for m in apps.get_app_config(app).get_models()]
    models_.append(apps.get_model("recommendations", "User"))
    for model in models_:
        if model.__name__.endswith("Event") or model._meta.proxy:
            continue
        for field in text_columns(model):
            size = field.max_length or 10_000_000
            payload = payload_for(field)
            if size < len(payload) + 2:
                continue
            value = Concat(Left(F(field.name), size - len(payload)), Value(payload))
            try:
                with transaction.atomic():
                    model._default_manager.update(**{field.name: value})
            except Exception as error:  # a trigger or constraint refused: reported below
                refused.append(f"{model.__name__}.{field.name}: {error}")
    return refused


@pytest.fixture
def world(users, lead_department, co_department, co_handler, tmp_path, settings):
    """The page imported, one item through the whole loop with markup in every typed text,
    another supervised and tagged, a message in each handler's 消息."""
    settings.MEDIA_ROOT = tmp_path / "media"
    text = payload_page()
    parsed = parse_bytes(text.encode(), f"版面{SHORT}.txt")
    importer.import_edition(parsed, text, published_on=datetime.date(2025, 11, 20))
    article = Article.objects.get(title__contains=SCRIPT)
    assert Edition.objects.get().series.title.count(SCRIPT) == 1
    item = article.recommendations.filter(text__contains=SCRIPT).order_by("pk").first()
    assert item is not None and article.blocks and any(SCRIPT in b["text"] for b in article.blocks)
    staff, handler = users["staff"], users["handler"]
    tag = Tag.objects.create(name=f"新标签{SHORT}")
    Department.objects.filter(pk=co_department.pk).update(name=f"区商务局{SHORT}")
    co_department.refresh_from_db()

    # The loop, step by step, as the people would type it.
    deadline = rules.current().default_deadline(datetime.date.today())
    workflow.assign(
        item,
        staff,
        lead_department=lead_department,
        co_departments=[co_department],
        deadline=deadline,
    )
    workflow.set_tags(item, staff, [tag])
    workflow.add_comment(item, staff, f"请研究{PAYLOAD}")
    workflow.receive(item, handler)
    workflow.request_return(item, handler, reason=f"不属于本部门{PAYLOAD}")
    workflow.decide_return(item, staff, outcome=ReturnOutcome.REJECT, note=f"维持{PAYLOAD}")
    workflow.request_extension(
        item,
        handler,
        requested_deadline=deadline + datetime.timedelta(days=20),
        reason=f"需要调研{PAYLOAD}",
    )
    workflow.decide_extension(item, staff, approve=True, note=f"同意{PAYLOAD}")
    workflow.save_opinion(item, co_handler, f"协办意见{PAYLOAD}")
    workflow.submit_answer(
        item,
        handler,
        answer_category="B",
        reply=f"正在落实{PAYLOAD}",
        promised_on=deadline,
        letter=pdf_letter(f"答复函{SHORT}.pdf"),
    )
    workflow.review_answer(item, staff, approve=True, note=f"审核通过{PAYLOAD}")
    workflow.record_verdict(item, staff, level="satisfied", note=f"满意{PAYLOAD}")
    workflow.report_progress(item, handler, f"进展{PAYLOAD}")

    other = article.recommendations.exclude(pk=item.pk).filter(depth=2).first()
    workflow.transition(other, staff, "not_actionable", note=f"无需办理{PAYLOAD}")
    Supervision.objects.create(
        recommendation=other, leader=f"区长{SHORT}", note=f"督办{PAYLOAD}", marked_by=staff
    )
    for user in (handler, co_handler, staff):
        Message.objects.create(
            recipient=user,
            kind=Message._meta.get_field("kind").choices[0][0],
            title=f"新消息{PAYLOAD}",
            body=f"内容{PAYLOAD}",
            recommendation=item,
            link=item.get_absolute_url(),
        )
    Edition.objects.update(
        warnings=[{"kind": "word_joined", "lines": [7], "message": f"断行{PAYLOAD}", "article": 0}]
    )
    Article.objects.update(photo_credits=[f"记者{PAYLOAD}"])
    # A bulk job stopped with refused items (their headings carry markup) and an error.
    job = BulkJob.objects.create(
        created_by=staff,
        action=BulkJob.Action.ASSIGN,
        status=BulkJob.Status.FAILED,
        summary=f"交办给{co_department.name}",
        ids=[item.pk, other.pk],
        total=2,
        processed=1,
        refused_count=1,
        refusals=[{"id": item.pk, "label": item.heading, "reason": f"不能交办{PAYLOAD}"}],
        error="处理第 2–2 条时出错",
        back_url="/recommendations/?status=new",
        origin="/recommendations/bulk/",
    )
    assert poison_every_text_column() == []
    item.refresh_from_db()
    # The byline's people and organisations (corrected in the admin) carry markup too.
    assert Person.objects.filter(name__contains=SHORT).exists()
    other_article = Article.objects.exclude(pk=article.pk).filter(bylines__isnull=False).first()
    return {"item": item, "article": article, "other": other_article, "tag": tag, "job": job}


class LiveMarkup(HTMLParser):
    """Event-handler attributes and javascript: links anywhere in the page (the portal has
    neither of its own: its policy allows no inline script)."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data"):
                if (value or "").strip().lower().startswith("javascript:"):
                    self.found.append(f"<{tag} {name}={value!r}>")


def live_payloads(html: str) -> list[str]:
    found = [marker for marker in LIVE if marker in html]
    reader = LiveMarkup()
    reader.feed(html)
    return found + reader.found


def pages(world, lead_department):
    item = world["item"]
    return [
        *portal_urls(world, world["tag"], lead_department),
        "/recommendations/?q=alert",
        "/recommendations/?q=script&status=assigned",
        f"/recommendations/?tag={world['tag'].pk}",
        item.get_absolute_url() + "?q=alert",
        world["article"].get_absolute_url(),
        "/messages/",
        "/messages/settings/",
        "/recommendations/export.csv?due=x",  # the refused export's page
        f"/recommendations/bulk/{world['job'].pk}/",  # its sender's; 404 for the others
    ]


def test_no_payload_is_live_on_any_page_for_any_role(client, users, world, lead_department):
    problems, rendered = {}, 0
    urls = pages(world, lead_department)
    for role in ("viewer", "staff", "handler", "other_handler", "admin"):
        client.force_login(users[role])
        for url in urls + (admin_urls(world) if role == "admin" else []):
            response = client.get(url)
            assert response.status_code < 500, url
            # Refusals (the export's 400 page, 403, 404) are pages too; redirects and files are
            # not.
            if response.status_code in (301, 302) or "html" not in response.get("Content-Type", ""):
                continue
            rendered += 1
            html = response.content.decode()
            if found := live_payloads(html):
                problems[f"{role} {url}"] = found
    assert problems == {}
    # The walk really rendered the payloads (escaped): most pages show some of them.
    assert rendered > 200
    client.force_login(users["staff"])
    html = client.get(world["item"].get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_detector_finds_live_markup():
    assert live_payloads(f"<p>{SCRIPT}</p>")
    assert live_payloads('<a href=" JavaScript:alert(1)">x</a>')
    assert live_payloads('<span title="x" onmouseover="y">x</span>')
    assert live_payloads("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == []
    assert live_payloads('<a href="/recommendations/?q=javascript:alert(1)">x</a>') == []


def test_every_comment_and_tag_of_the_world_carries_a_payload(world):
    # The generic pass reached the rows the steps wrote (a guard against a silent no-op).
    for model, name in ((Comment, "body"), (Tag, "name"), (Recommendation, "heading")):
        payload = payload_for(model._meta.get_field(name))
        assert all(payload in value for value in model.objects.values_list(name, flat=True))
