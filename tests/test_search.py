"""Search helpers: normalisation, tokens, query building, highlighting, odd input."""

from pathlib import Path

import pytest
from django.db import connection
from django.utils.safestring import SafeString
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ui_helpers import make_article

from recommendations.models import Recommendation
from recommendations.search import (
    RUN_BREAK,
    _tokenizer,
    char_grams,
    highlight,
    normalize,
    order_by_rank,
    parse_query,
    query_terms,
    search_queryset,
    term_runs,
    tokens_for_document,
    words,
)


def make(article, number, heading, text):
    return Recommendation.objects.create(
        article=article, number=str(number), order=number, depth=2, heading=heading, text=text
    )


def found(query, queryset=None):
    queryset = Recommendation.objects.all() if queryset is None else queryset
    return set(search_queryset(queryset, query).values_list("pk", flat=True))


# Normalisation and tokens ----------------------------------------------------------------------


def test_normalize_folds_full_width_and_case():
    assert normalize("ＡＩ人才") == "ai人才"
    assert normalize("Agent①") == "agent1"
    assert normalize(None) == ""


def test_words_use_the_domain_dictionary():
    assert "数据底座" in words("筑牢数据底座")
    assert "接诉即办" in words("提升接诉即办质效")
    assert "智能体" in words("智能体协同")


SEED_PAGE = Path(__file__).resolve().parent.parent / "fixtures" / "haidian-ai-training-3.txt"
ODD_TEXT = "ＡＩ人才 2025年 α-β_γ 〇㐀 ｶﾅ かな 한국어 ①②,。!a+b#c&d.e%f-g\r\n\t GPT-4o 数据底座"


def whole_text_words(text, for_search):
    # What jieba gives for the whole text at once, reduced as words() reduces it.
    tokenizer = _tokenizer()
    cut = tokenizer.cut_for_search if for_search else tokenizer.cut
    return [run for token in cut(normalize(text)) for run in term_runs(token)]


@pytest.mark.parametrize("for_search", [True, False])
def test_words_cut_block_by_block_are_jiebas_words_of_the_whole_text(for_search):
    # words() caches each block's words; the output must be exactly the uncached cut.
    page = SEED_PAGE.read_text(encoding="utf-8")
    for text in [page, ODD_TEXT, ODD_TEXT + page[:300], "", "  ,。"]:
        assert words(text, for_search=for_search) == whole_text_words(text, for_search)
        # Again, now from the cache.
        assert words(text, for_search=for_search) == whole_text_words(text, for_search)


def test_char_grams_lay_out_bigrams_per_run_then_characters():
    assert char_grams("算力,AI人才") == [
        "算力",
        RUN_BREAK,
        "ai",
        "i人",
        "人才",
        RUN_BREAK,
        "算",
        "力",
        "a",
        "i",
        "人",
        "才",
    ]
    assert char_grams("税") == ["税"]


def test_tokens_for_document_joins_heading_and_text():
    words_str, chars_str = tokens_for_document("发布ＯＰＣ计划", "推动Agent开发")
    assert {"opc", "agent", "计划"} <= set(words_str.split())
    assert "ag" in chars_str.split()
    assert "ＯＰＣ" not in chars_str


def test_save_keeps_tokens_current(article):
    item = make(article, 1, "建设智算中心", "推动算力共享。")
    item.text = "培育AI人才。"
    item.save(update_fields=["text"])
    item.refresh_from_db()
    assert "人才" in item.search_words.split()
    assert "算力" not in item.search_chars.split()


def document(item):
    """The item's search document as SQL sees it: (article, order, heading, words, chars)."""
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT article_id, "order", heading, tsvector_to_array(words), '
            "tsvector_to_array(chars) FROM recommendations_searchdocument "
            "WHERE recommendation_id = %s",
            [item.pk],
        )
        row = cursor.fetchone()
    return row and (row[0], row[1], row[2], set(row[3]), set(row[4]))


def test_the_search_document_follows_its_item_on_every_path(article, edition):
    item = make(article, 1, "建设ＡＩ智算中心", "推动算力共享。")
    assert document(item)[:3] == (article.pk, 1, "建设ai智算中心")
    assert "算力" in document(item)[3] and "算力" in document(item)[4]

    # A bare QuerySet.update() (the rebuild command's path) and bulk_update, no save().
    Recommendation.objects.filter(pk=item.pk).update(search_words="人才", search_chars="人才 人 才")
    assert document(item)[3:] == ({"人才"}, {"人才", "人", "才"})
    item.heading, item.order = "新标题", 7
    Recommendation.objects.bulk_update([item], ["heading", "order"])
    assert document(item)[1:3] == (7, "新标题")
    other = make_article(edition, order=2)
    Recommendation.objects.filter(pk=item.pk).update(article=other)
    assert document(item)[0] == other.pk
    assert found("人才") == {item.pk}

    # bulk_create (the importer's path) writes documents too; a delete removes them.
    [bulk] = Recommendation.objects.bulk_create(
        [Recommendation(article=article, number="9", order=9, depth=2, heading="甲", text="乙")]
    )
    assert document(bulk)[2] == "甲"
    Recommendation.objects.filter(pk=bulk.pk).delete()
    assert document(bulk) is None


