"""Whole pages the parser was not written against (tests/parser/pages/*.txt).

Each page is invented in the newspaper's style and mixes other banners, numbering styles,
bylines and layout damage than the seed. The assertions pin the structure a reader sees:
articles in order, authors, credits, the recommendation trees, the repairs and warnings.

Decisions for ambiguous cases, documented here and in the parser:
- a credit line printed right before a title (``主办方供图``, ``图/区文旅局``) belongs to the
  article that follows, as on the seed page; a credit inside the body belongs to that article;
- ``记者 王芳 摄`` keeps the printed ``记者 王芳`` as the credit;
- ``本报讯 记者 王芳 通讯员 刘强 日前,…`` without brackets: the names run up to the first
  token that is not followed by a space (or is a time word such as 日前/近日);
- a section heading line (``## 二、…``, ``（二）…``) never waits for a continuation, so the
  items printed under it stay in its article;
- unmarked paragraphs after a numbered item stay in that item's text.
"""

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from parser_helpers import nodes_of, tree_shape

from recommendations.newspaper import parse_bytes

PAGES = Path(__file__).resolve().parent / "pages"


@cache
def load(name):
    path = PAGES / name
    return parse_bytes(path.read_bytes(), name)


@cache
def source_lines(name):
    data = (PAGES / name).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return text.replace("\r\n", "\n").split("\n")


