"""Turn knowledge-base hits into a plain answer: the passage itself (trimmed around the question's words,
never paraphrased, so every figure is the source's), followed by its citation."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from bot.actions import texts
from bot.actions.replies import Citation
from knowledge.spelling import said_back

_SENTENCE_END = re.compile(r"(?<=[。；！？!?;\n])")
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
MAX_EXCERPT = 220
QUOTE_CHARS = 120


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if _CJK_OR_WORD.match(c)]
    return {a + b for a, b in itertools.pairwise(chars)}


def excerpt(passage: str, query: str, limit: int = MAX_EXCERPT) -> str:
    """Whole sentences sharing most character bigrams with the query, in passage order, up to ``limit``
    characters; gaps are marked with "…". Short passages are shown whole."""
    passage = re.sub(r"[ \t\u3000]+", " ", passage).strip()
    sentences = [s for s in _SENTENCE_END.split(passage) if s.strip()]
    wanted = _bigrams(query)
    scores = [len(_bigrams(s) & wanted) for s in sentences]
    if len(passage) <= limit:
        return _without_unrelated_edges(sentences, scores)
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    length = 0
    for i in ranked:
        if chosen and (scores[i] == 0 or length + len(sentences[i]) > limit):
            continue
        chosen.append(i)
        length += len(sentences[i])
    chosen = _with_sibling_clauses(sentences, chosen, limit)
    if len(chosen) == 1 and len(sentences[chosen[0]]) > limit:  # one very long sentence: cut around the match
        text = sentences[chosen[0]]
        hit = min((text.find(b) for b in wanted if b in text), default=0)
        lo = max(0, hit - limit // 3)
        return ("…" if lo or chosen[0] else "") + text[lo : lo + limit].strip() + "…"
    parts = []
    for n, i in enumerate(chosen):
        gap = i > 0 if n == 0 else i != chosen[n - 1] + 1
        parts.append(("…" if gap else "") + sentences[i].strip())
    return "".join(parts) + ("…" if chosen[-1] < len(sentences) - 1 else "")


def _without_unrelated_edges(sentences: list[str], scores: list[int]) -> str:
    """A short passage whole, less leading/trailing sentences that share nothing with the question: scraped slides
    run together, so a passage can start with the tail of the previous slide."""
    lo, hi = 0, len(sentences)
    if any(scores):
        while scores[lo] == 0:
            lo += 1
        while scores[hi - 1] == 0:
            hi -= 1
    kept = "".join(s.strip() for s in sentences[lo:hi])
    return ("…" if lo else "") + kept + ("…" if hi < len(sentences) else "")


def _with_sibling_clauses(units: list[str], chosen: list[int], limit: int) -> list[int]:
    """A lone matching clause ("…透析治疗；…") means little without the clauses of its own sentence (the list it
    belongs to): add the neighbours joined to it by "；" while the excerpt stays short."""
    picked = set(chosen)
    length = sum(len(units[i]) for i in picked)
    grown = True
    while grown and length < limit * 0.6:
        grown = False
        for i in sorted(picked):
            for j in (i - 1, i + 1):
                same_sentence = 0 <= j < len(units) and units[min(i, j)].rstrip().endswith(("；", ";"))
                if same_sentence and j not in picked and length + len(units[j]) <= limit:
                    picked.add(j)
                    length += len(units[j])
                    grown = True
    return sorted(picked)


def citation(hit: Any, quote: str) -> Citation:
    return Citation(doc=hit.doc_title, section=hit.section, passage_id=hit.passage_id, quote=quote[:QUOTE_CHARS])


def source_line(hit: Any) -> str:
    return texts.SOURCE_LINE.format(doc=hit.doc_title, section=hit.section, confidence=float(hit.confidence))


def select(hits: Sequence[Any], threshold: float, max_passages: int = 3, closeness: float = 0.8) -> list[Any]:
    """Hits in the knowledge base's rank order that are confident enough: at least ``threshold`` and close to the
    best one (a question often spans two or three short articles). Empty when nothing reaches the threshold."""
    best = max((float(h.confidence) for h in hits), default=0.0)
    if best < threshold:
        return []
    floor = max(threshold, closeness * best)
    chosen: list[Any] = []
    for hit in hits:
        if float(hit.confidence) >= floor and all(hit.passage_id != c.passage_id for c in chosen):
            chosen.append(hit)
        if len(chosen) == max_passages:
            break
    return chosen


def compose(hits: Sequence[Any], query: str, intro: str = texts.ANSWER_INTRO) -> tuple[str, list[Citation]]:
    """Answer text and citations for already-selected hits (shorter excerpts when there are several)."""
    parts, citations = [intro], []
    limit = MAX_EXCERPT if len(hits) == 1 else MAX_EXCERPT * 3 // 4
    for n, hit in enumerate(hits):
        quote = excerpt(hit.text, query, limit)
        if n:
            parts.append(texts.ANSWER_MORE)
        parts.extend([quote, source_line(hit)])
        citations.append(citation(hit, quote))
    parts.append(texts.LOCAL_RULES_NOTE)
    return "\n".join(parts), citations


def compose_answer(outcome: Any) -> tuple[str, list[Citation]]:
    """The direct answer first: the sentence(s) of the documents that answer, whole. The sources go only in the
    citations (answer_meta), which the front ends show once; the local-rules note only follows figures."""
    question = outcome.question
    parts: list[str] = []
    if any(said_back(typed) for typed, _ in question.corrections):  # pinyin or a homophone: say how it was read
        parts.append(texts.UNDERSTOOD_AS.format(question=question.text))
    if question.unknown_places:
        parts.append(texts.GENERAL_RULE_ONLY.format(places="、".join(question.unknown_places)))
    parts.extend(f.text for f in outcome.findings)
    if any(re.search(r"\d", f.text) for f in outcome.findings):
        parts.append(texts.LOCAL_RULES_NOTE)
    return "\n".join(parts), [citation(f.hit, f.text) for f in outcome.findings]
