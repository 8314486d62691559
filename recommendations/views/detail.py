"""A recommendation with its place in the article, and the article as printed."""

import copy
import re

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from handling import panel
from handling.supervision_views import page_context as supervision_context
from recommendations import figures, pagecache, workflow
from recommendations.models import (
    Article,
    CoDepartment,
    Recommendation,
    RecommendationTag,
)
from recommendations.views.actions import action_context, take_refused
from recommendations.views.lists import labels

MAX_QUERY = 200

# A printed article has a few dozen items and paragraphs. An import far beyond that (the audit
# stored one of 50,000 items, whose pages weighed megabytes and outlived the worker timeout)
# must not make a page that large: above these bounds the article page shows its text a page
# at a time, with links to the items of that page, and its tree collapsed to the top-level
# sections with how many items each holds; an item page lists the first of its children and
# siblings and links to the list for the rest. A real article is shown whole, as before.
FULL_ARTICLE_ITEMS = 300
FULL_ARTICLE_BLOCKS = 300
BLOCKS_PER_PAGE = 100
SECTIONS_PER_PAGE = 30
LINKS_PER_BLOCK = 10
MAX_IMPORT_NOTES = 100
MAX_FAMILY_LINKS = 50
# The parser's warning kinds (recommendations/newspaper) as staff read them.
IMPORT_NOTE_KINDS = {
    "word_joined": _("断行已接合"),
    "duplicate_removed": _("重复文字已删除"),
    "photo_credit_moved": _("图片来源已移出正文"),
    "interleave_repaired": _("串排段落已归位"),
    "unjoined_break": _("断行未找到接续"),
    "numbering_gap": _("编号不连续"),
    "heading_without_marker": _("标题缺少编号"),
    "author_note_moved": _("作者说明已移出正文"),
    "empty_article": _("文章没有正文"),
    "truncated": _("版面文本不完整"),
}


def _search_query(request) -> str:
    return request.GET.get("q", "")[:MAX_QUERY].strip()


_HEADING_MARK = re.compile(r"^#+\s*")
# A credit as the page prints it: "学校/供图", "记者 张三/摄", "主办方供图", "张三 摄".
_CREDIT_SUFFIX = r"\s*(?:[/／]\s*(?:供图|摄影|摄|图|提供)|供图|\s(?:摄影|摄))\s*"


def printed_credit(credit: str, raw_text: str) -> str:
    """The credit line as printed: the parser keeps only who (学校), the page has 学校/供图. Read
    back from the page's own text; a credit not found there is a supplied picture (供图), or a
    reporter's photograph (摄) when it names a reporter."""
    pattern = re.compile(rf"^\s*{re.escape(credit)}{_CREDIT_SUFFIX}$", re.M)
    found = pattern.search(raw_text)
    if found:
        return found.group(0).strip()
    return f"{credit}/摄" if credit.startswith("记者") else f"{credit}/供图"


def _numbered_lines(raw_text: str, numbers) -> list[tuple[int, str]]:
    lines = raw_text.splitlines()
    return [(n, lines[n - 1]) for n in sorted(set(numbers)) if 0 < n <= len(lines)]


def _blocks(article) -> list[dict]:
    """The article's blocks, tolerant of hand-edited JSON."""
    blocks = []
    for block in article.blocks or []:
        if not isinstance(block, dict):
            continue
        lines = [n for n in block.get("lines") or [] if isinstance(n, int)]
        blocks.append(
            {
                "type": "heading" if block.get("type") == "heading" else "paragraph",
                "text": str(block.get("text") or ""),
                "lines": lines,
            }
        )
    return blocks


def _load(pk) -> Recommendation:
    """The item with its article, page and ancestors, and the ids of its tags and co-departments
    (resolved against the page's lists of every tag and department, so no prefetch is needed)."""
    links = {
        "tag_ids": RecommendationTag.objects.filter(recommendation=OuterRef("pk")).values("tag_id"),
        "co_department_ids": CoDepartment.objects.filter(recommendation=OuterRef("pk")).values(
            "department_id"
        ),
    }
    return get_object_or_404(
        Recommendation.objects.select_related(
            "article__edition", "parent__parent", "lead_department", "supervision"
        ).annotate(**{name: ArraySubquery(query) for name, query in links.items()}),
        pk=pk,
    )


def _children_and_siblings(rec) -> tuple[list, list]:
    """Both lists of links in one query: the items under `rec`, and the others under its parent
    (the article's sections, for a section)."""
    family = (
        Recommendation.objects.filter(
            Q(parent_id=rec.pk) | Q(article_id=rec.article_id, parent_id=rec.parent_id)
        )
        .exclude(pk=rec.pk)
        .only(*_LINK_FIELDS)
        # The first MAX_FAMILY_LINKS (+1, to know there are more) of each list, in one query.
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("parent_id")], order_by=[F("order"), F("pk")])
        )
        .filter(rank__lte=MAX_FAMILY_LINKS + 1)
        .order_by("order", "pk")
    )
    children, siblings = [], []
    for other in family:
        (children if other.parent_id == rec.pk else siblings).append(other)
    return children, siblings


