"""manage.py import_newspaper: pages from files, reports, bad input, re-imports, races."""

import datetime
import io
import json
import re
import threading
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from recommendations import importer, workflow
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

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "haidian-ai-training-3.txt"

PAGE = """\
## 自主创新铸技术底座 全景赋能筑产业高地

——海淀区走进华为人工智能专题培训班(第四期)学员思考和建议③

## 以算力统筹赋能基层治理

区科信局局长 张三

我参加了培训,收获很大。结合工作实际,提出如下建议:

## 一、加强算力统筹

一是建设智算中心。推动算力共享,降低企业使用成本。

二是完善调度平台。实现跨区算力调度,提高利用效率。

## 二、培养数字人才

一是引进高端人才。落实人才政策,优化服务保障。
"""

# A page of its own: other title, other author (not a copy of PAGE in another file).
OTHER_TITLE_PAGE = (
    PAGE.replace("以算力统筹赋能基层治理", "以开放数据激活创新")
    .replace("区科信局局长 张三", "区数据局局长 王五")
    .replace("③", "⑥")
)

# The same page after the newspaper's correction: the first item reworded, the second item
# dropped, a third section added.
CORRECTED = (
    PAGE.replace("一是建设智算中心。", "一是建设城市智算中心。").replace(
        "二是完善调度平台。实现跨区算力调度,提高利用效率。\n\n", ""
    )
    + "\n## 三、优化政务服务\n\n一是推广智能客服。提升办事体验。\n"
)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Edition,
            Series,
            Article,
            Person,
            Organization,
            Affiliation,
            Byline,
            Recommendation,
        )
    }


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_newspaper", *[str(a) for a in args], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def item(number, source_name="page.txt"):
    return Recommendation.objects.get(article__edition__source_name=source_name, number=number)


# --- a real import ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_a_page_and_reports_it(tmp_path):
    out, _ = run(write(tmp_path, "page.txt", PAGE))

    assert "page.txt:已新建版面 — 1 篇文章、5 条建议" in out
    assert "编码" not in out
    edition = Edition.objects.get()
    assert edition.source_name == "page.txt"
    assert edition.raw_text == PAGE
    assert edition.encoding == "utf-8"
    assert edition.series.title == "自主创新铸技术底座 全景赋能筑产业高地"
    assert edition.installment == 3
    article = edition.articles.get()
    assert article.title == "以算力统筹赋能基层治理"
    assert article.author_names == "张三"
    byline = article.bylines.get()
    assert [(a.organization.name, a.position) for a in byline.affiliations.all()] == [
        ("区科信局", "局长")
    ]
    rows = list(
        article.recommendations.values_list("number", "depth", "place", "parent__number", "order")
    )
    assert rows == [
        ("1", 1, "一、", None, 1),
        ("1.1", 2, "一、1", "1", 2),
        ("1.2", 2, "一、2", "1", 3),
        ("2", 1, "二、", None, 4),
        ("2.1", 2, "二、1", "2", 5),
    ]
    assert item("1.1").heading.startswith("建设智算中心")


@pytest.mark.django_db
def test_date_sets_the_publication_day(tmp_path):
    run(write(tmp_path, "page.txt", PAGE), date="2025-11-20")

    assert Edition.objects.get().published_on == datetime.date(2025, 11, 20)


@pytest.mark.django_db
def test_date_can_be_given_when_importing_the_same_file_again(tmp_path):
    path = write(tmp_path, "page.txt", PAGE)
    run(path)
    before = counts()

    out, _ = run(path, date="2025-11-21")

    assert "page.txt:未改动" in out
    assert Edition.objects.get().published_on == datetime.date(2025, 11, 21)
    assert counts() == before


@pytest.mark.django_db
def test_a_bad_date_is_refused(tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("import_newspaper", str(write(tmp_path, "page.txt", PAGE)), "--date", "20.11")
    assert not Edition.objects.exists()


@pytest.mark.django_db
def test_the_seed_page_imports_with_its_articles_items_and_bylines():
    out, _ = run(SEED)

    assert "haidian-ai-training-3.txt:已新建版面 — 6 篇文章、50 条建议" in out
    edition = Edition.objects.get()
    assert edition.articles.count() == 6
    assert Recommendation.objects.filter(article__edition=edition).count() == 50
    chen = Byline.objects.get(person__name="陈鹏")
    assert sorted((a.organization.name, a.position) for a in chen.affiliations.all()) == [
        ("区外办", "党组书记、主任"),
        ("区港澳事务办", "主任"),
    ]
    assert chen.article.author_names == "陈鹏"
    assert chen.article.in_series


@pytest.mark.django_db
def test_history_rows_say_the_items_came_from_the_import(tmp_path):
    run(write(tmp_path, "page.txt", PAGE))

    event_model = apps.get_model("recommendations", "RecommendationEvent")
    events = event_model.objects.filter(pgh_label="created")
    assert events.count() == Recommendation.objects.count() == 5
    assert {e.pgh_context.metadata["source"] for e in events} == {"import"}
    assert {e.pgh_context.metadata["file"] for e in events} == {"page.txt"}


# --- running it again ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_import_reports_unchanged_and_duplicates_nothing(
    tmp_path, django_assert_max_num_queries
):
    path = write(tmp_path, "page.txt", PAGE)
    run(path)
    before = counts()

    with django_assert_max_num_queries(1):
        out, _ = run(path)

    assert "page.txt:未改动" in out
    assert counts() == before


