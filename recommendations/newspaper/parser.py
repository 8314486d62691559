"""parse_page: text of one newspaper page → Edition.

The steps, each in its module:

1. layout: one paragraph per non-empty line; "## " marks a heading. Article starts are found
   from their anchors — a byline (bylines.parse_byline) or a 本报讯(…) line — and the title
   group printed right before (kicker, title, —— subtitle, photo credits). The first group
   may carry the series banner.
2. repair: paragraphs printed again verbatim are dropped; a beam search gives each body
   paragraph to an article — normally the one whose region it is printed in, or an earlier
   one whose numbering it continues (二、 after 一、, 三是 after 二是) or whose cut sentence it
   completes. Then, per article, cut paragraphs are joined (jieba tells whether a word spans
   the break) and repeated sentences are dropped.
3. tree: numbering markers at point starts build the recommendation tree.

Every repair and every doubt becomes a Warning with its source lines.
"""

from __future__ import annotations

import hashlib

from .decode import decode_page
from .errors import PageError
from .layout import Header, Para, find_headers, split_paragraphs
from .model import Article, Block, Edition, Series, Warning
from .repair import (
    Unit,
    assign_articles,
    find_boxes,
    join_paragraphs,
    make_unit,
    remove_duplicate_paragraphs,
    remove_repeated_sentences,
    remove_repeated_tails,
)
from .text import is_open
from .tree import build_tree


def parse_bytes(data: bytes, name: str) -> Edition:
    """Decode the raw bytes of a page, hash them and parse the text."""
    text, encoding = decode_page(data, name)
    edition = parse_page(text, name, hashlib.sha256(bytes(data)).hexdigest())
    edition.encoding = encoding
    return edition


