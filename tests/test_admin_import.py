"""Admins import newspaper pages in the admin: upload, a preview of what would be stored,
then confirm (or cancel); each file is stored all or nothing, the batch too by default."""

import datetime
import re
from pathlib import Path

from django.urls import reverse

from imports.models import ImportBatch, ImportFile
from recommendations import workflow
from recommendations.models import Article, Edition, Recommendation
from tests.import_helpers import (
    UPLOAD_URL,
    batch_url,
    confirm_and_import,
    outcomes,
    upload,
    upload_and_prepare,
)
from tests.test_import_command import CORRECTED, PAGE, counts

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "haidian-ai-training-3.txt"
INTERNAL_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # word_joined, duplicate_removed …


def test_it_shows_the_upload_form_to_admins(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse(UPLOAD_URL))
    assert response.status_code == 200
    assert "版面文本文件" in response.content.decode()
    assert "1.0 MB" in response.content.decode()


def test_an_upload_writes_nothing_until_confirmed_and_the_preview_survives_a_refresh(
    client, admin_user
):
    client.force_login(admin_user)
    before = counts()

    batch = upload_and_prepare(client, [upload("page.txt", SEED.read_bytes())])
    first = client.get(batch_url(batch)).content.decode()
    again = client.get(batch_url(batch)).content.decode()

    assert counts() == before
    assert batch.status == ImportBatch.Status.READY
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", first) == token.sub("", again)
    assert "将新建版面" in first
    assert "6 篇文章、50 条建议、17 条提示" in first


def test_the_preview_shows_articles_bylines_trees_repairs_and_the_source(client, admin_user):
    client.force_login(admin_user)

    batch = upload_and_prepare(client, [upload("page.txt", SEED.read_bytes())])
    content = client.get(batch_url(batch)).content.decode()

    assert "《以人工智能为翼 赋能海淀国际化水平跃升》" in content
    assert "作者:陈鹏(区外办党组书记、主任,区港澳事务办主任)" in content
    assert "加大AI原生产业国际孵化力度" in content  # an item of the tree
    assert "断词接合" in content and "第 49、51 行" in content  # a repair with its lines
    assert "已合并为“推动”" in content
    assert '<li value="51"' in content  # the source text, line by line
    assert not INTERNAL_CODE.search(re.sub(r"<[^>]+>|\{[^}]*\}", "", content.split("<h1>")[1]))


def test_confirming_imports_the_page_and_reports_it(client, admin_user):
    client.force_login(admin_user)
    batch = upload_and_prepare(
        client, [upload("page.txt", SEED.read_bytes())], published_on="2025-12-01"
    )

    response = confirm_and_import(client, batch)

    assert batch.status == ImportBatch.Status.DONE
    edition = Edition.objects.get(source_name="page.txt")
    assert str(edition.published_on) == "2025-12-01"
    assert Article.objects.filter(edition=edition).count() == 6
    assert Recommendation.objects.filter(article__edition=edition).count() == 50
    assert "page.txt:已新建版面 — 6 篇文章、50 条建议" in response.content.decode()


def test_cancel_leaves_no_trace(client, admin_user):
    client.force_login(admin_user)
    batch = upload_and_prepare(client, [upload("page.txt", SEED.read_bytes())])
    before = counts()

    response = client.post(batch_url(batch, "import_cancel"), follow=True)

    assert "已取消这次导入,没有写入任何数据" in response.content.decode()
    assert not ImportBatch.objects.exists() and not ImportFile.objects.exists()
    assert counts() == before
    assert client.get(batch_url(batch)).status_code == 404


