"""Every unseen page read exactly as its expectation file says, and the score over all of
them (the figures issue #11 §4 asks for: share of checks passed, recommendation-tree F1).

Run ``.venv/bin/python tests/parser/score_pages.py -v`` for the figures page by page.
"""

import copy

import pytest
from expected import (
    checks,
    expectation_files,
    load_expected,
    page_of,
    parse_file,
    project,
    score_all,
    tree_counts,
)

FILES = expectation_files()


def test_every_unseen_page_has_an_expectation():
    pages = {p.name for p in page_of(FILES[0]).parent.glob("*.txt")}
    assert pages == {page_of(f).name for f in FILES}
    assert len(pages) >= 18


@pytest.mark.parametrize("expectation", FILES, ids=lambda f: page_of(f).stem)
def test_the_page_reads_as_expected(expectation):
    expected = load_expected(expectation)
    actual = project(parse_file(page_of(expectation)))
    assert actual["series"] == expected["series"]
    assert [a["title"] for a in actual["articles"]] == [a["title"] for a in expected["articles"]]
    for got, want in zip(actual["articles"], expected["articles"], strict=True):
        assert got == want
    assert actual["warnings"] == expected["warnings"]


def test_the_score_over_all_unseen_pages():
    result = score_all()
    print(
        f"\nunseen pages: {result['passed']}/{result['checks']} checks "
        f"({result['share']:.1%}), tree F1 {result['f1']:.3f}"
    )
    assert result["share"] >= 0.98
    assert result["f1"] >= 0.98


def test_a_misread_page_loses_checks_and_tree_f1():
    expected = next(e for e in map(load_expected, FILES) if e["articles"][0]["tree"])
    actual = copy.deepcopy(expected)
    article = actual["articles"][0]
    article["tree"][0] = article["tree"][0].replace("@", "@0,")  # one node's lines wrong
    article["authors"] = [*article["authors"][1:], "某人 author: 某局/局长"]
    results = checks(expected, actual)
    failed = [what for what, ok in results if not ok]
    assert len(failed) == 4  # the node missing and unexpected, the author missing and unexpected
    matched, want, got = tree_counts(expected, actual)
    assert (matched, got) == (want - 1, want)
