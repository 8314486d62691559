"""The one exception the parser raises for pages it cannot read."""

from __future__ import annotations

# The parser's refusals, by code.
CODES = (
    "not_bytes",  # decode_bytes was given something other than bytes
    "not_text",  # parse_page was given something other than str
    "empty",
    "pdf",
    "word_doc",
    "word_docx",
    "zip",
    "binary",
    "encoding",  # neither UTF-8 nor GB18030
    "no_article",
)


class PageError(Exception):
    """A page that cannot be imported.

    ``str(e)`` is one human-readable message naming the file (and the line when relevant).
    ``code`` says which refusal it is (one of CODES), so that a caller shows its own words for
    it without reading the English message; None for a refusal raised outside the parser.
    """

    def __init__(
        self, message: str, source_name: str, line: int | None = None, *, code: str | None = None
    ):
        self.message = message
        self.code = code
        self.source_name = source_name
        self.line = line
        where = source_name if line is None else f"{source_name}, line {line}"
        super().__init__(f"{where}: {message}")
