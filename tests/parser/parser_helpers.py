"""Helpers shared by the parser tests (imported by name: tests/parser has no __init__)."""

from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "haidian-ai-training-3.txt"


def page(*paragraphs: str) -> str:
    """A page with one paragraph per line and blank lines between, like the seed."""
    return "\n\n".join(paragraphs) + "\n"


def nodes_of(article):
    return {n.number: n for n in article.nodes()}


def tree_shape(nodes):
    """[(marker, [children shape…])…] for compact assertions."""
    return [(n.marker, tree_shape(n.children)) for n in nodes]
