"""The current filtered list as CSV or XLSX, written row by row so memory stays flat.

Rows are read with ``QuerySet.iterator(chunk_size=…)``; the tags and co-departments are
fetched once per chunk. Cells that a spreadsheet would take for a formula are prefixed
with an apostrophe, so a heading such as ``=HYPERLINK(…)`` stays text
(tests/test_export_formula_walk.py puts such texts into every exported field).
"""

import csv
import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook

from recommendations.models import CoDepartment, Recommendation, RecommendationTag

CHUNK_SIZE = 2000
# The full-width signs too: Chinese input methods type them, and a spreadsheet that converts
# full-width input may read ＝… as a formula; a leading apostrophe costs nothing.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def columns():
    return [
        _("位置"),
        _("要点"),
        _("正文"),
        _("文章"),
        _("作者"),
        _("标签"),
        _("状态"),
        _("主办部门"),
        _("协办部门"),
        _("办理期限"),
        _("答复类别"),
        _("答复内容"),
    ]


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


FIELDS = (
    "pk",
    "place",
    "number",
    "heading",
    "text",
    "article__title",
    "article__author_names",
    "status",
    "lead_department__name",
    "deadline",
    "answer_category",
    "reply",
)


def _names_by_item(links, ids, name_field):
    """{recommendation id: "名称、名称"} for one chunk, in one query."""
    names = {}
    rows = (
        links.objects.filter(recommendation_id__in=ids)
        .order_by("recommendation_id", name_field)
        .values_list("recommendation_id", name_field)
    )
    for rec_id, name in rows:
        names.setdefault(rec_id, []).append(name)
    return {rec_id: "、".join(values) for rec_id, values in names.items()}


def _chunks(iterable, size):
    chunk = []
    for row in iterable:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rows(queryset):
    """One list of cell texts per recommendation, in the queryset's order.

    Plain tuples rather than model instances, and the tags and co-departments of each chunk
    in one query each: 10,000 rows take well under a second."""
    statuses = {value: str(label) for value, label in Recommendation.Status.choices}
    categories = {value: str(label) for value, label in Recommendation.AnswerCategory.choices}
    values = queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    for chunk in _chunks(values, CHUNK_SIZE):
        ids = [row[0] for row in chunk]
        tags = _names_by_item(RecommendationTag, ids, "tag__name")
        co = _names_by_item(CoDepartment, ids, "department__name")
        for (
            pk,
            place,
            number,
            heading,
            text,
            title,
            author,
            status,
            lead,
            deadline,
            category,
            reply,
        ) in chunk:
            yield [
                safe_cell(value)
                for value in (
                    place or number,
                    heading,
                    text,
                    title,
                    author,
                    tags.get(pk, ""),
                    statuses.get(status, status),
                    lead or "",
                    co.get(pk, ""),
                    deadline.isoformat() if deadline else "",
                    categories.get(category, category),
                    reply,
                )
            ]


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value):
        return value


def csv_chunks(queryset):
    """UTF-8 text with a byte-order mark so that Excel opens Chinese text correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns())
    buffer = []
    for row in rows(queryset):
        buffer.append(writer.writerow(row))
        if len(buffer) >= 200:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def xlsx_file(queryset):
    """A write-only workbook (rows go straight to disk) saved into an anonymous temp file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("建议"))
    sheet.append(columns())
    for row in rows(queryset):
        sheet.append([cell or None for cell in row])  # empty cells are not written at all
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle
