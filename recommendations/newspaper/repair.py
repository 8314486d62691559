"""Layout repair: give interleaved paragraphs back to their article, join broken paragraphs,
drop repeated paragraphs and sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbering import Marker, all_markers, leading_marker
from .text import (
    Run,
    is_complete,
    is_open,
    is_standalone,
    run_lines,
    run_remove,
    run_text,
    sentence_spans,
    strip_run,
)
from .words import spanning_word

SWITCH = 1.0  # reading another article's text than the one just read
SWITCH_AFTER_BREAK = 0.7  # … right after a paragraph cut mid-sentence (a column break)
SWITCH_HOME = 0.5  # back home right after a paragraph that completed another article's cut word
GAP = 4.0  # a marker that does not continue the article's numbering
BROKEN = 3.0  # a paragraph cut mid-sentence followed, in its article, by a new point
INLINE_MISMATCH = 0.5  # 三是 as a paragraph continuing 一是/二是 printed inline (or vice versa)
WORD_BONUS = 0.5  # the join forms a dictionary word (推|动 → 推动)
END_PENDING = 1.0  # an article left cut mid-sentence
FOREIGN = 0.4  # … and reading on there an unnumbered paragraph instead of going back home
BEAM = 16
NEIGHBOURS = 3  # how many earlier articles a paragraph may be given back to
MIN_REPEAT = 20  # shorter paragraphs and sentences are dropped as repeats only when adjacent


@dataclass
class Unit:
    """A body paragraph on its way to an article."""

    order: int  # page order
    host: int  # the article whose printed region holds it
    run: Run
    heading: bool  # printed as "## …" or a numbered section heading line
    lead: Marker | None
    markers: list[Marker]  # lead + inline markers
    complete: bool
    article: int = -1  # assigned article
    removed: bool = False
    box: int = -1  # the boxed report this unit follows in its host's column (find_boxes)

    @property
    def text(self) -> str:
        return run_text(self.run)

    @property
    def lines(self) -> list[int]:
        return run_lines(self.run)


def make_unit(order: int, host: int, line: int, text: str, hashed: bool) -> Unit:
    unit = Unit(order, host, [(line, text)], hashed, None, [], True)
    _classify(unit, hashed)
    return unit


def _classify(unit: Unit, hashed: bool) -> None:
    text = unit.text
    lead = leading_marker(text)
    unit.heading = (
        hashed
        or bool(
            lead is not None and lead.is_section and len(text) <= 60 and not _ends_sentence(text)
        )
        or is_subhead(text)
    )
    unit.lead = lead
    unit.markers = all_markers(text)
    # A heading (a "## " line or a short numbered section line) is never a sentence cut
    # by a break: it does not wait for a continuation.
    unit.complete = unit.heading or not is_open(text)


def is_subhead(text: str) -> bool:
    """An unnumbered subheading printed without "## ": a short line of words with no
    punctuation at all (聚焦养老服务, 坚持需求导向 强化场景牵引)."""
    t = text.strip()
    return 4 <= len(t) <= 20 and is_standalone(t) and t[0] not in '（(【[《“"' and not t.isascii()


def _ends_sentence(text: str) -> bool:
    t = text.rstrip("”’」』 ")
    return bool(t) and t[-1] in "。！？!?；;"


# ------------------------------------------------------------------ duplicates (paragraphs)


# Repeats are compared with full- and half-width punctuation made alike (OCR mixes them).
_WIDTH = str.maketrans("，；：！？（）", ",;:!?()")


def _norm(text: str) -> str:
    return "".join(text.split()).translate(_WIDTH)


def remove_duplicate_paragraphs(units: list[Unit]) -> list[tuple[Unit, Unit]]:
    """Mark paragraphs printed again verbatim; return (duplicate, original) pairs."""
    seen: dict[str, Unit] = {}
    pairs = []
    prev_key = None
    for u in units:
        if u.heading:
            prev_key = None
            continue
        key = _norm(u.text)
        # Short lines (一是加强组织领导。) may well be printed twice on purpose, unless
        # the repetition follows immediately.
        repeat = key in seen and (
            len(key) >= MIN_REPEAT
            or (key == prev_key and len(key) >= 4)
            or (not u.complete and len(key) >= 8)  # a cut fragment printed again
        )
        if repeat:
            u.removed = True
            pairs.append((u, seen[key]))
            continue
        seen.setdefault(key, u)
        prev_key = key
    return pairs


# ------------------------------------------------------------------ repeated sentence ends

MIN_TAIL = 3  # letters (“火”起来。) of a sentence end printed again that are enough to drop it
_LETTER = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


@dataclass
class Tail:
    """The start of a unit that repeats the end of an earlier unit's last sentence."""

    unit: Unit
    original: Unit
    text: str
    lines: list[int]


