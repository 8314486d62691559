"""Numbering markers: 一、 （一） 一是 一要 一观 第一, 其一, 1. 1、 (1) …"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = "零一二三四五六七八九十"
_CN = "[一二三四五六七八九十]{1,3}"

# Styles that only count at the start of a paragraph (section headings).
SECTION_STYLES = frozenset({"cn、", "(cn)"})


@dataclass(frozen=True)
class Marker:
    style: str  # "cn、", "(cn)", "cn是", "cn要", "cn观", "第cn", "其cn", "n.", "(n)"
    number: int
    start: int  # offset in the paragraph where the marker starts
    end: int  # offset after the marker and the punctuation that follows it
    printed: str  # the marker as printed, without the punctuation that follows

    @property
    def is_section(self) -> bool:
        return self.style in SECTION_STYLES


def cn_to_int(s: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23; None for anything else."""
    if not s or any(c not in CN_DIGITS for c in s):
        return None
    if "十" not in s:
        return CN_DIGITS.index(s) if len(s) == 1 and s != "零" else None
    head, _, tail = s.partition("十")
    if "十" in tail or len(head) > 1 or len(tail) > 1:
        return None
    tens = CN_DIGITS.index(head) if head else 1
    ones = CN_DIGITS.index(tail) if tail else 0
    if tens == 0:
        return None
    return tens * 10 + ones


# (regex, style, group with the numeral, numeral kind) — tried in order at a point start.
_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(rf"(?P<m>(?P<n>{_CN})、)"), "cn、", "cn"),
    (re.compile(rf"(?P<m>[（(]\s*(?P<n>{_CN})\s*[）)])[、,，.．]?"), "(cn)", "cn"),
    (re.compile(rf"(?P<m>(?P<n>{_CN})是)(?=\S)"), "cn是", "cn"),
    (re.compile(rf"(?P<m>(?P<n>{_CN})要)(?=\S)"), "cn要", "cn"),
    (re.compile(rf"(?P<m>(?P<n>{_CN})观)(?=\S)"), "cn观", "cn"),
    (re.compile(rf"(?P<m>第(?P<n>{_CN}))[,，、:：]"), "第cn", "cn"),
    (re.compile(rf"(?P<m>其(?P<n>{_CN}))[,，、:：]"), "其cn", "cn"),
    (re.compile(r"(?P<m>[（(]\s*(?P<n>\d{1,2})\s*[）)])[、,，.．]?"), "(n)", "n"),
    (re.compile(r"(?P<m>(?P<n>\d{1,2})[.．、])(?![\d.．])"), "n.", "n"),
]

# Item styles may also start inside a paragraph, right after a sentence end.
_INLINE_STYLES = frozenset({"cn是", "cn要", "cn观", "第cn", "其cn", "n.", "(n)"})
# Styles whose marker is a word (一是) and may be followed by a comma or colon (一是，…).
_WORD_STYLES = frozenset({"cn是", "cn要", "cn观"})
_POINT_START = re.compile(r"[。！？!?；;:：][”’」』\s]*")


def marker_at(text: str, pos: int, *, inline: bool = False) -> Marker | None:
    """The numbering marker starting exactly at ``pos``, if any."""
    for pattern, style, kind in _PATTERNS:
        if inline and style not in _INLINE_STYLES:
            continue
        m = pattern.match(text, pos)
        if not m:
            continue
        raw = m.group("n")
        number = cn_to_int(raw) if kind == "cn" else int(raw)
        if not number or number > 30:
            continue
        end = m.end()
        # Skip spaces (and one comma/colon for 一是/一要/一观 when printed that way).
        while end < len(text) and text[end] in " \u3000\t":
            end += 1
        if style in _WORD_STYLES and end < len(text) and text[end] in ",，:：":
            end += 1
            while end < len(text) and text[end] in " \u3000\t":
                end += 1
        if end >= len(text):
            continue  # nothing after the marker: not a point
        return Marker(style, number, pos, end, m.group("m").strip())
    return None


def leading_marker(text: str) -> Marker | None:
    """The marker a paragraph opens with (after indentation), if any."""
    pos = len(text) - len(text.lstrip(" \u3000\t"))
    return marker_at(text, pos)


def inline_markers(text: str, after: int = 0) -> list[Marker]:
    """Item markers that start right after a sentence end inside the paragraph."""
    out = []
    for m in _POINT_START.finditer(text, after):
        marker = marker_at(text, m.end(), inline=True)
        if marker is not None:
            out.append(marker)
    return out


def all_markers(text: str) -> list[Marker]:
    """The leading marker (if any) followed by the inline ones, in order."""
    lead = leading_marker(text)
    rest = inline_markers(text, lead.end if lead else 0)
    return ([lead] if lead else []) + rest
