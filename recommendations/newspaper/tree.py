"""The recommendation tree of one article, from its repaired paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Node
from .numbering import SECTION_STYLES, Marker, all_markers
from .repair import Note, Para
from .text import Run, run_lines, run_slice, run_text

_LEAD = re.compile(r"^(?P<lead>[^,，。;；!?！？:：、\s][^,，。;；!?！？:：]{1,29})[:：](?=\S)")
_SPEECH = re.compile(
    r"(表示|说|说道|指出|认为|介绍|强调|提出|坦言|感慨|感慨道|称|透露|如下|包括|例如|比如)$"
)
_CONCLUSION = re.compile(
    r"^(未来|总之|总而言之|综上|综上所述|展望未来|总的来说|总的来看|总体来看|总体而言|下一步)[,，:：]"
)
_HEAD_END = re.compile(r"[。；;:：!?！？]")
_CLAUSE = re.compile(r"[,，]")
# A first clause that only sets the scene — where, for what, towards what (在涉外服务领域,
# 针对模型轻量化需求, 面向…的目标) — carries no ask: the heading then runs to the sentence end.
_SCENE = re.compile(
    r"^(?:在(?!线)|针对|面向|围绕|立足|着眼|基于|按照|根据|对于|随着|结合|依托|借助|面对)"
)
LEAD_STYLE = "lead"
HEAD_STYLE = "H"
SHORT_HEADING = 20


@dataclass
class _Open:
    style: str
    number: int  # printed number (0 for unnumbered)
    node: Node
    parts: list[tuple[int, Run]] = field(default_factory=list)  # (paragraph index, run)


def _heading_of(text: str, style: str, whole_heading: bool) -> str:
    text = text.strip()
    if style == LEAD_STYLE:
        m = _LEAD.match(text)
        return m.group("lead").strip() if m else text
    if whole_heading:
        return text.rstrip("。；;:：,，")
    m = _HEAD_END.search(text)
    sentence = text[: m.start()] if m else text
    sentence = sentence.strip()
    if style not in SECTION_STYLES and style != HEAD_STYLE and len(sentence) > SHORT_HEADING:
        c = _CLAUSE.search(sentence)
        if c and c.start() >= 2 and not _SCENE.match(sentence):
            sentence = sentence[: c.start()]
    return sentence


def lead_phrase(text: str) -> str | None:
    m = _LEAD.match(text)
    if not m:
        return None
    lead = m.group("lead").strip()
    if _SPEECH.search(lead) or len(text) < len(lead) + 6:
        return None
    return lead


def build_tree(paras: list[Para], *, headings_as_sections: bool = True):
    """Return (roots, notes) for the article's paragraphs."""
    roots, notes, singles = _build(paras, set(), headings_as_sections)
    if singles:
        roots, notes, _ = _build(paras, singles, headings_as_sections)
    _number(roots, "")
    return roots, notes


def _conclusion_start(paras: list[Para], markers: list[list[Marker]]) -> int:
    last_marked = -1
    for i, (p, ms) in enumerate(zip(paras, markers, strict=True)):
        if ms or p.heading:
            last_marked = i
    if last_marked < 0:
        return len(paras)
    for i in range(last_marked + 1, len(paras)):
        if _CONCLUSION.match(paras[i].text):
            return i
    return len(paras)


