"""Store a parsed newspaper page (recommendations.newspaper.Edition) in the database.

One page is one transaction: the edition, its series, articles, people, organisations,
affiliations, bylines and the recommendation tree are all written, or none is. Imports write
one at a time (a transaction-level advisory lock), so two imports started at once end with one
copy.

The importer reads the page through `Edition.to_dict()`, the edition JSON of
docs/spec/edition-json.md, so what `import_newspaper --dry-run --json` shows is what is stored.

A page is recognised by its content, not by its file name or bytes (`plan`):
- the same text (pagecheck.fingerprint: any file name, UTF-8 or GB18030) is "already imported
  as edition X" and nothing is written;
- the same printed page (series and installment, article titles) with other text is a
  corrected copy of edition X: X is updated in place. Articles are matched by their order on
  the page and recommendations by (article order, number), so staff's work on an item (tags,
  assignment, status, history) stays with it; a changed text is recorded in the item's
  history; items that disappeared are flagged `in_source=False`, never deleted;
- another page under the file name of a stored edition is refused (ImportRefused, naming the
  items in handling) unless the caller confirms the replacement (`replace=True`).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

import pghistory
from django.contrib.postgres.expressions import ArraySubquery
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, F, Func, OuterRef, Q
from django.utils import timezone

from recommendations import events, pagecheck
from recommendations.models import (
    Affiliation,
    Article,
    Byline,
    Edition,
    Organization,
    Person,
    Recommendation,
    Series,
)
from recommendations.newspaper import PageError, decode_page, parse_page
from recommendations.search import tokens_for_document

MAX_DEPTH = 3  # the recommendation_depth_range constraint

CREATED = "created"
UPDATED = "updated"  # a corrected copy (or a confirmed replacement) stored in place
UNCHANGED = "unchanged"
DUPLICATE = "duplicate"  # the same content is already stored under another source name
CONFLICT = "conflict"  # another page under a stored edition's file name (plan only)

STATUS_LABELS = {CREATED: "已新建", UPDATED: "已更新", UNCHANGED: "未改动", DUPLICATE: "已导入过"}

# Imports serialise on this lock: recognising a page (by text, by printed identity) and writing
# it must not interleave with another import of the same page under another name.
_LOCK_KEY = "recommendations.import"


class ImportRefused(Exception):
    """A page that would rewrite another stored page; the message (Chinese) names it and the
    items in handling that would change."""

    def __init__(self, message: str, edition_id: int, handled: list[str]):
        super().__init__(message)
        self.edition_id = edition_id
        self.handled = handled


@dataclass
class ImportResult:
    source_name: str
    status: str
    edition_id: int | None = None
    edition_label: str = ""  # the stored edition, as staff know it
    encoding: str = "utf-8"
    articles: int = 0
    recommendations: int = 0
    warnings: list[dict] = field(default_factory=list)
    created: int = 0  # recommendations inserted
    updated: int = 0  # recommendations whose text, place or position changed
    restored: int = 0  # flagged as gone by an earlier import, present again
    removed: list[str] = field(default_factory=list)  # "一、3 heading" of items no longer printed
    articles_removed: list[str] = field(default_factory=list)
    handled_changed: list[str] = field(default_factory=list)  # items in handling changed/removed
    duplicate_of: str = ""

    def summary(self) -> str:
        """One line (or a few) for the command's report and the admin's messages."""
        name = self.source_name
        label = self.edition_label or self.duplicate_of
        if self.status == UNCHANGED:
            return f"{name}:未改动(已导入为版面“{label}”,内容相同)"
        if self.status == DUPLICATE:
            return f"{name}:已导入为版面“{label}”(内容相同),未重复导入"
        parts = [
            f"{self.articles} 篇文章",
            f"{self.recommendations} 条建议",
            pagecheck.warning_summary(self.warnings),
        ]
        if self.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            parts.append(f"编码 {self.encoding}")
        if self.status == CREATED:
            return f"{name}:已新建版面 — " + "、".join(parts)
        line = f"{name}:已更新版面“{label}” — " + "、".join(parts)
        line += (
            f";建议新增 {self.created} 条、修改 {self.updated} 条、恢复 {self.restored} 条、"
            f"不再见于原文 {len(self.removed)} 条"
        )
        for item in self.removed:
            line += f"\n  不再见于原文:{item}"
        for title in self.articles_removed:
            line += f"\n  文章不再见于原文:《{title}》"
        for item in self.handled_changed:
            line += f"\n  办理中的建议有改动:{item}"
        return line


def warning_summary(warnings) -> str:
    return pagecheck.warning_summary(warnings)


def find_unchanged(source_name: str, sha256: str) -> ImportResult | None:
    """The result of importing bytes that are already stored, or None; one query, no parsing,
    so that the import run on every `make run` is fast."""
    stored = (
        Edition.objects.filter(sha256=sha256)
        .select_related("series")
        .only("pk", "source_name", "installment", "series__title")
        .first()
    )
    if stored is None:
        return None
    status = UNCHANGED if stored.source_name == source_name else DUPLICATE
    return ImportResult(
        source_name,
        status,
        edition_id=stored.pk,
        edition_label=str(stored),
        duplicate_of=stored.source_name,
    )


# --- recognising a page ----------------------------------------------------------------------


@dataclass
class Plan:
    """What importing a page would do: `status` (CREATED, UPDATED, UNCHANGED, DUPLICATE or
    CONFLICT) and the stored edition concerned (None for a new page)."""

    status: str
    edition: Edition | None = None

    @property
    def label(self) -> str:
        return str(self.edition) if self.edition is not None else ""


def plan(parsed, raw_text: str, *, force: bool = False) -> Plan:
    """Recognise the page among the stored editions (see the module's docstring).

    One query reads every edition the page could be (the same text, a shared article title,
    the same file name), each with its article titles; the rules are then applied in order."""
    name = parsed.source_name
    fingerprint = pagecheck.fingerprint(raw_text)
    titles = {_title_key(_fit(a.title, Article, "title")) for a in parsed.articles} - {""}
    could_be = Q(fingerprint=fingerprint) | Q(source_name=name)
    if titles:
        titled = Article.objects.filter(title__in=titles).order_by().values("edition_id")
        could_be |= Q(_AnyOf(F("pk"), ArraySubquery(titled)))
    candidates = list(
        Edition.objects.select_related("series")
        .defer("raw_text")
        .filter(could_be)
        .annotate(
            article_titles=ArraySubquery(
                Article.objects.filter(edition=OuterRef("pk")).order_by().values("title")
            )
        )
    )
    same_text = min(
        (e for e in candidates if e.fingerprint == fingerprint), key=lambda e: e.pk, default=None
    )
    if same_text is not None:
        if force:
            return Plan(UPDATED, same_text)
        return Plan(UNCHANGED if same_text.source_name == name else DUPLICATE, same_text)
    same_page = _same_printed_page(parsed, titles, candidates)
    if same_page is not None:
        return Plan(UPDATED, same_page)
    named = next((e for e in candidates if e.source_name == name), None)
    if named is not None:
        return Plan(CONFLICT, named)
    return Plan(CREATED)


class _AnyOf(Func):
    """column = ANY(ARRAY(subquery)): the array is computed once (an InitPlan), so PostgreSQL
    joins it with the other conditions' index scans in one BitmapOr; `pk IN (subquery)` in an
    OR made it read every edition."""

    arity = 2
    output_field = BooleanField()
    template = "(%(expressions)s))"
    arg_joiner = " = ANY("


def _title_key(title) -> str:
    return "".join((title or "").split())


def _same_printed_page(parsed, titles, candidates) -> Edition | None:
    """The stored edition printed as this page: at least half of the article titles the same
    (ignoring spacing), and the same series and installment when both print one. Candidates
    are the editions with an article titled as one of `titles` (the page's, spacing removed),
    in the editions' order; others are skipped."""
    banner = parsed.series
    best, best_overlap = None, 0
    for edition in candidates:
        if not titles.intersection(edition.article_titles):
            continue
        stored = {_title_key(title) for title in edition.article_titles}
        overlap = len(titles & stored)
        if overlap * 2 < max(len(titles), len(stored)):
            continue
        if banner is not None and banner.installment and edition.installment:
            if edition.installment != banner.installment or (
                edition.series is not None
                and edition.series.title != _fit(banner.title, Series, "title")
            ):
                continue
        if overlap > best_overlap:
            best, best_overlap = edition, overlap
    return best


def handled_items(edition: Edition, limit: int = 50) -> list[str]:
    """ "《title》一、2 heading(已交办)" for the edition's items in handling."""
    rows = (
        Recommendation.objects.filter(article__edition=edition)
        .handled()
        .select_related("article")
        .order_by("article__order", "order")[:limit]
    )
    return [
        f"《{r.article.title}》{r.place or r.number} {r.heading}({r.get_status_display()})"
        for r in rows
    ]


def import_edition(
    parsed,
    raw_text: str,
    *,
    published_on: datetime.date | None = None,
    force: bool = False,
    replace: bool = False,
):
    """Store one parsed page; returns an ImportResult. `raw_text` is the decoded page.

    `force` stores the page again even when its text is already stored (after a parser fix);
    it is then updated in place like a corrected page. `replace` confirms that another page
    under a stored edition's file name replaces that edition (otherwise ImportRefused)."""
    name = parsed.source_name
    try:
        with transaction.atomic(), pghistory.context(source="import", file=name):
            return _import(parsed, raw_text, published_on, force, replace)
    except IntegrityError:
        # The same bytes are stored under another name (an edition stored before fingerprints
        # existed).
        stored = find_unchanged(name, parsed.sha256)
        if stored is None:
            raise
        return stored


def _import(parsed, raw_text, published_on, force, replace) -> ImportResult:
    name = parsed.source_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_LOCK_KEY])
    decided = plan(parsed, raw_text, force=force)
    edition = decided.edition
    if decided.status in (UNCHANGED, DUPLICATE):
        if published_on and edition.published_on != published_on:
            edition.published_on = published_on
            edition.save(update_fields=["published_on", "updated_at"])
        return ImportResult(
            name,
            decided.status,
            edition_id=edition.pk,
            edition_label=decided.label,
            duplicate_of=edition.source_name,
        )
    if decided.status == CONFLICT and not replace:
        handled = handled_items(edition)
        message = (
            f"{name}:文件名与已导入的版面“{decided.label}”相同,但内容是另一个版面;"
            "为免改写已在办理的建议,未导入。请改用新的文件名导入,或在预览中确认替换。"
        )
        if handled:
            message += f"替换将改动 {len(handled)} 条办理中的建议:" + ";".join(handled)
        raise ImportRefused(message, edition.pk, handled)

    doc = parsed.to_dict()
    status = CREATED if edition is None else UPDATED
    handled_before = (
        {}
        if edition is None
        else {
            r.pk: (r.heading, r.text)
            for r in Recommendation.objects.filter(article__edition=edition).handled()
        }
    )
    edition = _save_edition(edition, parsed, doc, raw_text, published_on)
    result = ImportResult(
        name,
        status,
        edition_id=edition.pk,
        edition_label=str(edition),
        encoding=parsed.encoding or "utf-8",
        articles=len(doc["articles"]),
        warnings=edition.warnings,
    )
    is_new = status == CREATED  # nothing stored yet: no rows to match or replace
    articles = _save_articles(edition, doc["articles"], result, is_new)
    _save_bylines(articles, doc["articles"], is_new)
    _save_recommendations(edition, articles, doc["articles"], result, is_new)
    if handled_before:
        after = Recommendation.objects.filter(pk__in=handled_before).select_related("article")
        result.handled_changed = [
            f"{r.place or r.number} {r.heading}"
            for r in after.order_by("article__order", "order")
            if not r.in_source or (r.heading, r.text) != handled_before[r.pk]
        ]
    return result


