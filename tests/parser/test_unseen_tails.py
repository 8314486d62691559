"""Unseen pages where the extraction prints the end of a sentence again at the top of the
next column (issue #11 §4, a repeated tail fragment).

The fragment is a proper suffix of an earlier paragraph's last sentence (…提升群众的满意度
和获得感。 | 和获得感。), on a line of its own or before the next point, possibly in another
article's region; it is dropped and reported, the point after it keeps its own node. A
whole paragraph or sentence printed again is the other repeat rules' business. The full
expected reading of each page is in pages/<page>.expected.json (test_unseen_score.py).
"""

from functools import cache

from expected import PAGES, parse_file
from parser_helpers import nodes_of

from recommendations.newspaper import parse_page


@cache
def load(name):
    return parse_file(PAGES / name)


def repeats(ed):
    return [(w.lines, w.article) for w in ed.warnings if w.kind == "duplicate_removed"]


def text_of(article):
    return "\n".join(b.text for b in article.blocks)


def test_a_fragment_on_its_own_line_and_before_the_next_item():
    ed = load("series-12-repeated-tails.txt")
    first, second, news = ed.articles
    nodes = nodes_of(first)
    assert nodes["1.1"].lines == [13] and nodes["1.1"].text.endswith("满意度和获得感。")
    # 服务效能。三是…: the fragment goes, 三是 stays its own item
    assert nodes["1.2"].lines == [17]
    assert nodes["1.3"].text.startswith("三是强化诉求预警研判。")
    assert nodes_of(second)["2"].lines == [35]
    assert news.blocks[1].text.startswith("据了解")
    assert repeats(ed) == [([15], 0), ([19], 0), ([37], 1), ([45], 2)]
    assert text_of(first).count("获得感") == 1


def test_a_fragment_at_the_top_of_a_column_in_another_pieces_region():
    ed = load("series-13-tails-columns.txt")
    logistics, farming, news = ed.articles
    # 园区作业效率。 printed alone in the second piece's region, before the first piece's
    # column goes on: dropped, not left in the second piece
    assert "园区作业效率。\n" not in text_of(farming)
    assert text_of(farming).count("园区作业效率") == 0
    assert nodes_of(logistics)["1.2"].lines == [27]
    nodes = nodes_of(farming)
    assert nodes["1.2"].lines == [23]
    assert nodes["1.3"].lines == [35] and nodes["1.3"].text.startswith("其三,")
    assert repeats(ed) == [([25], 0), ([35], 1), ([47], 2)]
    assert [b.text for b in news.blocks][-1].endswith("加快数字化转型步伐。")


def test_fragments_with_quotes_and_after_a_joined_word():
    ed = load("series-14-tails-quotes.txt")
    heritage, scenic, news = ed.articles
    nodes = nodes_of(heritage)
    assert nodes["1.1"].text.endswith("实现“一物一档”。")
    # 起 | 来。 joined first, then “火”起来。 printed again before 3. is dropped
    assert nodes["2.2"].lines == [23, 25]
    assert nodes["2.2"].text.endswith("让文化遗产真正“活”起来、“火”起来。")
    assert nodes["2.3"].text.startswith("3.组织青少年研学活动")
    assert [n.lines for n in scenic.recommendations] == [[33], [35], [39]]
    assert news.blocks[-1].text.endswith("一键预约。")
    assert repeats(ed) == [([15], 0), ([27], 0), ([37], 1), ([47], 2)]


def test_a_short_sentence_that_opens_a_paragraph_is_kept_when_it_ends_no_earlier_sentence():
    ed = parse_page(
        "\n\n".join(
            [
                "## 以数据要素激活发展新动能",
                "区科信局局长 张明",
                "一是建设平台。推动部门数据按需共享。",
                "数据是基础。要统筹推进数据汇聚。",
                "共享是关键。要打通部门壁垒。",
            ]
        ),
        "keep.txt",
    )
    [art] = ed.articles
    assert [b.text[:6] for b in art.blocks] == ["一是建设平台", "数据是基础。", "共享是关键。"]
    assert not ed.warnings


def test_a_fragment_printed_twice_is_dropped_twice():
    ed = parse_page(
        "\n\n".join(
            [
                "## 以数据要素激活发展新动能",
                "区科信局局长 张明",
                "一是建设平台。不断提升群众的满意度和获得感。",
                "和获得感。",
                "和获得感。",
                "二是完善目录。建立统一的资源目录。",
            ]
        ),
        "twice.txt",
    )
    [art] = ed.articles
    assert [(n.marker, n.lines) for n in art.nodes()] == [("一是", [5]), ("二是", [11])]
    assert sorted(repeats(ed)) == [([7], 0), ([9], 0)]
