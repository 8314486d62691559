"""Synthetic newspaper pages in the style of fixtures/haidian-ai-training-3.txt.

A page has a series banner (`## title`, `——subtitle…③`), two to four signed pieces (title,
byline `区科信局党组书记、局长 张三`, introduction, numbered recommendations, a closing
paragraph) and up to two news reports (`本报讯(记者 某某)…`, sometimes with a `某某/供图`
credit). Each signed piece uses one of the numbering styles the parser knows (一、 with 一是 per
paragraph or inline, （一） with 1., 一要 with 一是 sub-items, 一观, 第一,, 其一,, lead-phrase
points), and its sentences are composed from `vocabulary.py`.

Everything is deterministic for a given seed, so two runs build the same archive. Pages are
produced in memory; nothing is written to disk.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from bench import vocabulary as V

CN = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# Share of sentences that carry one of the rare terms (see vocabulary.RARE_TERMS).
RARE_RATE = 0.002
# Word frequencies fall with rank as 1/rank**s; below 1 the tail is seen often enough that an
# article rarely repeats a sentence word for word.
ZIPF_EXPONENT = 0.7


def cn(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    if n < 20:
        return "十" + CN[n - 11]
    return CN[n // 10 - 1] + "十" + (CN[n % 10 - 1] if n % 10 else "")


@dataclass
class Page:
    name: str
    text: str
    published_on: datetime.date
    expected_nodes: int  # what the generator numbered; the parser's count is the truth

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


class Writer:
    """Composes sentences with Zipf-weighted choices from the vocabulary."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._weights = {}

    def pick(self, words: list[str]) -> str:
        key = id(words)
        if key not in self._weights:
            weights = (1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(words)))
            self._weights[key] = list(accumulate(weights))
        return self.rng.choices(words, cum_weights=self._weights[key])[0]

    def uniform(self, words: list[str]) -> str:
        return self.rng.choice(words)

    def phrase(self) -> str:
        """'推动高质量人工智能产业集群' — a verb and its object, sometimes qualified."""
        obj = self.pick(V.OBJECTS)
        if self.rng.random() < 0.4:
            obj = self.uniform(V.MODIFIERS) + obj
        return self.pick(V.VERBS) + obj

    def heading(self) -> str:
        """A short heading for an item: 加快算力基础设施建设."""
        return self.phrase() + self.uniform(["", "", "建设", "发展", "布局", "机制", "体系"])

    def sentence(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            s = f"{self.phrase()},{self.phrase()},{self.uniform(V.GOALS)}"
        elif r < 0.55:
            s = f"{self.uniform(V.OPENERS)},{self.pick(V.ACTORS)}要{self.phrase()},{self.phrase()}"
        elif r < 0.75:
            s = (
                f"支持{self.pick(V.ACTORS)}{self.phrase()},"
                f"通过{self.pick(V.OBJECTS)}和{self.pick(V.OBJECTS)},{self.uniform(V.GOALS)}"
            )
        elif r < 0.9:
            s = f"依托{self.pick(V.OBJECTS)},{self.phrase()},形成“{self.pick(V.OBJECTS)}+{self.pick(V.OBJECTS)}”格局"
        else:
            s = f"力争到{self.rng.randint(2026, 2030)}年,{self.pick(V.OBJECTS)}规模突破{self.rng.randint(2, 99)}{self.uniform(['亿元', '家', '个', '项'])}"
        if self.rng.random() < RARE_RATE:
            s += f",探索{self.uniform(V.RARE_TERMS)}等新路径"
        return s + "。"

    def sentences(self, low: int, high: int) -> str:
        return "".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def person(self) -> str:
        given = "".join(self.uniform(V.GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2))))
        return self.uniform(V.SURNAMES) + given

    def byline(self) -> str:
        first = self._affiliation()
        if self.rng.random() < 0.15:
            return f"{first},{self._affiliation(department_only=True)} {self.person()}"
        return f"{first} {self.person()}"

    def _affiliation(self, department_only: bool = False) -> str:
        r = self.rng.random()
        if department_only or r < 0.55:
            org = self.uniform(V.DEPARTMENTS)
            return org + self._department_position(org)
        org = self.uniform(V.OTHER_ORGS)
        if org.endswith("街道"):
            return org + self.uniform(V.STREET_POSITIONS)
        if org.startswith("区") and not org.endswith("中心"):
            return org + self._department_position(org)
        return org + self.uniform(V.COMPANY_POSITIONS)

    def _department_position(self, org: str) -> str:
        """局 is led by a 局长, 委/办/管委会/中心 by a 主任, a 街道 by its 工委书记."""
        if org.endswith("街道"):
            return self.uniform(V.STREET_POSITIONS)
        head = "局长" if org.endswith("局") else "主任"
        return self.uniform(V.DEPARTMENT_POSITIONS).format(head=head)

    def piece_title(self) -> str:
        first = self.uniform(V.TITLE_FIRST).format(o=self.pick(V.OBJECTS)[:6])
        second = self.uniform(V.TITLE_SECOND).format(
            o=self.pick(V.OBJECTS)[:6], m=self.uniform(V.MODIFIERS), g=self.uniform(V.GOALS)
        )
        return f"{first} {second}"