# --- edition and articles --------------------------------------------------------------------


def _fit(value, model, field_name) -> str:
    """Text cut to the column's length: a pathological heading must not abort the page."""
    value = (value or "").strip()
    limit = model._meta.get_field(field_name).max_length
    return value[:limit]


def _save_edition(edition, parsed, doc, raw_text, published_on) -> Edition:
    series = None
    installment = None
    if doc.get("series"):
        banner = doc["series"]
        series, _ = Series.objects.get_or_create(
            title=_fit(banner.get("title"), Series, "title"),
            subtitle=_fit(banner.get("subtitle"), Series, "subtitle"),
        )
        installment = banner.get("installment")
    warnings = list(doc.get("warnings") or [])
    warnings.extend(_depth_warnings(doc["articles"]))
    fields = {
        "sha256": parsed.sha256,
        "fingerprint": pagecheck.fingerprint(raw_text),
        "raw_text": raw_text,
        "encoding": parsed.encoding or "utf-8",
        "line_count": parsed.line_count or 0,
        "series": series,
        "installment": installment,
        "warnings": warnings,
    }
    if published_on is not None:
        fields["published_on"] = published_on
    if edition is None:
        return Edition.objects.create(source_name=parsed.source_name, **fields)
    for key, value in fields.items():
        setattr(edition, key, value)
    edition.save()
    return edition


