"""The parsed page: plain dataclasses and their JSON form (schema ``edition/1``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA = "edition/1"


@dataclass
class Affiliation:
    organization: str
    position: str

    def to_dict(self) -> dict[str, Any]:
        return {"organization": self.organization, "position": self.position}


@dataclass
class Author:
    name: str
    role: str  # "author" | "reporter" | "correspondent"
    affiliations: list[Affiliation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "affiliations": [a.to_dict() for a in self.affiliations],
        }


@dataclass
class Block:
    type: str  # "paragraph" | "heading"
    text: str
    lines: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "text": self.text, "lines": list(self.lines)}


@dataclass
class Node:
    number: str
    marker: str | None
    heading: str
    text: str
    lines: list[int]
    children: list[Node] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "marker": self.marker,
            "heading": self.heading,
            "text": self.text,
            "lines": list(self.lines),
            "children": [c.to_dict() for c in self.children],
        }

    def walk(self):
        """This node and all its descendants, in printed order."""
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def depth(self) -> int:
        return self.number.count(".") + 1


@dataclass
class Series:
    title: str
    subtitle: str | None
    installment: int | None
    lines: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "installment": self.installment,
            "lines": list(self.lines),
        }


@dataclass
class Article:
    title: str
    kicker: str | None
    subtitle: str | None
    kind: str  # "reflection" | "news"
    in_series: bool
    authors: list[Author] = field(default_factory=list)
    photo_credits: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    recommendations: list[Node] = field(default_factory=list)
    byline: str | None = None  # the byline as printed (or the 本报讯(…) bracket)
    title_lines: list[int] = field(default_factory=list)  # lines of kicker, title, subtitle

    def nodes(self):
        for node in self.recommendations:
            yield from node.walk()

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kicker": self.kicker,
            "subtitle": self.subtitle,
            "kind": self.kind,
            "in_series": self.in_series,
            "authors": [a.to_dict() for a in self.authors],
            "photo_credits": list(self.photo_credits),
            "blocks": [b.to_dict() for b in self.blocks],
            "recommendations": [n.to_dict() for n in self.recommendations],
            "byline": self.byline,
            "title_lines": list(self.title_lines),
        }


@dataclass
class Warning:  # shadows the builtin on purpose: part of the public API
    kind: str
    lines: list[int]
    message: str
    article: int | None = None  # 0-based index of the article concerned; None: the page

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "lines": list(self.lines),
            "message": self.message,
            "article": self.article,
        }


@dataclass
class Edition:
    source_name: str
    sha256: str | None
    line_count: int
    encoding: str | None
    series: Series | None
    articles: list[Article] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def node_count(self) -> int:
        return sum(1 for a in self.articles for _ in a.nodes())

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "source": {
                "name": self.source_name,
                "sha256": self.sha256,
                "lines": self.line_count,
                "encoding": self.encoding,
            },
            "series": self.series.to_dict() if self.series else None,
            "articles": [a.to_dict() for a in self.articles],
            "warnings": [w.to_dict() for w in self.warnings],
        }
