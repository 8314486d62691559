"""Small text helpers shared by the parser modules."""

from __future__ import annotations

import re

SENTENCE_END = "。！？!?…；;"
# Closing quotes and brackets that may follow a sentence end.
CLOSERS = "”’」』》〉)）]】\"'"
_TRAILING_CLOSERS = re.compile(f"[{re.escape(CLOSERS)}\\s]+$")


def is_complete(text: str) -> bool:
    """Whether a paragraph ends where a sentence (or a lead-in ``:``) may end."""
    t = text.rstrip()
    if not t:
        return True
    if t[-1] in "）)":
        return True  # (完), （作者系…）
    t = _TRAILING_CLOSERS.sub("", t)
    if not t:
        return True
    return t[-1] in SENTENCE_END + ":：—"


_ANY_PUNCT = re.compile(r"[，,。；;：:！？!?、…]")


def is_standalone(text: str) -> bool:
    """A short line with no punctuation at all (a subhead, a caption, a name line): not a
    paragraph cut mid-sentence even though it does not end like a sentence."""
    t = text.strip()
    if _ANY_PUNCT.search(t):
        return False
    return len(t) <= 12 or (len(t) <= 30 and bool(re.search(r"\S\s+\S", t)))


def is_open(text: str) -> bool:
    """A paragraph that was cut mid-sentence and waits for its continuation."""
    return not is_complete(text) and not is_standalone(text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentences: spans ending after 。！？!?；; (and closing quotes)."""
    spans = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "。！？!?；;":
            j = i + 1
            while j < n and text[j] in SENTENCE_END:
                j += 1
            while j < n and text[j] in CLOSERS:
                j += 1
            spans.append((start, j))
            start = j
            i = j
            continue
        i += 1
    if start < n:
        spans.append((start, n))
    return spans


# ---------------------------------------------------------------- pieces of text with lines
# A "run" is a list of (line, text) chunks: the text of a paragraph that may come from
# several source lines (joined across a break), keeping where each character came from.

Run = list[tuple[int, str]]


def run_text(run: Run) -> str:
    return "".join(t for _, t in run)


def run_lines(run: Run, start: int = 0, end: int | None = None) -> list[int]:
    """The source lines of the characters run_text(run)[start:end], in order, unique."""
    out: list[int] = []
    pos = 0
    for line, t in run:
        a, b = pos, pos + len(t)
        pos = b
        hi = b if end is None else min(b, end)
        if max(a, start) < hi or (not t and a >= start and (end is None or a < end)):
            if line not in out:
                out.append(line)
    return out


def run_slice(run: Run, start: int, end: int | None = None) -> Run:
    out: Run = []
    pos = 0
    for line, t in run:
        a, b = pos, pos + len(t)
        pos = b
        lo = max(a, start)
        hi = b if end is None else min(b, end)
        if lo < hi:
            out.append((line, t[lo - a : hi - a]))
    return out


def run_remove(run: Run, spans: list[tuple[int, int]]) -> Run:
    """The run without the character spans given (sorted, non-overlapping)."""
    out: Run = []
    prev = 0
    for a, b in spans:
        out.extend(run_slice(run, prev, a))
        prev = b
    out.extend(run_slice(run, prev))
    return out


def strip_run(run: Run) -> Run:
    text = run_text(run)
    left = len(text) - len(text.lstrip())
    right = len(text.rstrip())
    return run_slice(run, left, right)
