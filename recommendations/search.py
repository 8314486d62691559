"""Chinese full-text search: tokens, queries, ranking and highlighting.

PostgreSQL's parser does not segment Chinese, so text is tokenised here (NFKC, lower case) and
stored as space-separated tokens that the 'simple' configuration indexes as they are:

- ``search_words`` (indexed as ``SearchDocument.words``): jieba's ``cut_for_search`` words,
  with the domain dictionary ``search_dict.txt`` (大模型, 接诉即办, 数据底座 …).
- ``search_chars`` (indexed as ``SearchDocument.chars``): for every run of letters and digits
  ("term run"; 人才, ai人才, 2025年), its overlapping bigrams in order followed by
  ``RUN_BREAK``; then each distinct single character. A run of one character only contributes
  its unigram.

A query is split into term runs the same way. Each run of two or more characters must appear as
the PHRASE of its bigrams (``'ab' <-> 'bc' <-> 'cd'``): inside one stored run the bigrams
sit at consecutive positions, and ``RUN_BREAK`` (longer than any query lexeme) keeps two runs
from forming a phrase together, so the phrase matches exactly when the text contains the run.
A one-character run needs its unigram. Alternatively an item matches when it contains every
jieba word of the query as a word (``search_words``), in any order. Lexemes only ever consist of
letters and digits that the PostgreSQL parser keeps whole (checked for every such character), and
they are quoted before they reach ``to_tsquery``: user text is never parsed as tsquery syntax.

The vectors live in SearchDocument, a narrow table the recommendation's trigger keeps current,
with a copy of the item's article, printed order and normalised heading: a search matches and
ranks from that table and takes the list's other columns from a covering index, so it never
reads the wide recommendation rows (models.SearchDocument).

Limits: phrase positions stop at 16383 and a lexeme keeps at most 256 positions, so only the
first ``MAX_DOCUMENT_CHARS`` characters of an item are indexed (far above any real item).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Value,
    When,
)
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

USER_DICT = Path(__file__).with_name("search_dict.txt")
# Separates the bigram runs in search_chars; three letters, so no query lexeme (one or two
# characters at weight B) can ever equal it.
RUN_BREAK = "zzz"
MAX_DOCUMENT_CHARS = 15_000
MAX_QUERY_CHARS = 200
REFRESH_BATCH_SIZE = 500
_ASCII_ALNUM = re.compile(r"[a-z0-9]+")
_WORDISH = re.compile(r"[^\W_]+")  # letters and digits of any script, as str.isalnum()


def normalize(text: str) -> str:
    """NFKC and lower case: ＡＩ → ai, ① → 1."""
    return unicodedata.normalize("NFKC", text or "").lower()


def term_runs(norm: str) -> list[str]:
    """Maximal runs of letters and digits in normalised text, in order.

    Other numbers (category No, e.g. Bengali fractions) are left out: the PostgreSQL parser drops
    them, so a token holding one would not round-trip through to_tsvector.
    """
    runs = []
    for match in _WORDISH.findall(norm):
        if match.isascii():
            runs.append(match)
            continue
        start = 0
        for i, ch in enumerate(match):
            if unicodedata.category(ch) == "No":
                if i > start:
                    runs.append(match[start:i])
                start = i + 1
        if start < len(match):
            runs.append(match[start:])
    return runs


@lru_cache(maxsize=1)
def _tokenizer():
    # A private tokenizer: the domain dictionary must not change other users of jieba.
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    if USER_DICT.exists():
        tokenizer.load_userdict(str(USER_DICT))
    return tokenizer


@lru_cache(maxsize=65536)
def _token_runs(token: str) -> tuple[str, ...]:
    # Words repeat with a Zipf distribution: most tokens of a page were seen before.
    return tuple(term_runs(token))


@lru_cache(maxsize=1)
def _block_pattern():
    import jieba

    return jieba.re_han_default


@lru_cache(maxsize=32768)
def _block_words(block: str, for_search: bool) -> tuple[str, ...]:
    tokenizer = _tokenizer()
    cut = tokenizer.cut_for_search if for_search else tokenizer.cut
    return tuple(run for token in cut(block) for run in _token_runs(token))


def words(text: str, *, for_search: bool = True) -> list[str]:
    """jieba words of the normalised text, each reduced to its letters and digits.

    jieba cuts a text block by block (runs of Han characters, letters and digits between
    punctuation and spaces, its re_han_default), each on its own, so the words of a text are
    the words of its blocks in order. Blocks repeat (结合区域实际, 形成产业集聚效应 …): each
    block's words are cached, which leaves the output as it was and about halves an import's
    segmenting time."""
    out: list[str] = []
    for block in _block_pattern().split(normalize(text)):
        if block:
            out.extend(_block_words(block, for_search))
    return out


def char_grams(text: str) -> list[str]:
    """The search_chars layout: bigrams of each run in order, then the distinct characters."""
    grams: list[str] = []
    unigrams: dict[str, None] = {}
    for run in term_runs(normalize(text)):
        if len(run) > 1:
            grams.extend(run[i : i + 2] for i in range(len(run) - 1))
            grams.append(RUN_BREAK)
        unigrams.update(dict.fromkeys(run))
    return grams + list(unigrams)


def tokens_for_document(*parts: str) -> tuple[str, str]:
    """(search_words, search_chars) for an item's heading and text. A part already contained in
    a later one (an item's heading is its first sentence) adds nothing to find and is skipped,
    which halves the segmenting work of an import."""
    parts = [p for p in parts if p]
    kept = [p for i, p in enumerate(parts) if not any(p in later for later in parts[i + 1 :])]
    text = normalize("\n".join(kept))[:MAX_DOCUMENT_CHARS]
    return " ".join(words(text)), " ".join(char_grams(text))


# Queries ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # normalised and stripped
    runs: tuple[str, ...]  # term runs; each must be contained in the item
    words: tuple[str, ...]  # jieba words; all of them as words is the other way to match

    def chars_tsquery(self) -> str:
        return " & ".join(f"( {_phrase(run)} )" for run in self.runs)

    def words_tsquery(self) -> str:
        return " & ".join(_lexeme(word) for word in self.words)

    @property
    def name(self) -> str:
        """What an author's or organisation's name must contain to match: the query's letters
        and digits (names have nothing else)."""
        return "".join(self.runs)


def _lexeme(token: str) -> str:
    # Tokens hold only letters and digits; quoting anyway keeps tsquery syntax out for good.
    # No weight: each vector has its own column, and a weight would cost a recheck per row.
    quoted = token.replace("\\", "\\\\").replace("'", "''")
    return f"'{quoted}'"


def _phrase(run: str) -> str:
    if len(run) == 1:
        return _lexeme(run)
    return " <-> ".join(_lexeme(run[i : i + 2]) for i in range(len(run) - 1))


@lru_cache(maxsize=512)
def parse_query(query: str) -> ParsedQuery | None:
    """The query's runs and words, or None when it has nothing searchable."""
    text = normalize(query)[:MAX_QUERY_CHARS].strip()
    runs = tuple(dict.fromkeys(term_runs(text)))
    if not runs:
        return None
    query_words = tuple(dict.fromkeys(words(text, for_search=False)))
    return ParsedQuery(text=text, runs=runs, words=query_words)


def query_terms(query: str) -> list[str]:
    """Normalised strings to highlight: the whole query, its runs, its jieba words of two or
    more characters and its Latin tokens; longest first."""
    parsed = parse_query(query or "")
    if parsed is None:
        return []
    terms = {parsed.text, *parsed.runs}
    terms.update(w for w in parsed.words if len(w) >= 2)
    terms.update(_ASCII_ALNUM.findall(parsed.text))
    return sorted(terms, key=lambda t: (-len(t), t))


class _Contains(Func):
    """strpos(field, needle) > 0 over an already normalised field: a ranking signal, not a
    filter."""

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        (hay_sql, hay_params), (needle_sql, needle_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"(strpos({hay_sql}, {needle_sql}) > 0)", (*hay_params, *needle_params)


# Articles signed by a person, or by someone for an organisation, whose name contains the needle.
# Names are few (thousands): reading them all is cheaper than any index.
_NAMED_ARTICLES = """ARRAY(
    SELECT b.article_id FROM recommendations_byline b
    JOIN recommendations_person p ON p.id = b.person_id
    WHERE strpos(lower(normalize(p.name, NFKC)), %s) > 0
    UNION
    SELECT b.article_id FROM recommendations_byline b
    JOIN recommendations_byline_affiliations ba ON ba.byline_id = b.id
    JOIN recommendations_affiliation a ON a.id = ba.affiliation_id
    JOIN recommendations_organization o ON o.id = a.organization_id
    WHERE strpos(lower(normalize(o.name, NFKC)), %s) > 0
)"""
# A name must be at least this long to match: one character (张) would name half the authors.
MIN_NAME_CHARS = 2


class _SignedBy(Func):
    """article_id = ANY(ARRAY(articles signed by the name)): the array is computed once (an
    InitPlan), so the condition can join the two GIN index scans in one BitmapOr."""

    arity = 1
    output_field = BooleanField()

    def __init__(self, expression, needle):
        super().__init__(expression)
        self.needle = needle

    def as_sql(self, compiler, connection, **extra_context):
        (column_sql, column_params) = compiler.compile(self.get_source_expressions()[0])
        return f"({column_sql} = ANY({_NAMED_ARTICLES}))", (
            *column_params,
            self.needle,
            self.needle,
        )


def search_queryset(queryset, query: str):
    """Items matching the query, annotated with ``search_rank``; unchanged for a blank query.

    An item matches when its text contains every run of the query, or every jieba word of the
    query as a word, or when its article is signed by a person or an organisation whose name
    contains the query (issue #14). Rank: whole-word matches first, then exact-string matches,
    then items whose heading contains every run, then ts_rank (0 ≤ x < 1) within each group;
    a match by name only ranks below every match in the item's own text.

    Every condition and the rank read the item's SearchDocument (one join by primary key);
    ``search_order`` is its copy of the printed order, for rankings that break ties without
    reading the recommendation rows (filters.list_figures).
    """
    parsed = parse_query(query or "")
    if parsed is None:
        return queryset
    chars_q = SearchQuery(parsed.chars_tsquery(), config="simple", search_type="raw")
    words_q = SearchQuery(parsed.words_tsquery(), config="simple", search_type="raw")
    heading_has_runs = Q()
    for run in parsed.runs:
        heading_has_runs &= Q(_Contains(F("search_document__heading"), Value(run)))
    in_chars = Q(search_document__chars=chars_q)
    # Punctuation-free runs always give jieba words; the guard keeps an empty tsquery out anyway.
    in_words = Q(search_document__words=words_q) if parsed.words else Q(pk__in=[])

    def bonus(condition, points):
        return Case(When(condition, then=Value(points)), default=Value(0.0))

    rank = (
        bonus(in_words, 4.0)
        + bonus(in_chars, 2.0)
        + bonus(heading_has_runs, 1.0)
        # normalization 32 maps the rank into [0, 1).
        + SearchRank(F("search_document__chars"), chars_q, normalization=32)
    )
    match = in_words | in_chars
    if len(parsed.name) >= MIN_NAME_CHARS:
        # The document's copy of article_id: every alternative of the match is then on one
        # table, and PostgreSQL joins its three index scans in one BitmapOr.
        match |= Q(_SignedBy(F("search_document__article_id"), parsed.name))
    return queryset.filter(match).annotate(
        search_rank=ExpressionWrapper(rank, output_field=FloatField()),
        search_order=F("search_document__order"),
    )


# What a search's match reads: the documents, and for a match by name the bylines and names.
MATCH_SCOPES = ("t:search", "t:meta", "t:names")


def cached_match(query: str, stamp=None):
    """Every item matching `query` as three PostgreSQL array literals (ids, ranks, printed
    orders), or None when the query has nothing searchable. Cached until a search document, a
    byline or a name changes (MATCH_SCOPES): after a status or tag change, a search recomputes
    its facets around the same match (filters.list_figures) instead of matching and ranking
    again, which was most of a common word's cost. `stamp`: the caller's versions, if read."""
    from recommendations import figures
    from recommendations.models import Recommendation

    parsed = parse_query(query or "")
    if parsed is None:
        return None

    def compute():
        # As array literals, built by the database in one row: one string parameter each is
        # sent back as it is, where 20,000 rows came to Python and a list of 20,000 numbers
        # was quoted element by element on every use. float8's text reads back exactly.
        matched = search_queryset(Recommendation.objects.order_by(), query)
        sql, params = matched.values("pk", "search_rank", "search_order").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(array_agg(m.pk)::text, '{}'), "
                "COALESCE(array_agg(m.search_rank)::text, '{}'), "
                f"COALESCE(array_agg(m.search_order)::text, '{{}}') FROM ({sql}) AS m",
                params,
            )
            return cursor.fetchone()

    if stamp is not None:
        stamp = figures.narrow(stamp, MATCH_SCOPES)
    return figures.cached("match", (parsed.text,), compute, scopes=MATCH_SCOPES, stamp=stamp)


def order_by_rank(queryset):
    """Best first; items without a rank (blank query) keep the printed order."""
    if "search_rank" in queryset.query.annotations:
        return queryset.order_by("-search_rank", "article_id", "order", "pk")
    return queryset.order_by("article_id", "order", "pk")


# Highlighting ----------------------------------------------------------------------------------


def _normalize_with_index(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index of the source character."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        norm = ch.lower() if ch.isascii() else normalize(ch)
        out.append(norm)
        index.extend([i] * len(norm))
    return "".join(out), index


def highlight(text: str, query: str) -> SafeString:
    """The text, escaped, with <mark> around every occurrence of the query's terms.

    Matching happens on the normalised form, so ＡＩ marks "AI" and "ａｉ" alike; the marks go
    around the original characters.
    """
    text = text or ""
    terms = query_terms(query or "")
    if not terms or not text:
        return escape(text)
    norm, index = _normalize_with_index(text)
    ranges = []
    for term in terms:
        start = norm.find(term)
        while start != -1:
            ranges.append((index[start], index[start + len(term) - 1] + 1))
            start = norm.find(term, start + 1)
    if not ranges:
        return escape(text)
    ranges.sort()
    merged = [list(ranges[0])]
    for start, end in ranges[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts = []
    position = 0
    for start, end in merged:
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    # Every piece of text, marked or not, went through escape() above.
    return mark_safe("".join(parts))


# Keeping tokens current ------------------------------------------------------------------------


def refresh_tokens(queryset, batch_size: int = REFRESH_BATCH_SIZE) -> int:
    """Recompute search tokens for the queryset's items in batches; returns how many.

    Walks by primary key so memory stays flat and a batch is one UPDATE. The queryset must not
    be sliced.
    """
    from recommendations.models import Recommendation

    count = 0
    last_pk = 0
    base = queryset.only("pk", "heading", "text").order_by("pk")
    while True:
        batch = list(base.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return count
        for item in batch:
            item.refresh_search_tokens()
        Recommendation.objects.bulk_update(
            batch, ["search_words", "search_chars"], batch_size=batch_size
        )
        count += len(batch)
        last_pk = batch[-1].pk