# --- the numbering styles of a signed piece ----------------------------------------------------
# Each returns (paragraphs, number of recommendation nodes it numbered).


def _sections(w: Writer, count: int, numbered_heading) -> list[tuple[str, int]]:
    return [(numbered_heading(n), n) for n in range(1, count + 1)]


def style_shi_paragraphs(w: Writer) -> tuple[list[str], int]:
    """一、heading / 一是…(one paragraph per item)."""
    paras, nodes = [], 0
    for n in range(1, w.rng.randint(2, 4) + 1):
        prefix = "## " if w.rng.random() < 0.6 else ""
        paras.append(f"{prefix}{cn(n)}、{w.heading()},{w.uniform(V.GOALS)}")
        nodes += 1
        for k in range(1, w.rng.randint(2, 4) + 1):
            paras.append(f"{cn(k)}是{w.heading()}。{w.sentences(1, 3)}")
            nodes += 1
    return paras, nodes


def style_shi_inline(w: Writer) -> tuple[list[str], int]:
    """一、heading / one paragraph: an opening sentence, then 一是…。二是…。 inline."""
    paras, nodes = [], 0
    for n in range(1, w.rng.randint(2, 4) + 1):
        paras.append(f"## {cn(n)}、{w.heading()}")
        nodes += 1
        items = w.rng.randint(2, 4)
        body = w.sentence() + "".join(
            f"{cn(k)}是{w.heading()}。{w.sentences(1, 2)}" for k in range(1, items + 1)
        )
        paras.append(body)
        nodes += items
    return paras, nodes


def style_paren_numbers(w: Writer) -> tuple[list[str], int]:
    """（一）heading / 1. item / 2. item."""
    paras, nodes = [], 0
    for n in range(1, w.rng.randint(2, 4) + 1):
        paras.append(f"（{cn(n)}）{w.heading()}")
        nodes += 1
        for k in range(1, w.rng.randint(2, 4) + 1):
            paras.append(f"{k}.{w.heading()}。{w.sentences(1, 2)}")
            nodes += 1
    return paras, nodes


def style_yao_with_sub_items(w: Writer) -> tuple[list[str], int]:
    """一、heading / 一要…。一是…。二是…。 (sub-items inline in the 一要 paragraph)."""
    paras, nodes = [], 0
    for n in range(1, w.rng.randint(2, 3) + 1):
        paras.append(f"{cn(n)}、要{w.heading()}")
        nodes += 1
        for k in range(1, w.rng.randint(2, 3) + 1):
            subs = w.rng.randint(2, 3)
            body = f"{cn(k)}要{w.heading()}。" + "".join(
                f"{cn(j)}是{w.heading()},{w.sentences(1, 1)}" for j in range(1, subs + 1)
            )
            paras.append(body)
            nodes += 1 + subs
    return paras, nodes


def style_guan(w: Writer) -> tuple[list[str], int]:
    """一、heading / 一观…趋势,… 一是… (sub-items inline)."""
    paras, nodes = [], 0
    for n in range(1, w.rng.randint(2, 3) + 1):
        paras.append(f"## {cn(n)}、{w.heading()}")
        paras.append(f"{w.sentence()}有{cn(3)}个方面值得关注:")
        nodes += 1
        for k in range(1, 4):
            subs = w.rng.randint(2, 3)
            body = f"{cn(k)}观{w.pick(V.OBJECTS)}趋势,{w.sentence()}" + "".join(
                f"{cn(j)}是{w.heading()}。{w.sentences(1, 1)}" for j in range(1, subs + 1)
            )
            paras.append(body)
            nodes += 1 + subs
    return paras, nodes


def style_di(w: Writer) -> tuple[list[str], int]:
    """一、heading / 第一,… per paragraph."""
    paras, nodes = [], 0
    for n in range(1, w.rng.randint(2, 4) + 1):
        paras.append(f"{cn(n)}、{w.heading()}")
        nodes += 1
        for k in range(1, w.rng.randint(2, 4) + 1):
            paras.append(f"第{cn(k)},{w.heading()}。{w.sentences(1, 2)}")
            nodes += 1
    return paras, nodes


def style_qi(w: Writer) -> tuple[list[str], int]:
    """一、heading / 其一,… per paragraph."""
    paras, nodes = [], 0
    for n in range(1, w.rng.randint(2, 3) + 1):
        paras.append(f"## {cn(n)}、{w.heading()}")
        nodes += 1
        for k in range(1, w.rng.randint(2, 3) + 1):
            paras.append(f"其{cn(k)},{w.heading()}。{w.sentences(1, 2)}")
            nodes += 1
    return paras, nodes