def _last_sentence(text: str) -> str | None:
    """The unit's last sentence, normalised, when the unit ends with one."""
    spans = sentence_spans(text)
    if not spans:
        return None
    a, b = spans[-1]
    sentence = _norm(text[a:b])
    return sentence if _is_sentence(sentence) else None


def _is_sentence(norm: str) -> bool:
    return bool(norm) and norm.rstrip("”’」』\"'）)")[-1:] in tuple("。！？!?；;")


def _tail_repeat(sentence: str, last: str | None) -> bool:
    """Whether a paragraph's first sentence, found at the end of the previous paragraph, is
    a repeat: a long one, or a short one that is only the end of that paragraph's last
    sentence (和获得感。 after …提升群众的满意度和获得感。)."""
    if len(sentence) >= MIN_REPEAT // 2:
        return True
    strict = last is not None and len(last) > len(sentence) and last.endswith(sentence)
    return strict and len(_LETTER.findall(sentence)) >= MIN_TAIL


def remove_repeated_tails(units: list[Unit]) -> list[Tail]:
    """Drop the end of a sentence printed again at the top of the next column.

    The extraction may print the last words of a column again where the next column starts
    (…不断提升群众的满意度和获得感。 | 和获得感。 | 二是…), on a line of its own or before the
    next paragraph, and that column may stand in another article's region. A unit that opens
    with a proper suffix of an earlier unit's last sentence loses that suffix — a paragraph
    never opens with the bare end of a sentence just printed. Whole repeated sentences and
    paragraphs are left to the other repeat rules.
    """
    ends: list[tuple[str, Unit]] = []
    found: list[Tail] = []
    for u in units:
        if u.removed or u.heading:
            continue
        if u.lead is None:
            a, b = sentence_spans(u.text)[0]
            first = _norm(u.text[a:b])
            if _is_sentence(first) and len(_LETTER.findall(first)) >= MIN_TAIL:
                original = next(
                    (v for s, v in reversed(ends) if len(s) > len(first) and s.endswith(first)),
                    None,
                )
                if original is not None:
                    found.append(Tail(u, original, u.text[a:b], run_lines(u.run, a, b)))
                    rest = strip_run(run_remove(u.run, [(a, b)]))
                    if not run_text(rest).strip():
                        u.removed = True  # its run stays: a repeat of it still names lines
                        continue
                    u.run = rest
                    _classify(u, False)
        last = _last_sentence(u.text)
        if last is not None and u.complete:
            ends.append((last, u))
    return found


# ------------------------------------------------------------------ reports boxed in a column


@dataclass
class Box:
    """A short report printed inside a signed piece's column, in the middle of a sentence."""

    report: int
    host: int
    cut: Unit  # the host's paragraph the box interrupts
    after: list[Unit]  # what the report's region holds after the box: the host's column


def find_boxes(units: list[Unit], kinds: list[str], credits: dict[int, list[int]]) -> list[Box]:
    """Find news reports boxed inside a signed piece's column and give the host its column
    back.

    The box (title, 本报讯 paragraph, paragraphs, photo credit) interrupts a sentence of the
    host piece, which goes on after the box; the page's regions, cut at every title, would
    put the host's rest into the report. A report is a box when the paragraph printed right
    before its title is a signed piece's sentence cut off, and the box's end shows: a later
    paragraph of the report's region that completes the cut word (…解决方 | 案。), or else
    the report's photo credit printed after its first paragraph. From there on the region is
    the host's again; the beam may still give a paragraph to the report (its own first
    paragraph may be cut and go on later on the page: ``box`` keeps it reachable).
    """
    live = [u for u in units if not u.removed]
    boxes: list[Box] = []
    for k in range(1, len(kinds)):
        region = [u for u in live if u.host == k]
        if kinds[k] != "news" or len(region) < 2:
            continue
        before = [u for u in live if u.order < region[0].order]
        cut = before[-1] if before else None
        if cut is None or cut.complete or kinds[cut.host] != "reflection":
            continue
        end = next(
            (
                i
                for i, u in enumerate(region[1:], start=1)
                if u.lead is None and not u.heading and spanning_word(cut.text, u.text)
            ),
            None,
        )
        if end is None:
            late = [o for o in credits.get(k, []) if o > region[0].order]
            if late:
                end = next((i for i, u in enumerate(region) if u.order >= late[0]), None)
        if end is None or region[end].lead is not None or region[end].heading:
            continue
        for u in region[end:]:
            u.host, u.box = cut.host, k
        boxes.append(Box(k, cut.host, cut, region[end:]))
    return boxes