@pytest.mark.django_db
def test_force_stores_an_unchanged_page_again_in_place(tmp_path):
    path = write(tmp_path, "page.txt", PAGE)
    run(path)
    pks = set(Recommendation.objects.values_list("pk", flat=True))

    out, _ = run(path, force=True)

    assert "page.txt:已更新版面" in out
    assert set(Recommendation.objects.values_list("pk", flat=True)) == pks


@pytest.mark.django_db
def test_a_corrected_page_updates_in_place_and_keeps_the_handling(
    tmp_path, staff, tag, lead_department
):
    run(write(tmp_path, "page.txt", PAGE))
    handled = item("1.1")
    workflow.set_tags(handled, staff, [tag])
    workflow.assign(
        handled, staff, lead_department=lead_department, deadline=datetime.date(2030, 6, 30)
    )
    workflow.transition(handled, staff, "in_progress")
    event_model = apps.get_model("recommendations", "RecommendationEvent")
    history = set(event_model.objects.filter(pgh_obj=handled).values_list("pk", flat=True))
    assert len(history) == 3  # created, assigned, in progress

    (tmp_path / "v2").mkdir()
    out, _ = run(write(tmp_path / "v2", "page.txt", CORRECTED))

    assert "page.txt:已更新版面" in out
    assert "建议新增 2 条" in out  # section 三、 and its item
    assert "不再见于原文 1 条" in out
    assert "不再见于原文:一、2 完善调度平台" in out
    assert "办理中的建议有改动:一、1 建设城市智算中心" in out
    after = item("1.1")
    assert after.pk == handled.pk
    assert after.text.startswith("一是建设城市智算中心。")
    assert after.status == "in_progress"
    assert after.lead_department == lead_department
    assert after.deadline == datetime.date(2030, 6, 30)
    assert list(after.tags.all()) == [tag]
    assert history <= set(event_model.objects.filter(pgh_obj=after).values_list("pk", flat=True))
    assert not item("1.2").in_source
    assert item("3.1").place == "三、1"
    assert Edition.objects.get().raw_text == CORRECTED
    assert Edition.objects.count() == 1
    assert Article.objects.count() == 1


# --- bad input -------------------------------------------------------------------------------


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("empty.txt", b"", "文件是空的"),
        ("blank.txt", b"\n \n\t\n", "文件是空的"),
        ("binary.txt", bytes(range(256)) * 8, "二进制文件"),
        ("scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "PDF"),
        ("page.docx", docx_bytes(), "Word"),
        ("notes.txt", "今天天气很好,大家心情愉快。\n明天继续努力。\n", "没有找到文章"),
    ],
)
def test_bad_input_is_refused_naming_the_file_and_writes_nothing(
    tmp_path, staff, name, content, said
):
    before = counts()

    with pytest.raises(CommandError) as error:
        run(write(tmp_path, name, content))

    assert name in str(error.value)
    assert said.lower() in str(error.value).lower()
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["scan.pdf", "page.docx"])
def test_pdf_and_word_files_are_told_to_extract_their_text_first(tmp_path, name):
    content = b"%PDF-1.4\n" if name.endswith("pdf") else docx_bytes()

    with pytest.raises(CommandError, match="请先"):
        run(write(tmp_path, name, content))


@pytest.mark.django_db
def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match=re.escape("nowhere.txt:文件不存在")):
        run(tmp_path / "nowhere.txt")
    assert not Edition.objects.exists()


@pytest.mark.django_db
def test_one_bad_file_does_not_stop_the_others_but_fails_the_run(tmp_path):
    good = write(tmp_path, "page.txt", PAGE)
    bad = write(tmp_path, "empty.txt", b"")

    with pytest.raises(CommandError, match=re.escape("empty.txt")):
        run(bad, good)

    assert list(Edition.objects.values_list("source_name", flat=True)) == ["page.txt"]


