"""recommendations.importer: a parsed page (built here by hand) mapped onto the models."""

import datetime
import hashlib

import pytest
from django.apps import apps
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
from recommendations.newspaper.model import Affiliation as PAffiliation
from recommendations.newspaper.model import Article as PArticle
from recommendations.newspaper.model import Author, Block, Node
from recommendations.newspaper.model import Edition as PEdition
from recommendations.newspaper.model import Series as PSeries
from recommendations.newspaper.model import Warning as PWarning

RAW = "一、加强算力统筹\n一是建设智算中心。\n"


def node(number, marker, heading, children=(), text=None, lines=(1,)):
    return Node(
        number=number,
        marker=marker,
        heading=heading,
        text=text if text is not None else f"{marker or ''}{heading}。",
        lines=list(lines),
        children=list(children),
    )


def reflection_tree():
    return [
        node(
            "1",
            "一、",
            "加强算力统筹",
            [
                node("1.1", "一是", "建设智算中心"),
                node(
                    "1.2",
                    "二要",
                    "推动算力共享",
                    [node("1.2.1", "一是", "统一调度"), node("1.2.2", "二是", "按需计费")],
                ),
            ],
        ),
        node("2", None, "培养人才", [node("2.1", None, "“小而精”人才库")]),
    ]


def page(name="page.txt", tree=None, content="v1", authors=None, articles=None, title=None):
    sha = hashlib.sha256(f"{name}{content}".encode()).hexdigest()
    if articles is None:
        articles = [
            PArticle(
                title=title or "加快人工智能发展",
                kicker=None,
                subtitle="——学员思考",
                kind="reflection",
                in_series=True,
                authors=authors
                or [
                    Author(
                        "张三",
                        "author",
                        [
                            PAffiliation("区科信局", "党组书记、局长"),
                            PAffiliation("区数据局", "主任"),
                        ],
                    )
                ],
                photo_credits=["学校"],
                blocks=[Block("paragraph", "我参加了培训。", [3])],
                recommendations=reflection_tree() if tree is None else tree,
            ),
            PArticle(
                title=f"{title}的报道" if title else "区里召开大会",
                kicker="引题",
                subtitle=None,
                kind="news",
                in_series=False,
                authors=[Author("李四", "reporter"), Author("王五", "correspondent")],
            ),
        ]
    return PEdition(
        source_name=name,
        sha256=sha,
        line_count=12,
        encoding="utf-8",
        series=PSeries("自主创新铸技术底座", "——学员思考和建议③", 3),
        articles=articles,
        warnings=[PWarning("word_joined", [5], "推 + 动", 0)],
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


def rec(number, article_order=1, source_name="page.txt"):
    return Recommendation.objects.get(
        article__edition__source_name=source_name, article__order=article_order, number=number
    )


@pytest.mark.django_db
def test_it_stores_the_edition_with_its_series():
    result = importer.import_edition(page(), RAW, published_on=datetime.date(2025, 11, 20))

    assert result.status == importer.CREATED
    edition = Edition.objects.get()
    assert result.edition_id == edition.pk
    assert edition.source_name == "page.txt"
    assert edition.raw_text == RAW
    assert edition.line_count == 12
    assert edition.published_on == datetime.date(2025, 11, 20)
    assert edition.series.title == "自主创新铸技术底座"
    assert edition.series.subtitle == "——学员思考和建议③"
    assert edition.installment == 3
    assert edition.warnings == [
        {"kind": "word_joined", "lines": [5], "message": "推 + 动", "article": 0}
    ]


@pytest.mark.django_db
def test_it_stores_articles_in_page_order():
    importer.import_edition(page(), RAW)

    first, second = Article.objects.order_by("order")
    assert (first.order, first.kind, first.title) == (1, "reflection", "加快人工智能发展")
    assert (first.kicker, first.subtitle, first.in_series) == ("", "——学员思考", True)
    assert first.photo_credits == ["学校"]
    assert first.blocks == [{"type": "paragraph", "text": "我参加了培训。", "lines": [3]}]
    assert first.author_names == "张三"
    assert (second.kind, second.kicker, second.subtitle) == ("news", "引题", "")
    assert second.author_names == "李四、王五"


@pytest.mark.django_db
def test_it_stores_bylines_with_their_affiliations():
    importer.import_edition(page(), RAW)

    byline = Byline.objects.get(person__name="张三")
    assert byline.role == "author"
    assert sorted((a.organization.name, a.position) for a in byline.affiliations.all()) == [
        ("区数据局", "主任"),
        ("区科信局", "党组书记、局长"),
    ]
    news = Article.objects.get(order=2)
    assert [(b.person.name, b.role, b.order) for b in news.bylines.order_by("order")] == [
        ("李四", "reporter", 1),
        ("王五", "correspondent", 2),
    ]


@pytest.mark.django_db
def test_it_reuses_people_organisations_and_affiliations_across_pages():
    importer.import_edition(page("a.txt", content="a", title="第一篇"), RAW)
    importer.import_edition(page("b.txt", content="b", title="第二篇"), RAW + "另一版\n")

    assert Person.objects.filter(name="张三").count() == 1
    assert Organization.objects.filter(name="区科信局").count() == 1
    assert Affiliation.objects.filter(person__name="张三").count() == 2
    assert Byline.objects.filter(person__name="张三").count() == 2
    assert Series.objects.count() == 1


@pytest.mark.django_db
def test_it_stores_the_tree_with_order_depth_parent_and_place():
    importer.import_edition(page(), RAW)

    rows = list(
        Recommendation.objects.filter(article__order=1)
        .order_by("order")
        .values_list("number", "order", "depth", "marker", "place", "parent__number")
    )
    assert rows == [
        ("1", 1, 1, "一、", "一、", None),
        ("1.1", 2, 2, "一是", "一、1", "1"),
        ("1.2", 3, 2, "二要", "一、2", "1"),
        ("1.2.1", 4, 3, "一是", "一、2.1", "1.2"),
        ("1.2.2", 5, 3, "二是", "一、2.2", "1.2"),
        ("2", 6, 1, "", "2", None),
        ("2.1", 7, 2, "", "2.1", "2"),
    ]
    item = rec("1.2.1")
    assert item.heading == "统一调度"
    assert item.text == "一是统一调度。"
    assert item.source_lines == [1]
    assert item.status == Recommendation.Status.NEW
    assert item.in_source


@pytest.mark.django_db
def test_bulk_created_items_are_searchable():
    importer.import_edition(page(), RAW)

    item = rec("1.1")
    assert item.search_words and item.search_chars
    # The bulk INSERT went through the trigger that writes each item's search document.
    found = Recommendation.objects.filter(
        search_document__chars=SearchQuery("智算", config="simple", search_type="raw")
    )
    assert list(found) == [item]


@pytest.mark.django_db
def test_imported_items_have_the_columns_of_an_item_made_by_the_orm():
    # The importer writes new items with COPY, bypassing the model: every column it does not
    # set must still come out as the model's default.
    importer.import_edition(page(), RAW)
    item = rec("1.1")
    made = Recommendation.objects.create(
        article=item.article,
        parent=item.parent,
        number="9",
        heading=item.heading,
        text=item.text,
    )
    set_by_import = {"id", "number", "order", "depth", "marker", "place", "source_lines"}
    set_by_import |= {"is_container", "created_at", "updated_at"}
    imported = Recommendation.objects.filter(pk=item.pk).values().get()
    orm = Recommendation.objects.filter(pk=made.pk).values().get()
    assert {k: v for k, v in imported.items() if k not in set_by_import} == {
        k: v for k, v in orm.items() if k not in set_by_import
    }
    assert item.created_at == item.updated_at and item.created_at is not None


@pytest.mark.django_db
def test_a_correction_adding_sections_and_points_links_them_to_their_parents():
    importer.import_edition(page(), RAW)
    tree = reflection_tree()
    tree[1].children.append(node("2.2", None, "引进团队"))
    tree.append(node("3", "三、", "优化服务", [node("3.1", "一是", "简化审批")]))

    result = importer.import_edition(page(tree=tree, content="v2"), RAW + "v2\n")

    assert result.created == 3
    assert rec("2.2").parent == rec("2")
    assert rec("3.1").parent == rec("3")
    assert rec("3").is_container and not rec("3.1").is_container
    assert rec("3.1").place == "三、1"
    assert Recommendation.objects.filter(search_chars__contains="审批").get() == rec("3.1")


@pytest.mark.django_db
def test_points_deeper_than_three_levels_are_folded_into_their_ancestor():
    deep = node(
        "1.1.1",
        "一是",
        "统一调度",
        [node("1.1.1.1", "1.", "细则", text="1.细则。", lines=[4])],
        lines=[3],
    )
    tree = [node("1", "一、", "算力", [node("1.1", "一要", "统筹", [deep])])]

    importer.import_edition(page(tree=tree), RAW)

    assert Recommendation.objects.filter(article__order=1).count() == 3
    item = rec("1.1.1")
    assert item.text == "一是统一调度。1.细则。"
    assert item.source_lines == [3, 4]
    assert Edition.objects.get().warnings[-1]["kind"] == "depth_folded"


@pytest.mark.django_db
def test_created_items_have_a_history_row_saying_they_came_from_the_import():
    importer.import_edition(page(), RAW)

    event_model = apps.get_model("recommendations", "RecommendationEvent")
    item = rec("1.2")
    event = event_model.objects.get(pgh_obj=item)
    assert event.pgh_label == "created"
    assert event.status == "new"
    assert event.lead_department_id is None and event.lead_department_name is None
    assert event.pgh_context.metadata == {"source": "import", "file": "page.txt"}
    assert event_model.objects.count() == Recommendation.objects.count()


@pytest.mark.django_db
def test_importing_the_same_content_again_changes_nothing():
    importer.import_edition(page(), RAW)
    before = counts()
    edition = Edition.objects.get()

    result = importer.import_edition(page(), RAW)

    assert result.status == importer.UNCHANGED
    assert result.summary().startswith("page.txt:未改动(已导入为版面")
    assert counts() == before
    assert Edition.objects.get().updated_at == edition.updated_at


@pytest.mark.django_db
def test_the_same_content_under_another_name_is_not_stored_twice():
    importer.import_edition(page("a.txt"), RAW)
    before = counts()
    copy = page("a.txt")
    copy.source_name = "a-copy.txt"

    result = importer.import_edition(copy, RAW)

    assert result.status == importer.DUPLICATE
    assert "已导入为版面“自主创新铸技术底座 第3期(a.txt)”" in result.summary()
    assert counts() == before


@pytest.mark.django_db
def test_a_corrected_page_updates_items_in_place_and_keeps_their_handling(
    staff, tag, lead_department
):
    importer.import_edition(page(), RAW)
    handled = rec("1.2")
    assert handled.is_container  # it groups 1.2.1 and 1.2.2; staff make it a point to assign it
    workflow.set_container(handled, staff, False)
    workflow.set_tags(handled, staff, [tag])
    workflow.assign(
        handled, staff, lead_department=lead_department, deadline=datetime.date(2030, 1, 1)
    )
    workflow.transition(handled, staff, "in_progress")
    event_model = apps.get_model("recommendations", "RecommendationEvent")
    history = list(event_model.objects.filter(pgh_obj=handled).values_list("pk", flat=True))
    dropped = rec("2.1")
    # The correction: 1.2's heading is fixed, 1.2.2 disappears, a third section appears.
    tree = reflection_tree()
    tree[0].children[1].heading = "推动算力开放共享"
    tree[0].children[1].text = "二要推动算力开放共享。"
    tree[0].children[1].children.pop()
    tree[1].children = []
    tree.append(node("3", "三、", "优化服务"))

    result = importer.import_edition(page(tree=tree, content="v2"), RAW + "更正\n")

    assert result.status == importer.UPDATED
    assert result.created == 1
    assert result.updated >= 1
    assert len(result.removed) == 2
    assert "不再见于原文:一、2.2 按需计费" in result.summary()
    assert "不再见于原文:2.1 “小而精”人才库" in result.summary()
    assert "办理中的建议有改动:一、2 推动算力开放共享" in result.summary()
    handled_after = rec("1.2")
    assert handled_after.pk == handled.pk
    assert handled_after.heading == "推动算力开放共享"
    assert handled_after.text == "二要推动算力开放共享。"
    assert "开放" in handled_after.search_chars
    assert handled_after.status == "in_progress"
    assert handled_after.lead_department == lead_department
    assert list(handled_after.tags.all()) == [tag]
    assert set(history) <= set(
        event_model.objects.filter(pgh_obj=handled).values_list("pk", flat=True)
    )
    dropped.refresh_from_db()
    assert not dropped.in_source
    assert not rec("1.2.2").in_source
    assert rec("3").place == "三、"
    assert Edition.objects.get().raw_text == RAW + "更正\n"
    assert Edition.objects.count() == 1


@pytest.mark.django_db
def test_an_item_printed_again_is_restored():
    importer.import_edition(page(), RAW)
    tree = reflection_tree()
    tree[1].children = []
    importer.import_edition(page(tree=tree, content="v2"), RAW + "v2\n")
    assert not rec("2.1").in_source

    result = importer.import_edition(page(content="v3"), RAW + "v3\n")

    assert result.restored == 1
    assert rec("2.1").in_source


@pytest.mark.django_db
def test_an_article_dropped_by_a_correction_is_kept_and_reported():
    importer.import_edition(page(), RAW)
    corrected = page(content="v2")
    corrected.articles = corrected.articles[:1]
    news_title = "区里召开大会"

    result = importer.import_edition(corrected, RAW + "v2\n")

    assert result.articles_removed == [news_title]
    assert Article.objects.filter(title=news_title).exists()
    assert Article.objects.filter(order=1).get().bylines.count() == 1


@pytest.mark.django_db
def test_a_failure_midway_leaves_no_row(monkeypatch):
    real = importer._save_recommendations

    def fail_after_writing(*args, **kwargs):
        real(*args, **kwargs)
        assert Recommendation.objects.exists()  # rows were written before the failure
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_save_recommendations", fail_after_writing)
    before = counts()

    with pytest.raises(RuntimeError):
        importer.import_edition(page(), RAW)

    assert counts() == before


@pytest.mark.django_db
def test_a_failed_correction_leaves_the_stored_page_as_it_was(monkeypatch):
    importer.import_edition(page(), RAW)
    before = counts()
    monkeypatch.setattr(importer, "_save_bylines", _raise)

    with pytest.raises(RuntimeError):
        importer.import_edition(page(content="v2"), RAW + "x")

    assert counts() == before
    assert Edition.objects.get().raw_text == RAW


def _raise(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_number_of_items():
    def queries_for(name, sections):
        tree = [
            node(
                str(s), "一、", f"第{s}部分", [node(f"{s}.{i}", "一是", f"事项{i}") for i in (1, 2)]
            )
            for s in range(1, sections + 1)
        ]
        with CaptureQueriesContext(connection) as ctx:
            importer.import_edition(page(name, tree=tree, title=name), RAW + name)
        return len(ctx.captured_queries)

    queries_for("warm.txt", 1)  # people and organisations exist from here on
    assert queries_for("small.txt", 1) == queries_for("large.txt", 20)


@pytest.mark.django_db
def test_an_item_in_handling_dropped_by_a_correction_leaves_a_trace_and_is_announced(
    staff, lead_department, django_capture_on_commit_callbacks
):
    """Was: the importer set in_source=False silently: no history, no event, no message."""
    from recommendations import events
    from recommendations.history import build_history

    importer.import_edition(page(), RAW)
    in_hand = rec("2.1")
    workflow.assign(
        in_hand, staff, lead_department=lead_department, deadline=datetime.date(2030, 1, 1)
    )
    heard = []

    def receiver(sender, **kwargs):
        heard.append((sender, kwargs["recommendation_id"], kwargs["actor_id"], kwargs["data"]))

    events.workflow_event.connect(receiver, weak=False)
    try:
        tree = reflection_tree()
        tree[1].children = []  # 2.1 (assigned) is gone
        tree[0].children[1].children.pop()  # and 1.2.2 (never triaged)
        with django_capture_on_commit_callbacks(execute=True):
            importer.import_edition(page(tree=tree, content="v2"), RAW + "v2\n")
        edition_id = Edition.objects.get().pk
        dropped = [h for h in heard if h[0] == events.DROPPED_FROM_SOURCE]
        # Only the item in handling: an untriaged item's loss needs nobody's decision.
        assert dropped == [
            (
                events.DROPPED_FROM_SOURCE,
                in_hand.pk,
                None,
                {"department_id": lead_department.pk, "edition_id": edition_id},
            )
        ]
        entry = [e for e in build_history(rec("2.1")) if e.field == "原文"]
        assert [(e.old, e.new, e.who) for e in entry] == [("在原文中", "已从原文移除", "系统")]

        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            importer.import_edition(page(content="v3"), RAW + "v3\n")  # printed again
        assert not [h for h in heard if h[0] == events.DROPPED_FROM_SOURCE]
    finally:
        events.workflow_event.disconnect(receiver)
    entries = [(e.old, e.new) for e in build_history(rec("2.1")) if e.field == "原文"]
    assert entries == [("在原文中", "已从原文移除"), ("已从原文移除", "重新出现在原文")]
    assert rec("2.1").status == "assigned"
