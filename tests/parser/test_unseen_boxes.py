"""Unseen pages where a short news report is boxed inside a signed piece's column
(issue #11 §4).

The box — title, 本报讯 paragraph, paragraphs, photo credit — interrupts a sentence of the
host piece, which goes on after it, often with a word broken across the box (解决方 | 案).
The host's sentence is put back together and the rest of the report's region is the host's
again; the report keeps its own paragraphs and credit, and a report's first paragraph that
is itself cut (…3000余名市 | 民参与。) continues where it is printed later on the page. The
full expected reading of each page is in pages/<page>.expected.json (test_unseen_score.py).
"""

from functools import cache

from expected import PAGES, parse_file
from parser_helpers import nodes_of, page, tree_shape

from recommendations.newspaper import parse_page


@cache
def load(name):
    return parse_file(PAGES / name)


def lines_of(article):
    return [line for b in article.blocks for line in b.lines]


def boxes(ed):
    return [(w.lines, w.article) for w in ed.warnings if w.kind == "interleave_repaired"]


def test_a_box_with_a_word_broken_across_it():
    ed = load("series-15-boxed-report.txt")
    host, report, _ = ed.articles
    nodes = nodes_of(host)
    assert nodes["1.2"].lines == [13, 23]
    assert "转型解决方案。" in nodes["1.2"].text
    assert tree_shape(host.recommendations) == [
        ("一、", [("一是", []), ("二是", []), ("三是", [])]),
        ("二、", [("一是", []), ("二是", [])]),
    ]
    # unnumbered paragraphs and the closing one after the box are the host's
    assert nodes["1.3"].lines == [23, 25, 27]
    assert host.blocks[-1].text.startswith("总之")
    assert lines_of(report) == [17, 19] and report.photo_credits == ["区科信局"]
    assert boxes(ed) == [([23, 25, 27, 29, 31, 33, 35], 0)]


def test_a_box_in_a_sentence_cut_after_a_comma_is_closed_by_its_credit():
    ed = load("series-16-box-lead-points.txt")
    host, report, _, _ = ed.articles
    nodes = nodes_of(host)
    assert nodes["1.1"].lines == [13, 23]
    assert nodes["1.1"].text.endswith("子女手机,确保老人遇到紧急情况时第一时间得到救助。")
    # unnumbered lead-phrase points after the box stay in the host's sections
    assert [n.heading for n in nodes["2"].children] == [
        "“养老地图”精准配置资源",
        "“时间银行”激发互助活力",
    ]
    assert lines_of(report) == [17, 19] and report.photo_credits == ["北太平庄街道"]
    assert not any(w.kind == "truncated" for w in ed.warnings)


def test_a_box_whose_first_paragraph_continues_later_on_the_page():
    ed = load("series-17-box-cut-lead.txt")
    host, report, _ = ed.articles
    assert nodes_of(host)["1.2"].text.endswith("推动全民健身与全民健康深度融合。")
    assert [n.lines for n in host.recommendations] == [[11], [21], [23]]
    # 市 | 民参与。 printed after the host's column: the report's first paragraph again whole
    assert [b.lines for b in report.blocks] == [[17, 25], [27]]
    assert report.blocks[0].text.endswith("3000余名市民参与。")
    assert report.photo_credits == ["区运动健康中心"]  # printed at the top of the box
    assert boxes(ed) == [([19, 21, 23], 0), ([25, 27], 1)]


def test_a_report_after_a_complete_paragraph_is_no_box():
    ed = parse_page(
        page(
            "## 以数据要素激活发展新动能",
            "区科信局局长 张明",
            "一、夯实数据基础",
            "一是建设区级数据共享平台。推动部门数据按需共享。",
            "## 海淀举办数据要素对接会",
            "本报讯(记者 王芳)日前,海淀区举办数据要素对接会。",
            "区数据局/供图",
            "据了解,对接会现场签约项目12个。",
        ),
        "nobox.txt",
    )
    assert [lines_of(a) for a in ed.articles] == [[5, 7], [11, 15]]
    assert not boxes(ed)
