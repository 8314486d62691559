"""Bylines of signed pieces: organisation + position [, …] name."""

import pytest
from parser_helpers import page

from recommendations.newspaper import parse_page
from recommendations.newspaper.bylines import parse_byline, split_affiliation


def _affs(authors):
    return [(a.name, [(f.organization, f.position) for f in a.affiliations]) for a in authors]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("区科信局局长 张明", [("张明", [("区科信局", "局长")])]),
        (
            "区科信局党组书记、局长,区数据局局长 王强",
            [("王强", [("区科信局", "党组书记、局长"), ("区数据局", "局长")])],
        ),
        (
            "区教委党委书记;区委教育工委副书记 赵敏",
            [("赵敏", [("区教委", "党委书记"), ("区委教育工委", "副书记")])],
        ),
        ("海淀镇党委书记 刘洋", [("刘洋", [("海淀镇", "党委书记")])]),
        ("某某科技集团副总裁 孙悦", [("孙悦", [("某某科技集团", "副总裁")])]),
        ("某大学人工智能研究院副院长 周宇", [("周宇", [("某大学人工智能研究院", "副院长")])]),
        ("区政务服务和数据管理局局长 钱进", [("钱进", [("区政务服务和数据管理局", "局长")])]),
        (
            "学院路街道工委书记、办事处主任 吴凡",
            [("吴凡", [("学院路街道", "工委书记、办事处主任")])],
        ),
        ("文/区教委副主任 李华", [("李华", [("区教委", "副主任")])]),
        ("文/赵敏", [("赵敏", [])]),
        ("作者：区财政局局长 冯波", [("冯波", [("区财政局", "局长")])]),
        ("□ 区商务局局长 周敏", [("周敏", [("区商务局", "局长")])]),
        ("■赵敏", [("赵敏", [])]),
        ("文／赵敏 钱多", [("赵敏", []), ("钱多", [])]),
        ("区科信局局长 陈  明", [("陈明", [("区科信局", "局长")])]),
        # a modifier printed before the position belongs to the position
        ("区委宣传部常务副部长 黄磊", [("黄磊", [("区委宣传部", "常务副部长")])]),
        ("区卫健委一级巡视员 郭嘉", [("郭嘉", [("区卫健委", "一级巡视员")])]),
        (
            "中关村科学城管委会专职副主任 宋雨桐",
            [("宋雨桐", [("中关村科学城管委会", "专职副主任")])],
        ),
        ("某科技集团有限公司董事长 欧阳晨曦", [("欧阳晨曦", [("某科技集团有限公司", "董事长")])]),
        # a second author's position printed without its organisation: the one before
        (
            "区卫生健康委党委书记　严华　副主任　齐放",
            [("严华", [("区卫生健康委", "党委书记")]), ("齐放", [("区卫生健康委", "副主任")])],
        ),
        # 科协 is an organisation; 社会 is not (区委社会工委, not 区委社会 + 工委书记)
        ("区科协党组书记、常务副主席 程远", [("程远", [("区科协", "党组书记、常务副主席")])]),
        ("区委社会工委书记 龚雪", [("龚雪", [("区委社会工委", "书记")])]),
    ],
)
def test_parse_byline(line, expected):
    authors = parse_byline(line)
    assert authors is not None
    assert _affs(authors) == expected
    assert all(a.role == "author" for a in authors)


@pytest.mark.parametrize(
    "line",
    [
        "数据是新型生产要素,结合培训所学谈几点体会。",
        "加快推进数据要素市场建设",
        "一是建设区级数据共享平台",
        "张明",  # a bare name only counts right after a title
    ],
)
def test_not_a_byline(line):
    assert parse_byline(line) is None


def test_bare_name_after_title():
    assert _affs(parse_byline("张明", after_title=True)) == [("张明", [])]


def test_split_keeps_printed_text():
    # typos are kept: staff correct them in the admin
    aff = split_affiliation("区科信司局长")
    assert (aff.organization, aff.position) == ("区科信司", "局长")
    aff = split_affiliation("学院路街道工委书纪")
    assert (aff.organization, aff.position) == ("学院路街道", "工委书纪")


def test_byline_in_page_with_prefix():
    ed = parse_page(
        page(
            "## 以场景开放带动产业集聚",
            "文/区商务局副局长 李华",
            "应用场景是产业发展的牵引力。",
        ),
        "p.txt",
    )
    [art] = ed.articles
    assert art.kind == "reflection"
    assert _affs(art.authors) == [("李华", [("区商务局", "副局长")])]
    assert art.byline == "文/区商务局副局长 李华"
    assert [b.text for b in art.blocks] == ["应用场景是产业发展的牵引力。"]


def test_author_note_at_the_end_of_a_piece():
    ed = parse_page(
        page(
            "## 以场景开放带动产业集聚",
            "文/李华",
            "应用场景是产业发展的牵引力。",
            "（作者系区商务局党组书记、局长，区投资促进局局长）",
        ),
        "p.txt",
    )
    [art] = ed.articles
    assert _affs(art.authors) == [
        ("李华", [("区商务局", "党组书记、局长"), ("区投资促进局", "局长")])
    ]
    assert [b.text for b in art.blocks] == ["应用场景是产业发展的牵引力。"]
    assert [(w.kind, w.lines) for w in ed.warnings] == [("author_note_moved", [7])]


def test_author_note_does_not_override_a_byline():
    ed = parse_page(
        page(
            "## 以场景开放带动产业集聚",
            "区商务局副局长 李华",
            "应用场景是产业发展的牵引力。",
            "（作者系区投资促进局局长）",
        ),
        "p.txt",
    )
    [art] = ed.articles
    assert _affs(art.authors) == [("李华", [("区商务局", "副局长")])]
    assert [w.kind for w in ed.warnings] == ["author_note_moved"]


def test_bylines_on_consecutive_lines_sign_one_piece():
    ed = parse_page(
        page(
            "## 以数据要素激活发展新动能",
            "区科信局党组书记、局长 张明",
            "区科信局副局长 李华  区数据局副局长 赵倩",
            "钱多",
            "结合培训所学,提出以下建议:",
            "一、夯实数据基础",
            "一是建设区级数据共享平台。",
        ),
        "joint.txt",
    )
    [art] = ed.articles
    assert _affs(art.authors) == [
        ("张明", [("区科信局", "党组书记、局长")]),
        ("李华", [("区科信局", "副局长")]),
        ("赵倩", [("区数据局", "副局长")]),
        ("钱多", []),
    ]
    assert (
        art.byline == "区科信局党组书记、局长 张明\n区科信局副局长 李华  区数据局副局长 赵倩\n钱多"
    )
    assert [b.lines[0] for b in art.blocks] == [9, 11, 13]
    assert [(n.number, n.marker) for n in art.nodes()] == [("1", "一、"), ("1.1", "一是")]
    assert not ed.warnings
