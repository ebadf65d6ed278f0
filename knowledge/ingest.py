"""Ingestion: raw scraped documents -> cleaned, sectioned, deduplicated, topic-tagged passages.

Adding or replacing a ``.txt`` file in the corpus folder is all it takes; nothing here knows the documents.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from knowledge.structure import Section, passages, sections
from knowledge.text import Tracked, clean_line, compact, content_lines, to_simplified
from knowledge.topics import tag_topics

TITLE_END = re.compile(r"^(.{4,30}?(?:课件|課件|制度|办法|辦法|规定|規定|总结|總結|通知|范本|範本|体会|體會))")
NEAR_DUPLICATE = 95  # rapidfuzz ratio above which two passages say the same thing


@dataclass(frozen=True)
class Source:
    doc_id: str
    doc_title: str
    section: str
    section_id: str
    start: int  # character offsets into the raw file
    end: int
    original: str  # the passage as in the source (its own script), cleaned of annotations and garbage


@dataclass
class Passage:
    passage_id: str
    text: str  # simplified
    section: str  # simplified section path
    topics: list[str]
    sources: list[Source] = field(default_factory=list)

    @property
    def primary(self) -> Source:
        return self.sources[0]


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    sha256: str
    sections: list[Section]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.glob("*.txt") if p.is_file())


def _title(first: str, doc_id: str) -> str:
    if len(first) <= 40:
        return first
    m = TITLE_END.match(first)
    return m.group(1) if m else doc_id


def read_document(path: Path) -> Document:
    raw = path.read_text(encoding="utf-8", errors="replace")
    lines = [clean_line(Tracked.of(line, offset)) for offset, line in content_lines(raw)]
    lines = [t for t in lines if t.text.strip()]
    title = _title(lines[0].text, path.stem) if lines else path.stem
    return Document(path.stem, title, file_sha256(path), sections(path.stem, title, lines))


def _passage_id(doc_id: str, text: str) -> str:
    return f"{doc_id[:3]}-{hashlib.sha1(compact(text).encode()).hexdigest()[:10]}"


def document_passages(doc: Document, raw: str) -> list[Passage]:
    out = []
    for section in doc.sections:
        section_simple = to_simplified(section.path)
        for tracked in passages(section):
            original = tracked.text.strip()
            if len(compact(original)) < 8:  # a stray heading fragment, nothing to answer with
                continue
            text = to_simplified(original)
            start, end = tracked.span(0, len(tracked.text))
            title = to_simplified(doc.title)
            source = Source(doc.doc_id, title, section_simple, section.section_id, start, end, original)
            topics = tag_topics(section_simple + text)
            out.append(Passage(_passage_id(doc.doc_id, text), text, section_simple, topics, [source]))
    return out


def deduplicate(items: list[Passage]) -> list[Passage]:
    """Keep the first of every group of identical or near-identical passages, remembering all their sources.

    The retail-pharmacy regulation appears once in traditional and once in simplified script, and some clauses
    repeat inside a document; comparison is on simplified letters and digits only.
    """
    kept: list[Passage] = []
    by_key: dict[str, Passage] = {}
    for p in items:
        key = compact(p.text)
        if key in by_key:
            by_key[key].sources.extend(p.sources)
            continue
        if kept:
            keys = list(by_key)
            match = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE)
            if match is not None:
                by_key[match[0]].sources.extend(p.sources)
                continue
        by_key[key] = p
        kept.append(p)
    for p in kept:
        p.topics = sorted({t for t in p.topics}, key=p.topics.index)
    return kept


def ingest(corpus_dir: Path) -> tuple[list[Document], list[Passage]]:
    """All documents of the corpus folder and their deduplicated passages, in document order."""
    return ingest_files(corpus_files(corpus_dir))


def ingest_files(paths: list[Path]) -> tuple[list[Document], list[Passage]]:
    """The given text files (the file name's stem is the document id) and their deduplicated passages."""
    docs, items = [], []
    for path in paths:
        doc = read_document(path)
        docs.append(doc)
        items.extend(document_passages(doc, path.read_text(encoding="utf-8", errors="replace")))
    return docs, deduplicate(items)
