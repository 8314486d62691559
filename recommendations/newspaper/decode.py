"""Bytes to text: refuse what is not a text page, decode UTF-8 or GB18030."""

from __future__ import annotations

import codecs
import re

from .errors import PageError

# C0 controls other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_page(data: bytes, name: str) -> tuple[str, str]:
    """Decode a page's raw bytes; return ``(text, encoding)``.

    Raises PageError for empty files, PDF and Word documents, and other binary data.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise PageError("expected the raw bytes of a text file", name, code="not_bytes")
    data = bytes(data)
    if not data.strip():
        raise PageError("the file is empty", name, code="empty")
    head = data[:8]
    if head.startswith(b"%PDF"):
        raise PageError(
            "this is a PDF file, not a text page; extract its text first (e.g. save it as .txt)",
            name,
            code="pdf",
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise PageError(
            "this is a Word document (.doc), not a text page; extract its text first "
            "(save it as plain text .txt)",
            name,
            code="word_doc",
        )
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data:
            raise PageError(
                "this is a Word document (.docx), not a text page; extract its text first "
                "(save it as plain text .txt)",
                name,
                code="word_docx",
            )
        raise PageError("this is a ZIP archive, not a text page", name, code="zip")

    text: str | None = None
    encoding = ""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _try(data[len(codecs.BOM_UTF8) :], "utf-8"), "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _try(data, "utf-16"), "utf-16"
    else:
        if b"\x00" in data:
            raise PageError("this is a binary file, not a text page", name, code="binary")
        for encoding in ("utf-8", "gb18030"):
            text = _try(data, encoding)
            if text is not None:
                break
    if text is None:
        raise PageError(
            "the file is neither UTF-8 nor GB18030/GBK text (binary or unknown encoding)",
            name,
            code="encoding",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    controls = len(_CONTROL.findall(text))
    if controls and controls * 50 > len(text):
        raise PageError("this is a binary file, not a text page", name, code="binary")
    if not text.strip():
        raise PageError("the file is empty", name, code="empty")
    return text, encoding


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None
