"""The current filtered list as CSV or XLSX, written row by row so memory stays flat.

Rows are read with ``QuerySet.iterator(chunk_size=…)``; Django runs the prefetches (tags,
co-departments) once per chunk. Cells that a spreadsheet would take for a formula are prefixed
with an apostrophe, so a heading such as ``=HYPERLINK(…)`` stays text.
"""

import csv
import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook

CHUNK_SIZE = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def export_queryset(queryset):
    return queryset.select_related("article", "lead_department").prefetch_related(
        "tags", "co_departments"
    )


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def rows(queryset):
    """One list of cell texts per recommendation, in the queryset's order."""
    for rec in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield [
            safe_cell(value)
            for value in (
                rec.place or rec.number,
                rec.heading,
                rec.text,
                rec.article.title,
                rec.article.author_names,
                "、".join(tag.name for tag in rec.tags.all()),
                rec.get_status_display(),
                rec.lead_department.name if rec.lead_department else "",
                "、".join(d.name for d in rec.co_departments.all()),
                rec.deadline.isoformat() if rec.deadline else "",
                rec.get_answer_category_display() if rec.answer_category else "",
                rec.reply,
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
        sheet.append(row)
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle
