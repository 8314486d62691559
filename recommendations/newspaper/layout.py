"""Page structure: paragraphs, the series banner, and where each article's header is."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .bylines import (
    inherit_organization,
    parse_author_note,
    parse_byline,
    parse_caption_credit,
    parse_credit,
    parse_news_lead,
)
from .model import Affiliation, Author
from .numbering import Marker, leading_marker
from .text import is_complete

_HEADING = re.compile(r"^\s*#{1,6}\s*")
_SUBTITLE = re.compile(r"^\s*(?:——|──|－－|--|—\s)")
_INDENT = " \u3000\t\u00a0"
_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}
_INSTALLMENT_PAREN = re.compile(r"[（(]\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]\s*$")
_INSTALLMENT_ZHI = re.compile(r"之([一二三四五六七八九十]{1,3})\s*[)）]?\s*$")


@dataclass
class Para:
    """One non-empty source line: the unit the page is made of."""

    index: int  # position among paragraphs
    line: int  # 1-based source line
    text: str  # without "## " and indentation
    heading: bool  # printed with a leading "#"
    marker: Marker | None = None
    complete: bool = True
    credit: str | None = None
    caption: str | None = None  # a photo caption printed before the credit on its line
    author_note: list[Affiliation] | None = None  # （作者系…） at the end of a signed piece
    subtitle: bool = False

    @property
    def plain_heading(self) -> bool:
        """A "## …" line without numbering: a title, kicker, banner or unnumbered heading."""
        return self.heading and self.marker is None


def split_paragraphs(text: str) -> list[Para]:
    paras: list[Para] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip(_INDENT + "\r\ufeff")
        if not stripped:
            continue
        heading = False
        m = _HEADING.match(stripped)
        if m and stripped.startswith("#"):
            heading = True
            stripped = stripped[m.end() :].strip(_INDENT)
            if not stripped:
                continue
        para = Para(len(paras), number, stripped, heading)
        para.marker = leading_marker(stripped)
        para.complete = is_complete(stripped)
        para.subtitle = bool(_SUBTITLE.match(stripped)) and len(stripped) <= 80
        if not heading and not para.subtitle:
            para.credit = parse_credit(stripped)
            if para.credit is None and para.marker is None:
                found = parse_caption_credit(stripped)
                if found:
                    para.caption, para.credit = found
            if para.credit is None:
                para.author_note = parse_author_note(stripped)
        paras.append(para)
    return paras


def installment_of(text: str) -> int | None:
    t = text.strip()
    for ch in reversed(t[-3:]):
        if ch in _CIRCLED:
            return _CIRCLED[ch]
    m = _INSTALLMENT_PAREN.search(t)
    if m:
        return _num(m.group(1))
    m = _INSTALLMENT_ZHI.search(t)
    if m:
        return _num(m.group(1))
    return None


def _num(s: str) -> int | None:
    from .numbering import cn_to_int

    return int(s) if s.isdigit() else cn_to_int(s)


def title_like(p: Para) -> bool:
    """A line printed without "##" that could be a title: short, no sentence inside."""
    if p.heading:
        return p.marker is None
    t = p.text
    if p.marker is not None or p.credit or p.subtitle or not (2 <= len(t) <= 40):
        return False
    if re.search(r"[。；;:：]", t) or t[-1] in ",，、（(“‘" or t[0] in "（(":
        return False
    return not t.endswith(("）", ")"))


@dataclass
class Header:
    """Where an article starts: its title group and its byline / 本报讯 line."""

    anchor: int  # paragraph index of the byline or 本报讯 paragraph
    start: int  # first paragraph index of the title group
    kind: str  # "reflection" | "news"
    authors: list[Author]
    byline: str
    title: str = ""
    kicker: str | None = None
    subtitle: str | None = None
    title_lines: list[int] = field(default_factory=list)
    credits: list[tuple[str, int]] = field(default_factory=list)
    lead_rest: str = ""  # body text after 本报讯(…) on the same line
    extra: list[int] = field(default_factory=list)  # group paragraphs not used


@dataclass
class Banner:
    title: str
    subtitle: str | None
    installment: int | None
    lines: list[int]
    paras: list[int]


def find_anchors(paras: list[Para]) -> list[tuple[int, str, list[Author], str, str]]:
    """Bylines and 本报讯 paragraphs: (index, kind, authors, printed byline, rest of line)."""
    out = []
    for p in paras:
        if p.heading or p.credit or p.subtitle:
            continue
        lead = parse_news_lead(p.text)
        if lead is not None:
            authors, printed, rest = lead
            out.append((p.index, "news", authors, printed, rest))
            continue
        if p.marker is not None or (not p.complete and len(p.text) > 80):
            continue
        prev = paras[p.index - 1] if p.index > 0 else None
        after_title = prev is not None and (prev.plain_heading or prev.subtitle)
        authors = parse_byline(p.text, after_title=after_title)
        if authors:
            out.append((p.index, "reflection", authors, p.text, ""))
    return out


def collect_group(paras: list[Para], anchor: int, lower: int) -> list[int]:
    """Title-group paragraphs right before an anchor (titles, kicker, subtitle, credits)."""
    group: list[int] = []
    j = anchor - 1
    plain_titles = 0
    seen_hash = False
    while j >= lower:
        p = paras[j]
        if p.credit or p.subtitle or p.plain_heading:
            seen_hash = seen_hash or p.heading
        elif not seen_hash and plain_titles < 3 and title_like(p):
            plain_titles += 1
        else:
            break
        group.append(j)
        j -= 1
    group.reverse()
    # Drop leading subtitles/credits that have no title after them in the group? keep all.
    return group


def read_group(
    paras: list[Para], group: list[int], header: Header, allow_banner: bool
) -> Banner | None:
    """Fill header title/kicker/subtitle/credits from its group; return a banner if found."""
    banner = None
    items = [paras[i] for i in group]
    for p in items:
        if p.credit:
            header.credits.append((p.credit, p.line))
    titles = [p for p in items if not p.credit]
    if allow_banner and titles:
        # A heading with a —— subtitle followed by further headings, or a heading that
        # carries an installment mark followed by another heading, is the series banner.
        cut = None
        for k, p in enumerate(titles):
            if p.subtitle and any(not q.subtitle for q in titles[k + 1 :]) and k > 0:
                cut = k + 1
                break
        if cut is None and len(titles) >= 2 and not titles[0].subtitle:
            if installment_of(titles[0].text) is not None and not titles[1].subtitle:
                cut = 1
        if cut is not None:
            head = [p for p in titles[:cut] if not p.subtitle]
            subs = [p for p in titles[:cut] if p.subtitle]
            if head:
                sub = subs[0].text if subs else None
                inst = installment_of(sub) if sub else None
                if inst is None:
                    inst = installment_of(head[-1].text)
                banner = Banner(
                    title=head[-1].text,
                    subtitle=sub,
                    installment=inst,
                    lines=[p.line for p in titles[:cut]],
                    paras=[p.index for p in titles[:cut]],
                )
                header.extra.extend(p.index for p in head[:-1])
                titles = titles[cut:]
    heads = [p for p in titles if not p.subtitle]
    if not heads:
        header.extra.extend(p.index for p in titles)
        return banner
    first_sub = next(
        (k for k, p in enumerate(titles) if p.subtitle and any(not q.subtitle for q in titles[:k])),
        None,
    )
    if first_sub is not None:
        before = [p for p in titles[:first_sub] if not p.subtitle]
        title = before[-1]
        kickers = before[:-1]
        header.subtitle = titles[first_sub].text
        used = {*(p.index for p in before), titles[first_sub].index}
        header.title_lines = [p.line for p in before] + [titles[first_sub].line]
        header.extra.extend(p.index for p in titles if p.index not in used)
    else:
        title = heads[-1]
        kickers = heads[:-1]
        header.title_lines = [p.line for p in heads]
        header.extra.extend(p.index for p in titles if p.subtitle)
    header.title = title.text
    if kickers:
        header.kicker = " ".join(p.text for p in kickers)
    return banner


def more_bylines(paras: list[Para], anchor: int) -> list[tuple[int, list[Author]]]:
    """Bylines printed on the lines right after a signed piece's byline: a piece by two or
    three officials may give each its own line. A bare name is accepted there too."""
    out = []
    j = anchor + 1
    while j < len(paras):
        p = paras[j]
        if p.heading or p.credit or p.subtitle or p.marker is not None:
            break
        authors = parse_byline(p.text, after_title=True)
        if not authors or parse_news_lead(p.text) is not None:
            break
        out.append((j, authors))
        j += 1
    return out


def find_headers(paras: list[Para]) -> tuple[list[Header], Banner | None]:
    anchors = find_anchors(paras)
    headers: list[Header] = []
    banner: Banner | None = None
    lower = 0
    for index, kind, authors, printed, rest in anchors:
        if index < lower:
            continue
        group = collect_group(paras, index, lower)
        if kind == "reflection":
            run = more_bylines(paras, index)
            if run:
                # One header for the whole run: its last line is the anchor the body follows.
                authors = [*authors]
                for _, more in run:
                    authors.extend(inherit_organization(authors, more))
                printed = "\n".join([printed, *(paras[j].text for j, _ in run)])
                index = run[-1][0]
        header = Header(
            anchor=index,
            start=group[0] if group else index,
            kind=kind,
            authors=authors,
            byline=printed,
            lead_rest=rest,
        )
        found = read_group(paras, group, header, allow_banner=banner is None)
        if found is not None:
            banner = found
        if not header.title and kind == "reflection":
            # A byline-like line with no title before it (a caption, a signature at the
            # end of a piece): not an article start.
            continue
        headers.append(header)
        lower = index + 1
    return headers, banner
