"""A recommendation with its place in the article, and the article as printed."""

from django.shortcuts import get_object_or_404, render

from recommendations.models import Article, Recommendation
from recommendations.views.actions import action_context

MAX_QUERY = 200


def _search_query(request) -> str:
    return request.GET.get("q", "")[:MAX_QUERY].strip()


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


def recommendation_detail(request, pk):
    rec = get_object_or_404(
        Recommendation.objects.select_related(
            "article__edition", "parent__parent", "lead_department"
        ).prefetch_related("tags", "co_departments"),
        pk=pk,
    )
    ancestors = [a for a in (rec.parent and rec.parent.parent, rec.parent) if a is not None]
    siblings = (
        Recommendation.objects.filter(article_id=rec.article_id, parent_id=rec.parent_id)
        .exclude(pk=rec.pk)
        .order_by("order")
    )
    children = rec.children.order_by("order")
    wanted = set(rec.source_lines)
    source_blocks = [b for b in _blocks(rec.article) if wanted & set(b["lines"])]
    context = {
        "rec": rec,
        "article": rec.article,
        "ancestors": ancestors,
        "siblings": list(siblings),
        "children": list(children),
        "source_blocks": source_blocks,
        "source_lines": _numbered_lines(rec.article.edition.raw_text, rec.source_lines),
        "q": _search_query(request),
        "co_departments": list(rec.co_departments.all()),
    }
    context.update(action_context(request, rec))
    return render(request, "recommendations/recommendation_detail.html", context)


def _tree(recs):
    """Nested nodes {rec, children} in printed order from a flat list."""
    nodes = {rec.pk: {"rec": rec, "children": []} for rec in recs}
    roots = []
    for rec in recs:
        parent = nodes.get(rec.parent_id)
        (parent["children"] if parent else roots).append(nodes[rec.pk])
    return roots


def article_detail(request, pk):
    article = get_object_or_404(Article.objects.select_related("edition__series"), pk=pk)
    bylines = article.bylines.select_related("person").prefetch_related(
        "affiliations__organization"
    )
    recs = list(
        article.recommendations.select_related("lead_department")
        .prefetch_related("tags")
        .order_by("order", "pk")
    )
    by_line = {}
    for rec in recs:
        for line in rec.source_lines:
            by_line.setdefault(line, []).append(rec)
    blocks = _blocks(article)
    for block in blocks:
        seen = []
        for line in block["lines"]:
            for rec in by_line.get(line, []):
                if rec not in seen:
                    seen.append(rec)
        block["recs"] = seen
    edition = article.edition
    warnings = [
        {
            "kind": w.get("kind", ""),
            "message": w.get("message", ""),
            "lines": _numbered_lines(
                edition.raw_text, [n for n in w.get("lines") or [] if isinstance(n, int)]
            ),
        }
        for w in edition.warnings or []
        if isinstance(w, dict) and w.get("article") == article.order - 1
    ]
    return render(
        request,
        "recommendations/article_detail.html",
        {
            "article": article,
            "edition": edition,
            "bylines": list(bylines),
            "blocks": blocks,
            "tree": _tree(recs),
            "rec_count": len(recs),
            "warnings": warnings,
        },
    )