def test_one_statement_over_many_items_keeps_each_items_document(article):
    # The document triggers are statement-level: each row of a statement gets its own document.
    items = [make(article, n, f"标题{n}", f"正文{n}。") for n in (1, 2, 3)]
    assert [document(i)[2] for i in items] == ["标题1", "标题2", "标题3"]
    Recommendation.objects.filter(pk__in=[i.pk for i in items]).update(status_note="看过")
    assert [document(i)[2] for i in items] == ["标题1", "标题2", "标题3"]
    for i in items[:2]:
        i.heading = f"新{i.heading}"
    Recommendation.objects.bulk_update(items, ["heading"])
    assert [document(i)[2] for i in items] == ["新标题1", "新标题2", "标题3"]
    # (Items with a changed heading have history and may not be deleted: fresh ones.)
    fresh = [make(article, n, f"标题{n}", f"正文{n}。") for n in (4, 5)]
    Recommendation.objects.filter(pk__in=[i.pk for i in fresh]).delete()
    assert [document(i) is None for i in [*items, *fresh]] == [False] * 3 + [True] * 2


def test_the_search_vectors_are_unweighted_and_words_carry_no_positions(article):
    item = make(article, 1, "算力", "算力统筹,算力共享。")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT words::text, chars::text FROM recommendations_searchdocument "
            "WHERE recommendation_id = %s",
            [item.pk],
        )
        words_text, chars_text = cursor.fetchone()
    assert ":" not in words_text  # stripped: a words match is in any order
    assert "'算力':1,5" in chars_text  # positions for phrases, no weight letter


# Queries -----------------------------------------------------------------------------------


def test_blank_query_returns_the_queryset_unchanged(article):
    make(article, 1, "标题", "正文")
    queryset = Recommendation.objects.all()
    for query in ["", "   ", None, "。,!?"]:
        result = search_queryset(queryset, query)
        assert result is queryset
        assert "search_rank" not in result.query.annotations


def test_it_annotates_a_float_rank_and_orders_best_first(article):
    weak = make(article, 1, "其他", "依托国家标准验证试点。")
    strong = make(article, 2, "参与AI国际标准制定", "将成果转化国际标准提案。")
    results = list(order_by_rank(search_queryset(Recommendation.objects.all(), "国际标准")))
    assert results == [strong]
    assert isinstance(results[0].search_rank, float)
    results = list(order_by_rank(search_queryset(Recommendation.objects.all(), "标准")))
    assert results == [strong, weak]
    assert results[0].search_rank > results[1].search_rank


def test_a_single_character_finds_it_anywhere(article):
    inside = make(article, 1, "保税区", "升级中关村综合保税区。")
    alone = make(article, 2, "减免", "税、费减免。")
    make(article, 3, "算力", "发放算力券。")
    assert found("税") == {inside.pk, alone.pk}


def test_runs_never_join_across_punctuation(article):
    # Without a break between runs, 人才|才能 would sit at adjacent positions.
    make(article, 1, "甲", "培育人才。才能出众。")
    joined = make(article, 2, "乙", "培育人才能够出众。")
    assert found("人才能") == {joined.pk}


def test_the_bigrams_of_a_query_must_be_adjacent(article):
    # 数据, 据底 and 底座 all occur, but never as 数据底座.
    make(article, 1, "甲", "数据中心和依据底座。")
    exact = make(article, 2, "乙", "筑牢数据底座。")
    assert found("数据底座") == {exact.pk}


def test_it_stays_within_the_given_queryset(article):
    first = make(article, 1, "算力", "算力统筹。")
    make(article, 2, "算力", "算力共享。")
    assert found("算力", Recommendation.objects.filter(pk=first.pk)) == {first.pk}


def test_injection_looking_input_is_only_text(article):
    item = make(article, 1, "标题", "a' | b & !c:* 出现在正文里。")
    make(article, 2, "标题", "只有 b 和 c。")
    assert found("a' | b & !c:*") == {item.pk}
    for query in ["'); drop table x; --", "a:*", "!!", "<->", "\\", "'", "&|"]:
        search_queryset(Recommendation.objects.all(), query).count()
    parsed = parse_query("a' | b")
    assert parsed.chars_tsquery().count("'") % 2 == 0
    assert parsed.words_tsquery().count("'") % 2 == 0