def _build(paras: list[Para], no_lead: set[int], headings_as_sections: bool):
    roots: list[Node] = []
    notes: list[Note] = []
    stack: list[_Open] = []
    opened: list[_Open] = []
    lead_children: dict[int, list[int]] = {}  # id(parent) -> paragraph indexes
    markers = [all_markers(p.text) for p in paras]
    stop = _conclusion_start(paras, markers)

    def open_node(style: str, number: int, printed: str | None, pi: int) -> _Open:
        node = Node(number="", marker=printed, heading="", text="", lines=[])
        # find the level
        level = None
        for k in range(len(stack) - 1, -1, -1):
            if stack[k].style == style:
                level = k
                break
        line = paras[pi].lines[0] if paras[pi].lines else 0
        if level is not None:
            last = stack[level].number
            if printed is not None and number != last + 1:
                notes.append(
                    Note(
                        "numbering_gap",
                        [line],
                        f"编号不连续:“{printed}”前面是第{last}项",
                    )
                )
            del stack[level:]
        elif printed is not None and number != 1:
            notes.append(Note("numbering_gap", [line], f"编号不连续:“{printed}”之前没有第1项"))
        parent = stack[-1].node if stack else None
        (parent.children if parent else roots).append(node)
        entry = _Open(style, number, node)
        stack.append(entry)
        opened.append(entry)
        return entry

    for pi, p in enumerate(paras):
        if pi >= stop:
            break
        text = p.text
        ms = markers[pi]
        starts_marked = bool(ms) and ms[0].start == len(text) - len(text.lstrip())
        cuts: list[tuple[int, _Open | None]] = []  # (offset, node receiving text from there)
        if starts_marked:
            pass
        elif p.heading and headings_as_sections and not ms:
            # an unnumbered heading inside the article: a section without a marker
            if not stack or stack[0].style in SECTION_STYLES or stack[0].style == HEAD_STYLE:
                style = stack[0].style if stack else HEAD_STYLE
                number = stack[0].number + 1 if stack else 0
                del stack[:]
                entry = open_node(style, number, None, pi)
                entry.node.heading = _heading_of(text, HEAD_STYLE, True)
                notes.append(
                    Note(
                        "heading_without_marker",
                        p.lines[:1],
                        f"没有编号的小标题“{text[:30]}”按一节处理",
                    )
                )
                cuts.append((0, entry))
        else:
            lead = None if pi in no_lead or p.heading else lead_phrase(text)
            top = stack[-1].style if stack else None
            if (
                lead
                and top is not None
                and (top in SECTION_STYLES or top in (LEAD_STYLE, HEAD_STYLE))
            ):
                parent_entry = None
                for e in reversed(stack):
                    if e.style != LEAD_STYLE:
                        parent_entry = e
                        break
                entry = open_node(LEAD_STYLE, 0, None, pi)
                entry.node.heading = lead
                if parent_entry is not None:
                    lead_children.setdefault(id(parent_entry.node), []).append(pi)
                cuts.append((0, entry))
            else:
                cuts.append((0, stack[-1] if stack else None))
        for m in ms:
            entry = open_node(m.style, m.number, m.printed, pi)
            whole = p.heading and m.start == 0 and len(ms) == 1
            entry.node.heading = _heading_of(text[m.end :], m.style, whole)
            cuts.append((m.start, entry))
        for k, (offset, entry) in enumerate(cuts):
            end = cuts[k + 1][0] if k + 1 < len(cuts) else len(text)
            if entry is None or end <= offset:
                continue
            piece = run_slice(p.run, offset, end)
            if run_text(piece).strip():
                entry.parts.append((pi, piece))
    for entry in opened:
        _finish(entry)
    singles = {pis[0] for pis in lead_children.values() if len(pis) == 1}
    return roots, notes, singles


def _finish(entry: _Open) -> None:
    texts: list[str] = []
    lines: list[int] = []
    prev_pi = None
    for pi, run in entry.parts:
        t = run_text(run)
        if prev_pi is not None and pi != prev_pi:
            texts.append("\n")
        texts.append(t)
        prev_pi = pi
        for line in run_lines(run):
            if line not in lines:
                lines.append(line)
    entry.node.text = "".join(texts).strip()
    entry.node.lines = lines


def _number(nodes: list[Node], prefix: str) -> None:
    for i, node in enumerate(nodes, start=1):
        node.number = f"{prefix}{i}"
        _number(node.children, node.number + ".")