def _article_fields(data: dict) -> dict:
    authors = data.get("authors") or []
    return {
        "kind": data.get("kind") or Article.Kind.REFLECTION,
        "title": _fit(data.get("title"), Article, "title"),
        "kicker": _fit(data.get("kicker"), Article, "kicker"),
        "subtitle": _fit(data.get("subtitle"), Article, "subtitle"),
        "in_series": bool(data.get("in_series")),
        "blocks": data.get("blocks") or [],
        "photo_credits": [c[:100] for c in data.get("photo_credits") or []],
        "author_names": _fit("、".join(a["name"] for a in authors), Article, "author_names"),
    }


def _save_articles(edition, articles_data, result, is_new) -> list[Article]:
    """Articles in page order; existing ones (matched by order) are updated in place."""
    existing = {} if is_new else {a.order: a for a in edition.articles.all()}
    to_create, to_update, articles = [], [], []
    for order, data in enumerate(articles_data, start=1):
        fields = _article_fields(data)
        article = existing.pop(order, None)
        if article is None:
            article = Article(edition=edition, order=order, **fields)
            to_create.append(article)
        else:
            for key, value in fields.items():
                setattr(article, key, value)
            to_update.append(article)
        articles.append(article)
    Article.objects.bulk_create(to_create)
    if to_update:
        Article.objects.bulk_update(to_update, list(_article_fields({})))
    # Articles the corrected page no longer prints are kept (their items may be in hand);
    # their recommendations are flagged below like any other item that disappeared.
    result.articles_removed = [a.title for a in sorted(existing.values(), key=lambda a: a.order)]
    return articles


