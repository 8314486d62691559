"""What the importer checks about a page before it is parsed, and how it says what it found.

Staff read every importer message in Chinese, with line numbers; the parser's own messages
(recommendations/newspaper, plain Python) are turned into Chinese here, and the internal
warning codes (`word_joined` …) stay in the stored JSON only.

The fingerprint recognises a page by its text, not by its file name or bytes: the same page
saved in GB18030 instead of UTF-8, with Windows line ends or a byte-order mark, or with other
blank lines has the same fingerprint.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter

from django.conf import settings

from recommendations.newspaper import PageError

# C0 controls except tab, line feed, carriage return and form feed (the page break that text
# extraction writes between pages), DEL, and the C1 controls, which only mis-decoded bytes give.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def fingerprint(text: str) -> str:
    """SHA-256 of the page's text with line ends, blank lines, spacing runs and Unicode
    composition normalised."""
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    lines = (" ".join(line.split()) for line in _lines(text))
    return hashlib.sha256("\n".join(line for line in lines if line).encode()).hexdigest()


def _lines(text: str) -> list[str]:
    """Lines numbered as the parser numbers them (str.splitlines would also split at some
    control characters, hiding them)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def max_page_bytes() -> int:
    return settings.IMPORT_MAX_PAGE_BYTES


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节"


def check_size(size: int, name: str) -> None:
    limit = max_page_bytes()
    if size > limit:
        raise PageError(
            f"文件有 {size_text(size)},超过单个版面的上限 {size_text(limit)}"
            "(设置 IMPORT_MAX_PAGE_BYTES);一个版面的文本通常不到 100 KB,"
            "请确认选择的是版面文本文件",
            name,
        )


def check_text(text: str, name: str) -> None:
    """Refuse control characters (NUL …) whatever the encoding was: PostgreSQL cannot store a
    NUL, and the others are never part of a page's text."""
    found: dict[int, str] = {}
    for number, line in enumerate(_lines(text), start=1):
        match = _CONTROL.search(line)
        if match:
            found[number] = match.group()
    if not found:
        return
    lines = list(found)
    shown = "、".join(str(n) for n in lines[:5]) + ("等" if len(lines) > 5 else "")
    codes = "、".join(sorted({f"U+{ord(c):04X}" for c in found.values()}))
    raise PageError(
        f"第 {shown} 行含有控制字符({codes}),不是正常的版面文本;"
        "请从原文件重新导出为纯文本(.txt)后再导入",
        name,
        lines[0],
    )


# What staff read for each of the parser's refusals, by its code (newspaper/errors.py CODES).
PARSER_MESSAGES = {
    "empty": "文件是空的",
    "pdf": "这是 PDF 文件,不是版面文本;请先提取其中的文字(另存为 .txt)再导入",
    "word_docx": "这是 Word 文档(.docx),不是版面文本;请先另存为纯文本(.txt)再导入",
    "word_doc": "这是 Word 文档(.doc),不是版面文本;请先另存为纯文本(.txt)再导入",
    "zip": "这是 ZIP 压缩包,不是版面文本",
    "binary": "这是二进制文件,不是版面文本",
    "encoding": "文件既不是 UTF-8 也不是 GB18030/GBK 编码的文本(可能是二进制文件或其他编码)",
    "no_article": (
        "没有找到文章:版面上需要有标题,后接署名(如“区科信局局长 张三”)或“本报讯(记者 …)”一行"
    ),
    "not_bytes": "读取的不是文本文件的内容",
    "not_text": "读取的不是文本文件的内容",
}

_CJK = re.compile(r"[\u4e00-\u9fff]")


def message_of(error: PageError) -> str:
    """ "page.txt 第 3 行:…" in Chinese for a refusal from the parser or from these checks."""
    # A refusal of these checks or the importer is written in Chinese; one of the parser's is
    # shown by its code. Anything else (English, unknown) is never shown raw.
    text = PARSER_MESSAGES.get(getattr(error, "code", None)) or (
        error.message if _CJK.match(error.message) else "无法读取这个版面"
    )
    where = error.source_name if error.line is None else f"{error.source_name} 第 {error.line} 行"
    return f"{where}:{text}"


# The parser's warning kinds as staff read them; a kind not listed is still counted.
WARNING_LABELS = {
    "word_joined": "断词接合",
    "unjoined_break": "断句未接续",
    "duplicate_removed": "删除重复",
    "interleave_repaired": "串栏归位",
    "photo_credit_moved": "图片署名移出正文",
    "author_note_moved": "作者简介移出正文",
    "title_missing": "缺少标题",
    "unassigned_text": "未归属的文字",
    "truncated": "可能被截断",
    "empty_article": "文章无正文",
    "numbering_gap": "编号不连续",
    "heading_without_marker": "无编号小标题",
    "depth_folded": "超过三级的条目并入上级",
}


def warning_label(kind: str) -> str:
    return WARNING_LABELS.get(kind, "其他提示")


def warning_summary(warnings) -> str:
    """ "17 条提示(断词接合 ×8、删除重复 ×7、可能被截断 ×1)": the kinds show at a glance whether
    a page needs a look (a truncation) or only had routine repairs."""
    if not warnings:
        return "无提示"
    kinds = Counter(warning_label(w["kind"] if isinstance(w, dict) else w.kind) for w in warnings)
    detail = "、".join(f"{kind} ×{n}" for kind, n in kinds.most_common())
    return f"{len(warnings)} 条提示({detail})"


def lines_text(lines) -> str:
    """ "第 3、5–7 行" for a warning's source lines."""
    lines = sorted(set(lines or []))
    if not lines:
        return ""
    runs, start, prev = [], lines[0], lines[0]
    for n in [*lines[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        runs.append(str(start) if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return f"第 {'、'.join(runs)} 行"
