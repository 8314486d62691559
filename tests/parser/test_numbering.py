"""Recommendation trees in every numbering style."""

import pytest
from parser_helpers import nodes_of, page, tree_shape

from recommendations.newspaper import parse_page
from recommendations.newspaper.numbering import all_markers, cn_to_int, leading_marker

HEAD = ("## 以数据要素激活发展新动能", "区科信局局长 张明", "结合培训所学,提出以下建议:")


def parse(*body):
    ed = parse_page(page(*HEAD, *body), "num.txt")
    assert len(ed.articles) == 1
    return ed, ed.articles[0]


def test_cn_numerals():
    assert [cn_to_int(s) for s in ["一", "九", "十", "十一", "二十", "二十三"]] == [
        1,
        9,
        10,
        11,
        20,
        23,
    ]
    assert cn_to_int("一一") is None and cn_to_int("十十") is None and cn_to_int("") is None


@pytest.mark.parametrize(
    ("text", "printed", "number"),
    [
        ("一、夯实数据基础", "一、", 1),
        ("（二）夯实数据基础", "（二）", 2),
        ("(三)夯实数据基础", "(三)", 3),
        ("四是夯实数据基础。", "四是", 4),
        ("二要夯实数据基础。", "二要", 2),
        ("三观技术趋势,", "三观", 3),
        ("第一,夯实数据基础。", "第一", 1),
        ("其二,夯实数据基础。", "其二", 2),
        ("1.夯实数据基础。", "1.", 1),
        ("2、夯实数据基础。", "2、", 2),
        ("十一是夯实数据基础。", "十一是", 11),
        ("一是，夯实数据基础。", "一是", 1),
        ("二要：夯实数据基础。", "二要", 2),
    ],
)
def test_leading_marker(text, printed, number):
    m = leading_marker(text)
    assert (m.printed, m.number) == (printed, number)
    assert text[m.end] not in ",，:：("  # a comma or colon after 一是 is part of the marker


@pytest.mark.parametrize(
    "text",
    [
        "统一是前提,协同是关键。",
        "2025年11月,我参加了培训。",
        "1.23万人参加了活动。",
        "第一次参加培训。",
        "一、",  # a marker with nothing after it is not a point
    ],
)
def test_no_leading_marker(text):
    assert leading_marker(text) is None


def test_false_markers_inside_sentences():
    text = "要把标准统一是前提,进一步要求各部门协同,一是一个目标。二是加强协同。"
    assert [m.printed for m in all_markers(text)] == ["二是"]


def _items_per_paragraph(style_markers, section):
    return [
        f"{m}建设第{i + 1}个重点平台。推动第{section}批共享。" for i, m in enumerate(style_markers)
    ]


@pytest.mark.parametrize(
    ("sections", "items"),
    [
        (["一、", "二、"], ["一是", "二是", "三是"]),
        (["（一）", "（二）"], ["第一,", "第二,"]),
        (["(一)", "(二)"], ["其一,", "其二,", "其三,"]),
        (["一、", "二、"], ["1.", "2."]),
        (["一、", "二、"], ["1、", "2、", "3、"]),
        (["一、", "二、"], ["一要", "二要"]),
        (["一、", "二、"], ["一观", "二观"]),
    ],
)
def test_styles_one_point_per_paragraph(sections, items):
    body = []
    for k, s in enumerate(sections):
        body.append(f"{s}加强数据统筹")
        body.extend(_items_per_paragraph(items, k + 1))
    ed, art = parse(*body)
    printed_items = [m.rstrip(",") for m in items]
    assert tree_shape(art.recommendations) == [
        (s, [(m, []) for m in printed_items]) for s in sections
    ]
    nodes = nodes_of(art)
    assert nodes["1"].heading == "加强数据统筹"
    assert nodes["1.1"].heading == "建设第1个重点平台"
    assert nodes["2.2"].text == f"{items[1]}建设第2个重点平台。推动第2批共享。"
    assert nodes["2.2"].lines == [7 + 2 * (len(items) + 1) + 4]
    assert not [w for w in ed.warnings if w.kind == "numbering_gap"]


def test_inline_items():
    _ed, art = parse(
        "一、加强数据统筹",
        "数据统筹是基础。一是建设共享平台,推动部门数据共享。二是完善数据目录。三是健全标准体系。",
    )
    [section] = art.recommendations
    assert section.text == "一、加强数据统筹\n数据统筹是基础。"
    assert section.lines == [7, 9]
    assert [(c.number, c.marker, c.heading) for c in section.children] == [
        ("1.1", "一是", "建设共享平台,推动部门数据共享"),
        ("1.2", "二是", "完善数据目录"),
        ("1.3", "三是", "健全标准体系"),
    ]
    assert section.children[1].text == "二是完善数据目录。"
    assert all(c.lines == [9] for c in section.children)