# What a link to a child or a sibling shows; the rest (text, search columns) stays unread.
_LINK_FIELDS = ("article", "parent", "number", "order", "depth", "place", "heading", "status")


def _detail_context(request, rec) -> dict:
    """Everything the item's body shows besides `rec` itself, in a fixed number of queries
    however long its history is and however many tags, co-departments, children or comments
    it has."""
    # Every department and tag, once: the facts panel, the forms' choices and the history's
    # names are all resolved from these two lists.
    departments, tags = labels()
    tag_ids, co_ids = set(rec.tag_ids), set(rec.co_department_ids)
    rec_tags = [t for t in tags if t.pk in tag_ids]  # in Tag's order, as rec.tags.all() gives
    co_departments = [d for d in departments if d.pk in co_ids]
    ancestors = [a for a in (rec.parent and rec.parent.parent, rec.parent) if a is not None]
    children, siblings = _children_and_siblings(rec)
    more_family = max(len(children), len(siblings)) > MAX_FAMILY_LINKS
    wanted = set(rec.source_lines)
    source_blocks = [b for b in _blocks(rec.article) if wanted & set(b["lines"])]
    context = {
        "rec": rec,
        "article": rec.article,
        "ancestors": ancestors,
        "siblings": siblings[:MAX_FAMILY_LINKS],
        "children": children[:MAX_FAMILY_LINKS],
        "more_family": more_family,
        "max_family_links": MAX_FAMILY_LINKS,
        "source_blocks": source_blocks,
        "source_lines": _numbered_lines(rec.article.edition.raw_text, rec.source_lines),
        "q": _search_query(request),
        "rec_tags": rec_tags,
        "co_departments": co_departments,
    }
    context.update(
        action_context(
            request,
            rec,
            departments=departments,
            tags=tags,
            rec_tags=rec_tags,
            co_departments=co_departments,
        )
    )
    context.update(supervision_context(request, rec))
    return context


_RIGHTS_FIELDS = ("heading", "status", "lead_department", "article", "is_container")


def _rights(user, rec) -> tuple:
    """What decides which forms the item's body offers this viewer (views/actions.py)."""
    return (
        workflow.can_triage(user),
        workflow.can_reply(user, rec),
        workflow.can_comment(user, rec),
        tuple(workflow.allowed_transitions(user, rec)),
        panel.viewer_key(user, rec),
    )


def render_detail(request, pk, status: int = 200):
    """The item's page. Its body comes from the cache while nothing has changed (pagecache.py);
    a page showing a refused form, with the error and what the user typed, is always rendered
    afresh (views/actions.py leaves those forms in the session and redirects here)."""
    # What the title, the viewer's rights and the item's scopes need, with the versions in the
    # same statement (one round trip of a cached page's few); the rest is read only to render
    # the body, after the versions (see pagecache.py).
    stamp, rec = figures.versions_and_row(Recommendation, pk, _RIGHTS_FIELDS, figures.ITEM_SCOPES)
    if rec is None:
        raise Http404
    if request.method in ("GET", "HEAD") and not hasattr(request, "bound_action_forms"):
        # The form a refused post redirected here with (post/redirect/get, views/actions.py).
        request.bound_action_forms = take_refused(request, pk)
    body = pagecache.render_body(
        request,
        "recommendations/_detail_body.html",
        (rec.pk, _search_query(request), _rights(request.user, rec)),
        lambda: _detail_context(request, _load(pk)),
        stamp=stamp,
        cache=not getattr(request, "bound_action_forms", None),
    )
    title = Truncator(rec.heading).chars(40)
    return render(
        request, "recommendations/page.html", {"title": title, "body": body}, status=status
    )


@require_safe
def recommendation_detail(request, pk):
    return render_detail(request, pk)


def _tree(recs):
    """Nested nodes {rec, children} in printed order from a flat list."""
    nodes = {rec.pk: {"rec": rec, "children": []} for rec in recs}
    roots = []
    for rec in recs:
        parent = nodes.get(rec.parent_id)
        (parent["children"] if parent else roots).append(nodes[rec.pk])
    return roots


def _import_notes(article, edition) -> tuple[list, int]:
    """The import notes of this article (at most MAX_IMPORT_NOTES of them) and how many there
    are; the page's text is split into lines once, however many notes cite it."""
    notes = [
        w
        for w in edition.warnings or []
        if isinstance(w, dict) and w.get("article") == article.order - 1
    ]
    lines = edition.raw_text.splitlines()
    shown = []
    for w in notes[:MAX_IMPORT_NOTES]:
        numbers = sorted({n for n in w.get("lines") or [] if isinstance(n, int)})
        shown.append(
            {
                "kind": IMPORT_NOTE_KINDS.get(w.get("kind", ""), _("其他提示")),
                "message": w.get("message", ""),
                # Without the page file's "## " heading marks: staff read the words, not the
                # markup.
                "lines": [
                    (n, _HEADING_MARK.sub("", lines[n - 1])) for n in numbers if 0 < n <= len(lines)
                ],
            }
        )
    return shown, len(notes)


