"""What importing a page would store, as plain data (kept in ImportFile.preview, shown by the
admin and printed by `import_newspaper --dry-run`): the outcome, the articles with their
bylines, the recommendation trees, every repair and doubt with its source lines, and for a
page already stored the difference from the stored edition.

Warning codes (`word_joined` …) stay in the data under "kind"; staff read the Chinese label.
"""

from __future__ import annotations

from recommendations import importer, pagecheck
from recommendations.models import Article, Byline

OUTCOMES = {
    importer.CREATED: "将新建版面",
    importer.UPDATED: "将作为版面“{label}”的更正版本原地更新",
    importer.UNCHANGED: "已导入为版面“{label}”,内容相同,不会写入",
    importer.DUPLICATE: "已导入为版面“{label}”,内容相同,不会重复导入",
    importer.CONFLICT: "文件名与版面“{label}”相同,但内容是另一个版面:需确认替换才会导入",
}
CHANGES = {"new": "新增", "changed": "修改", "restored": "恢复", "removed": "不再见于原文"}
KINDS = {k: str(v) for k, v in Article.Kind.choices}
ROLES = {k: str(v) for k, v in Byline.Role.choices}


def build(parsed, text: str, plan: importer.Plan) -> dict:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    doc = parsed.to_dict()
    titles = [a["title"] for a in doc["articles"]]
    articles = [_article(a) for a in doc["articles"]]
    warnings = [_warning(w, lines, titles) for w in doc["warnings"]]
    changes = None
    if plan.edition is not None and plan.status in (importer.UPDATED, importer.CONFLICT):
        changes = importer.diff(parsed, plan.edition)
    return {
        "status": plan.status,
        "outcome": OUTCOMES[plan.status].format(label=plan.label),
        "edition_id": plan.edition.pk if plan.edition is not None else None,
        "edition_label": plan.label,
        "encoding": parsed.encoding or "utf-8",
        "line_count": parsed.line_count,
        "series": _series(doc.get("series")),
        "summary": (
            f"{len(articles)} 篇文章、{sum(len(a['items']) for a in articles)} 条建议、"
            f"{pagecheck.warning_summary(doc['warnings'])}"
        ),
        "articles": articles,
        "warnings": warnings,
        "changes": changes,
        "changes_summary": _changes_summary(changes),
        "handled_changes": sum(1 for c in changes or [] if c["handled"]),
        "writes": plan.status in (importer.CREATED, importer.UPDATED, importer.CONFLICT),
    }


def _series(series) -> str:
    if not series:
        return ""
    text = series["title"] + (series.get("subtitle") or "")
    return text + (f"(第{series['installment']}期)" if series.get("installment") else "")


def _article(data: dict) -> dict:
    authors = []
    for author in data.get("authors") or []:
        where = ",".join(
            f"{a['organization']}{a.get('position') or ''}"
            for a in author.get("affiliations") or []
        )
        authors.append(
            {
                "name": author["name"],
                "role": ROLES.get(author.get("role"), author.get("role") or ""),
                "affiliations": where,
            }
        )
    return {
        "title": data.get("title") or "(无标题)",
        "kicker": data.get("kicker") or "",
        "subtitle": data.get("subtitle") or "",
        "kind": KINDS.get(data.get("kind"), data.get("kind") or ""),
        "byline": data.get("byline") or "",
        "authors": authors,
        "photo_credits": list(data.get("photo_credits") or []),
        "paragraphs": len(data.get("blocks") or []),
        "lines": pagecheck.lines_text(data.get("title_lines")),
        "items": [
            {
                "place": node.place or node.number,
                "depth": node.depth,
                "heading": node.heading,
                "lines": pagecheck.lines_text(node.lines),
            }
            for node in importer.items_of(data)
        ],
    }


def _warning(warning: dict, lines: list[str], titles: list[str]) -> dict:
    numbers = sorted(set(warning.get("lines") or []))
    index = warning.get("article")
    return {
        "kind": warning["kind"],
        "label": pagecheck.warning_label(warning["kind"]),
        "where": pagecheck.lines_text(numbers),
        "message": warning.get("message") or "",
        "article": titles[index] if index is not None and 0 <= index < len(titles) else "",
        "source": [[n, lines[n - 1]] for n in numbers[:8] if 0 < n <= len(lines)],
    }


def _changes_summary(changes) -> str:
    if changes is None:
        return ""
    if not changes:
        return "与已导入的版面相比,建议没有变化"
    counts = {}
    for change in changes:
        counts[change["change"]] = counts.get(change["change"], 0) + 1
    parts = "、".join(f"{CHANGES[k]} {n} 条" for k, n in counts.items())
    handled = sum(1 for c in changes if c["handled"])
    return f"与已导入的版面相比:{parts}" + (f";其中 {handled} 条在办理中" if handled else "")


def as_text(name: str, preview: dict) -> str:
    """The preview as the command prints it (`import_newspaper --dry-run`)."""
    out = [f"{name}:试运行,未写入 — {preview['outcome']}", f"  {preview['summary']}"]
    if preview["encoding"].lower() not in ("utf-8", "utf8"):
        out.append(f"  编码 {preview['encoding']}")
    if preview["series"]:
        out.append(f"  系列:{preview['series']}")
    for article in preview["articles"]:
        out.append(f"  《{article['title']}》({article['kind']},{article['lines']})")
        for author in article["authors"]:
            where = f"({author['affiliations']})" if author["affiliations"] else ""
            out.append(f"    {author['role']}:{author['name']}{where}")
        for item in article["items"]:
            indent = "  " * item["depth"]
            out.append(f"    {indent}{item['place']} {item['heading']}({item['lines']})")
    for warning in preview["warnings"]:
        where = f"《{warning['article']}》" if warning["article"] else ""
        out.append(f"  提示·{warning['label']} {warning['where']}{where}:{warning['message']}")
        for number, line in warning["source"]:
            out.append(f"      {number:>4} | {line}")
    if preview["changes_summary"]:
        out.append(f"  {preview['changes_summary']}")
        for change in preview["changes"]:
            mark = "(办理中)" if change["handled"] else ""
            out.append(
                f"    {CHANGES[change['change']]}:{change['place']} {change['heading']}{mark}"
            )
    return "\n".join(out)
