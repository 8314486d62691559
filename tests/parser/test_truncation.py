"""A page cut off mid-sentence imports, with a warning."""

from parser_helpers import page

from recommendations.newspaper import parse_page


def test_truncated_last_paragraph():
    ed = parse_page(
        page(
            "## 海淀举办科技周活动",
            "本报讯(记者 王芳)近日,科技周开幕。",
            "活动期间,市民可以免费参观各",
        ),
        "t.txt",
    )
    [w] = [w for w in ed.warnings if w.kind == "truncated"]
    assert w.lines == [5] and w.article == 0
    assert ed.articles[0].blocks[-1].text == "活动期间,市民可以免费参观各"


def test_complete_page_has_no_truncation():
    for end in ("。", "!", "?", "。”", "……", "(完)"):
        ed = parse_page(
            page("## 海淀举办科技周活动", "本报讯(记者 王芳)近日,科技周开幕" + end), "t.txt"
        )
        assert not [w for w in ed.warnings if w.kind == "truncated"], end


def test_truncated_signed_piece_keeps_its_tree():
    ed = parse_page(
        page(
            "## 以数据要素激活发展新动能",
            "区科信局局长 张明",
            "一、夯实数据基础设施",
            "一是建设区级数据共享平台。",
            "二是完善数据目录体系,建立统一",
        ),
        "t.txt",
    )
    art = ed.articles[0]
    assert [c.marker for c in art.recommendations[0].children] == ["一是", "二是"]
    assert [w.kind for w in ed.warnings] == ["truncated"]