def _mark_blocks(blocks, recs, limit=None) -> None:
    """Each block gets the items printed in its lines (at most `limit` of them)."""
    by_line = {}
    for rec in recs:
        for line in rec.source_lines:
            by_line.setdefault(line, []).append(rec)
    for block in blocks:
        seen = []
        for line in block["lines"]:
            for rec in by_line.get(line, []):
                if rec not in seen:
                    seen.append(rec)
        block["recs"] = seen[:limit] if limit else seen
        block["more_recs"] = len(seen) - len(block["recs"])


def _article_context(article, text_page=1, section_page=1) -> dict:
    bylines = article.bylines.select_related("person").prefetch_related(
        "affiliations__organization"
    )
    items = (
        article.recommendations.select_related("lead_department")
        .prefetch_related("tags")
        .order_by("order", "pk")
    )
    blocks = _blocks(article)
    # One item more than a whole article may have tells whether this one is whole, without a
    # COUNT of its own.
    recs = list(items[: FULL_ARTICLE_ITEMS + 1])
    paged = len(recs) > FULL_ARTICLE_ITEMS or len(blocks) > FULL_ARTICLE_BLOCKS
    if not paged:
        _mark_blocks(blocks, recs)
        context = {"tree": _tree(recs), "rec_count": len(recs), "blocks": blocks}
    else:
        context = _paged_article(article, items, blocks, text_page, section_page)
    edition = article.edition
    warnings, warning_count = _import_notes(article, edition)
    return {
        **context,
        "paged": paged,
        "article": article,
        "edition": edition,
        "bylines": list(bylines),
        "warnings": warnings,
        "warning_count": warning_count,
        "newspaper_name": settings.NEWSPAPER_NAME,
        "source_installment": _source_installment(article, edition),
        "photo_credits": [
            printed_credit(credit, edition.raw_text) for credit in article.photo_credits
        ],
    }


def _source_installment(article, edition) -> int | None:
    """The installment the 来源 line names, unless the series banner above it already prints it:
    a piece of the series shows the subtitle as printed, whose ③ is the installment, and
    "③ … 系列第 3 期" said it twice."""
    series, n = edition.series, edition.installment
    if not (series and n):
        return None
    printed = 1 <= n <= 20 and series.subtitle.rstrip().endswith(chr(0x2460 + n - 1))  # ①–⑳
    return None if article.in_series and printed else n


def _paged_article(article, items, blocks, text_page, section_page) -> dict:
    """A page of the text with its items, and a page of the top-level sections with the number
    of items under each (the tree is at most three levels deep)."""
    text = Paginator(blocks, BLOCKS_PER_PAGE).get_page(text_page)
    page_blocks = list(text.object_list)
    lines = sorted({n for block in page_blocks for n in block["lines"]})
    recs = items.filter(source_lines__overlap=lines)[: BLOCKS_PER_PAGE * LINKS_PER_BLOCK]
    _mark_blocks(page_blocks, list(recs) if lines else [], limit=LINKS_PER_BLOCK)
    sections = items.filter(parent=None).annotate(
        below=Count("children", distinct=True) + Count("children__children", distinct=True)
    )
    section_pages = Paginator(sections, SECTIONS_PER_PAGE).get_page(section_page)
    return {
        "blocks": page_blocks,
        "text_page": text,
        "section_page": section_pages,
        "tree": [{"rec": rec, "children": [], "below": rec.below} for rec in section_pages],
        "rec_count": article.recommendations.count(),
    }


def _page_number(request, name) -> int:
    """A page number from the URL; anything else is the first page (the paginator also turns
    a number past the end into the last page)."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 8 else 1


@require_safe
def article_detail(request, pk):
    """The article as printed, its items marked in the text. The body has no forms, so it is
    cached until something changes (pagecache.py)."""
    # The versions with the title, in one statement (so never newer than it: see pagecache.py).
    stamp, article = figures.versions_and_row(Article, pk, ["title"], figures.ARTICLE_SCOPES)
    if article is None:
        raise Http404
    # Import notes are for staff and admins (they explain the parser's repairs): the body is
    # cached per article and per that one right.
    show_notes = request.user.is_portal_staff
    text_page, section_page = _page_number(request, "page"), _page_number(request, "sections")
    # The cached body's page links are built from these two parameters only, not from whatever
    # else the first visitor's URL carried.
    pages_only = QueryDict(mutable=True)
    pages_only.update({"page": text_page, "sections": section_page})
    clean = copy.copy(request)
    clean.GET = pages_only
    body = pagecache.render_body(
        clean,
        "recommendations/_article_body.html",
        (article.pk, show_notes, text_page, section_page),
        lambda: {
            **_article_context(
                Article.objects.select_related("edition__series").get(pk=article.pk),
                text_page,
                section_page,
            ),
            "show_notes": show_notes,
        },
        stamp=stamp,
    )
    return render(request, "recommendations/page.html", {"title": article.title, "body": body})
