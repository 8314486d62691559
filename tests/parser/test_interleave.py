"""Two articles printed column by column: each paragraph goes back to its own article."""

from parser_helpers import nodes_of, page, tree_shape

from recommendations.newspaper import parse_page

A_HEAD = (
    "## 以数据要素激活发展新动能",
    "区科信局局长 张明",
    "今年以来,我参加了数据要素专题培训,收获很多。",
)
B_HEAD = (
    "## 打造一流营商环境的几点思考",
    "区市场监管局副局长 李华",
    "营商环境是发展的生命线,结合培训谈几点思考。",
)

INTERLEAVED = page(
    *A_HEAD,  # 1 3 5
    "## 一、夯实数据基础设施",  # 7
    "一是建设区级数据共享平台。推动部门数据按需共享。",  # 9
    "二是完善数据目录体系。建立统一的数据资源目录。",  # 11
    *B_HEAD,  # 13 15 17
    "## 一、深化审批制度改革",  # 19
    "一是推行告知承诺制。对符合条件的事项实行容缺受理,让企业少跑",  # 21 (cut)
    "三是培育数据交易生态。支持数据经纪等新业态发展。",  # 23 → A
    "## 二、拓展数据应用场景",  # 25 → A
    "一是推进政务数据开放。优先开放交通、气象等高价值数据。",  # 27 → A
    "二是深化公共数据授权运营。探索收益分配机制。",  # 29 → A
    "腿、快办事。二是推广电子证照。实现高频证照免提交。",  # 31 → B, joins 21
    "## 二、优化市场监管方式",  # 33 → B
    "一是推行信用分级分类监管。减少对守信企业的干扰。",  # 35 → B
)


def test_interleaved_columns_are_given_back():
    ed = parse_page(INTERLEAVED, "inter.txt")
    a, b = ed.articles
    assert tree_shape(a.recommendations) == [
        ("一、", [("一是", []), ("二是", []), ("三是", [])]),
        ("二、", [("一是", []), ("二是", [])]),
    ]
    assert tree_shape(b.recommendations) == [
        ("一、", [("一是", []), ("二是", [])]),
        ("二、", [("一是", [])]),
    ]
    na, nb = nodes_of(a), nodes_of(b)
    assert na["1.3"].lines == [23]
    assert na["2"].lines == [25]
    assert nb["1.1"].lines == [21, 31]
    assert (
        nb["1.1"].text == "一是推行告知承诺制。对符合条件的事项实行容缺受理,让企业少跑腿、快办事。"
    )
    assert nb["1.2"].text == "二是推广电子证照。实现高频证照免提交。"
    assert nb["2"].lines == [33]
    a_lines = {line for blk in a.blocks for line in blk.lines}
    assert a_lines == {5, 7, 9, 11, 23, 25, 27, 29}
    inter = [w for w in ed.warnings if w.kind == "interleave_repaired"]
    assert [(w.lines, w.article) for w in inter] == [([23, 25, 27, 29], 0)]
    joined = [w for w in ed.warnings if w.kind == "word_joined"]
    assert [w.lines for w in joined] == [[21, 31]]
    assert "跑腿" in joined[0].message
    assert not [w for w in ed.warnings if w.kind in ("numbering_gap", "truncated")]


def test_paragraph_continuing_an_item_across_the_break():
    # The first article's item continues (a new paragraph, no cut) after the second
    # article's first column; only its following 三是 shows where it belongs.
    text = page(
        *A_HEAD,  # 1 3 5
        "## 一、夯实数据基础设施",  # 7
        "一是建设区级数据共享平台。推动部门数据按需共享。",  # 9
        "二是完善数据目录体系。建立统一的数据资源目录。",  # 11
        *B_HEAD,  # 13 15 17
        "## 一、深化审批制度改革",  # 19
        "一观审批趋势,审批从“串联”走向“并联”。一是推行告知承诺制。二是推行容缺受理,让企业少跑",  # 21
        "同时,建立目录动态更新机制,做到数据可查可用。",  # 23 → A (continues 二是)
        "三是培育数据交易生态。支持数据经纪等新业态发展。",  # 25 → A
        "## 二、拓展数据应用场景",  # 27 → A
        "一是推进政务数据开放。优先开放交通、气象等高价值数据。",  # 29 → A
        "腿、快办事。三是推广电子证照。实现高频证照免提交。",  # 31 → B
        "二观监管趋势,监管从事后走向全程。",  # 33 → B
    )
    ed = parse_page(text, "inter2.txt")
    a, b = ed.articles
    na, nb = nodes_of(a), nodes_of(b)
    assert na["1.2"].lines == [11, 23]
    assert na["1.3"].lines == [25]
    assert [n.marker for n in a.recommendations] == ["一、", "二、"]
    assert tree_shape(b.recommendations) == [
        ("一、", [("一观", [("一是", []), ("二是", []), ("三是", [])]), ("二观", [])])
    ]
    assert nb["1.1.2"].lines == [21, 31]


