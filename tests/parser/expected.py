"""The expected reading of an unseen page (pages/<page>.expected.json) and the score of a
parse against it.

A page's expectation is its parse projected onto short strings that a reviewer reads next to
the page: every article (title, kicker, subtitle, kind, series, authors with organisations
and positions, photo credits), every body block with its source lines and text, every
recommendation node (number, marker, heading, lines) and every repair or doubt (kind, lines,
article). Imported by name (tests/parser has no __init__) and by score_pages.py.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from recommendations.newspaper import parse_bytes

PAGES = Path(__file__).resolve().parent / "pages"
ARTICLE_FIELDS = ("title", "kicker", "subtitle", "kind", "in_series", "photo_credits")


def _lines(lines) -> str:
    return ",".join(str(n) for n in lines)


def project(ed) -> dict:
    """The parse of a page as the strings its expectation file holds."""
    series = None
    if ed.series is not None:
        series = f"{ed.series.title} | {ed.series.subtitle} | {ed.series.installment}"
    articles = []
    for a in ed.articles:
        authors = []
        for au in a.authors:
            affs = "; ".join(f"{f.organization}/{f.position}" for f in au.affiliations)
            authors.append(f"{au.name} {au.role}: {affs}".rstrip(": "))
        articles.append(
            {
                "title": a.title,
                "kicker": a.kicker,
                "subtitle": a.subtitle,
                "kind": a.kind,
                "in_series": a.in_series,
                "photo_credits": list(a.photo_credits),
                "authors": authors,
                "blocks": [
                    f"{'H' if b.type == 'heading' else 'P'} {_lines(b.lines)} {b.text}"
                    for b in a.blocks
                ],
                "tree": [
                    f"{n.number} {n.marker or '-'} {n.heading} @{_lines(n.lines)}"
                    for n in a.nodes()
                ],
            }
        )
    warnings = [
        f"{w.kind} {_lines(w.lines)} @{'-' if w.article is None else w.article}"
        for w in ed.warnings
    ]
    return {"series": series, "articles": articles, "warnings": warnings}


def expectation_files() -> list[Path]:
    return sorted(PAGES.glob("*.expected.json"))


def page_of(expectation: Path) -> Path:
    return expectation.with_name(expectation.name.removesuffix(".expected.json") + ".txt")


def load_expected(expectation: Path) -> dict:
    return json.loads(expectation.read_text(encoding="utf-8"))


def parse_file(page: Path):
    return parse_bytes(page.read_bytes(), page.name)


def _list_checks(what: str, expected: list, actual: list) -> list[tuple[str, bool]]:
    """One check per expected item (found?) and a failed one per unexpected item."""
    have = Counter(actual)
    out = []
    for item in expected:
        ok = have[item] > 0
        if ok:
            have[item] -= 1
        out.append((f"{what}: {item}", ok))
    out += [(f"{what} (unexpected): {item}", False) for item in have.elements()]
    return out


def _article_checks(k: int, exp: dict | None, act: dict | None) -> list[tuple[str, bool]]:
    if exp is None:
        return [(f"article {k} (unexpected): {act['title']}", False)]
    act = act or {}
    out = [(f"article {k} {f}: {exp[f]!r}", act.get(f) == exp[f]) for f in ARTICLE_FIELDS]
    for part in ("authors", "blocks", "tree"):
        out += _list_checks(f"article {k} {part}", exp[part], act.get(part, []))
    return out


def checks(expected: dict, actual: dict) -> list[tuple[str, bool]]:
    """Every fact of the expectation, each as (description, passed)."""
    out = [(f"series: {expected['series']}", actual["series"] == expected["series"])]
    exp_a, act_a = expected["articles"], actual["articles"]
    for k in range(max(len(exp_a), len(act_a))):
        out += _article_checks(
            k, exp_a[k] if k < len(exp_a) else None, act_a[k] if k < len(act_a) else None
        )
    out += _list_checks("warning", expected["warnings"], actual["warnings"])
    return out


def tree_nodes(projection: dict) -> Counter:
    return Counter(
        f"{k} {node}" for k, a in enumerate(projection["articles"]) for node in a["tree"]
    )


def tree_counts(expected: dict, actual: dict) -> tuple[int, int, int]:
    """(matching nodes, expected nodes, parsed nodes) of the recommendation trees."""
    exp, act = tree_nodes(expected), tree_nodes(actual)
    return sum((exp & act).values()), sum(exp.values()), sum(act.values())


def f1(matched: int, expected: int, parsed: int) -> float:
    if not expected and not parsed:
        return 1.0
    if not matched:
        return 0.0
    precision, recall = matched / parsed, matched / expected
    return 2 * precision * recall / (precision + recall)


def score_all(files: list[Path] | None = None) -> dict:
    """Per page and in total: checks passed, checks, and the tree F1."""
    pages = []
    totals = [0, 0, 0, 0, 0]  # passed, checks, matched, expected nodes, parsed nodes
    for expectation in files or expectation_files():
        expected = load_expected(expectation)
        actual = project(parse_file(page_of(expectation)))
        results = checks(expected, actual)
        passed = sum(ok for _, ok in results)
        counts = tree_counts(expected, actual)
        pages.append(
            {
                "page": page_of(expectation).name,
                "passed": passed,
                "checks": len(results),
                "f1": f1(*counts),
                "failed": [what for what, ok in results if not ok],
            }
        )
        for i, v in enumerate((passed, len(results), *counts)):
            totals[i] += v
    passed, total, *counts = totals
    return {
        "pages": pages,
        "passed": passed,
        "checks": total,
        "share": passed / total if total else 1.0,
        "f1": f1(*counts),
    }
