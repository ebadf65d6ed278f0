"""Mark the query's words in a passage for the staff console.

Spans are computed once; the pages build ``<mark>`` elements from them with textContent, and the
``html`` form (for other API consumers) escapes everything that is not a mark.
"""

from __future__ import annotations

import html
from functools import lru_cache

import jieba

from yibao.settings import PROJECT_ROOT

_USER_DICT = PROJECT_ROOT / "knowledge" / "lexicon" / "jieba" / "userdict.txt"
# Question words match everywhere and would drown the useful highlights.
_STOP_TERMS = {
    "什么", "怎么", "怎样", "如何", "多久", "多少", "哪些", "哪里", "需要", "可以", "是否", "有没有", "能不能",
}


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tok = jieba.Tokenizer()
    if _USER_DICT.exists():
        tok.load_userdict(str(_USER_DICT))
    return tok


def _to_simplified(text: str) -> str:
    from knowledge.text import to_simplified  # the knowledge part owns 繁→简 conversion

    return to_simplified(text)


def query_terms(query: str) -> list[str]:
    """Distinct words of the query worth marking, longest first (so longer matches win)."""
    words = _tokenizer().lcut_for_search(_to_simplified(query))
    terms = {w.strip() for w in words if len(w.strip()) >= 2 and w.strip() not in _STOP_TERMS}
    return sorted(terms, key=lambda w: (-len(w), w))


def highlight_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping [start, end) spans of every occurrence of any term, in order."""
    marked = [False] * len(text)
    for term in terms:
        start = text.find(term)
        while start != -1:
            for i in range(start, start + len(term)):
                marked[i] = True
            start = text.find(term, start + len(term))
    spans: list[tuple[int, int]] = []
    for i, on in enumerate(marked):
        if on and (i == 0 or not marked[i - 1]):
            spans.append((i, i))
        if on:
            spans[-1] = (spans[-1][0], i + 1)
    return spans


def highlighted_html(text: str, spans: list[tuple[int, int]]) -> str:
    parts, pos = [], 0
    for start, end in spans:
        parts += [html.escape(text[pos:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        pos = end
    parts.append(html.escape(text[pos:]))
    return "".join(parts)
