"""The series banner: title, —— subtitle, installment number."""

import pytest
from parser_helpers import page

from recommendations.newspaper import parse_page

BODY = (
    "## 加快推进数据要素市场建设",
    "区科信局局长 张明",
    "数据是新型生产要素,结合培训所学谈几点体会。",
)


@pytest.mark.parametrize(
    ("subtitle", "installment"),
    [
        ("——区领导干部数字化专题研修班学员体会⑤", 5),
        ("——区领导干部数字化专题研修班学员体会(2)", 2),
        ("——区领导干部数字化专题研修班学员体会（12）", 12),
        ("——区领导干部数字化专题研修班学员体会之三", 3),
        ("——区领导干部数字化专题研修班学员体会（之七）", 7),
        ("——区领导干部数字化专题研修班(第二期)学员体会", None),
    ],
)
def test_banner_with_subtitle(subtitle, installment):
    ed = parse_page(page("## 数字赋能看海淀", subtitle, *BODY), "b.txt")
    assert ed.series is not None
    assert ed.series.title == "数字赋能看海淀"
    assert ed.series.subtitle == subtitle
    assert ed.series.installment == installment
    assert ed.series.lines == [1, 3]
    [art] = ed.articles
    assert art.title == "加快推进数据要素市场建设"
    assert art.in_series and art.kind == "reflection"
    assert art.kicker is None and art.subtitle is None


def test_banner_without_hashes():
    ed = parse_page(
        page("数字赋能看海淀", "——专题研修班学员体会②", "加快推进数据要素市场建设", *BODY[1:]),
        "b.txt",
    )
    assert ed.series.title == "数字赋能看海淀"
    assert ed.series.installment == 2
    assert ed.articles[0].title == "加快推进数据要素市场建设"


def test_banner_with_installment_in_title_and_no_subtitle():
    ed = parse_page(page("## 学员思考和建议③", *BODY), "b.txt")
    assert ed.series.title == "学员思考和建议③"
    assert ed.series.subtitle is None
    assert ed.series.installment == 3
    assert ed.articles[0].kicker is None


def test_no_banner_news_only():
    ed = parse_page(
        page("## 海淀举办科技周活动", "本报讯(记者 王芳)近日,海淀区科技周开幕。"), "n.txt"
    )
    assert ed.series is None
    assert ed.articles[0].in_series is False
    assert ed.to_dict()["series"] is None


def test_news_is_never_in_series():
    ed = parse_page(
        page(
            "## 数字赋能看海淀",
            "——学员体会④",
            *BODY,
            "## 海淀举办科技周活动",
            "本报讯(记者 王芳)近日,海淀区科技周开幕。",
        ),
        "b.txt",
    )
    assert [a.in_series for a in ed.articles] == [True, False]
