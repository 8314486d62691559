"""Lazy jieba: does a word span the junction of two pieces of text?"""

from __future__ import annotations

import re
from functools import lru_cache

_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=4096)
def spanning_word(left: str, right: str) -> str | None:
    """The dictionary word that straddles ``left|right`` (e.g. 推|动国产 → 推动), if any."""
    left, right = left[-6:], right[:6]
    if not left or not right or not _CJK.match(left[-1]) or not _CJK.match(right[0]):
        return None
    jieba = _jieba()
    pos = 0
    cut = len(left)
    for token in jieba.lcut(left + right, HMM=False):
        end = pos + len(token)
        if pos < cut < end and len(token) >= 2:
            return token
        pos = end
    return None