def _line_count(text: str) -> int:
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def parse_page(text: str, name: str, sha256: str | None = None) -> Edition:
    """Parse the text of one page. Raises PageError when no article can be found."""
    if not isinstance(text, str):
        raise PageError("expected text (str); use parse_bytes for raw bytes", name, code="not_text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise PageError("the file is empty", name, code="empty")
    paras = split_paragraphs(text)
    headers, banner = find_headers(paras)
    if not headers:
        headers = _fallback_headers(paras)
    if not headers:
        raise PageError(
            "no article found: no title followed by a byline "
            "(e.g. “区科信局局长 张三”) or a 本报讯(记者 …) line",
            name,
            code="no_article",
        )
    warnings: list[Warning] = []
    series = None
    if banner is not None:
        series = Series(banner.title, banner.subtitle, banner.installment, banner.lines)
    edition = Edition(
        source_name=name,
        sha256=sha256,
        line_count=_line_count(text),
        encoding=None,
        series=series,
    )
    articles = [
        Article(
            title=h.title,
            kicker=h.kicker,
            subtitle=h.subtitle,
            kind=h.kind,
            in_series=series is not None and h.kind == "reflection",
            authors=h.authors,
            photo_credits=[],
            byline=h.byline,
            title_lines=h.title_lines,
        )
        for h in headers
    ]
    edition.articles = articles
    captions = {p.line: p.caption for p in paras if p.caption}

    def credit_message(credit: str, line: int) -> str:
        caption = captions.get(line)
        if caption:
            short = caption if len(caption) <= 24 else caption[:22] + "…"
            return f"图片说明“{short}”及署名“{credit}”移出正文,署名归入本文"
        return f"图片署名“{credit}”移出正文,归入本文"

    for k, h in enumerate(headers):
        for credit, line in h.credits:
            _add_credit(articles[k], credit)
            msg = credit_message(credit, line)
            if line < paras[h.anchor].line and h.title_lines and line < h.title_lines[0]:
                msg = f"标题前的图片署名“{credit}”归入下一篇《{h.title}》"
            warnings.append(Warning("photo_credit_moved", [line], msg, k))
        if not h.title:
            warnings.append(
                Warning(
                    "title_missing",
                    [paras[h.anchor].line],
                    "这篇文章前没有找到标题",
                    k,
                )
            )

    # Text outside any article: before the first header, or unused parts of title groups.
    used = {i for h in headers for i in range(h.start, h.anchor + 1)} - {
        i for h in headers for i in h.extra
    }
    if banner is not None:
        used.update(banner.paras)
    stray = [p for p in paras[: headers[0].start] if p.index not in used]
    stray += [
        paras[i] for h in headers for i in h.extra if i not in (banner.paras if banner else [])
    ]
    if stray:
        warnings.append(
            Warning(
                "unassigned_text",
                sorted({p.line for p in stray}),
                "这些文字不属于任何文章,未导入:" + "|".join(p.text[:20] for p in stray[:3]),
                None,
            )
        )

    # Body units, region by region.
    units: list[Unit] = []
    credits_in_body: list[tuple[int, str, int]] = []  # (unit order, credit, line)
    for k, h in enumerate(headers):
        end = headers[k + 1].start if k + 1 < len(headers) else len(paras)
        if h.lead_rest.strip():
            p = paras[h.anchor]
            units.append(make_unit(len(units), k, p.line, h.lead_rest.strip(), False))
        for p in paras[h.anchor + 1 : end]:
            if p.credit:
                credits_in_body.append((len(units), p.credit, p.line, k))
                continue
            if p.author_note and h.kind == "reflection":
                warnings.append(_author_note(articles[k], p, k))
                continue
            units.append(make_unit(len(units), k, p.line, p.text, p.heading))
    dups = remove_duplicate_paragraphs(units)
    tails = remove_repeated_tails(units)
    credit_orders: dict[int, list[int]] = {}
    for order, _credit, _line, host in credits_in_body:
        credit_orders.setdefault(host, []).append(order)
    boxes = find_boxes(units, [h.kind for h in headers], credit_orders)
    assign_articles(units)

    # Credits printed inside the body go to the article being read there.
    for order, credit, line, host in credits_in_body:
        before = [u for u in units[:order] if not u.removed and u.host == host]
        k = before[-1].article if before else host
        _add_credit(articles[k], credit)
        warnings.append(Warning("photo_credit_moved", [line], credit_message(credit, line), k))

    for dup, original in dups:
        k = original.article if original.article >= 0 else dup.host
        warnings.append(
            Warning(
                "duplicate_removed",
                dup.lines,
                f"第{dup.lines[0]}行与第{original.lines[0]}行重复,只保留一次",
                k,
            )
        )

    for tail in tails:
        k = tail.original.article if tail.unit.removed else tail.unit.article
        short = tail.text if len(tail.text) <= 24 else tail.text[:22] + "…"
        line, origin = tail.lines[0], tail.original.lines[-1]
        message = f"第{line}行开头的“{short}”重复了第{origin}行的句末,已删除"
        warnings.append(Warning("duplicate_removed", tail.lines, message, k))

    for box in boxes:
        back = [line for u in box.after if u.article == box.host for line in u.lines]
        if back:
            cut = box.cut.lines[-1]
            warnings.append(
                Warning(
                    "interleave_repaired",
                    back,
                    f"短讯《{articles[box.report].title}》插排在《{articles[box.host].title}》"
                    f"第{cut}行的句子中间,第{back[0]}–{back[-1]}行是《{articles[box.host].title}》"
                    "的接续,已归回",
                    box.host,
                )
            )

    # Interleaved text given back to another article.
    run: list[Unit] = []

    def flush():
        if run:
            k = run[0].article
            lines = [line for u in run for line in u.lines]
            host = run[0].host
            warnings.append(
                Warning(
                    "interleave_repaired",
                    lines,
                    f"第{lines[0]}–{lines[-1]}行排在《{articles[host].title}》中,"
                    f"按编号和文意归回《{articles[k].title}》",
                    k,
                )
            )
            run.clear()

    for u in units:
        if u.removed:
            continue
        if u.article != u.host:
            if run and run[-1].article != u.article:
                flush()
            run.append(u)
        else:
            flush()
    flush()

    for k, article in enumerate(articles):
        mine = [u for u in units if not u.removed and u.article == k]
        paras_k, notes = join_paragraphs(mine)
        paras_k, notes2 = remove_repeated_sentences(paras_k)
        notes += notes2
        article.blocks = [
            Block("heading" if p.heading else "paragraph", p.text, p.lines) for p in paras_k
        ]
        if article.kind == "reflection":
            roots, notes3 = build_tree(paras_k)
            article.recommendations = roots
            notes += notes3
        if paras_k and not paras_k[-1].heading and is_open(paras_k[-1].text):
            last = paras_k[-1].lines[-1]
            notes.append(_note("truncated", [last], f"文章在第{last}行句子中间结束,可能被截断"))
        if not paras_k:
            notes.append(_note("empty_article", article.title_lines[:1], "这篇文章没有正文"))
        for n in notes:
            warnings.append(Warning(n.kind, n.lines, n.message, k))

    warnings.sort(key=lambda w: w.lines[0] if w.lines else 0)
    edition.warnings = warnings
    return edition


def _note(kind, lines, message):
    from .repair import Note

    return Note(kind, lines, message)


def _author_note(article: Article, p: Para, k: int) -> Warning:
    """（作者系…） at the end of a signed piece: the affiliations of its single author."""
    authors = article.authors
    if len(authors) == 1 and not authors[0].affiliations:
        authors[0].affiliations = list(p.author_note)
        msg = f"文末作者简介“{p.text}”移出正文,作为{authors[0].name}的单位职务"
    else:
        msg = f"文末作者简介“{p.text}”移出正文(署名已有单位职务或有多位作者,未改署名)"
    return Warning("author_note_moved", [p.line], msg, k)


def _add_credit(article: Article, credit: str) -> None:
    if credit not in article.photo_credits:
        article.photo_credits.append(credit)


def _fallback_headers(paras: list[Para]) -> list[Header]:
    """A page without bylines: an unnumbered "## " heading followed by text is an article."""
    for p in paras:
        if p.plain_heading and p.index + 1 < len(paras):
            nxt = paras[p.index + 1]
            if not nxt.heading and not nxt.credit and len(nxt.text) >= 8:
                h = Header(
                    anchor=p.index,
                    start=p.index,
                    kind="news",
                    authors=[],
                    byline="",
                    title=p.text,
                    title_lines=[p.line],
                )
                return [h]
    return []