# --- people ----------------------------------------------------------------------------------


def _get_or_create(model, columns: tuple[str, ...], keys) -> dict:
    """{key: pk} for every key (a tuple of the columns' values), the missing rows created.

    One statement: the keys go in as arrays, the missing rows are inserted (ON CONFLICT DO
    NOTHING against the unique constraint on the columns) and the ids of new and existing rows
    come back together. Imports write one at a time (the advisory lock), so only a row
    committed by another path between this statement's snapshot and its insert can be in
    neither part; such keys are read again."""
    keys = set(keys)
    if not keys:
        return {}
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    cols = [qn(f.column) for f in fields]
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    table = qn(model._meta.db_table)
    ordered = list(keys)
    params = [[key[i] for key in ordered] for i in range(len(columns))]
    col_list = ", ".join(cols)
    sql = (
        f"WITH wanted ({col_list}) AS (SELECT * FROM unnest({arrays})), "
        f"added AS (INSERT INTO {table} ({col_list}) SELECT {col_list} FROM wanted "
        f"ON CONFLICT DO NOTHING RETURNING id, {col_list}) "
        f"SELECT id, {col_list} FROM added UNION ALL "
        f"SELECT {', '.join(['t.id', *(f't.{c}' for c in cols)])} FROM {table} t "
        f"JOIN wanted w ON ({', '.join(f't.{c}' for c in cols)}) = "
        f"({', '.join(f'w.{c}' for c in cols)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {tuple(row[1:]): row[0] for row in cursor.fetchall()}
    missing = keys - found.keys()
    for key in missing:
        found[key] = model.objects.get(**dict(zip(columns, key, strict=True))).pk
    return found


def _save_bylines(articles, articles_data, is_new) -> None:
    if not is_new:  # bylines carry no handling: a corrected page's replace the old ones
        Byline.objects.filter(article__in=[a.pk for a in articles]).delete()
    people_names, org_names = set(), set()
    for data in articles_data:
        for author in data.get("authors") or []:
            people_names.add((_fit(author["name"], Person, "name"),))
            for aff in author.get("affiliations") or []:
                org_names.add((_fit(aff["organization"], Organization, "name"),))
    people = _get_or_create(Person, ("name",), people_names)
    orgs = _get_or_create(Organization, ("name",), org_names)

    wanted = set()  # (person_id, organization_id, position)
    bylines = []  # ((article_id, person_id, role, order), [affiliation keys])
    for article, data in zip(articles, articles_data, strict=True):
        seen = set()
        for order, author in enumerate(data.get("authors") or [], start=1):
            person_id = people[(_fit(author["name"], Person, "name"),)]
            role = author.get("role") or Byline.Role.AUTHOR
            if (person_id, role) in seen:
                continue
            seen.add((person_id, role))
            keys = []
            for aff in author.get("affiliations") or []:
                key = (
                    person_id,
                    orgs[(_fit(aff["organization"], Organization, "name"),)],
                    _fit(aff.get("position"), Affiliation, "position"),
                )
                wanted.add(key)
                keys.append(key)
            bylines.append(((article.pk, person_id, role, order), keys))
    affiliations = _get_or_create(Affiliation, ("person", "organization", "position"), wanted)
    if not bylines:
        return
    # The bylines and their affiliations in one statement: the links find their byline by
    # (article, person, role), which byline_unique makes unique.
    links = [(*row[:3], affiliations[key]) for row, keys in bylines for key in dict.fromkeys(keys)]
    qn = connection.ops.quote_name
    byline_table = qn(Byline._meta.db_table)
    link_table = qn(Byline.affiliations.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'WITH added AS (INSERT INTO {byline_table} (article_id, person_id, role, "order") '
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::integer[]) "
            "RETURNING id, article_id, person_id, role) "
            f"INSERT INTO {link_table} (byline_id, affiliation_id) "
            "SELECT added.id, link.affiliation_id FROM added JOIN unnest("
            "%s::bigint[], %s::bigint[], %s::varchar[], %s::bigint[]"
            ") AS link (article_id, person_id, role, affiliation_id) "
            "USING (article_id, person_id, role)",
            [
                *([row[i] for row, _ in bylines] for i in range(4)),
                *([link[i] for link in links] for i in range(4)),
            ],
        )


