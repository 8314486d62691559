"""The seed page against its expected structure and tree."""

import json
from collections import Counter

from parser_helpers import SEED, nodes_of


def test_series_banner(seed):
    assert seed.series.title == "自主创新铸技术底座 全景赋能筑产业高地"
    assert seed.series.subtitle == "——海淀区走进华为人工智能专题培训班(第四期)学员思考和建议③"
    assert seed.series.installment == 3
    assert seed.line_count == 183


def test_articles_in_reading_order(seed):
    arts = seed.articles
    assert [a.kind for a in arts] == ["reflection"] * 3 + ["news"] * 3
    assert [a.in_series for a in arts] == [True] * 3 + [False] * 3
    assert arts[0].title == "以人工智能为翼 赋能海淀国际化水平跃升"
    assert arts[1].title == "关注AI产业三大趋势 布局未来发展战略支点"
    assert arts[2].title == "基层政府的数智化转型探讨"
    assert arts[3].title == "校园嘉年华玩出「科技融合」新花样"
    assert arts[4].title == "海淀多部作品闪耀“北京·国际范儿”短视频大赛"
    assert arts[5].title == "凤凰岭冰雪乐园焕新升级"
    assert arts[5].kicker == "集嬉雪、嬉冰、滑道体验于一体"
    assert all(a.kicker is None for a in arts[:5])
    assert all(a.subtitle is None for a in arts)


def _authors(article):
    return [
        (a.name, a.role, [(f.organization, f.position) for f in a.affiliations])
        for a in article.authors
    ]


def test_authors(seed):
    arts = seed.articles
    assert _authors(arts[0]) == [
        ("陈鹏", "author", [("区外办", "党组书记、主任"), ("区港澳事务办", "主任")])
    ]
    assert _authors(arts[1]) == [("任闯", "author", [("中关村科学城公司", "副总经理")])]
    assert _authors(arts[2]) == [("沈昭宇", "author", [("北大平庄街道", "工委书记、办事处主任")])]
    assert _authors(arts[3]) == [("李翎铭", "reporter", [])]
    assert _authors(arts[4]) == [("魏慧子", "reporter", [])]
    assert _authors(arts[5]) == [("常润达", "reporter", [])]


def test_photo_credits(seed):
    assert [a.photo_credits for a in seed.articles] == [[], [], [], ["学校"], [], ["凤凰岭景区"]]
    for a in seed.articles:
        assert not any("供图" in b.text for b in a.blocks)


def test_node_counts(seed):
    arts = seed.articles
    assert seed.node_count() == 50
    assert [sum(1 for _ in a.nodes()) for a in arts] == [12, 29, 9, 0, 0, 0]
    depth = [Counter(n.depth for n in a.nodes()) for a in arts[:3]]
    assert depth[0] == {1: 3, 2: 9}
    assert depth[1] == {1: 3, 2: 9, 3: 17}
    assert depth[2] == {1: 4, 2: 5}


def test_first_article_tree(seed):
    nodes = nodes_of(seed.articles[0])
    assert [n.marker for n in seed.articles[0].recommendations] == ["一、", "二、", "三、"]
    for s in "123":
        assert [c.marker for c in nodes[s].children] == ["一是", "二是", "三是"]
    first = nodes["1"]
    assert first.heading == "构建全球顶级AI创新生态,集聚国际高端要素"
    assert first.lines == [17]
    item = nodes["1.2"]
    assert item.heading == "深化AI人才国际化布局"
    assert item.lines == [21, 39]
    assert item.text.startswith("二是深化AI人才国际化布局。落实《海淀区")
    assert item.text.endswith("打造央地联动的AI人才引育平台。")
    assert nodes["1.3"].lines == [41]
    assert nodes["2"].lines == [43]
    assert nodes["3"].lines == [53]  # a section heading printed without "## "
    assert nodes["3"].heading == "优化AI国际化服务场景,提升区域开放便利度"
    joined = nodes["2.3"]
    assert joined.lines == [49, 51]
    assert "推动国产技术标准国际化认可" in joined.text
    # the closing paragraph is not part of the last item
    assert "未来" not in nodes["3.3"].text
    # 在…领域 only sets the scene: the heading runs to the end of the first sentence
    assert (
        nodes["3.1"].heading
        == "在涉外服务领域,依托AI翻译、智能咨询技术,构建全方位智能国际化服务场景"
    )
    assert nodes["3.2"].heading == "在营商环境领域,以AI赋能国际一流营商环境"


def test_second_article_tree(seed):
    art = seed.articles[1]
    nodes = nodes_of(art)
    assert [n.heading for n in art.recommendations] == [
        "要站在高处谋AI产业布局",
        "要放眼全球谋AI产业趋势",
        "要面向未来锻AI产业优势",
    ]
    assert [c.marker for c in nodes["1"].children] == ["一要", "二要", "三要"]
    assert all(not c.children for c in nodes["1"].children)
    assert [c.marker for c in nodes["2"].children] == ["一观", "二观", "三观"]
    for k in "123":
        assert [c.marker for c in nodes[f"2.{k}"].children] == ["一是", "二是", "三是"]
    assert [c.marker for c in nodes["3"].children] == ["一要", "二要", "三要"]
    assert [len(c.children) for c in nodes["3"].children] == [3, 2, 3]
    assert nodes["3.2.1"].heading.startswith("针对模型轻量化需求,支持区内相关主体制定")
    assert nodes["3.1.3"].heading == "面向AI“降本增效”的目标,支持超节点等协同产品架构创新项目发展"
    assert nodes["3"].lines == [73, 75]  # heading without "## " + its intro paragraph
    # 一观 is cut at line 37 and continues at line 63, after the other article's columns
    sub = [line for n in nodes["2.1"].walk() for line in n.lines]
    assert 37 in sub and 63 in sub
    assert nodes["2.1.2"].lines == [37, 63]
    assert "“软硬结合”的向优化,AI训练" in nodes["2.1.2"].text
    assert nodes["2.1.3"].text.startswith("三是架构创新的范式转移。")
    assert nodes["2.1.3"].lines == [63]
    assert nodes["2.3.3"].lines == [67, 69, 71]
    assert "而落地反馈又反哺技术创新" in nodes["2.3.3"].text
    assert nodes["1.1"].lines == [31]
    assert nodes["1"].text.startswith("一、要站在高处谋AI产业布局\n谋划AI产业发展")
    assert "一要" not in nodes["1"].text
    # no line of the first article's columns ended up here
    lines = {line for b in art.blocks for line in b.lines}
    assert not lines & set(range(39, 62))


