"""Paragraphs and sentences repeated by the extraction are kept once."""

from parser_helpers import page

from recommendations.newspaper import parse_page

NEWS = ("## 海淀多部作品获奖", "本报讯(记者 王芳)近日,第五届短视频大赛颁奖典礼落下帷幕。")
P1 = "获奖作品深刻诠释了海淀区的核心魅力,讲述了一个关于寻找归属的动人故事。"
P2 = "另一部作品从青年学子视角出发,捕捉国际学生在海淀学习生活的鲜活片段。"


def test_paragraph_loop_kept_once():
    ed = parse_page(page(*NEWS, P1, P2, P1, P2, P1), "d.txt")
    art = ed.articles[0]
    assert [b.text for b in art.blocks[1:]] == [P1, P2]
    dups = [w for w in ed.warnings if w.kind == "duplicate_removed"]
    assert [w.lines for w in dups] == [[9], [11], [13]]
    assert all(w.article == 0 for w in dups)


def test_loop_with_a_cut_paragraph():
    head = "另一部作品以前瞻性的手法彰显海"
    tail = "淀作为国际人才社区的包容性。" + P2
    ed = parse_page(page(*NEWS, P2, head, tail, head, tail, head), "d.txt")
    art = ed.articles[0]
    texts = [b.text for b in art.blocks[1:]]
    assert texts == [P2, "另一部作品以前瞻性的手法彰显海淀作为国际人才社区的包容性。"]
    assert not [w for w in ed.warnings if w.kind == "truncated"]


def test_sentence_repeated_within_a_paragraph():
    s = "街道需打破重技术轻组织的惯性,培养复合型队伍。"
    ed = parse_page(page(*NEWS, "转型的关键是组织与技术双轮驱动。" + s + s + s), "d.txt")
    art = ed.articles[0]
    assert art.blocks[1].text == "转型的关键是组织与技术双轮驱动。" + s
    [w] = [w for w in ed.warnings if w.kind == "duplicate_removed"]
    assert w.lines == [5]


def test_short_repeats_far_apart_are_kept():
    ed = parse_page(
        page(
            "## 以数据要素激活发展新动能",
            "区科信局局长 张明",
            "一、夯实数据基础",
            "一是加强组织领导。",
            "二、拓展应用场景",
            "一是加强组织领导。",
        ),
        "d.txt",
    )
    assert [len(s.children) for s in ed.articles[0].recommendations] == [1, 1]
    assert not [w for w in ed.warnings if w.kind == "duplicate_removed"]


def test_repeat_with_other_punctuation_width_and_overlap_at_a_break():
    ed = parse_page(
        page(
            *NEWS,
            "活动现场,市民体验了智能导览、数字藏品等项目，反响热烈。",
            "市民体验了智能导览、数字藏品等项目,反响热烈。主办方表示将常态化举办。",
        ),
        "d.txt",
    )
    art = ed.articles[0]
    assert [b.text for b in art.blocks[1:]] == [
        "活动现场,市民体验了智能导览、数字藏品等项目，反响热烈。",
        "主办方表示将常态化举办。",
    ]
    [w] = [w for w in ed.warnings if w.kind == "duplicate_removed"]
    assert w.lines == [7]