# ------------------------------------------------------------------ interleave (beam search)

Stack = tuple[tuple[str, int, bool], ...]


def _fit(stack: Stack, marker: Marker, inline: bool) -> tuple[float, Stack]:
    for k in range(len(stack) - 1, -1, -1):
        style, last, was_inline = stack[k]
        if style == marker.style:
            cost = 0.0 if marker.number == last + 1 else GAP
            if was_inline != inline and marker.number > 1:
                cost += INLINE_MISMATCH
            return cost, (*stack[:k], (style, marker.number, inline))
    cost = 0.0 if marker.number == 1 else GAP
    return cost, (*stack, (marker.style, marker.number, inline))


def assign_articles(units: list[Unit]) -> None:
    """Give each unit an article: its printed host, or an earlier article it continues.

    A beam search over readings of the page. A reading's state is, per article, the unit
    left cut mid-sentence (if any) and the numbering stack; states are interned as ints so
    that a reading is a small tuple of ints.
    """
    live = [u for u in units if not u.removed]
    if not live:
        return
    ids: dict[tuple[int, Stack], int] = {}
    vals: list[tuple[int, Stack]] = []

    def intern(state: tuple[int, Stack]) -> int:
        sid = ids.get(state)
        if sid is None:
            sid = ids[state] = len(vals)
            vals.append(state)
        return sid

    n_articles = max(u.host for u in live) + 1
    empty = (intern((-1, ())),) * n_articles
    # beam entries: (cost, flow, states, path, back) — path is a linked list (article,
    # previous); back: reading is on a detour — a paragraph printed in this region completed
    # a word cut in another article (推 | 动…), followed only by unnumbered paragraphs — so
    # reading on here is a return, not a switch, and nothing else points away from here.
    beam: list[tuple[float, int, tuple[int, ...], tuple | None, bool]] = [
        (0.0, live[0].host, empty, None, False)
    ]
    prev_host = live[0].host
    texts = {u.order: u.text for u in live}
    for u in live:
        host = u.host
        new_region = host != prev_host
        prev_host = host
        near = [*range(max(0, host - NEIGHBOURS), host + 1)]
        if u.box > host:
            near.append(u.box)
        plain = u.lead is None and not u.heading
        marks = [(m, not (i == 0 and u.lead is not None)) for i, m in enumerate(u.markers)]
        end_state = u.order if not u.complete else -1
        moves: dict[int, tuple[float, int, bool]] = {}  # state id -> (cost, new state, word)
        nxt: dict[tuple, tuple[float, int, tuple[int, ...], tuple | None, bool]] = {}
        for cost, flow, states, path, back in beam:
            if new_region:
                flow = host
                back = False
            leave = SWITCH_AFTER_BREAK if vals[states[flow]][0] >= 0 else SWITCH
            for a in (flow, *(x for x in near if x != flow)):
                sid = states[a]
                move = moves.get(sid)
                if move is None:
                    pending, stack = vals[sid]
                    dc = 0.0
                    word = False
                    if pending >= 0:
                        if not plain:
                            dc += BROKEN
                        elif spanning_word(texts[pending], u.text):
                            dc -= WORD_BONUS
                            word = True
                    for m, inline in marks:
                        d, stack = _fit(stack, m, inline)
                        dc += d
                    move = moves[sid] = (dc, intern((end_state, stack)), word)
                if a == flow:
                    step = 0.0
                elif a == host and back:
                    step = SWITCH_HOME
                elif move[2]:
                    step = SWITCH_AFTER_BREAK  # the continuation of a word cut by a break
                else:
                    step = leave
                if back and a == flow and plain and not move[2]:
                    step = FOREIGN
                c = cost + move[0] + step
                st = (*states[:a], move[1], *states[a + 1 :])
                detour = a != host and (move[2] or (back and a == flow and plain))
                key = (a, st, detour)
                old = nxt.get(key)
                if old is None or c < old[0]:
                    nxt[key] = (c, a, st, (a, path), detour)
        beam = sorted(nxt.values(), key=lambda e: e[0])[:BEAM]
    best_cost, best = None, None
    for cost, _flow, states, path, _back in beam:
        c = cost + sum(END_PENDING for sid in states if vals[sid][0] >= 0)
        if best_cost is None or c < best_cost:
            best_cost, best = c, path
    chosen: list[int] = []
    while best is not None:
        chosen.append(best[0])
        best = best[1]
    chosen.reverse()
    for u, a in zip(live, chosen, strict=True):
        u.article = a


