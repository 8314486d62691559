"""Chinese full-text search tokens.

PostgreSQL's parser does not segment Chinese, so text is tokenised here and stored as
space-separated tokens that the 'simple' configuration takes as they are:
- words: jieba's cut_for_search over the NFKC-normalised, lower-cased text (weight A);
- chars: overlapping CJK bigrams and single characters, plus Latin/digit runs (weight B),
  so that any substring of two characters and any single character can be found.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

USER_DICT = Path(__file__).with_name("search_dict.txt")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+")
_TOKEN_OK = re.compile(r"[\w]", re.UNICODE)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    if USER_DICT.exists():
        jieba.load_userdict(str(USER_DICT))
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    jieba = _jieba()
    out = []
    for token in jieba.cut_for_search(normalize(text)):
        token = token.strip()
        if token and _TOKEN_OK.search(token):
            out.append(_clean(token))
    return [t for t in out if t]


def char_grams(text: str) -> list[str]:
    norm = normalize(text)
    grams = []
    for run in _CJK.findall(norm):
        grams.extend(run)  # unigrams: a single character such as 税 is a valid query
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    grams.extend(_LATIN.findall(norm))
    return grams


def _clean(token: str) -> str:
    # The 'simple' parser would split on punctuation anyway; keep only word characters.
    return "".join(ch for ch in token if ch.isalnum())


def tokens_for_document(*parts: str) -> tuple[str, str]:
    text = "\n".join(p for p in parts if p)
    return " ".join(words(text)), " ".join(char_grams(text))
