"""Photo credits leave the body and attach to the article they belong to."""

import pytest
from parser_helpers import page

from recommendations.newspaper import parse_page
from recommendations.newspaper.bylines import parse_caption_credit, parse_credit


@pytest.mark.parametrize(
    ("line", "who"),
    [
        ("学校/供图", "学校"),
        ("张伟/摄", "张伟"),
        ("记者 王芳/摄", "记者 王芳"),
        ("主办方供图", "主办方"),
        ("区文旅局／供图", "区文旅局"),
        ("王芳 摄", "王芳"),
    ],
)
def test_parse_credit(line, who):
    assert parse_credit(line) == who


@pytest.mark.parametrize(
    "line", ["镜头下的冬日摄影", "活动现场人头攒动,市民纷纷拍照留念。", "供图"]
)
def test_not_a_credit(line):
    assert parse_credit(line) is None


NEWS_A = ("## 海淀举办科技周活动", "本报讯(记者 王芳)近日,海淀区科技周开幕。")
NEWS_B = ("## 冰雪季启幕", "本报讯(记者 张三)日前,区冰雪季正式启幕。")


def test_credit_between_title_and_first_line():
    ed = parse_page(page(NEWS_A[0], "主办方供图", NEWS_A[1]), "c.txt")
    assert ed.articles[0].photo_credits == ["主办方"]
    assert [b.text for b in ed.articles[0].blocks] == ["近日,海淀区科技周开幕。"]


def test_credit_inside_body():
    ed = parse_page(page(*NEWS_A, "张伟/摄", "活动持续一周,市民可免费参观。", *NEWS_B), "c.txt")
    assert [a.photo_credits for a in ed.articles] == [["张伟"], []]
    assert len(ed.articles[0].blocks) == 2


def test_credit_before_next_title_goes_to_next_article():
    ed = parse_page(page(*NEWS_A, "活动持续一周。", "区文旅局/供图", *NEWS_B), "c.txt")
    assert [a.photo_credits for a in ed.articles] == [[], ["区文旅局"]]
    w = [w for w in ed.warnings if w.kind == "photo_credit_moved"]
    assert [(x.lines, x.article) for x in w] == [([7], 1)]


def test_credit_before_kicker_goes_to_next_article():
    ed = parse_page(page(*NEWS_A, "区文旅局/供图", "## 冰雪季来了", *NEWS_B), "c.txt")
    assert [a.photo_credits for a in ed.articles] == [[], ["区文旅局"]]
    assert ed.articles[1].kicker == "冰雪季来了"


def test_credit_inside_signed_piece():
    ed = parse_page(
        page(
            "## 以场景开放带动产业集聚",
            "区商务局副局长 李华",
            "应用场景是产业发展的牵引力。",
            "李华/摄",
            "一、开放重点场景",
        ),
        "c.txt",
    )
    art = ed.articles[0]
    assert art.photo_credits == ["李华"]
    assert all("摄" not in b.text for b in art.blocks)


@pytest.mark.parametrize(
    ("line", "caption", "who"),
    [
        ("图为参赛团队展示项目。 刘洋/摄", "图为参赛团队展示项目。", "刘洋"),
        ("市民在展区体验智能设备。记者 王芳/摄", "市民在展区体验智能设备。", "记者 王芳"),
        ("游客在景区赏雪。 景区供图", None, None),  # no "/": a sentence, not a credit
        ("活动现场人头攒动,市民纷纷拍照留念。", None, None),
    ],
)
def test_caption_with_credit(line, caption, who):
    found = parse_caption_credit(line)
    assert (found or (None, None)) == (caption, who)


def test_caption_line_leaves_the_body():
    ed = parse_page(page(*NEWS_A, "图为开幕式现场。 张伟/摄", "活动持续一周。"), "c.txt")
    art = ed.articles[0]
    assert art.photo_credits == ["张伟"]
    assert [b.text for b in art.blocks] == ["近日,海淀区科技周开幕。", "活动持续一周。"]
    [w] = [w for w in ed.warnings if w.kind == "photo_credit_moved"]
    assert w.lines == [5] and "图为开幕式现场" in w.message