# ------------------------------------------------------------------ joins and sentence repeats


@dataclass
class Para:
    """A repaired paragraph of one article."""

    run: Run
    heading: bool
    lead: Marker | None
    units: list[Unit] = field(default_factory=list)

    @property
    def text(self) -> str:
        return run_text(self.run)

    @property
    def lines(self) -> list[int]:
        return run_lines(self.run)


@dataclass
class Note:
    kind: str
    lines: list[int]
    message: str


def join_paragraphs(units: list[Unit]) -> tuple[list[Para], list[Note]]:
    """Join each paragraph cut mid-sentence with the one that continues it."""
    paras: list[Para] = []
    notes: list[Note] = []
    for u in units:
        last = paras[-1] if paras else None
        if last is not None and not last.heading and not is_complete(last.text):
            left, right = last.text, u.text
            word = spanning_word(left, right) if u.lead is None and not u.heading else None
            if is_standalone(left) and not word:
                paras.append(Para(list(u.run), u.heading, u.lead, [u]))
                continue
            if u.lead is None and not u.heading:
                a, b = last.run[-1][0], u.run[0][0]
                if word:
                    msg = f"第{a}行末“{left[-1]}”与第{b}行首“{right[0]}”接排断开,已合并为“{word}”"
                else:
                    msg = f"第{a}行未完的句子在第{b}行接续,已合并为一段"
                notes.append(Note("word_joined", [a, b], msg))
                last.run = last.run + u.run
                last.units.append(u)
                continue
            a = last.run[-1][0]
            notes.append(
                Note("unjoined_break", [a], f"第{a}行在句中断开,下文未找到接续(后接新的段落或标题)")
            )
        paras.append(Para(list(u.run), u.heading, u.lead, [u]))
    return paras, notes


def remove_repeated_sentences(paras: list[Para]) -> tuple[list[Para], list[Note]]:
    """Keep each (long enough) sentence once per article."""
    seen: set[str] = set()
    notes: list[Note] = []
    out: list[Para] = []
    tail = ""  # the end of the previous paragraph, normalised
    last = None  # … and its last sentence
    for p in paras:
        if p.heading:
            out.append(p)
            tail = ""
            continue
        text = p.text
        drop: list[tuple[int, int]] = []
        prev = None
        for k, (a, b) in enumerate(sentence_spans(text)):
            sentence = _norm(text[a:b])
            if len(sentence) < 6 or sentence[-1] not in "。！？!?；;”’」』":
                prev = None
                continue
            if sentence in seen and (len(sentence) >= MIN_REPEAT or sentence == prev):
                drop.append((a, b))
            elif k == 0 and tail.endswith(sentence) and _tail_repeat(sentence, last):
                # The last words of the previous paragraph printed again at the top of the
                # next column: 其三,建立资金池,鼓励投放。 | 建立资金池,鼓励投放。同时,…
                drop.append((a, b))
            else:
                seen.add(sentence)
                prev = sentence
        tail = _norm(text)[-80:]
        last = _last_sentence(text)
        if drop:
            lines = []
            for a, b in drop:
                for line in run_lines(p.run, a, b):
                    if line not in lines:
                        lines.append(line)
            first = text[drop[0][0] : drop[0][1]]
            short = first if len(first) <= 24 else first[:22] + "…"
            notes.append(
                Note(
                    "duplicate_removed",
                    lines,
                    f"重复的句子已删除({len(drop)}处),如“{short}”",
                )
            )
            p.run = run_remove(p.run, drop)
            if not p.text.strip():
                continue
        out.append(p)
    return out, notes