def test_three_levels():
    ed, art = parse(
        "三、要面向未来锻造优势",
        "一要深耕创新底座。一是统筹算力部署。二是推动开源生态建设。",
        "二要厚植产业优势。一是支持模型轻量化。二是培育垂直领域项目。三是完善服务体系。",
    )
    assert tree_shape(art.recommendations) == [
        (
            "三、",
            [
                ("一要", [("一是", []), ("二是", [])]),
                ("二要", [("一是", []), ("二是", []), ("三是", [])]),
            ],
        )
    ]
    nodes = nodes_of(art)
    assert nodes["1.2.3"].heading == "完善服务体系"
    assert nodes["1.1"].text == "一要深耕创新底座。"
    # the printed section number is 三 but the tree counts from 1: a gap is reported
    assert [w.kind for w in ed.warnings] == ["numbering_gap"]


def test_lead_phrase_points():
    _ed, art = parse(
        "一、筑牢数据底座",
        "基层数据更敏感、更分散,需要打通数据壁垒。",
        "“小而精”建设数据中台:对接区级平台,归集基础数据。",
        "用数据画像驱动精准服务:为高风险老人推送上门服务。",
        "二、聚焦高频场景",
        "围绕三大场景打造标杆应用。",
        "“接诉即办”场景:从被动响应到主动治理。",
    )
    nodes = nodes_of(art)
    assert [c.heading for c in nodes["1"].children] == [
        "“小而精”建设数据中台",
        "用数据画像驱动精准服务",
    ]
    assert [c.marker for c in nodes["1"].children] == [None, None]
    assert nodes["1"].text == "一、筑牢数据底座\n基层数据更敏感、更分散,需要打通数据壁垒。"
    # a single lead phrase in a section is not taken as a list of points
    assert nodes["2"].children == []
    assert "接诉即办" in nodes["2"].text


def test_lead_phrase_needs_a_section():
    _ed, art = parse(
        "重点有两点:第一是数据,第二是场景。",
        "数据方面:要打通壁垒。",
        "场景方面:要开放应用。",
    )
    assert art.recommendations == []


def test_speech_colon_is_not_a_lead_phrase():
    _ed, art = parse(
        "一、加强统筹",
        "他表示:要打通壁垒,推动共享。",
        "有关负责人介绍:将开放更多场景。",
    )
    assert art.recommendations[0].children == []


def test_numbering_continuity_gap_warned():
    ed, art = parse(
        "一、加强统筹",
        "一是建设平台。",
        "三是完善目录。",
    )
    assert [c.marker for c in art.recommendations[0].children] == ["一是", "三是"]
    assert [c.number for c in art.recommendations[0].children] == ["1.1", "1.2"]
    gaps = [w for w in ed.warnings if w.kind == "numbering_gap"]
    assert len(gaps) == 1 and gaps[0].lines == [11]


def test_item_heading_shortened_to_first_clause():
    _ed, art = parse(
        "一、加强统筹",
        "一是建设全区统一的智能客服平台,整合各部门热线和在线咨询渠道。推进升级。",
    )
    assert art.recommendations[0].children[0].heading == "建设全区统一的智能客服平台"


def test_item_heading_runs_to_the_sentence_end_after_a_scene_setting_clause():
    _ed, art = parse(
        "一、加强统筹",
        "一是在涉外服务领域,依托翻译和智能咨询技术构建全方位国际化服务场景。推进升级。",
        "二是针对中小企业算力需求,发放算力券降低使用成本。推进落实。",
        "三是面向基层减负的目标,整合各类填报系统,做到一次填报、多方复用。",
        "四是在线服务方面,推广智能导办,减少群众跑腿次数。",
    )
    assert [c.heading for c in art.recommendations[0].children] == [
        "在涉外服务领域,依托翻译和智能咨询技术构建全方位国际化服务场景",
        "针对中小企业算力需求,发放算力券降低使用成本",
        "面向基层减负的目标,整合各类填报系统,做到一次填报、多方复用",
        "在线服务方面",  # 在线 is a word, not 在…
    ]


def test_closing_paragraph_not_in_last_item():
    _ed, art = parse(
        "一、加强统筹",
        "一是建设平台。",
        "二是完善目录。",
        "总之,数据要素市场建设任重道远。",
    )
    assert "总之" not in art.recommendations[0].children[-1].text
    assert art.blocks[-1].text.startswith("总之")


def test_numbers_unique_and_dotted():
    _ed, art = parse(
        "一、加强统筹",
        "一是建设平台。二是完善目录。",
        "二、拓展场景",
        "一要开放数据。一是先开放交通数据。二是再开放气象数据。",
        "二要培育生态。",
    )
    numbers = [n.number for n in art.nodes()]
    assert numbers == ["1", "1.1", "1.2", "2", "2.1", "2.1.1", "2.1.2", "2.2"]
