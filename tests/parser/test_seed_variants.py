"""The seed page printed differently: same articles, same trees."""

import re

import pytest
from parser_helpers import SEED

from recommendations.newspaper import parse_bytes, parse_page

TEXT = SEED.read_text(encoding="utf-8")


def _shape(ed):
    return [
        (
            a.title,
            a.kicker,
            a.kind,
            [au.name for au in a.authors],
            a.photo_credits,
            [(n.number, n.marker, n.heading) for n in a.nodes()],
        )
        for a in ed.articles
    ]


@pytest.fixture(scope="module")
def expected():
    return _shape(parse_page(TEXT, "seed.txt"))


def _fullwidth(text):
    return text.translate(str.maketrans({",": "，", ":": "：", "(": "（", ")": "）"}))


VARIANTS = {
    "without ##": TEXT.replace("## ", ""),
    "full-width punctuation": _fullwidth(TEXT),
    "CRLF": TEXT.replace("\n", "\r\n"),
    "no blank lines": re.sub(r"\n\n+", "\n", TEXT),
    "indented paragraphs": "\n".join(
        "\u3000\u3000" + line if line and not line.startswith("#") else line
        for line in TEXT.split("\n")
    ),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_same_structure(name, expected):
    ed = parse_page(VARIANTS[name], "variant.txt")
    assert ed.series.installment == 3
    got = _shape(ed)
    if name == "full-width punctuation":
        got = _shape_fw(got)
        expected = _shape_fw(expected)
    assert got == expected
    assert ed.node_count() == 50


def _shape_fw(shape):
    return [
        (t, k, kind, names, credits, [(n, m, _fullwidth(h)) for n, m, h in nodes])
        for t, k, kind, names, credits, nodes in [
            (_fullwidth(t), k and _fullwidth(k), kind, names, credits, nodes)
            for t, k, kind, names, credits, nodes in shape
        ]
    ]


def test_gb18030_bytes(expected):
    ed = parse_bytes(TEXT.encode("gb18030"), "seed-gbk.txt")
    assert ed.encoding == "gb18030"
    assert _shape(ed) == expected


def test_no_blank_lines_keeps_line_numbers():
    ed = parse_page(VARIANTS["no blank lines"], "variant.txt")
    item = {n.number: n for n in ed.articles[0].nodes()}["1.2"]
    assert item.lines == [11, 20]  # lines 21 and 39 of the spaced-out page
