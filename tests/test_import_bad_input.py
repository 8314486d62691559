"""Bad files are refused with a Chinese message naming the file (and the line), in the command
and in the admin upload, and the database is unchanged."""

import codecs

import pytest
from django.core.management import CommandError

from imports import jobs
from recommendations.models import Edition
from tests.import_helpers import (
    batch_url,
    confirm_and_import,
    outcomes,
    upload,
    upload_and_prepare,
)
from tests.test_import_command import OTHER_TITLE_PAGE, PAGE, counts, run, write

WITH_NUL = PAGE.replace("收获很大", "收获\x00很大")
NUL_LINE = WITH_NUL.splitlines().index(next(x for x in WITH_NUL.splitlines() if "\x00" in x)) + 1

ENCODED_WITH_CONTROLS = {
    "utf-16": WITH_NUL.encode("utf-16"),
    "utf-16-be-bom": codecs.BOM_UTF16_BE + WITH_NUL.encode("utf-16-be"),
    "utf-8-bom": codecs.BOM_UTF8 + WITH_NUL.encode("utf-8"),
    "utf-8-bell": PAGE.replace("收获很大", "收获\x07很大").encode("utf-8"),
    "gb18030-escape": PAGE.replace("收获很大", "收获\x1b很大").encode("gb18030"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(ENCODED_WITH_CONTROLS))
def test_the_command_refuses_control_characters_in_every_encoding(tmp_path, kind):
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, "page.txt", ENCODED_WITH_CONTROLS[kind]))

    message = str(error.value)
    assert f"page.txt 第 {NUL_LINE} 行:第 {NUL_LINE} 行含有控制字符" in message
    assert not Edition.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["utf-16", "utf-8-bom"])
def test_the_admin_refuses_a_nul_in_a_page_with_a_byte_order_mark(client, admin_user, kind):
    client.force_login(admin_user)

    batch = upload_and_prepare(client, [upload("page.txt", ENCODED_WITH_CONTROLS[kind])])
    response = client.get(batch_url(batch))

    assert response.status_code == 200
    assert "含有控制字符(U+0000)" in response.content.decode()
    assert not Edition.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_a_page_above_the_size_limit(tmp_path, settings):
    settings.IMPORT_MAX_PAGE_BYTES = 1000
    big = write(tmp_path, "big.txt", PAGE + "一是推广智能客服。" * 200)

    with pytest.raises(CommandError) as error:
        run(big)

    assert "big.txt:文件有" in str(error.value)
    assert "超过单个版面的上限 1000 字节" in str(error.value)
    assert not Edition.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_a_page_above_the_size_limit(client, admin_user, settings):
    settings.IMPORT_MAX_PAGE_BYTES = 1024
    client.force_login(admin_user)

    batch = upload_and_prepare(client, [upload("big.txt", b"x" * 2048)])

    assert (
        "big.txt:文件有 2 KB,超过单个版面的上限 1 KB"
        in client.get(batch_url(batch)).content.decode()
    )
    assert bytes(batch.files.get().data) == b""  # not kept
    assert not Edition.objects.exists()


def test_the_default_size_limit_is_one_megabyte(settings):
    assert settings.IMPORT_MAX_PAGE_BYTES == 1024 * 1024


def three_files():
    return [
        upload("a.txt", PAGE.encode()),
        upload("bad.txt", ENCODED_WITH_CONTROLS["utf-16"]),
        upload("c.txt", OTHER_TITLE_PAGE.encode()),
    ]


@pytest.mark.django_db
def test_a_batch_with_one_bad_file_is_not_started_and_every_file_is_reported(client, admin_user):
    client.force_login(admin_user)
    batch = upload_and_prepare(client, three_files())
    preview = client.get(batch_url(batch)).content.decode()

    response = client.post(batch_url(batch, "import_confirm"), follow=True)

    assert "将新建版面" in preview and "不能导入:bad.txt" in preview
    assert "整批导入时每个文件都必须能导入,未开始导入:bad.txt" in response.content.decode()
    assert not Edition.objects.exists()


@pytest.mark.django_db
def test_a_batch_imported_file_by_file_stores_the_good_files(client, admin_user):
    client.force_login(admin_user)
    batch = upload_and_prepare(client, three_files())

    confirm_and_import(client, batch, mode="each")

    results = outcomes(batch)
    assert results[0].startswith("a.txt:已新建版面")
    assert "控制字符" in results[1]
    assert results[2].startswith("c.txt:已新建版面")
    assert sorted(Edition.objects.values_list("source_name", flat=True)) == ["a.txt", "c.txt"]


@pytest.mark.django_db
def test_a_refusal_found_while_importing_rolls_back_the_whole_batch(client, admin_user, tmp_path):
    client.force_login(admin_user)
    batch = upload_and_prepare(client, three_files()[::2])
    client.post(batch_url(batch, "import_confirm"))
    # Between the preview and the job, another import takes c.txt's name with another page.
    run(write(tmp_path, "c.txt", PAGE.replace("③", "⑦").replace("基层治理", "社区服务")))
    before = counts()

    jobs.apply(batch.pk)

    assert outcomes(batch)[0] == "a.txt:未导入(同批有文件不能导入,整批未导入)"
    assert "内容是另一个版面" in outcomes(batch)[1]
    assert counts() == before
