"""Mutated pages either parse into a valid Edition or raise PageError — nothing else."""

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parser_helpers import SEED

from recommendations.newspaper import Edition, PageError, parse_bytes, parse_page

LINES = SEED.read_text(encoding="utf-8").split("\n")
NUMBER = re.compile(r"^[1-9]\d*(\.[1-9]\d*)*$")

op = st.tuples(
    st.sampled_from(["drop", "swap", "dup", "split", "blank", "cut"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
)


def mutate(lines: list[str], ops) -> list[str]:
    lines = list(lines)
    for kind, i, j in ops:
        if not lines:
            break
        i %= len(lines)
        j %= len(lines)
        if kind == "drop":
            del lines[i]
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "dup":
            lines.insert(j, lines[i])
        elif kind == "split":
            text = lines[i]
            k = j % (len(text) + 1)
            lines[i : i + 1] = [text[:k], "", text[k:]]
        elif kind == "blank":
            lines.insert(i, "")
        elif kind == "cut":  # the page ends here
            del lines[max(i, 1) :]
    return lines


def check(ed: Edition) -> None:
    d = ed.to_dict()
    json.dumps(d, ensure_ascii=False)
    assert d["schema"] == "edition/1"
    assert ed.articles
    for a in ed.articles:
        assert a.kind in ("reflection", "news")
        assert all(au.role in ("author", "reporter", "correspondent") for au in a.authors)
        numbers = [n.number for n in a.nodes()]
        assert len(numbers) == len(set(numbers))
        assert all(NUMBER.match(n) for n in numbers)
        for node in a.nodes():
            assert all(1 <= line <= ed.line_count for line in node.lines)
            for i, child in enumerate(node.children, start=1):
                assert child.number == f"{node.number}.{i}"
        for b in a.blocks:
            assert b.type in ("paragraph", "heading")
            assert b.lines and all(1 <= line <= ed.line_count for line in b.lines)
    for w in ed.warnings:
        assert all(1 <= line <= ed.line_count for line in w.lines)
        assert w.article is None or 0 <= w.article < len(ed.articles)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=1, max_size=8))
def test_mutated_seed(ops):
    text = "\n".join(mutate(LINES, ops))
    try:
        ed = parse_page(text, "mutated.txt")
    except PageError as e:
        assert str(e).startswith("mutated.txt")
        return
    check(ed)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data):
    try:
        ed = parse_bytes(data, "random.bin")
    except PageError:
        return
    check(ed)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "## 以数据要素激活发展新动能",
                "区科信局局长 张明",
                "本报讯(记者 王芳)近日,科技周开幕。",
                "一、夯实数据基础",
                "一是建设平台。二是完善目录,",
                "三是健全标准",
                "“小而精”建设数据中台:对接区级平台。",
                "学校/供图",
                "——学员体会③",
                "(二)拓展场景",
                "总之,任重道远。",
                "",
            ]
        ),
        max_size=25,
    )
)
def test_random_pages_from_fragments(lines):
    try:
        ed = parse_page("\n".join(lines), "frag.txt")
    except PageError:
        return
    check(ed)
