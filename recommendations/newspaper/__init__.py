"""Newspaper page parser: the text of one printed page → articles and recommendation trees.

Plain Python with no web-framework imports. Output contract: /work/shared/spec/edition-json.md (schema edition/1).
"""

from .decode import decode_page
from .errors import PageError
from .model import Affiliation, Article, Author, Block, Edition, Node, Series, Warning
from .parser import parse_bytes, parse_page

__all__ = [
    "Affiliation",
    "Article",
    "Author",
    "Block",
    "Edition",
    "Node",
    "PageError",
    "Series",
    "Warning",
    "decode_page",
    "parse_bytes",
    "parse_page",
]