def test_third_article_lead_phrase_points(seed):
    art = seed.articles[2]
    nodes = nodes_of(art)
    assert [n.marker for n in art.recommendations] == ["一、", "二、", "三、", "四、"]
    assert nodes["1"].lines == [91, 93, 95]  # no ## on line 91
    assert [c.heading for c in nodes["2"].children] == [
        "“小而精”建设街道数据中台",
        "用数据“画像”驱动精准服务",
    ]
    assert [c.heading for c in nodes["3"].children] == [
        "“接诉即办”场景",
        "“社区治理”场景",
        "“民生服务”场景",
    ]
    assert all(c.marker is None for c in nodes["2"].children + nodes["3"].children)
    assert nodes["2.1"].lines == [101]
    assert not nodes["4"].children
    sentence = "街道需打破“重技术轻组织”的惯性,培养“数智化复合型队伍”。"
    assert nodes["4"].text.count(sentence) == 1
    assert art.blocks[-3].text.count(sentence) == 1


def test_news_repairs(seed):
    video = seed.articles[4]
    text = "\n".join(b.text for b in video.blocks)
    assert "由区融媒体中心与区政府外办联合出品" in text
    assert "彰显海淀作为国际人才社区的深厚包容性" in text
    assert text.count("《寻找我的北京时刻》从青年学子视角出发") == 1
    assert text.count("《Beijing Style·市监范儿》以独特的双语叙事") == 1
    assert all(line <= 151 for b in video.blocks for line in b.lines)
    snow = seed.articles[5]
    assert any("嬉雪区内" in b.text for b in snow.blocks)
    assert snow.blocks[0].text.startswith("雪韵满西山")  # 本报讯(…) taken out
    campus = seed.articles[3]
    assert campus.blocks[0].lines == [129]


def test_warnings(seed):
    kinds = Counter(w.kind for w in seed.warnings)
    assert kinds["interleave_repaired"] == 1
    inter = next(w for w in seed.warnings if w.kind == "interleave_repaired")
    assert inter.lines[0] == 39 and inter.lines[-1] == 61 and inter.article == 0
    joins = {tuple(w.lines) for w in seed.warnings if w.kind == "word_joined"}
    assert {(37, 63), (49, 51), (69, 71), (141, 143), (149, 151), (175, 177)} <= joins
    dups = [w for w in seed.warnings if w.kind == "duplicate_removed"]
    dup_lines = {line for w in dups for line in w.lines}
    assert {117, 151, 153, 155, 157, 159, 161} <= dup_lines
    assert all(w.article == 4 for w in dups if w.lines[0] >= 145)
    credits = [w for w in seed.warnings if w.kind == "photo_credit_moved"]
    assert {(w.lines[0], w.article) for w in credits} == {(127, 3), (165, 5)}
    assert "truncated" not in kinds
    assert "numbering_gap" not in kinds


def test_to_dict_matches_contract(seed):
    d = seed.to_dict()
    json.dumps(d, ensure_ascii=False)
    assert d["schema"] == "edition/1"
    assert d["source"] == {
        "name": "haidian-ai-training-3.txt",
        "sha256": "0" * 64,
        "lines": 183,
        "encoding": None,
    }
    assert d["series"]["installment"] == 3
    a0 = d["articles"][0]
    assert set(a0) >= {
        "title",
        "kicker",
        "subtitle",
        "kind",
        "in_series",
        "authors",
        "photo_credits",
        "blocks",
        "recommendations",
    }
    assert a0["blocks"][0] == {
        "type": "paragraph",
        "text": a0["blocks"][0]["text"],
        "lines": [11],
    }
    assert {
        "type": "heading",
        "text": "一、构建全球顶级AI创新生态,集聚国际高端要素",
        "lines": [17],
    } in a0["blocks"]
    n = a0["recommendations"][0]
    assert set(n) == {"number", "marker", "heading", "text", "lines", "children"}
    assert n["children"][1]["number"] == "1.2"
    assert set(d["warnings"][0]) >= {"kind", "lines", "message", "article"}


def test_every_printed_body_line_is_accounted_for(seed):
    used = set()
    for a in seed.articles:
        used.update(line for b in a.blocks for line in b.lines)
        used.update(a.title_lines)
    used.update(seed.series.lines)
    used.update(line for w in seed.warnings for line in w.lines)
    for line in (9, 25, 85, 129, 139, 171):  # bylines and 本报讯 lines
        used.add(line)
    lines = SEED.read_text(encoding="utf-8").split("\n")
    text_lines = {i for i, t in enumerate(lines, start=1) if t.strip()}
    assert text_lines <= used
