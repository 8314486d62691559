"""News reports: 本报讯(记者 … 通讯员 …), half- or full-width brackets."""

import pytest
from parser_helpers import page

from recommendations.newspaper import parse_page


def _people(article):
    return [(a.name, a.role) for a in article.authors]


@pytest.mark.parametrize(
    ("lead", "people"),
    [
        ("本报讯(记者 王芳)", [("王芳", "reporter")]),
        ("本报讯（记者 王芳）", [("王芳", "reporter")]),
        ("本报讯(记者 王芳 通讯员 刘强)", [("王芳", "reporter"), ("刘强", "correspondent")]),
        (
            "本报讯（记者 张三 李四 通讯员 王五、赵六）",
            [
                ("张三", "reporter"),
                ("李四", "reporter"),
                ("王五", "correspondent"),
                ("赵六", "correspondent"),
            ],
        ),
        ("本报讯(通讯员 赵六)", [("赵六", "correspondent")]),
        ("本报讯(记者王芳)", [("王芳", "reporter")]),
        ("本报讯", []),
        # without brackets: role words and names, each name followed by a space
        ("本报讯 记者 王芳 ", [("王芳", "reporter")]),
        (
            "本报讯 记者 王芳、李四 通讯员 刘强 ",
            [("王芳", "reporter"), ("李四", "reporter"), ("刘强", "correspondent")],
        ),
        ("本报讯 记者王芳 ", [("王芳", "reporter")]),
        ("本报讯 ", []),
    ],
)
def test_news_bylines(lead, people):
    ed = parse_page(
        page("## 海淀举办科技周活动", lead + "近日,海淀区科技周开幕,展出成果百余项。"), "n.txt"
    )
    [art] = ed.articles
    assert art.kind == "news"
    assert _people(art) == people
    assert art.blocks[0].text == "近日,海淀区科技周开幕,展出成果百余项。"
    assert art.blocks[0].lines == [3]
    assert art.recommendations == []
    assert all(not a.affiliations for a in art.authors)


def test_several_news_reports():
    ed = parse_page(
        page(
            "## 海淀举办科技周活动",
            "本报讯(记者 王芳)近日,海淀区科技周开幕。",
            "活动持续一周,市民可免费参观。",
            "## 冰雪季启幕",
            "本报讯（记者 张三 通讯员 李四）日前,区冰雪季正式启幕。",
        ),
        "n.txt",
    )
    assert [a.title for a in ed.articles] == ["海淀举办科技周活动", "冰雪季启幕"]
    assert [len(a.blocks) for a in ed.articles] == [2, 1]
    assert _people(ed.articles[1]) == [("张三", "reporter"), ("李四", "correspondent")]


def test_news_with_numbered_points_has_no_recommendations():
    ed = parse_page(
        page(
            "## 区政府召开常务会议",
            "本报讯(记者 王芳)会议强调,一是要抓好安全生产。二是要做好民生保障。",
        ),
        "n.txt",
    )
    assert ed.articles[0].recommendations == []


def test_unbracketed_lead_does_not_take_a_time_word_as_a_name():
    ed = parse_page(
        page("## 海淀举办科技周活动", "本报讯 记者 王芳 近日 海淀区科技周开幕。"), "n.txt"
    )
    [art] = ed.articles
    assert _people(art) == [("王芳", "reporter")]
    assert art.byline == "本报讯 记者 王芳"
    assert art.blocks[0].text == "近日 海淀区科技周开幕。"