def test_a_reimport_shows_the_difference_and_the_items_in_handling(
    client, admin_user, tmp_path, staff, lead_department
):
    client.force_login(admin_user)
    confirm_and_import(client, upload_and_prepare(client, [upload("page.txt", PAGE.encode())]))
    handled = Recommendation.objects.get(number="1.1")
    workflow.assign(
        handled, staff, lead_department=lead_department, deadline=datetime.date(2030, 1, 1)
    )
    text_before = handled.text

    batch = upload_and_prepare(client, [upload("page-v2.txt", CORRECTED.encode())])
    content = client.get(batch_url(batch)).content.decode()

    assert (
        "将作为版面“自主创新铸技术底座 全景赋能筑产业高地 第3期(page.txt)”的更正版本原地更新"
        in content
    )
    assert "与已导入的版面相比:修改 1 条、新增 2 条、不再见于原文 1 条;其中 1 条在办理中" in content
    changes = {c["place"]: c for c in batch.files.get().preview["changes"]}
    assert changes["一、1"]["change"] == "changed" and changes["一、1"]["handled"]
    assert changes["一、2"]["change"] == "removed"
    handled.refresh_from_db()
    assert handled.text == text_before  # nothing written yet


def test_another_page_under_a_stored_name_needs_the_replacement_confirmed(client, admin_user):
    from tests.test_import_identity import OTHER

    client.force_login(admin_user)
    confirm_and_import(client, upload_and_prepare(client, [upload("page.txt", PAGE.encode())]))
    before = counts()

    batch = upload_and_prepare(client, [upload("page.txt", OTHER.encode())])
    content = client.get(batch_url(batch)).content.decode()
    assert "需确认替换才会导入" in content
    refused = client.post(batch_url(batch, "import_confirm"), follow=True)

    assert "未开始导入" in refused.content.decode()
    assert counts() == before
    assert Edition.objects.get().raw_text == PAGE

    upload_row = batch.files.get()
    confirm_and_import(client, batch, replace=[upload_row.pk])
    assert Edition.objects.get().raw_text == OTHER


def test_the_same_page_again_is_reported_and_nothing_is_offered(client, admin_user):
    client.force_login(admin_user)
    confirm_and_import(client, upload_and_prepare(client, [upload("a.txt", PAGE.encode())]))

    batch = upload_and_prepare(client, [upload("b.txt", PAGE.encode("gb18030"))])
    content = client.get(batch_url(batch)).content.decode()

    assert "已导入为版面“自主创新铸技术底座 全景赋能筑产业高地 第3期(a.txt)”" in content
    assert "没有需要写入的文件" in content


def test_a_batch_cannot_be_confirmed_twice(client, admin_user):
    client.force_login(admin_user)
    batch = upload_and_prepare(client, [upload("page.txt", PAGE.encode())])
    confirm_and_import(client, batch)

    response = client.post(batch_url(batch, "import_confirm"), follow=True)

    assert "不能再次确认" in response.content.decode()
    assert Edition.objects.count() == 1


def test_another_admin_cannot_see_or_confirm_my_batch(client, admin_user, django_user_model):
    client.force_login(admin_user)
    batch = upload_and_prepare(client, [upload("page.txt", PAGE.encode())])
    other = django_user_model.objects.create_superuser("admin2", "a2@example.org", "x")
    client.force_login(other)

    assert client.get(batch_url(batch)).status_code == 404
    assert client.post(batch_url(batch, "import_confirm")).status_code == 404
    assert not Edition.objects.exists()


def test_confirm_and_cancel_refuse_get(client, admin_user):
    client.force_login(admin_user)
    batch = upload_and_prepare(client, [upload("page.txt", PAGE.encode())])

    assert client.get(batch_url(batch, "import_confirm")).status_code == 405
    assert client.get(batch_url(batch, "import_cancel")).status_code == 405
    assert ImportBatch.objects.exists()


def test_portal_staff_without_admin_rights_cannot_import(client, staff):
    client.force_login(staff)
    response = client.post(reverse(UPLOAD_URL), {"files": [upload("page.txt", SEED.read_bytes())]})
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not Edition.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_bad_file_is_refused_with_its_name_and_stores_nothing(client, admin_user):
    client.force_login(admin_user)

    batch = upload_and_prepare(client, [upload("scan.pdf", b"%PDF-1.4 binary")])
    content = client.get(batch_url(batch)).content.decode()

    assert "scan.pdf:这是 PDF 文件" in content
    assert outcomes(batch) == [""]
    assert not Edition.objects.exists()