# --- the recommendation tree -----------------------------------------------------------------


@dataclass
class _Node:
    number: str
    marker: str
    heading: str
    text: str
    lines: list[int]
    order: int
    depth: int
    place: str
    parent_number: str | None


def _flatten(nodes, label=None, parent=None, out=None) -> list[_Node]:
    """Preorder list of the tree with order (1..n), depth and place; points below the third
    level (which the schema does not hold) are folded into their level-3 ancestor.

    `label` is the section's printed marker: place "一、" for the section, "一、2" for its second
    item, "一、2.3" for that item's third sub-item; a section without a marker uses numbers."""
    out = [] if out is None else out
    for node in nodes:
        number = str(node["number"])
        parts = number.split(".")
        marker = node.get("marker") or ""
        if len(parts) == 1:
            label = marker or None
        flat = _Node(
            number=number,
            marker=_fit(marker, Recommendation, "marker"),
            heading=_fit(node.get("heading") or node.get("text"), Recommendation, "heading"),
            text=node.get("text") or "",
            lines=list(node.get("lines") or []),
            order=len(out) + 1,
            depth=len(parts),
            place=_fit(label + ".".join(parts[1:]) if label else number, Recommendation, "place"),
            parent_number=parent,
        )
        out.append(flat)
        children = node.get("children") or []
        if flat.depth >= MAX_DEPTH:
            _fold(flat, children)
        else:
            _flatten(children, label, number, out)
    return out


def _fold(flat: _Node, children) -> None:
    for child in children:
        flat.text += child.get("text") or ""
        flat.lines += [n for n in child.get("lines") or [] if n not in flat.lines]
        _fold(flat, child.get("children") or [])


def _depth_warnings(articles_data) -> list[dict]:
    warnings = []

    def walk(nodes, index):
        for node in nodes:
            if len(str(node["number"]).split(".")) >= MAX_DEPTH and node.get("children"):
                warnings.append(
                    {
                        "kind": "depth_folded",
                        "lines": list(node.get("lines") or [])[:1],
                        "message": f"第{node['number']}条下的更深层级并入该条(最多{MAX_DEPTH}级)。",
                        "article": index,
                    }
                )
            else:
                walk(node.get("children") or [], index)

    for index, data in enumerate(articles_data):
        walk(data.get("recommendations") or [], index)
    return warnings


CONTENT_FIELDS = ["heading", "text", "marker", "source_lines", "order", "depth", "place"]


