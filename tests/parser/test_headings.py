"""Titles with or without "## ", kickers (引题) and subtitles (副题)."""

from parser_helpers import page

from recommendations.newspaper import parse_page


def test_titles_with_and_without_hashes():
    ed = parse_page(
        page(
            "## 加快推进数据要素市场建设",
            "区科信局局长 张明",
            "数据是新型生产要素,结合培训所学谈几点体会。",
            "以场景开放带动产业集聚",
            "区商务局副局长 李华",
            "应用场景是产业发展的牵引力。",
        ),
        "h.txt",
    )
    assert [a.title for a in ed.articles] == ["加快推进数据要素市场建设", "以场景开放带动产业集聚"]
    assert [a.authors[0].name for a in ed.articles] == ["张明", "李华"]
    assert [len(a.blocks) for a in ed.articles] == [1, 1]


def test_kicker_above_title():
    ed = parse_page(
        page(
            "## 聚焦城市更新",
            "## 老旧小区焕发新活力",
            "本报讯(记者 王芳)近日,某小区综合整治完工,居民喜迁新貌。",
        ),
        "k.txt",
    )
    [art] = ed.articles
    assert art.kicker == "聚焦城市更新"
    assert art.title == "老旧小区焕发新活力"
    assert art.subtitle is None
    assert art.title_lines == [1, 3]
    assert ed.series is None


def test_subtitle_below_title():
    ed = parse_page(
        page(
            "## 老旧小区焕发新活力",
            "——某街道推进综合整治纪实",
            "本报讯(记者 王芳)近日,某小区综合整治完工,居民喜迁新貌。",
        ),
        "s.txt",
    )
    [art] = ed.articles
    assert art.title == "老旧小区焕发新活力"
    assert art.subtitle == "——某街道推进综合整治纪实"
    assert art.kicker is None
    assert ed.series is None


def test_kicker_title_and_subtitle():
    ed = parse_page(
        page(
            "## 聚焦城市更新",
            "## 老旧小区焕发新活力",
            "——某街道推进综合整治纪实",
            "本报讯(记者 王芳)近日,某小区综合整治完工。",
        ),
        "ks.txt",
    )
    [art] = ed.articles
    assert (art.kicker, art.title, art.subtitle) == (
        "聚焦城市更新",
        "老旧小区焕发新活力",
        "——某街道推进综合整治纪实",
    )


def test_section_headings_with_and_without_hashes():
    ed = parse_page(
        page(
            "## 以数据要素激活发展新动能",
            "区科信局局长 张明",
            "结合培训所学,提出以下建议:",
            "## 一、夯实数据基础设施",
            "一是建设区级数据共享平台。推动部门数据按需共享。",
            "二、拓展数据应用场景",
            "一是推进政务数据开放。优先开放高价值数据。",
        ),
        "sec.txt",
    )
    art = ed.articles[0]
    assert [n.heading for n in art.recommendations] == ["夯实数据基础设施", "拓展数据应用场景"]
    headings = [b for b in art.blocks if b.type == "heading"]
    assert [b.text for b in headings] == ["一、夯实数据基础设施", "二、拓展数据应用场景"]
    assert [b.lines for b in headings] == [[7], [11]]


def test_unnumbered_heading_inside_a_signed_piece_is_a_section():
    ed = parse_page(
        page(
            "## 以数据要素激活发展新动能",
            "区科信局局长 张明",
            "## 夯实数据基础设施",
            "一是建设区级数据共享平台。推动部门数据按需共享。",
            "二是完善数据目录。建立统一的资源目录。",
        ),
        "h.txt",
    )
    art = ed.articles[0]
    assert len(art.recommendations) == 1
    section = art.recommendations[0]
    assert section.marker is None and section.heading == "夯实数据基础设施"
    assert [c.marker for c in section.children] == ["一是", "二是"]
    assert any(w.kind == "heading_without_marker" for w in ed.warnings)


def test_byline_like_line_without_title_does_not_start_an_article():
    ed = parse_page(
        page(
            "## 海淀举办科技周活动",
            "本报讯(记者 王芳)近日,海淀区科技周开幕。",
            "区科委主任 张明",
            "活动持续一周,市民可免费参观。",
        ),
        "h.txt",
    )
    assert len(ed.articles) == 1
    assert len(ed.articles[0].blocks) == 3


def test_bare_subheads_inside_a_signed_piece():
    ed = parse_page(
        page(
            "## 以数据要素激活发展新动能",
            "区科信局局长 张明",
            "结合培训所学,谈两点体会。",
            "夯实数据基础",
            "要建设区级数据共享平台,推动部门数据按需共享。",
            "拓展应用场景",
            "要开放交通、气象等高价值数据。",
            "（完）",
        ),
        "h.txt",
    )
    art = ed.articles[0]
    assert [b.text for b in art.blocks if b.type == "heading"] == ["夯实数据基础", "拓展应用场景"]
    assert [(n.marker, n.heading, n.lines) for n in art.recommendations] == [
        (None, "夯实数据基础", [7, 9]),
        (None, "拓展应用场景", [11, 13, 15]),
    ]
    assert art.blocks[-1].type == "paragraph"  # （完） is not a subhead


def test_unnumbered_heading_after_numbered_sections_is_not_a_numbering_gap():
    ed = parse_page(
        page(
            "## 以数据要素激活发展新动能",
            "区科信局局长 张明",
            "（一）夯实数据基础",
            "要建设区级数据共享平台。",
            "（二）拓展应用场景",
            "要开放高价值数据。",
            "## 几点保障措施",
            "要加强组织领导。",
        ),
        "h.txt",
    )
    art = ed.articles[0]
    assert [(n.marker, n.heading) for n in art.recommendations] == [
        ("（一）", "夯实数据基础"),
        ("（二）", "拓展应用场景"),
        (None, "几点保障措施"),
    ]
    assert [w.kind for w in ed.warnings] == ["heading_without_marker"]