def test_the_filter_uses_the_gin_index(article):
    make(article, 1, "算力", "算力统筹。")
    with connection.cursor() as cursor:
        # A one-row table would be read whole; rule out the scans that could avoid the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = search_queryset(Recommendation.objects.all(), "算力").explain()
    assert "rec_search_chars" in plan and "rec_search_words" in plan


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=300))
def test_any_text_never_raises(article, query):
    search_queryset(Recommendation.objects.all(), query).count()
    highlight("人工智能 AI <b>", query)


def test_a_very_long_query_works(article):
    item = make(article, 1, "算力", "算力" * 300)
    assert found("算力" * 500) == {item.pk}


# Highlighting ----------------------------------------------------------------------------


def test_highlight_escapes_and_marks():
    result = highlight("<script>alert(1)</script>培育AI人才", "人才")
    assert isinstance(result, SafeString)
    assert result == "&lt;script&gt;alert(1)&lt;/script&gt;培育AI<mark>人才</mark>"


def test_highlight_matches_on_the_normalised_form():
    assert (
        highlight("培育AI人才和ａｉ工程师", "ＡＩ")
        == "培育<mark>AI</mark>人才和<mark>ａｉ</mark>工程师"
    )


def test_highlight_merges_overlapping_terms():
    assert highlight("深化AI人才布局", "AI人才") == "深化<mark>AI人才</mark>布局"
    assert highlight("人才人才", "人才") == "<mark>人才人才</mark>"


def test_highlight_marks_words_and_latin_tokens_of_the_query():
    result = highlight("海淀集聚人才,发布 Agent 平台", "海淀人才agent")
    assert result == "<mark>海淀</mark>集聚<mark>人才</mark>,发布 <mark>Agent</mark> 平台"


def test_highlight_blank_query_only_escapes():
    assert highlight("a<b", "") == "a&lt;b"
    assert highlight("a<b", "。。") == "a&lt;b"
    assert highlight("", "人才") == ""


def test_highlight_escapes_the_marked_text_too():
    assert highlight("x<b>y", "<b>") == "x<mark>&lt;b&gt;</mark>y"


def test_query_terms_longest_first():
    assert query_terms("AI人才") == ["ai人才", "ai", "人才"]
    assert query_terms("   ") == []


@pytest.mark.parametrize("query", ["人才", "ＡＩ", "税 人才"])
def test_query_terms_are_normalised(query):
    assert all(term == normalize(term) for term in query_terms(query))


def test_a_heading_contained_in_the_text_is_not_tokenised_twice():
    from recommendations.search import tokens_for_document

    text = "一是建设智算中心。推动算力共享。"
    assert tokens_for_document("建设智算中心", text) == tokens_for_document(text)
    words, chars = tokens_for_document("数据要素", text)
    assert "数据" in words.split() and "要素" in chars.split()


# Authors and organisations (issue #14) ---------------------------------------------------------


@pytest.fixture
def signed(edition):
    return make_article(edition, order=3, author="陈鹏", organization="区数据局")


def ranked(query):
    return list(order_by_rank(search_queryset(Recommendation.objects.all(), query)))


@pytest.mark.django_db
def test_an_authors_name_finds_the_items_of_their_articles(article, signed):
    theirs = make(signed, 1, "建设数据底座", "统筹全区数据资源。")
    make(article, 2, "建设智算中心", "推动算力共享。")
    assert found("陈鹏") == {theirs.pk}
    assert found("区数据局") == {theirs.pk}
    assert found("数据局") == {theirs.pk}


@pytest.mark.django_db
def test_a_match_in_the_items_own_text_ranks_above_a_match_by_name(article, signed):
    by_name = make(signed, 1, "建设数据底座", "统筹全区数据资源。")
    in_text = make(article, 2, "学习陈鹏同志的做法", "推广陈鹏同志的经验。")
    assert ranked("陈鹏") == [in_text, by_name]


@pytest.mark.django_db
def test_one_character_does_not_match_names(signed):
    make(signed, 1, "建设数据底座", "统筹全区数据资源。")
    assert found("陈") == set()


@pytest.mark.django_db
def test_the_list_finds_an_author(client, viewer, signed):
    theirs = make(signed, 1, "建设数据底座", "统筹全区数据资源。")
    client.force_login(viewer)
    response = client.get("/recommendations/", {"q": "陈鹏"})
    assert [rec.pk for rec in response.context["page_obj"]] == [theirs.pk]
