"""The rebuild_search command restores search tokens that bypassed save()."""

from io import StringIO

import pytest
from django.core.management import call_command

from recommendations.models import Recommendation
from recommendations.search import refresh_tokens, search_queryset, tokens_for_document


def search(query):
    return set(search_queryset(Recommendation.objects.all(), query).values_list("pk", flat=True))


@pytest.fixture
def items(article):
    texts = [
        ("筑牢数据底座", "构建可用、可信、可控的基层数据中台。"),
        ("发布OPC支持计划", "推动一人创业公司发展。"),
        ("加强智能体协同", "促进建立适应智能体协同的工作模式。"),
    ]
    return [
        Recommendation.objects.create(
            article=article, number=str(n), order=n, depth=2, heading=heading, text=text
        )
        for n, (heading, text) in enumerate(texts, start=1)
    ]


def test_it_restores_wiped_tokens_so_search_finds_items_again(items):
    assert search("数据底座") == {items[0].pk}
    Recommendation.objects.update(search_words="", search_chars="")
    assert search("数据底座") == set()
    assert search("OPC") == set()

    out = StringIO()
    call_command("rebuild_search", batch_size=2, stdout=out)

    assert out.getvalue().strip() == "Rebuilt search tokens for 3 recommendations."
    assert search("数据底座") == {items[0].pk}
    assert search("OPC") == {items[1].pk}
    assert search("智能体") == {items[2].pk}


def test_it_picks_up_text_changed_by_a_bulk_update(items):
    Recommendation.objects.filter(pk=items[1].pk).update(text="发放算力券,降低训练成本。")
    assert search("算力券") == set()

    call_command("rebuild_search", stdout=StringIO())

    assert search("算力券") == {items[1].pk}
    assert search("一人创业") == set()


def test_refresh_tokens_only_touches_the_given_queryset_and_counts_it(items):
    Recommendation.objects.update(search_words="", search_chars="")

    count = refresh_tokens(Recommendation.objects.filter(pk__in=[items[0].pk, items[2].pk]))

    assert count == 2
    rows = dict(Recommendation.objects.values_list("pk", "search_words"))
    assert rows[items[1].pk] == ""
    first = Recommendation.objects.get(pk=items[0].pk)
    assert (first.search_words, first.search_chars) == tokens_for_document(
        first.heading, first.text
    )


def test_it_does_not_write_history_events(items):
    from recommendations.models import RecommendationEvent

    before = RecommendationEvent.objects.count()
    call_command("rebuild_search", stdout=StringIO())
    assert RecommendationEvent.objects.count() == before


def test_it_reports_zero_on_an_empty_table(db):
    out = StringIO()
    call_command("rebuild_search", stdout=out)
    assert out.getvalue().strip() == "Rebuilt search tokens for 0 recommendations."
