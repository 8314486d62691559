"""Paragraphs cut by a column or page break are joined; a broken word becomes whole."""

from parser_helpers import page

from recommendations.newspaper import parse_page
from recommendations.newspaper.words import spanning_word

NEWS = "## 海淀举办科技周活动"


def test_spanning_word():
    assert spanning_word("搭建标准验证推广平台,推", "动国产技术标准") == "推动"
    assert spanning_word("落地反馈又反", "哺技术创新") == "反哺"
    assert spanning_word("凸显了", "海淀作为") is None
    assert spanning_word("abc", "def") is None


def test_word_joined():
    ed = parse_page(
        page(NEWS, "本报讯(记者 王芳)近日,区融媒体中心与区政府外办联", "合出品的短片获奖。"),
        "w.txt",
    )
    [blk] = ed.articles[0].blocks
    assert blk.text == "近日,区融媒体中心与区政府外办联合出品的短片获奖。"
    assert blk.lines == [3, 5]
    [w] = [w for w in ed.warnings if w.kind == "word_joined"]
    assert w.lines == [3, 5] and "联合" in w.message and w.article == 0


def test_sentence_continued_without_a_word_across():
    ed = parse_page(
        page(NEWS, "本报讯(记者 王芳)近日,展览凸显了", "海淀作为创新高地的优势。"),
        "w.txt",
    )
    [blk] = ed.articles[0].blocks
    assert blk.text == "近日,展览凸显了海淀作为创新高地的优势。"
    assert [w.kind for w in ed.warnings] == ["word_joined"]


def test_cut_followed_by_a_new_point_is_not_joined():
    ed = parse_page(
        page(
            "## 以数据要素激活发展新动能",
            "区科信局局长 张明",
            "一、夯实数据基础设施",
            "一是建设区级数据共享平台,推动",
            "二是完善数据目录体系。",
        ),
        "w.txt",
    )
    art = ed.articles[0]
    assert [c.marker for c in art.recommendations[0].children] == ["一是", "二是"]
    assert [w.kind for w in ed.warnings] == ["unjoined_break"]


def test_heading_never_joined():
    ed = parse_page(
        page(NEWS, "本报讯(记者 王芳)近日,科技周开幕。", "## 展品丰富", "展出成果百余项。"),
        "w.txt",
    )
    assert [b.type for b in ed.articles[0].blocks] == ["paragraph", "heading", "paragraph"]


def test_short_unpunctuated_line_is_not_joined():
    ed = parse_page(
        page(NEWS, "本报讯(记者 王芳)近日,科技周开幕。", "展品丰富", "展出成果百余项。"),
        "w.txt",
    )
    assert [b.text for b in ed.articles[0].blocks] == [
        "近日,科技周开幕。",
        "展品丰富",
        "展出成果百余项。",
    ]
    assert ed.warnings == []


def test_short_fragment_joined_when_a_word_spans():
    ed = parse_page(
        page(NEWS, "本报讯(记者 王芳)近日,科技周开幕。", "活动推", "动了科普工作。"),
        "w.txt",
    )
    assert [b.text for b in ed.articles[0].blocks][-1] == "活动推动了科普工作。"
