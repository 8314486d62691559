"""CSV and XLSX downloads of the current filtered list, streamed."""

import csv
import io
import time

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook
from ui_helpers import assigned, make_article, make_rec

from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db

HEADER = [
    "位置",
    "要点",
    "正文",
    "文章",
    "作者",
    "标签",
    "状态",
    "主办部门",
    "协办部门",
    "办理期限",
    "答复类别",
    "答复内容",
]


@pytest.fixture
def world(edition, item, tag, lead_department, other_department):
    other = make_article(edition, order=2, author="李四", title="数据流通")
    return {
        "assigned": make_rec(
            other,
            "1",
            "开放公共数据",
            tags=[tag],
            co=[other_department],
            **assigned(lead_department),
        ),
        "formula": make_rec(other, "2", '=HYPERLINK("http://x")', text="+1 正文"),
        "answered": make_rec(
            other,
            "3",
            "已经办结",
            status="answered",
            lead_department=other_department,
            answer_category="A",
            reply="已落实。",
        ),
        "gone": make_rec(other, "4", "已被移除", in_source=False),
        "item": item,
    }


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response):
    assert isinstance(response, FileResponse)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [
        [cell if cell is not None else "" for cell in row]
        for row in workbook.active.iter_rows(values_only=True)
    ]


def test_csv_has_the_columns_and_the_filtered_rows(client, viewer, world, lead_department):
    client.force_login(viewer)
    response = client.get("/recommendations/export.csv", {"status": "assigned"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == HEADER
    assert len(rows) == 2
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row["位置"] == "一、1"
    assert row["要点"] == "开放公共数据"
    assert row["文章"] == "数据流通" and row["作者"] == "李四"
    assert row["标签"] == "算力"
    assert row["状态"] == "已交办"
    assert row["主办部门"] == "区科信局" and row["协办部门"] == "区教委"
    assert row["办理期限"] == world["assigned"].deadline.isoformat()


def test_csv_without_filters_has_every_current_item_in_list_order(client, viewer, world):
    client.force_login(viewer)
    rows = read_csv(client.get("/recommendations/export.csv"))
    headings = [row[1] for row in rows[1:]]
    assert "已被移除" not in headings
    assert headings[:2] == ["加强算力统筹", "建设智算中心"]
    assert len(headings) == Recommendation.objects.current().count()


def test_cells_that_look_like_formulas_stay_text(client, viewer, world):
    client.force_login(viewer)
    rows = read_csv(client.get("/recommendations/export.csv", {"q": "HYPERLINK"}))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][2] == "'+1 正文"


def test_xlsx_has_the_same_rows(client, viewer, world):
    client.force_login(viewer)
    response = client.get("/recommendations/export.xlsx", {"status": "answered"})
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert list(rows[0]) == HEADER
    assert rows[1][1] == "已经办结"
    assert rows[1][10] == "A 已采纳或已解决"
    assert rows[1][11] == "已落实。"
    assert len(rows) == 2


def test_xlsx_keeps_formulas_as_text(client, viewer, world):
    client.force_login(viewer)
    rows = read_xlsx(client.get("/recommendations/export.xlsx", {"q": "HYPERLINK"}))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "params, message",
    [({"q": "税" * 201}, "关键词"), ({"tag": "999999"}, "标签"), ({"status": "nope"}, "状态")],
)
def test_it_refuses_an_invalid_filter_instead_of_exporting_everything(
    client, viewer, world, fmt, params, message
):
    """Was: the invalid filter was dropped and every item exported."""
    client.force_login(viewer)
    response = client.get(f"/recommendations/export.{fmt}", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "没有导出" in content
    # The list page's own message for the same parameter.
    listed = client.get("/recommendations/", params).context["form"]
    for field in listed:
        for error in field.errors:
            assert f"{field.label}:{error}" in content
    assert f"{message}:" in content


def test_export_requires_sign_in_and_get(client, viewer):
    assert client.get("/recommendations/export.csv").status_code == 302
    client.force_login(viewer)
    assert client.post("/recommendations/export.csv").status_code == 405


def test_ten_thousand_rows_export_in_under_five_seconds(
    client, viewer, article, tag, lead_department
):
    recs = Recommendation.objects.bulk_create(
        Recommendation(
            article=article,
            number=str(n),
            order=n,
            heading=f"条目{n}",
            text="建议正文内容。" * 20,
            status="assigned",
            lead_department=lead_department,
        )
        for n in range(1, 10001)
    )
    Recommendation.tags.through.objects.bulk_create(
        Recommendation.tags.through(recommendation=rec, tag=tag) for rec in recs[::2]
    )
    client.force_login(viewer)
    for path, reader in (
        ("/recommendations/export.csv", read_csv),
        ("/recommendations/export.xlsx", read_xlsx),
    ):
        # CPU time of this process: the test machine is shared, so wall-clock time would
        # measure the neighbours too. The database side (two queries per 2,000 rows) is small.
        started = time.process_time()
        response = client.get(path)
        body = b"".join(response.streaming_content)
        elapsed = time.process_time() - started
        assert elapsed < 5, f"{path} took {elapsed:.1f}s of CPU"
        response.streaming_content = [body]
        assert len(reader(response)) == 10001