def _save_recommendations(edition, articles, articles_data, result, is_new) -> None:
    stored = Recommendation.objects.filter(article__edition=edition).select_related("article")
    existing = {} if is_new else {(rec.article_id, rec.number): rec for rec in stored}
    now = timezone.now()
    # Preorder: within an article a node's parent always comes before it, so one pass knows
    # every parent's pk (new items get theirs from the sequence before they are written).
    nodes = [
        (article, node)
        for article, data in zip(articles, articles_data, strict=True)
        for node in _flatten(data.get("recommendations") or [])
    ]
    new_ids = iter(_allocate_ids(sum((a.pk, n.number) not in existing for a, n in nodes)))
    # A new node with children only groups them: a container (handling; docs/workflow.md).
    parents = {(a.pk, n.parent_number) for a, n in nodes}
    pks = {}  # (article_id, number) -> pk, for the children's parent
    to_create, to_update = [], []
    for article, node in nodes:
        parent_id = pks[article.pk, node.parent_number] if node.parent_number else None
        rec = existing.pop((article.pk, node.number), None)
        if rec is None:
            pk = next(new_ids)
            to_create.append(
                _new_row(pk, article.pk, parent_id, node, (article.pk, node.number) in parents)
            )
            pks[article.pk, node.number] = pk
            continue
        pks[article.pk, node.number] = rec.pk
        if _changed(rec, node, parent_id):
            if not rec.in_source:
                result.restored += 1
            else:
                result.updated += 1
            text_changed = (rec.heading, rec.text) != (node.heading, node.text)
            _apply(rec, node)
            rec.parent_id = parent_id
            rec.in_source = True
            rec.updated_at = now
            if text_changed:
                rec.refresh_search_tokens()
            to_update.append(rec)
    _copy_recommendations(to_create, now)
    result.created = len(to_create)
    if to_update:
        Recommendation.objects.bulk_update(
            to_update,
            [
                *CONTENT_FIELDS,
                "parent",
                "in_source",
                "updated_at",
                "search_words",
                "search_chars",
            ],
        )
    result.recommendations = len(pks)
    gone = [rec for rec in existing.values() if rec.in_source]
    if gone:
        # The trigger records the change in each item's history (in_source is tracked).
        Recommendation.objects.filter(pk__in=[r.pk for r in gone]).update(
            in_source=False, updated_at=now
        )
        gone.sort(key=lambda r: (r.article.order, r.order))
        result.removed = [f"{r.place or r.number} {r.heading}" for r in gone]
        # An item in handling stays in its department's work (and on staff's list) until staff
        # close it out; its department and staff are told once the import commits.
        for rec in gone:
            if rec.status in Recommendation.WORKING_STATUSES:
                events.emit(
                    events.DROPPED_FROM_SOURCE,
                    rec.pk,
                    None,
                    department_id=rec.lead_department_id,
                    edition_id=edition.pk,
                )


# --- writing new items with COPY --------------------------------------------------------------
#
# New items are written with one COPY instead of bulk_create: building a page's INSERT (some 40
# rows of 30 columns, each value passed through the ORM's field preparation and psycopg's
# client-side quoting) cost more than the database's work on it. COPY fires the same triggers
# (history, cache versions), checks the same constraints and is part of the same transaction.

# The item's columns that the import sets; every other column gets the model field's default.
_ROW_FIELDS = (
    "id",
    "article_id",
    "parent_id",
    "number",
    "order",
    "depth",
    "marker",
    "place",
    "heading",
    "text",
    "source_lines",
    "is_container",
    "search_words",
    "search_chars",
    "created_at",
    "updated_at",
)


def _copy_fields():
    """The written fields (every concrete column but the generated search vectors), with the
    imported ones first, in _ROW_FIELDS order."""
    fields = {
        f.attname: f
        for f in Recommendation._meta.concrete_fields
        if not getattr(f, "generated", False)
    }
    missing = set(_ROW_FIELDS) - fields.keys()
    assert not missing, missing
    return [fields[name] for name in _ROW_FIELDS] + [
        f for name, f in fields.items() if name not in _ROW_FIELDS
    ]


def _defaults() -> list:
    """The database values of the columns the import does not set, as a new item has them."""
    blank = Recommendation()
    return [
        f.get_db_prep_save(f.pre_save(blank, add=True), connection)
        for f in _copy_fields()[len(_ROW_FIELDS) :]
    ]


def _new_row(pk, article_id, parent_id, node: _Node, is_container: bool) -> tuple:
    search_words, search_chars = tokens_for_document(node.heading, node.text)
    return (
        pk,
        article_id,
        parent_id,
        node.number,
        node.order,
        node.depth,
        node.marker,
        node.place,
        node.heading,
        node.text,
        node.lines,
        is_container,
        search_words,
        search_chars,
    )


