"""Bad files are refused with a Chinese message naming the file (and the line), in the command
and in the admin upload, and the database is unchanged."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.urls import reverse

from recommendations.models import Edition
from tests.test_import_command import OTHER_TITLE_PAGE, PAGE, counts, run, write

URL = "admin:recommendations_edition_import"
WITH_NUL = PAGE.replace("收获很大", "收获\x00很大")
NUL_LINE = WITH_NUL.splitlines().index(next(x for x in WITH_NUL.splitlines() if "\x00" in x)) + 1

ENCODED_WITH_CONTROLS = {
    "utf-16": WITH_NUL.encode("utf-16"),
    "utf-16-be-bom": codecs.BOM_UTF16_BE + WITH_NUL.encode("utf-16-be"),
    "utf-8-bom": codecs.BOM_UTF8 + WITH_NUL.encode("utf-8"),
    "utf-8-bell": PAGE.replace("收获很大", "收获\x07很大").encode("utf-8"),
    "gb18030-escape": PAGE.replace("收获很大", "收获\x1b很大").encode("gb18030"),
}


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="text/plain")


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

    response = client.post(
        reverse(URL), {"files": [upload("page.txt", ENCODED_WITH_CONTROLS[kind])]}, follow=True
    )

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

    response = client.post(reverse(URL), {"files": [upload("big.txt", b"x" * 2048)]}, follow=True)

    assert "big.txt:文件有 2 KB,超过单个版面的上限 1 KB" in response.content.decode()
    assert not Edition.objects.exists()


def test_the_default_size_limit_is_one_megabyte(settings):
    assert settings.IMPORT_MAX_PAGE_BYTES == 1024 * 1024


@pytest.mark.django_db
def test_a_batch_with_one_bad_file_stores_nothing_and_reports_every_file(client, admin_user):
    client.force_login(admin_user)
    files = [
        upload("a.txt", PAGE.encode()),
        upload("bad.txt", ENCODED_WITH_CONTROLS["utf-16"]),
        upload("c.txt", OTHER_TITLE_PAGE.encode()),
    ]

    response = client.post(reverse(URL), {"files": files}, follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 3
    assert shown[0] == "文件 a.txt:未导入(同批有文件不能导入,整批未导入)"
    assert "bad.txt" in shown[1] and "控制字符" in shown[1]
    assert shown[2] == "文件 c.txt:未导入(同批有文件不能导入,整批未导入)"
    assert not Edition.objects.exists()


@pytest.mark.django_db
def test_a_batch_imported_file_by_file_stores_the_good_files(client, admin_user):
    client.force_login(admin_user)
    files = [
        upload("a.txt", PAGE.encode()),
        upload("bad.txt", ENCODED_WITH_CONTROLS["utf-16"]),
        upload("c.txt", OTHER_TITLE_PAGE.encode()),
    ]

    response = client.post(reverse(URL), {"files": files, "mode": "each"}, follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert shown[0].startswith("文件 a.txt:已新建版面")
    assert "控制字符" in shown[1]
    assert shown[2].startswith("文件 c.txt:已新建版面")
    assert sorted(Edition.objects.values_list("source_name", flat=True)) == ["a.txt", "c.txt"]


@pytest.mark.django_db
def test_a_refusal_in_the_middle_of_an_all_or_nothing_batch_rolls_back_the_others(
    client, admin_user, tmp_path
):
    run(write(tmp_path, "b.txt", PAGE))
    before = counts()
    client.force_login(admin_user)
    files = [
        upload("new.txt", OTHER_TITLE_PAGE.encode()),
        upload(
            "b.txt",
            PAGE.replace("区科信局局长 张三", "区数据局局长 李四")
            .replace("以算力统筹赋能基层治理", "另一篇文章")
            .replace("③", "⑤")
            .encode(),
        ),
    ]

    response = client.post(reverse(URL), {"files": files}, follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert shown[0] == "文件 new.txt:未导入(同批有文件不能导入,整批未导入)"
    assert "内容是另一个版面" in shown[1]
    assert counts() == before