@pytest.mark.django_db
def test_a_failure_midway_is_reported_and_leaves_no_row(tmp_path, monkeypatch):
    real = importer._save_recommendations

    def fail_after_writing(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("connection lost")

    monkeypatch.setattr(importer, "_save_recommendations", fail_after_writing)
    before = counts()

    with pytest.raises(CommandError, match=re.escape("page.txt:导入失败,未写入任何数据")):
        run(write(tmp_path, "page.txt", PAGE))

    assert counts() == before


# --- odd but valid pages ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_gb18030_page_is_decoded_and_its_encoding_reported(tmp_path):
    out, _ = run(write(tmp_path, "page.txt", PAGE.encode("gb18030")))

    assert "编码 gb18030" in out
    edition = Edition.objects.get()
    assert edition.encoding == "gb18030"
    assert edition.raw_text == PAGE
    assert item("1.1").heading.startswith("建设智算中心")


@pytest.mark.django_db
def test_a_page_cut_off_mid_sentence_imports_with_a_warning(tmp_path):
    cut = PAGE.rstrip().removesuffix("优化服务保障。") + "优化服务"
    last_line = len(cut.splitlines())

    out, _ = run(write(tmp_path, "page.txt", cut))

    assert "page.txt:已新建版面" in out
    assert "1 条提示(可能被截断 ×1)" in out
    warnings = Edition.objects.get().warnings
    assert [(w["kind"], w["lines"]) for w in warnings] == [("truncated", [last_line])]
    assert item("2.1").text.endswith("优化服务")


# --- dry run and JSON ------------------------------------------------------------------------


@pytest.mark.django_db
def test_dry_run_json_to_stdout_prints_the_edition_and_writes_nothing(tmp_path):
    before = counts()

    out, err = run(write(tmp_path, "page.txt", PAGE), dry_run=True, json="-")

    document = json.loads(out)
    assert document["schema"] == "edition/1"
    assert document["source"]["name"] == "page.txt"
    assert [a["title"] for a in document["articles"]] == ["以算力统筹赋能基层治理"]
    assert document["articles"][0]["recommendations"][0]["marker"] == "一、"
    assert "张三" in out  # ensure_ascii=False
    assert "page.txt:试运行,未写入 — 将新建版面" in err
    assert counts() == before


@pytest.mark.django_db
def test_json_out_writes_a_file_and_the_import_still_happens(tmp_path):
    target = tmp_path / "out.json"

    out, _ = run(write(tmp_path, "page.txt", PAGE), json=str(target))

    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["schema"] == "edition/1"
    assert "page.txt:已新建版面" in out
    assert Edition.objects.count() == 1


@pytest.mark.django_db
def test_json_for_several_files_is_a_list_or_one_file_each_in_a_directory(tmp_path):
    first = write(tmp_path, "a.txt", PAGE)
    second = write(tmp_path, "b.txt", CORRECTED)
    listing = tmp_path / "all.json"
    folder = tmp_path / "json"
    folder.mkdir()

    run(first, second, dry_run=True, json=str(listing))
    run(first, second, dry_run=True, json=str(folder))

    documents = json.loads(listing.read_text(encoding="utf-8"))
    assert [d["source"]["name"] for d in documents] == ["a.txt", "b.txt"]
    assert sorted(p.name for p in folder.iterdir()) == ["a.json", "b.json"]
    assert not Edition.objects.exists()


# --- two imports at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_end_with_one_copy(tmp_path):
    path = write(tmp_path, "page.txt", PAGE)
    start = threading.Barrier(2)
    outputs, errors = [], []

    def import_it():
        try:
            start.wait()
            outputs.append(run(path)[0])
        except Exception as e:  # surfaced by the assertion below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=import_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Edition.objects.count() == 1
    assert Recommendation.objects.count() == 5
    assert Person.objects.filter(name="张三").count() == 1
    assert sorted(o.split(":")[1][:3] for o in outputs) == ["已新建", "未改动"]


@pytest.mark.django_db(transaction=True)
def test_the_same_content_under_two_names_at_once_is_stored_once(tmp_path):
    paths = [write(tmp_path, "a.txt", PAGE), write(tmp_path, "b.txt", PAGE)]
    start = threading.Barrier(2)
    outputs, errors = [], []

    def import_it(path):
        try:
            start.wait()
            outputs.append(run(path)[0])
        except Exception as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=import_it, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Edition.objects.count() == 1
    assert any("已导入为版面" in o for o in outputs)


@pytest.mark.django_db(transaction=True)
def test_several_jobs_import_every_file_once_and_report_in_order(tmp_path):
    # Worker processes commit on their own connections, hence a transactional test database.
    pages = [
        write(
            tmp_path,
            f"page-{n}.txt",
            PAGE.replace("张三", f"张{'三四五六'[n]}").replace("赋能基层", f"赋能第{n}街道"),
        )
        for n in range(4)
    ]
    bad = write(tmp_path, "empty.txt", "")
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"empty\.txt"):
        call_command("import_newspaper", *pages, bad, "--jobs", "2", stdout=out)
    report = out.getvalue()
    assert [line.split(":")[0] for line in report.splitlines()[:4]] == [
        f"page-{n}.txt" for n in range(4)
    ]
    assert Edition.objects.count() == 4
    assert Person.objects.filter(name__in=["张三", "张四", "张五", "张六"]).count() == 4
    assert Article.objects.count() == 4


def test_jobs_must_be_positive(tmp_path):
    with pytest.raises(CommandError, match="--jobs"):
        call_command("import_newspaper", str(tmp_path / "x.txt"), "--jobs", "0")