def style_lead_phrases(w: Writer) -> tuple[list[str], int]:
    """一、heading / “智慧社区”场景:… (unnumbered points opening with a lead phrase)."""
    paras, nodes = [], 0
    for n in range(1, w.rng.randint(2, 4) + 1):
        paras.append(f"## {cn(n)}、{w.heading()}:让{w.pick(V.OBJECTS)}{w.uniform(V.GOALS)}")
        paras.append(w.sentences(1, 2))
        nodes += 1
        for _ in range(w.rng.randint(2, 3)):
            lead = f"“{w.pick(V.OBJECTS)}”{w.uniform(['场景', '行动', '工程', '计划'])}"
            paras.append(f"{lead}:{w.sentences(2, 3)}")
            nodes += 1
    return paras, nodes


STYLES = [
    (style_shi_paragraphs, 5),
    (style_shi_inline, 3),
    (style_paren_numbers, 2),
    (style_yao_with_sub_items, 2),
    (style_guan, 1),
    (style_di, 2),
    (style_qi, 1),
    (style_lead_phrases, 2),
]


def signed_piece(w: Writer, course: str, installment_of_course: int) -> tuple[list[str], int]:
    start = datetime.date(2025, 1, 6) + datetime.timedelta(days=w.rng.randint(0, 300))
    end = start + datetime.timedelta(days=4)
    until = f"{end.day}日" if end.month == start.month else f"{end.month}月{end.day}日"
    topics = "、".join(w.rng.sample(V.COURSE_TOPICS, 3))
    intro = (
        f"{start.year}年{start.month}月{start.day}日至{until},我参加“{course}"
        f"(第{cn(installment_of_course)}期)”,系统学习了{topics}等课程,"
        f"让我对{w.pick(V.OBJECTS)}有了更为深刻的认识。"
    )
    context = f"当前,{w.pick(V.OBJECTS)}是{w.uniform(V.GOALS)}的关键抓手。{w.sentences(1, 3)}"
    style = w.rng.choices([s for s, _ in STYLES], weights=[n for _, n in STYLES])[0]
    body, nodes = style(w)
    paras = [
        f"## {w.piece_title()}",
        w.byline(),
        intro,
        context,
        f"结合培训所学与区域实际,我就{w.pick(V.OBJECTS)}提出如下建议:",
        *body,
        f"{w.uniform(['未来', '总之', '展望未来'])},{w.pick(V.ACTORS)}还需持续发力,{w.uniform(V.GOALS)}。",
    ]
    return paras, nodes


def news_report(w: Writer) -> list[str]:
    title, subject = w.uniform(V.NEWS_TOPICS)
    paras = [f"## {title}"]
    if w.rng.random() < 0.5:
        paras.append(f"{w.uniform(V.REPORTER_PHOTO_SOURCES)}/供图")
    paras.append(
        f"本报讯(记者 {w.person()})近日,海淀区{subject}活动顺利举行。"
        f"{w.uniform(V.NEWS_PHRASES)},{w.uniform(V.NEWS_PHRASES)}。"
    )
    for _ in range(w.rng.randint(1, 3)):
        paras.append(f"{w.uniform(V.NEWS_PHRASES)},{w.uniform(V.NEWS_PHRASES)}。")
    return paras


def page(number: int, seed: int = 2025) -> Page:
    """The page of that number; the same (number, seed) always gives the same text."""
    w = Writer(random.Random(seed * 1_000_003 + number))
    course_index = number % len(V.COURSES)
    course = V.COURSES[course_index]
    installment = number % 10 + 1
    paras = [
        f"## {V.SERIES_TITLES[number % len(V.SERIES_TITLES)]}",
        f"——海淀区{course}(第{cn(number // 10 % 9 + 1)}期)学员思考和建议{CIRCLED[installment - 1]}",
    ]
    nodes = 0
    for _ in range(w.rng.randint(2, 4)):
        piece, n = signed_piece(w, course, number // 10 % 9 + 1)
        paras += piece
        nodes += n
    for _ in range(w.rng.randint(0, 2)):
        paras += news_report(w)
    # Every title names its page: the importer recognises a page by its printed identity
    # (series, installment and article titles), and a drawn title repeats across thousands of
    # pages, so without this a new page could be taken for a corrected copy of another.
    paras = [
        f"{p}之{number + 1}" if i > 1 and p.startswith("## ") else p for i, p in enumerate(paras)
    ]
    published = datetime.date(2025, 1, 1) + datetime.timedelta(days=number % 365)
    return Page(
        name=f"bench-{seed}-{number:06d}.txt",
        text="\n\n".join(paras) + "\n",
        published_on=published,
        expected_nodes=nodes,
    )


def pages(seed: int = 2025, start: int = 0) -> Iterator[Page]:
    """An endless stream of pages; the caller stops when it has imported enough nodes."""
    number = start
    while True:
        yield page(number, seed)
        number += 1