def test_no_interleave_when_nothing_points_to_it():
    text = page(
        *A_HEAD,
        "## 一、夯实数据基础设施",
        "一是建设区级数据共享平台。推动部门数据按需共享。",
        *B_HEAD,
        "## 一、深化审批制度改革",
        "一是推行告知承诺制。对符合条件的事项实行容缺受理。",
        "这项改革受到企业普遍欢迎。",
    )
    ed = parse_page(text, "plain.txt")
    assert not [w for w in ed.warnings if w.kind == "interleave_repaired"]
    assert ed.articles[1].blocks[-1].text == "这项改革受到企业普遍欢迎。"


def test_cut_news_continued_after_the_next_title():
    text = page(
        "## 多部作品获奖",
        "本报讯(记者 王芳)近日,短视频大赛颁奖。由区融媒体中心与区政府外办联",  # 3 (cut)
        "## 冰雪季启幕",
        "本报讯(记者 张三)日前,区冰雪季正式启幕,市民可免费参观。",  # 7
        "合出品的短片荣获三等奖。",  # 9 → first article
    )
    ed = parse_page(text, "cut.txt")
    a, b = ed.articles
    assert [(blk.lines, blk.text) for blk in a.blocks] == [
        ([3, 9], "近日,短视频大赛颁奖。由区融媒体中心与区政府外办联合出品的短片荣获三等奖。")
    ]
    assert [blk.lines for blk in b.blocks] == [[7]]
    assert {w.kind for w in ed.warnings} == {"word_joined", "interleave_repaired"}


def test_truncated_article_does_not_take_the_next_ones_text():
    text = page(
        "## 多部作品获奖",
        "本报讯(记者 王芳)近日,短视频大赛颁奖。市民可以免费参观各",  # cut, never continued
        "## 冰雪季启幕",
        "本报讯(记者 张三)日前,区冰雪季正式启幕。",
        "活动持续到二月中旬,市民可免费参观。",
    )
    ed = parse_page(text, "cut.txt")
    a, b = ed.articles
    assert [blk.lines for blk in a.blocks] == [[3]]
    assert [blk.lines for blk in b.blocks] == [[7], [9]]
    assert [w.kind for w in ed.warnings] == ["truncated"]


def test_items_under_a_later_section_heading_stay_in_its_article():
    # A section heading (with or without "## ") does not end like a sentence, but it is not a
    # paragraph cut by a break: the items under it belong to its article, even when they
    # would also fit the numbering of the article before.
    for hashes in ("## ", ""):
        text = page(
            *A_HEAD,
            hashes + "一、夯实数据基础设施",
            "第一,建设区级数据共享平台。",
            "第二,完善数据目录体系。",
            *B_HEAD,
            hashes + "一、深化审批制度改革",
            "一要推行告知承诺制。一是明确事项清单。二是强化事后核查。",
            "二要推广电子证照。",
        )
        ed = parse_page(text, "h.txt")
        a, b = ed.articles
        assert tree_shape(a.recommendations) == [("一、", [("第一", []), ("第二", [])])]
        assert tree_shape(b.recommendations) == [
            ("一、", [("一要", [("一是", []), ("二是", [])]), ("二要", [])])
        ]
        assert not [w for w in ed.warnings if w.kind == "interleave_repaired"], hashes


def test_cut_word_completed_inside_the_next_article_then_back():
    # The continuation of a cut word is printed in the middle of the next report; the
    # report's own paragraphs after it stay in the report.
    text = page(
        "## 多部作品获奖",
        "本报讯(记者 王芳)近日,短视频大赛颁奖。获奖作品将在区文化馆展出,推",  # 3 (cut)
        "## 冰雪季启幕",
        "本报讯(记者 张三)日前,区冰雪季正式启幕。",  # 7
        "动优秀作品走进社区。",  # 9 → first report
        "活动持续到二月中旬,市民可免费参观。",  # 11
        "主办方表示,将增设夜场。",  # 13
    )
    ed = parse_page(text, "detour.txt")
    a, b = ed.articles
    assert [blk.lines for blk in a.blocks] == [[3, 9]]
    assert a.blocks[0].text.endswith("推动优秀作品走进社区。")
    assert [blk.lines for blk in b.blocks] == [[7], [11], [13]]
    assert [(w.kind, w.lines) for w in ed.warnings] == [
        ("word_joined", [3, 9]),
        ("interleave_repaired", [9]),
    ]
