"""Raw bytes: refuse what is not a text page, decode UTF-8 and GB18030."""

import io
import zipfile

import pytest
from parser_helpers import page

from recommendations.newspaper import PageError, decode_page, parse_bytes

TEXT = page("## 海淀举办科技周活动", "本报讯(记者 王芳)近日,海淀区科技周开幕。")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \n\r\n\t ", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Word"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x81\xff\xfe\x80abc", "neither UTF-8 nor GB18030"),
    ],
)
def test_decode_errors(data, words):
    with pytest.raises(PageError) as info:
        decode_page(data, "page.bin")
    assert words in str(info.value)
    assert str(info.value).startswith("page.bin")
    assert info.value.source_name == "page.bin"
    assert info.value.line is None


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_docx_refused():
    with pytest.raises(PageError, match=r"page\.docx: .*Word document \(\.docx\).*extract"):
        decode_page(_docx(), "page.docx")


def test_pdf_message_says_extract_text():
    with pytest.raises(PageError, match="extract its text"):
        parse_bytes(b"%PDF-1.4 ...", "page.pdf")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_decodings(data, encoding):
    text, used = decode_page(data, "p.txt")
    assert text == TEXT
    assert used == encoding


def test_parse_bytes_hashes_raw_bytes_and_records_encoding():
    import hashlib

    data = TEXT.replace("\n", "\r\n").encode("gb18030")
    ed = parse_bytes(data, "p.txt")
    assert ed.sha256 == hashlib.sha256(data).hexdigest()
    assert ed.encoding == "gb18030"
    assert ed.to_dict()["source"]["encoding"] == "gb18030"
    assert ed.articles[0].blocks[0].lines == [3]
    assert ed.line_count == 3
