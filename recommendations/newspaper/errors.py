"""The one exception the parser raises for pages it cannot read."""

from __future__ import annotations


class PageError(Exception):
    """A page that cannot be imported.

    ``str(e)`` is one human-readable message naming the file (and the line when relevant).
    """

    def __init__(self, message: str, source_name: str, line: int | None = None):
        self.message = message
        self.source_name = source_name
        self.line = line
        where = source_name if line is None else f"{source_name}, line {line}"
        super().__init__(f"{where}: {message}")