def _allocate_ids(count: int) -> list[int]:
    if not count:
        return []
    table = Recommendation._meta.db_table
    with connection.cursor() as cursor:
        # A WITH statement, not a bare SELECT: pghistory sets its context (source, file) on
        # every statement but SELECTs, so this one also hands it to the COPY's triggers.
        cursor.execute(
            f"WITH ids AS (SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id"
            " FROM generate_series(1, %s)) SELECT id FROM ids ORDER BY id",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_recommendations(rows, now) -> None:
    if not rows:
        return
    fields = _copy_fields()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Recommendation._meta.db_table)
    tail = (now, now, *_defaults())
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + tail)


def _apply(rec: Recommendation, node: _Node) -> None:
    rec.heading = node.heading
    rec.text = node.text
    rec.marker = node.marker
    rec.source_lines = node.lines
    rec.order = node.order
    rec.depth = node.depth
    rec.place = node.place


def _changed(rec: Recommendation, node: _Node, parent_id) -> bool:
    return (
        not rec.in_source
        or rec.parent_id != parent_id
        or any(
            getattr(rec, f) != getattr(node, "lines" if f == "source_lines" else f)
            for f in CONTENT_FIELDS
        )
    )


def items_of(article: dict) -> list[_Node]:
    """The article's recommendations (edition JSON) as they would be stored: preorder, with
    place and depth, points below the third level folded."""
    return _flatten(article.get("recommendations") or [])


def diff(parsed, edition: Edition) -> list[dict]:
    """What storing `parsed` in place of `edition` changes, item by item (matched as the import
    matches them): {"change": new | changed | restored | removed, "place", "heading", "old",
    "new", "handled"}, in printed order."""
    stored = {
        (rec.article.order, rec.number): rec
        for rec in Recommendation.objects.filter(article__edition=edition)
        .select_related("article")
        .order_by("article__order", "order")
    }
    handled = set(
        Recommendation.objects.filter(article__edition=edition)
        .handled()
        .values_list("pk", flat=True)
    )
    changes = []
    for order, data in enumerate(parsed.to_dict()["articles"], start=1):
        for node in items_of(data):
            rec = stored.pop((order, node.number), None)
            if rec is None:
                change, old = "new", ""
            elif not rec.in_source:
                change, old = "restored", rec.text
            elif (rec.heading, rec.text) != (node.heading, node.text):
                change, old = "changed", rec.text
            else:
                continue
            changes.append(
                {
                    "change": change,
                    "article": data.get("title") or "",
                    "place": node.place or node.number,
                    "heading": node.heading,
                    "old": old,
                    "new": node.text,
                    "handled": rec is not None and rec.pk in handled,
                }
            )
    for rec in stored.values():
        if rec.in_source:
            changes.append(
                {
                    "change": "removed",
                    "article": rec.article.title,
                    "place": rec.place or rec.number,
                    "heading": rec.heading,
                    "old": rec.text,
                    "new": "",
                    "handled": rec.pk in handled,
                }
            )
    return changes


def read_page(data: bytes, name: str, sha256: str | None = None):
    """Check, decode and parse one page's bytes: (parsed Edition, decoded text). Raises
    PageError, naming the file, for a file too large, bytes that are not a page's text (control
    characters in any encoding included) or a page with no article; pagecheck.message_of gives
    its Chinese message."""
    pagecheck.check_size(len(data), name)
    text, encoding = decode_page(data, name)
    pagecheck.check_text(text, name)
    parsed = parse_page(text, name, sha256=sha256 or hashlib.sha256(data).hexdigest())
    parsed.encoding = encoding
    if not parsed.articles:
        raise PageError("没有找到文章(版面需要有标题,如“## 标题”,后接正文)", name)
    return parsed, text


def import_bytes(
    data: bytes, name: str, *, published_on=None, force=False, replace=False
) -> ImportResult:
    """Decode, parse and store one uploaded page; raises PageError on bad input and
    ImportRefused for another page under a stored edition's name, with nothing stored."""
    sha256 = hashlib.sha256(data).hexdigest()
    if not force and published_on is None:
        stored = find_unchanged(name, sha256)
        if stored is not None:
            return stored
    parsed, text = read_page(data, name, sha256)
    return import_edition(parsed, text, published_on=published_on, force=force, replace=replace)
