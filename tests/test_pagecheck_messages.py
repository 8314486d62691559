"""The parser's refusals read in Chinese by their code, never by the wording of the English
message (recommendations/pagecheck.py message_of)."""

import pytest

from recommendations import pagecheck
from recommendations.newspaper import PageError, parse_page
from recommendations.newspaper.decode import decode_page
from recommendations.newspaper.errors import CODES


def test_every_code_has_a_chinese_message():
    assert set(pagecheck.PARSER_MESSAGES) == set(CODES)


def test_the_message_follows_the_code_not_the_english_wording():
    reworded = PageError("PDF detected (reworded by a parser change)", "scan.pdf", code="pdf")
    assert pagecheck.message_of(reworded) == (
        "scan.pdf:这是 PDF 文件,不是版面文本;请先提取其中的文字(另存为 .txt)再导入"
    )
    # The old prefix without its code is not translated by its wording any more.
    assert pagecheck.message_of(PageError("the file is empty", "a.txt")) == "a.txt:无法读取这个版面"


def test_chinese_refusals_from_outside_the_parser_show_as_written():
    error = PageError("文本中含有控制字符", "a.txt", line=3)
    assert pagecheck.message_of(error) == "a.txt 第 3 行:文本中含有控制字符"


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (lambda: decode_page(b"", "a.txt"), "a.txt:文件是空的"),
        (lambda: decode_page(b"PK\x03\x04 zip", "a.txt"), "a.txt:这是 ZIP 压缩包,不是版面文本"),
        (lambda: parse_page("只有一段没有标题的文字。\n", "a.txt"), "a.txt:没有找到文章"),
    ],
)
def test_real_parser_refusals_read_in_chinese(read, expected):
    with pytest.raises(PageError) as info:
        read()
    assert pagecheck.message_of(info.value).startswith(expected)