def line_of(name, fragment):
    """The 1-based line of the page where ``fragment`` is printed (first occurrence)."""
    for number, line in enumerate(source_lines(name), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not on page {name}")


def authors(article):
    return [
        (a.name, a.role, [(f.organization, f.position) for f in a.affiliations])
        for a in article.authors
    ]


def kinds(ed, article=None):
    return Counter(w.kind for w in ed.warnings if article is None or w.article == article)


def depths(article):
    return dict(Counter(n.depth for n in article.nodes()))


def article_lines(article):
    return {line for b in article.blocks for line in b.lines}


# ---------------------------------------------------------------- installment ①, （一）/1. and 第一,

EDU = "series-1-education.txt"


def test_edu_banner_and_articles():
    ed = load(EDU)
    assert ed.series.title == "数智赋能育新人 守正创新启新程"
    assert ed.series.installment == 1
    assert [a.kind for a in ed.articles] == ["reflection", "reflection", "news"]
    assert [a.in_series for a in ed.articles] == [True, True, False]
    assert [a.title for a in ed.articles] == [
        "以人工智能赋能教育教学变革",
        "以数据要素激活数字经济新动能",
        "海淀举办青少年人工智能创新大赛",
    ]


def test_edu_bylines():
    a, b, news = load(EDU).articles
    assert authors(a) == [("王晓东", "author", [("区教委", "副主任")])]
    assert a.byline == "文/区教委副主任 王晓东"
    # two affiliations separated by a full-width comma, a two-character name
    assert authors(b) == [
        ("刘畅", "author", [("区科信局", "党组书记、局长"), ("区数据局", "局长")])
    ]
    assert authors(news) == [
        ("张晓", "reporter", []),
        ("李文", "reporter", []),
        ("周然", "correspondent", []),
    ]


def test_edu_full_width_sections_with_dotted_items():
    ed = load(EDU)
    a = ed.articles[0]
    items = [("1.", []), ("2.", []), ("3.", [])]
    assert tree_shape(a.recommendations) == [
        ("（一）", items),
        ("（二）", items),
        ("（三）", items[:2]),
    ]
    assert depths(a) == {1: 3, 2: 8}
    nodes = nodes_of(a)
    assert nodes["1"].heading == "夯实教育数字底座"
    assert nodes["1.1"].heading == "建设区级教育算力平台"
    # 推 | 进因材施教: the word broken across the break is whole again
    assert nodes["2.3"].lines == [line_of(EDU, "3.探索"), line_of(EDU, "进因材施教")]
    assert nodes["2.3"].text.endswith("推进因材施教落地见效。")
    [joined] = [w for w in ed.warnings if w.kind == "word_joined"]
    assert "推进" in joined.message and joined.article == 0
    # the closing paragraph is not part of the last item
    assert nodes["3.2"].lines == [line_of(EDU, "2.建立激励机制")]
    assert a.blocks[-1].text.startswith("总的来看")


def test_edu_inline_first_second_items():
    b = load(EDU).articles[1]
    assert tree_shape(b.recommendations) == [
        ("一、", [("第一", []), ("第二", []), ("第三", [])]),
        ("二、", [("第一", []), ("第二", [])]),
    ]
    nodes = nodes_of(b)
    assert nodes["1.2"].heading == "健全数据流通规则"
    assert nodes["1.2"].text.startswith("第二,健全数据流通规则。建设区级数据交易服务平台")
    assert nodes["2.2"].lines == [line_of(EDU, "第一,推进公共数据授权运营")]
    assert [b_.type for b_ in b.blocks].count("heading") == 2


def test_edu_credits_and_warnings():
    ed = load(EDU)
    # 主办方供图 printed between the second piece and the news title: the news's picture
    assert [a.photo_credits for a in ed.articles] == [[], [], ["主办方", "张伟"]]
    assert not any("供图" in b.text or "/摄" in b.text for a in ed.articles for b in a.blocks)
    assert kinds(ed) == {"word_joined": 1, "photo_credit_moved": 2}
    assert ed.node_count() == 18


# ---------------------------------------------------------------- （2）, four signed pieces

FOUR = "series-2-four-pieces.txt"


def test_four_pieces_banner_and_bylines():
    ed = load(FOUR)
    assert ed.series.installment == 2
    assert ed.series.subtitle.endswith("学员思考和建议（2）")
    assert [a.kind for a in ed.articles] == ["reflection"] * 4
    assert all(a.in_series for a in ed.articles)
    assert [authors(a) for a in ed.articles] == [
        [("赵立新", "author", [("区发展改革委", "党组书记、主任")])],
        [("孙悦", "author", [("区政务服务和数据管理局", "局长")])],
        [("钱程", "author", [("海淀街道", "工委书记、办事处主任")])],
        [("郑红", "author", [("区文化和旅游局", "党组书记、局长")])],
    ]


def test_four_pieces_section_printed_inside_the_third_article():
    ed = load(FOUR)
    first, _, third, _ = ed.articles
    assert tree_shape(first.recommendations) == [
        ("一、", [("一是", []), ("二是", []), ("三是", [])]),
        ("二、", [("一是", []), ("二是", [])]),
        ("三、", [("一是", []), ("二是", [])]),
    ]
    nodes = nodes_of(first)
    moved = [line_of(FOUR, "三、完善产业服务体系"), line_of(FOUR, "一是建设人工智能产业服务中心")]
    moved.append(line_of(FOUR, "二是搭建供需对接平台"))
    assert nodes["3"].lines == moved[:1]
    assert nodes["3.2"].lines == moved[2:]
    assert not article_lines(third) & set(moved)
    [w] = [w for w in ed.warnings if w.kind == "interleave_repaired"]
    assert (w.lines, w.article) == (moved, 0)
    # inline items keep the section's own lead sentence in the section
    assert nodes["1"].text == "一、优化产业空间布局\n产业集聚需要空间承载。"


def test_four_pieces_half_width_sections_with_qi_items():
    second = load(FOUR).articles[1]
    assert tree_shape(second.recommendations) == [
        ("(一)", [("其一", []), ("其二", [])]),
        ("(二)", [("其一", []), ("其二", [])]),
    ]
    assert nodes_of(second)["2.2"].heading == "提升数据质量"


def test_four_pieces_three_levels_stay_in_their_article():
    third = load(FOUR).articles[2]
    assert tree_shape(third.recommendations) == [
        (
            "一、",
            [
                ("一要", [("一是", []), ("二是", [])]),
                ("二要", [("一是", []), ("二是", []), ("三是", [])]),
            ],
        ),
        ("二、", [("一要", [("一是", []), ("二是", [])]), ("二要", [("一是", []), ("二是", [])])]),
    ]
    assert depths(third) == {1: 2, 2: 4, 3: 9}
    nodes = nodes_of(third)
    assert nodes["1.2.3"].heading == "推动诉求智能派单"
    assert nodes["1.1"].text == "一要整合系统资源。"


def test_four_pieces_lead_phrase_points():
    ed = load(FOUR)
    fourth = ed.articles[3]
    nodes = nodes_of(fourth)
    assert [n.marker for n in fourth.nodes()] == ["一、", None, None, "二、", None, None]
    assert [c.heading for c in nodes["1"].children] == [
        "“AI导览”提升游客体验",
        "“数字藏品”激活文化资源",
    ]
    assert [c.heading for c in nodes["2"].children] == [
        "“一码游海淀”整合服务资源",
        "“客流监测”守牢安全底线",
    ]
    assert nodes["1"].text.endswith("重点打造两类场景。")
    assert ed.node_count() == 10 + 6 + 15 + 6
    assert kinds(ed) == {"interleave_repaired": 1}


# ---------------------------------------------------------------- 之四, no "## ", kicker/subtitle

BARE = "series-4-no-hashes.txt"


def test_bare_page_banner_kicker_and_subtitle():
    ed = load(BARE)
    assert ed.series.title == "数字海淀建设谈"
    assert ed.series.installment == 4
    assert ed.series.lines == [1, 2]
    first = ed.articles[0]
    assert first.kicker == "聚焦“人工智能+制造”"
    assert first.title == "推动制造业智能化改造提速"
    assert first.subtitle == "——关于海淀先进制造业数字化转型的思考"
    assert first.title_lines == [3, 4, 5]
    assert [a.title for a in ed.articles[1:]] == [
        "构建人工智能安全治理体系",
        "社区养老服务的智慧化探索",
        "区首届人工智能应用场景发布会举行",
    ]
    assert [a.kind for a in ed.articles] == ["reflection"] * 3 + ["news"]
    assert not kinds(ed)["unassigned_text"]


def test_bare_page_bylines_with_position_modifiers():
    ed = load(BARE)
    assert authors(ed.articles[1]) == [
        ("黄磊", "author", [("区委宣传部", "常务副部长"), ("区委网信办", "主任")])
    ]
    assert authors(ed.articles[2]) == [
        ("林静", "author", [("学院路街道", "党工委副书记、办事处主任")])
    ]


def test_bare_page_numbering_styles():
    first, second, third, _ = load(BARE).articles
    assert tree_shape(first.recommendations) == [
        ("一、", [("1、", []), ("2、", [])]),
        ("二、", [("1、", []), ("2、", []), ("3、", [])]),
    ]
    assert tree_shape(second.recommendations) == [
        ("(一)", [("1．", []), ("2．", [])]),
        ("(二)", [("1．", []), ("2．", [])]),
    ]
    # 第一,/第二,/第三, one per paragraph with no sections: top-level points
    assert tree_shape(third.recommendations) == [("第一", []), ("第二", []), ("第三", [])]
    headings = [b.text for b in first.blocks if b.type == "heading"]
    assert headings == ["一、推动企业“智改数转”", "二、夯实工业互联网基础"]


def test_bare_page_repeats_kept_once():
    ed = load(BARE)
    second = ed.articles[1]
    nodes = nodes_of(second)
    # a sentence printed twice in a row
    assert nodes["1.1"].text.count("对面向公众提供服务的算法模型开展备案管理。") == 1
    # a two-paragraph loop printed three times
    loop = [line_of(BARE, "深度合成内容鉴别"), line_of(BARE, "检测平台应面向")]
    assert nodes["2.1"].lines == [loop[0] - 1, *loop]
    texts = [b.text for b in second.blocks]
    assert sum(t.startswith("深度合成内容鉴别") for t in texts) == 1
    dups = [w for w in ed.warnings if w.kind == "duplicate_removed"]
    assert [w.lines for w in dups] == [[19], [25], [26], [27], [28]]
    assert all(w.article == 1 for w in dups)
    assert nodes["2.2"].lines == [29]


def test_bare_page_credit_before_news_title():
    ed = load(BARE)
    assert [a.photo_credits for a in ed.articles] == [[], [], [], ["李明"]]
    assert authors(ed.articles[3]) == [("陈思", "reporter", [])]
    assert kinds(ed) == {"duplicate_removed": 5, "photo_credit_moved": 1}


# ---------------------------------------------------------------- news only, CRLF

NEWS = "news-only-crlf.txt"


def test_news_page_has_no_series():
    ed = load(NEWS)
    assert b"\r\n" in (PAGES / NEWS).read_bytes()
    assert ed.series is None
    assert [a.kind for a in ed.articles] == ["news"] * 4
    assert not any(a.in_series or a.recommendations for a in ed.articles)
    assert ed.line_count == 39
    assert not any("\r" in b.text for a in ed.articles for b in a.blocks)


def test_news_page_bylines():
    ed = load(NEWS)
    assert [authors(a) for a in ed.articles] == [
        [("吴迪", "reporter", [])],
        [("王芳", "reporter", []), ("刘强", "correspondent", [])],
        [("孙雨", "reporter", [])],
        [("李响", "correspondent", [])],
    ]
    # without brackets the body starts after the last name
    library = ed.articles[1]
    assert library.byline == "本报讯 记者 王芳 通讯员 刘强"
    assert library.blocks[0].text.startswith("日前,区图书馆")


def test_news_page_kicker_subtitle_and_credits():
    ed = load(NEWS)
    library = ed.articles[1]
    assert library.kicker == "家门口的智慧书房"
    assert library.title == "区图书馆“AI阅读空间”开放"
    assert library.subtitle == "——读者可体验智能荐书、古籍数字化阅读等服务"
    assert [a.photo_credits for a in ed.articles] == [[], ["记者 王芳"], ["区文旅局"], []]
    assert [len(a.blocks) for a in ed.articles] == [3, 4, 3, 2]
    assert kinds(ed) == {"photo_credit_moved": 2}


# ---------------------------------------------------------------- (3), GB18030, cut off

CUT = "series-3-gb18030-truncated.txt"


def test_gb18030_page_decoded():
    ed = load(CUT)
    assert ed.encoding == "gb18030"
    with pytest.raises(UnicodeDecodeError):
        (PAGES / CUT).read_bytes().decode("utf-8")
    assert ed.series.title == "人才引领 创新驱动"
    assert ed.series.installment == 3
    assert [a.title for a in ed.articles] == [
        "构建人工智能人才发展良好生态",
        "让大模型走进千行百业",
        "提升医疗卫生服务智能化水平",
    ]


def test_gb18030_page_bylines():
    ed = load(CUT)
    assert [authors(a) for a in ed.articles] == [
        [("何平", "author", [("区人力社保局", "党组书记、局长"), ("区人才工作局", "局长")])],
        [("欧阳晨曦", "author", [("某科技集团有限公司", "董事长")])],
        [("郭嘉", "author", [("区卫健委", "一级巡视员")])],
    ]


def test_gb18030_page_official_hierarchy_and_broken_word():
    ed = load(CUT)
    first = ed.articles[0]
    items = [("1.", []), ("2.", [])]
    assert tree_shape(first.recommendations) == [
        ("一、", [("（一）", items), ("（二）", items)]),
        ("二、", [("（一）", items)]),
    ]
    assert depths(first) == {1: 2, 2: 3, 3: 6}
    nodes = nodes_of(first)
    cont = line_of(CUT, "同育人")
    assert nodes["2.1.1"].lines == [line_of(CUT, "1.共建现代产业学院"), cont]
    assert "推动产学研协同育人," in nodes["2.1.1"].text
    assert nodes["2.1.2"].lines == [line_of(CUT, "2.打造实训基地")]
    [joined] = [w for w in ed.warnings if w.kind == "word_joined"]
    assert "协同" in joined.message
    [inter] = [w for w in ed.warnings if w.kind == "interleave_repaired"]
    assert (inter.lines, inter.article) == ([cont, cont + 2], 0)
    second = ed.articles[1]
    assert second.blocks[0].text.startswith("作为一家深耕海淀的科技企业")
    assert tree_shape(second.recommendations) == [
        ("一、", [("一是", []), ("二是", [])]),
        ("二、", [("一是", []), ("二是", [])]),
    ]


def test_gb18030_page_cut_off_mid_sentence():
    ed = load(CUT)
    last = ed.articles[2]
    assert tree_shape(last.recommendations) == [("一、", [("一是", []), ("二是", [])])]
    assert last.blocks[-1].text.endswith("减少群众重复检")
    [w] = [w for w in ed.warnings if w.kind == "truncated"]
    assert (w.lines, w.article) == ([61], 2)
    assert kinds(ed) == {"word_joined": 1, "interleave_repaired": 1, "truncated": 1}


# ---------------------------------------------------------------- ⑤, 一要 → 一是, lead phrases

LEVELS = "series-5-three-levels.txt"


def test_levels_two_authors_in_one_byline():
    ed = load(LEVELS)
    assert ed.series.installment == 5
    first, second, news = ed.articles
    assert authors(first) == [
        ("韩冰", "author", [("区城市管理委", "党组书记、主任")]),
        ("高峰", "author", [("区城市管理委", "副主任")]),
    ]
    assert authors(second) == [("宋雨桐", "author", [("中关村科学城管委会", "专职副主任")])]
    assert authors(news) == [("赵雷", "reporter", []), ("马悦", "correspondent", [])]


def test_levels_one_point_per_paragraph_and_inline():
    ed = load(LEVELS)
    first = ed.articles[0]
    assert tree_shape(first.recommendations) == [
        ("一、", [("一要", [("一是", []), ("二是", [])]), ("二要", [("一是", []), ("二是", [])])]),
        ("二、", [("一要", [("一是", []), ("二是", [])]), ("二要", [])]),
        ("三、", []),
    ]
    nodes = nodes_of(first)
    assert nodes["1.1"].heading == "建好城市运行“一张图”"
    assert nodes["1.1.2"].text == "二是接入物联感知数据。在重点区域布设智能感知设备。"
    assert nodes["2.1.1"].heading == "优化停车治理,推广错时共享停车"
    assert nodes["3"].lines == [
        line_of(LEVELS, "三、坚持安全底线"),
        line_of(LEVELS, "智慧城市建设"),
    ]
    [dup] = [w for w in ed.warnings if w.kind == "duplicate_removed"]
    assert dup.lines == [line_of(LEVELS, "二是接入物联感知数据")] and dup.article == 0


def test_levels_lead_phrases_then_items_stay_in_the_second_piece():
    ed = load(LEVELS)
    second = ed.articles[1]
    assert tree_shape(second.recommendations) == [
        ("(一)", [(None, []), (None, [])]),
        ("(二)", [("1、", []), ("2、", []), ("3、", [])]),
    ]
    nodes = nodes_of(second)
    assert nodes["1.2"].heading == "“揭榜挂帅”破解关键难题"
    assert nodes["2.3"].heading == "强化耐心资本供给"
    assert not kinds(ed)["interleave_repaired"]
    assert kinds(ed) == {"duplicate_removed": 1}


# ---------------------------------------------------------------- ⑥, a word cut across two articles

JUMPS = "series-6-jumps.txt"


def test_jumps_ornament_byline_and_parenthesised_items():
    ed = load(JUMPS)
    assert ed.series.installment == 6
    first = ed.articles[0]
    # □ before the byline is an ornament, not part of the organisation
    assert authors(first) == [("周敏", "author", [("区商务局", "党组书记、局长")])]
    assert tree_shape(first.recommendations) == [
        ("一、", [("(1)", []), ("(2)", []), ("(3)", [])]),
        ("二、", [("(1)", []), ("(2)", [])]),
    ]
    nodes = nodes_of(first)
    # inline items separated by semicolons
    assert nodes["1.2"].text == "(2)建立场景供需对接机制,定期举办对接会;"
    assert nodes["2.1"].heading == "对标国际高标准经贸规则"


def test_jumps_bare_subheads_are_sections():
    ed = load(JUMPS)
    second = ed.articles[1]
    assert [(b.type, b.text) for b in second.blocks if b.type == "heading"] == [
        ("heading", "聚焦养老服务"),
        ("heading", "关注儿童成长"),
    ]
    assert [(n.marker, n.heading) for n in second.recommendations] == [
        (None, "聚焦养老服务"),
        (None, "关注儿童成长"),
    ]
    assert kinds(ed, 1)["heading_without_marker"] == 2


def test_jumps_cut_word_completed_inside_the_news_then_back():
    ed = load(JUMPS)
    second, _, news = ed.articles[1:]
    cont = line_of(JUMPS, "动托育服务高质量发展")
    last = second.blocks[-1]
    assert last.lines == [line_of(JUMPS, "要建设普惠托育"), cont]
    assert last.text.endswith("让家长放心、安心,推动托育服务高质量发展。")
    # the news's own paragraphs after the detour stay in the news
    assert [b.lines[0] for b in news.blocks] == [
        line_of(JUMPS, "本报讯"),
        line_of(JUMPS, "大赛由"),
        line_of(JUMPS, "评审专家"),
        line_of(JUMPS, "据悉"),
    ]
    [inter] = [w for w in ed.warnings if w.kind == "interleave_repaired"]
    assert (inter.lines, inter.article) == ([cont], 1)
    assert not kinds(ed)["truncated"]


def test_jumps_caption_with_credit_and_jump_line():
    ed = load(JUMPS)
    news = ed.articles[3]
    assert news.photo_credits == ["刘洋"]
    assert not any("图为" in b.text or "摄" in b.text for b in news.blocks)
    [moved] = [w for w in ed.warnings if w.kind == "photo_credit_moved"]
    assert moved.lines == [line_of(JUMPS, "刘洋/摄")] and "图为参赛团队展示项目" in moved.message
    # "（下转第二版）" ends the page's part of the report: not a truncation
    assert news.blocks[-1].text.endswith("（下转第二版）")
    assert kinds(ed) == {
        "heading_without_marker": 2,
        "word_joined": 1,
        "interleave_repaired": 1,
        "photo_credit_moved": 1,
    }


# ---------------------------------------------------------------- （之七）, 作者系 notes, 一是，

NOTES = "series-7-notes.txt"


def test_notes_banner_installment_in_brackets():
    ed = load(NOTES)
    assert ed.series.subtitle.endswith("（之七）")
    assert ed.series.installment == 7
    assert [a.kind for a in ed.articles] == ["reflection"] * 3 + ["news"]


def test_notes_author_note_gives_the_affiliation():
    ed = load(NOTES)
    first = ed.articles[0]
    assert first.byline == "文/李想"
    assert authors(first) == [("李想", "author", [("区委网信办", "主任")])]
    assert not any("作者系" in b.text for b in first.blocks)
    [note] = [w for w in ed.warnings if w.kind == "author_note_moved"]
    assert (note.lines, note.article) == ([line_of(NOTES, "（作者系")], 0)
    # the note is not the text of the last item
    assert nodes_of(first)["2.2"].text == "二是：开展常态化攻防演练，以练促防、以练促建。"


def test_notes_markers_followed_by_comma_or_colon():
    first = load(NOTES).articles[0]
    assert tree_shape(first.recommendations) == [
        ("（一）", [("一是", []), ("二是", []), ("三是", [])]),
        ("（二）", [("一是", []), ("二是", [])]),
    ]
    nodes = nodes_of(first)
    assert nodes["1.1"].heading == "落实属地管理责任"
    assert nodes["2.1"].heading == "建设区级网络安全态势感知平台"
    assert [b.type for b in first.blocks].count("heading") == 2


def test_notes_prefixed_byline_and_inline_qi_items():
    ed = load(NOTES)
    second = ed.articles[1]
    assert second.byline == "作者：区财政局局长 冯波"
    assert authors(second) == [("冯波", "author", [("区财政局", "局长")])]
    assert second.title == "让财政资金更好支持科技创新"
    assert tree_shape(second.recommendations) == [
        ("一、", [("其一", []), ("其二", [])]),
        ("二、", [("其一", []), ("其二", []), ("其三", [])]),
    ]
    nodes = nodes_of(second)
    assert nodes["2"].text == "二、创新财政资金支持方式\n推动财政资金由“补”向“投”转变。"
    # the end of 其三 printed again (with half-width commas) at the top of the next paragraph
    cont = line_of(NOTES, "同时,完善绩效评价机制")
    assert nodes["2.3"].lines == [cont - 2, cont]
    assert nodes["2.3"].text.count("建立科技信贷风险补偿资金池") == 1
    [dup] = [w for w in ed.warnings if w.kind == "duplicate_removed"]
    assert (dup.lines, dup.article) == ([cont], 1)


def test_notes_yao_items_at_the_top_level():
    ed = load(NOTES)
    third, news = ed.articles[2:]
    assert tree_shape(third.recommendations) == [
        ("一要", [("一是", []), ("二是", [])]),
        ("二要", [("一是", []), ("二是", [])]),
        ("三要", [("一是", []), ("二是", []), ("三是", [])]),
    ]
    assert depths(third) == {1: 3, 2: 7}
    assert authors(news) == [("韩梅", "reporter", [])]
    assert news.byline == "本报讯【记者 韩梅】"
    assert kinds(ed) == {"author_note_moved": 1, "duplicate_removed": 1}


# ---------------------------------------------------------------- ⑧, column by column

COLS = "series-8-columns.txt"


def test_columns_section_printed_inside_the_next_piece():
    ed = load(COLS)
    first, second = ed.articles[:2]
    assert authors(first) == [("董明", "author", [("区科信局", "副局长")])]  # full-width space
    assert tree_shape(first.recommendations) == [
        ("(一)", [("1.", []), ("2.", []), ("3.", [])]),
        ("(二)", [("1.", []), ("2.", [])]),
        ("(三)", [("1.", []), ("2.", [])]),
    ]
    moved = [line_of(COLS, "(三)营造开源文化氛围"), line_of(COLS, "1.定期举办")]
    assert nodes_of(first)["3"].lines == moved[:1]
    [inter] = [w for w in ed.warnings if w.kind == "interleave_repaired"]
    assert (inter.lines, inter.article) == (moved, 0)
    # 第一，/第二， inline, the second cut by the column and completed after it (孤 | 岛)
    assert tree_shape(second.recommendations) == [
        ("一、", [("第一", []), ("第二", []), ("第三", [])]),
        ("二、", [("第一", []), ("第二", [])]),
    ]
    nodes = nodes_of(second)
    cont = line_of(COLS, "岛。第三")
    assert nodes["1.2"].lines == [line_of(COLS, "第一，统一规划建设"), cont]
    assert nodes["1.2"].text.endswith("打破信息孤岛。")
    assert nodes["1.3"].lines == [cont]


def test_columns_news_repeats_and_cut_report():
    ed = load(COLS)
    fair, lecture, street = ed.articles[2:]
    assert [a.kind for a in ed.articles[2:]] == ["news"] * 3
    assert [b.text for b in fair.blocks].count("展会期间,多家企业与海外客户达成合作意向。") == 1
    # Known limit, by choice: the lecture report is cut after a comma and its continuation
    # is printed in the next report's region with no word across the break (讲, | 结合).
    # Nothing but the meaning ties it back — as with a page cut off mid-sentence, it stays
    # where it is printed and the cut is reported for staff to fix.
    assert lecture.blocks[-1].text.endswith("讲座由高校教授主讲,")
    assert line_of(COLS, "结合生活中的实例") in article_lines(street)
    [cut] = [w for w in ed.warnings if w.kind == "truncated"]
    assert (cut.lines, cut.article) == ([line_of(COLS, "讲座由高校教授主讲")], 3)
    # 区融媒体中心供图 printed between two reports: the next one's picture
    assert [a.photo_credits for a in ed.articles] == [[], [], [], [], ["区融媒体中心"]]
    assert kinds(ed) == {
        "word_joined": 1,
        "interleave_repaired": 1,
        "duplicate_removed": 1,
        "truncated": 1,
        "photo_credit_moved": 1,
    }
