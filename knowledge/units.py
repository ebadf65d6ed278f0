"""Retrieval units ("small-to-big"): clauses, sentences and sentence windows scored in place of whole passages.

A passage often holds several facts (a list item naming seven diseases, a slide run into the next), so a
question matching one of them loses to shorter passages. Each passage is cut into units at several
granularities; a passage's score is the best score of the units touching it, and the passage stays what is
shown. A window of two neighbouring sentences may cross into the next passage of the same section, so a fact
split over a passage boundary is still found (both passages get the window's score).

Each unit is indexed with context that the displayed text lacks: the innermost section headings and, for list
items, the lead-in clause that introduces the list ("…应具备以下条件：").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A clause ends at 。！？； (and at a lead-in's "："); a sentence only at 。！？.
CLAUSE_END = re.compile(r"(?<=[。！？；;：])")
SENTENCE_END = re.compile(r"(?<=[。！？])")
_NUM = "一二三四五六七八九十"
LIST_MARKER = re.compile(rf"^\s*(?:[（(][{_NUM}\d]+[）)]|\d{{1,2}}\s*[、.．](?!\d)|[{_NUM}]+、)")
MAX_UNIT = 160  # an overlong clause (run-together slides) is cut at a comma near this length
MAX_LEAD = 80  # a longer line ending in "：" is a paragraph, not a list's lead-in
MIN_UNIT = 4
WINDOWS = (2, 3)  # sentences per window, stride 1


@dataclass(frozen=True)
class Unit:
    passages: tuple[int, ...]  # indices of the passages this unit touches (usually one)
    text: str  # the unit's own text
    context: str  # headings and lead-in, prefixed for indexing only
    shares: tuple[float, ...] = (1.0,)  # share of the text from each passage (a window may cross a boundary)

    @property
    def index_text(self) -> str:
        return f"{self.context}：{self.text}" if self.context else self.text


@dataclass(frozen=True)
class Sentence:
    passage: int
    text: str
    lead: str  # the lead-in clause of the list this sentence is (part of) an item of ("" if none)
    clauses: tuple[tuple[str, str], ...]  # (clause, its lead-in)


def _cut_long(piece: str) -> list[str]:
    out = []
    while len(piece) > MAX_UNIT:
        cut = max(piece.rfind(c, 0, MAX_UNIT) for c in "，,、")
        cut = cut + 1 if cut > MAX_UNIT // 3 else MAX_UNIT
        out.append(piece[:cut])
        piece = piece[cut:]
    return [*out, piece]


def split(text: str, pattern: re.Pattern[str] = CLAUSE_END) -> list[str]:
    """Non-empty pieces of ``text`` cut after each match of ``pattern`` and at line breaks, long ones cut again."""
    out = []
    for line in text.split("\n"):
        for piece in pattern.split(line):
            out.extend(p.strip() for p in _cut_long(piece.strip()) if len(p.strip()) >= MIN_UNIT)
    return out


def is_lead_in(clause: str) -> bool:
    return clause.endswith(("：", ":")) and len(clause) <= MAX_LEAD


def section_sentences(passages: list[tuple[int, str]]) -> list[Sentence]:
    """The sentences of one section's passages in order, each clause with the lead-in of its list.

    A lead-in ("…应具备以下条件：") holds for the rest of its line and for following lines that start with a
    list marker; any other line ends the list.
    """
    out: list[Sentence] = []
    lead = ""
    for idx, text in passages:
        for line in text.split("\n"):
            if lead and not LIST_MARKER.match(line):
                lead = ""
            for sentence in split(line, SENTENCE_END):
                sentence_lead = lead
                clauses = []
                for clause in split(sentence):
                    clauses.append((clause, lead))
                    if is_lead_in(clause):
                        lead = clause
                out.append(Sentence(idx, sentence, sentence_lead, tuple(clauses)))
    return out


def context_of(section_path: str) -> str:
    """The innermost informative headings (the document title and bare "第五条" say little)."""
    heads = [h for h in section_path.split(" > ")[1:] if len(h) > 4]
    return " ".join(heads[-2:])


def section_units(section_path: str, passages: list[tuple[int, str]]) -> list[Unit]:
    """Clauses, sentences, 2- and 3-sentence windows and the whole passages of one section, without repeats."""
    heading = context_of(section_path)
    sentences = section_sentences(passages)
    seen: set[tuple[tuple[int, ...], str]] = set()
    units: list[Unit] = []

    def add(passage_ids: tuple[int, ...], text: str, lead: str, shares: tuple[float, ...] = (1.0,)) -> None:
        key = (passage_ids, text)
        if key in seen or len(text) < MIN_UNIT:
            return
        seen.add(key)
        own_lead = lead if lead and lead not in text else ""
        context = " ".join(x for x in (heading, own_lead.rstrip("：:")) if x)
        units.append(Unit(passage_ids, text, context, shares))

    first_lead: dict[int, str] = {}
    for s in sentences:
        first_lead.setdefault(s.passage, s.lead)
    for idx, text in passages:
        add((idx,), text, first_lead.get(idx, ""))
    for i, s in enumerate(sentences):
        add((s.passage,), s.text, s.lead)
        for clause, lead in s.clauses:
            add((s.passage,), clause, lead)
        for size in WINDOWS:
            window = sentences[i : i + size]
            if len(window) == size:
                ids = tuple(sorted({w.passage for w in window}))
                text = "".join(w.text for w in window)
                shares = tuple(sum(len(w.text) for w in window if w.passage == p) / len(text) for p in ids)
                add(ids, text, next((w.lead for w in window if w.lead), ""), shares)
    return units
