"""Unseen pages where a piece is signed by two to four officials (issue #11 §4).

Every byline line after a title — each on its own line, or two on one line separated by
spaces — signs the same piece with its organisations and positions; none is a heading, and
the piece's tree starts at its own sections. A position printed without an organisation
(副主任 after 区卫生健康委党委书记 严华) is the organisation printed before it. The full
expected reading of each page is in pages/<page>.expected.json (test_unseen_score.py).
"""

from functools import cache

from expected import PAGES, parse_file
from parser_helpers import tree_shape


@cache
def load(name):
    return parse_file(PAGES / name)


def authors(article):
    return [
        (a.name, [(f.organization, f.position) for f in a.affiliations]) for a in article.authors
    ]


def no_byline_in_body(ed):
    names = {a.name for art in ed.articles for a in art.authors}
    return not any(b.text.endswith(tuple(names)) for art in ed.articles for b in art.blocks)


def test_each_byline_on_its_own_line():
    ed = load("series-9-joint-bylines.txt")
    first = ed.articles[0]
    assert authors(first) == [
        ("许文涛", [("区发展改革委", "党组书记、主任")]),
        ("蔡宁", [("区发展改革委", "副主任")]),
    ]
    assert first.byline == "区发展改革委党组书记、主任 许文涛\n区发展改革委副主任 蔡宁"
    assert tree_shape(first.recommendations) == [
        ("一、", [("一是", []), ("二是", [])]),
        ("二、", [("一是", []), ("二是", [])]),
    ]
    assert first.blocks[0].lines == [11]
    assert no_byline_in_body(ed)
    assert "heading_without_marker" not in {w.kind for w in ed.warnings}


def test_two_bylines_on_one_line_then_a_third_below():
    second = load("series-9-joint-bylines.txt").articles[1]
    assert authors(second) == [
        ("龚雪梅", [("区委社会工作部", "部长"), ("区民政局", "党组书记、局长")]),
        ("武涛", [("区民政局", "副局长")]),
        ("闻一鸣", [("区民政局社会组织管理科", "科长")]),
    ]
    assert [n.marker for n in second.recommendations] == ["(一)", "(二)"]
    assert [n.number for n in second.nodes()][:2] == ["1", "1.1"]


def test_three_bylines_without_hashes_and_a_shared_organisation():
    ed = load("series-10-three-bylines-bare.txt")
    assert ed.series.installment == 10
    first, health, school, news = ed.articles
    assert authors(first) == [
        ("林晓峰", [("区政务服务和数据管理局", "党组书记、局长")]),
        ("鲁静", [("区政务服务和数据管理局", "副局长")]),
        ("石磊", [("区政务服务中心", "主任")]),
    ]
    assert tree_shape(first.recommendations) == [
        ("一、", [("第一", []), ("第二", [])]),
        ("二、", [("第一", []), ("第二", []), ("第三", [])]),
    ]
    # 区卫生健康委党委书记　严华　副主任　齐放: the second position shares the organisation
    assert authors(health) == [
        ("严华", [("区卫生健康委", "党委书记")]),
        ("齐放", [("区卫生健康委", "副主任")]),
    ]
    assert authors(school) == [("赵然", [("区教委", "主任")]), ("钟毅", [("区教委", "副主任")])]
    assert [n.marker for n in school.recommendations] == ["一、", "二、"]
    assert news.kind == "news" and news.photo_credits == ["区教委"]
    assert no_byline_in_body(ed)


def test_bylines_under_a_kicker_title_and_subtitle():
    ed = load("series-11-bylines-kicker.txt")
    first = ed.articles[0]
    assert (first.kicker, first.subtitle) == (
        "聚焦“人工智能+科技服务”",
        "——关于提升海淀科技服务业能级的几点思考",
    )
    # a 文/ prefix on the first line only; names printed with a space inside (陈 鹏)
    assert authors(first) == [
        ("温立", [("中关村科学城管委会", "副主任")]),
        ("程远", [("区科协", "党组书记、常务副主席")]),
        ("陈鹏", [("区科协", "主席")]),
        ("王芳", [("区科协", "副主席")]),
    ]
    assert tree_shape(first.recommendations)[0] == (
        "一、",
        [("一要", [("一是", []), ("二是", [])]), ("二要", [("一是", []), ("二是", [])])],
    )
    assert [a.title for a in ed.articles[1:]] == [
        "让城市更新留住烟火气",
        "海淀首批“AI+科技服务”示范机构揭晓",
    ]
    assert no_byline_in_body(ed)
