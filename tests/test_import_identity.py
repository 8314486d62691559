"""One printed page is one edition: recognised by its text and its printed identity, not by its
file name or bytes; another page under a stored page's name never silently rewrites it."""

import datetime

import pytest
from django.core.management import CommandError

from recommendations import importer, workflow
from recommendations.history import build_history
from recommendations.models import Edition, Recommendation
from tests.test_import_command import CORRECTED, PAGE, counts, item, run, write

# Another page of the series: other installment, other piece.
OTHER = (
    PAGE.replace("学员思考和建议③", "学员思考和建议④")
    .replace("以算力统筹赋能基层治理", "让数据要素流动起来")
    .replace("区科信局局长 张三", "区数据局局长 李四")
)


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-8-sig"])
def test_the_same_page_under_another_name_or_encoding_is_already_imported(tmp_path, encoding):
    run(write(tmp_path, "page.txt", PAGE))
    before = counts()
    copy = PAGE.replace("\n", "\r\n").encode(encoding)

    out, _ = run(write(tmp_path, "copy-of-page.txt", copy))

    assert (
        "copy-of-page.txt:已导入为版面“自主创新铸技术底座 全景赋能筑产业高地 第3期(page.txt)”"
        in out
    )
    assert counts() == before


@pytest.mark.django_db
def test_the_same_page_in_another_encoding_under_its_own_name_is_unchanged(tmp_path):
    run(write(tmp_path, "page.txt", PAGE))
    edition = Edition.objects.get()

    (tmp_path / "gb").mkdir()
    out, _ = run(write(tmp_path / "gb", "page.txt", PAGE.encode("gb18030")))

    assert "page.txt:未改动" in out
    after = Edition.objects.get()
    assert (after.sha256, after.encoding, after.updated_at) == (
        edition.sha256,
        "utf-8",
        edition.updated_at,
    )


@pytest.mark.django_db
def test_a_corrected_copy_under_another_name_updates_the_edition_in_place(tmp_path):
    run(write(tmp_path, "page.txt", PAGE))
    pk = item("1.1").pk

    out, _ = run(write(tmp_path, "page-corrected.txt", CORRECTED))

    assert (
        "page-corrected.txt:已更新版面“自主创新铸技术底座 全景赋能筑产业高地 第3期(page.txt)”"
        in out
    )
    assert Edition.objects.count() == 1
    assert item("1.1").pk == pk
    assert item("1.1").text.startswith("一是建设城市智算中心。")


@pytest.mark.django_db
def test_another_page_under_a_stored_name_is_refused_naming_the_items_in_handling(
    tmp_path, staff, lead_department
):
    run(write(tmp_path, "page.txt", PAGE))
    handled = item("1.1")
    workflow.assign(
        handled, staff, lead_department=lead_department, deadline=datetime.date(2030, 1, 1)
    )
    before = counts()
    texts = dict(Recommendation.objects.values_list("pk", "text"))

    (tmp_path / "other").mkdir()
    with pytest.raises(CommandError) as error:
        run(write(tmp_path / "other", "page.txt", OTHER))

    message = str(error.value)
    assert "page.txt:文件名与已导入的版面" in message and "内容是另一个版面" in message
    assert "替换将改动 1 条办理中的建议" in message
    assert "一、1 建设智算中心(已交办)" in message
    assert counts() == before
    assert dict(Recommendation.objects.values_list("pk", "text")) == texts
    assert Edition.objects.get().raw_text == PAGE


@pytest.mark.django_db
def test_replace_confirms_another_page_under_a_stored_name(tmp_path):
    run(write(tmp_path, "page.txt", PAGE))

    (tmp_path / "other").mkdir()
    out, _ = run(write(tmp_path / "other", "page.txt", OTHER), replace=True)

    assert "page.txt:已更新版面" in out
    edition = Edition.objects.get()
    assert edition.raw_text == OTHER
    assert edition.articles.get().title == "让数据要素流动起来"


@pytest.mark.django_db
def test_another_page_under_a_new_name_is_a_new_edition(tmp_path):
    run(write(tmp_path, "page.txt", PAGE))

    out, _ = run(write(tmp_path, "page-4.txt", OTHER))

    assert "page-4.txt:已新建版面" in out
    assert Edition.objects.count() == 2


@pytest.mark.django_db
def test_a_reimport_that_changes_an_items_text_records_old_and_new_text(tmp_path):
    run(write(tmp_path, "page.txt", PAGE))
    before = item("1.1")

    run(write(tmp_path, "page-corrected.txt", CORRECTED))

    changes = [(e.field, e.old, e.new) for e in build_history(item("1.1")) if e.kind == "changed"]
    assert ("正文", before.text, item("1.1").text) in changes
    assert ("要点", before.heading, item("1.1").heading) in changes


@pytest.mark.django_db
def test_a_page_is_recognised_by_its_fingerprint_not_its_bytes():
    from recommendations.pagecheck import fingerprint

    assert fingerprint(PAGE) == fingerprint("\ufeff" + PAGE.replace("\n", "\r\n\r\n"))
    assert fingerprint(PAGE) != fingerprint(CORRECTED)


@pytest.mark.django_db
def test_the_importer_refuses_without_writing_when_the_name_is_taken(tmp_path):
    run(write(tmp_path, "page.txt", PAGE))
    parsed, text = importer.read_page(OTHER.encode(), "page.txt")

    with pytest.raises(importer.ImportRefused):
        importer.import_edition(parsed, text)

    assert Edition.objects.get().raw_text == PAGE
