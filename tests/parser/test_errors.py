"""Pages where no article can be found."""

import pytest
from parser_helpers import page

from recommendations.newspaper import PageError, parse_page


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n  \n",
        page("只有一段没有标题的文字。", "还有第二段文字。"),
        page("## 标题", "## 另一个标题"),
    ],
)
def test_no_article(text):
    with pytest.raises(PageError) as info:
        parse_page(text, "empty.txt")
    assert str(info.value).startswith("empty.txt: ")


def test_unsigned_article_is_accepted_with_heading_and_text():
    ed = parse_page(
        page("## 海淀举办科技周活动", "近日,海淀区科技周开幕,展出成果百余项。"), "x.txt"
    )
    [art] = ed.articles
    assert art.title == "海淀举办科技周活动" and art.authors == []


def test_text_before_first_article_is_reported():
    ed = parse_page(
        page("第3版 要闻", "## 海淀举办科技周活动", "本报讯(记者 王芳)近日,科技周开幕。"), "x.txt"
    )
    [w] = [w for w in ed.warnings if w.kind == "unassigned_text"]
    assert w.lines == [1] and w.article is None


def test_every_refusal_carries_a_stable_code():
    from recommendations.newspaper import decode
    from recommendations.newspaper.errors import CODES

    refused = {
        b"": "empty",
        b"%PDF-1.7 ...": "pdf",
        b"\xd0\xcf\x11\xe0 doc": "word_doc",
        b"PK\x03\x04 word/document.xml": "word_docx",
        b"PK\x03\x04 other": "zip",
        b"text\x00binary": "binary",
        b"abc \x81\x30\xff\xfa def": "encoding",
    }
    for data, code in refused.items():
        with pytest.raises(PageError) as info:
            decode.decode_page(data, "x.txt")
        assert info.value.code == code, (data, info.value)
    with pytest.raises(PageError) as info:
        parse_page(page("只有一段没有标题的文字。"), "x.txt")
    assert info.value.code == "no_article"
    with pytest.raises(PageError) as info:
        parse_page(b"bytes", "x.txt")
    assert info.value.code == "not_text"
    assert {"empty", "pdf", "word_doc", "word_docx", "zip", "binary", "encoding"} <= set(CODES)
