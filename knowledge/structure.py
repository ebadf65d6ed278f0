"""Split a cleaned document into its real sections and into passages that stay inside one section.

Headings recognised (traditional or simplified): the numbered sub-articles of a collection ("…管理制度 3",
"…范本二", "主题…精选一"), ``第X部分`` (also inside the courseware's run-together lines), ``第X章``,
``第X条`` (an article is its own section and its text its passage), short ``一、`` and ``（一）`` lines.
Numbered items (``1、``, ``（1）``, long ``一、…。`` clauses) are passage text, merged while they fit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from knowledge.text import Tracked

NUM = "一二三四五六七八九十百零〇两"
MIN_PASSAGE = 60
MAX_PASSAGE = 320
TARGET_PASSAGE = 160

# (level, pattern) — a lower level is an outer section. Matched on the cleaned line in its own script.
COLLECTION_ITEM = re.compile(rf"^[^，。、；：,;:]{{2,40}}?(?:\s?\d{{1,2}}|[范範]本[{NUM}]+|精[选選][{NUM}]+)$")
PART = re.compile(rf"第[{NUM}\d]+部分")
CHAPTER = re.compile(rf"^第[{NUM}\d]+章\s*\S")
ARTICLE = re.compile(rf"^第[{NUM}\d]+[条條](?=\s|[^\s，。、])")
ENUM_HEADING = re.compile(rf"^[{NUM}]+\s*[、.．]")
PAREN_HEADING = re.compile(rf"^[（(][{NUM}]+[）)]")
HEADING_MAX = 30
ARTICLE_LEVEL = 6  # 第X条: innermost; its (一)(二) items are text, not headings
# Heading titles in the courseware run into the slide text; a title ends with one of these words.
PART_TITLE_END = re.compile(r"^.{2,12}?(?:管理|基础|基礎|职责|職責|建设|建設|提升|监管|監管|规范|規範|概述)")
SENTENCE_END = re.compile(r"(?<=[。；！？])")


@dataclass
class Section:
    section_id: str
    titles: tuple[str, ...]  # path from the outermost heading
    level: int
    body: list[Tracked] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " > ".join(self.titles)


def _heading_level(line: str, inside_article: bool) -> int | None:
    if COLLECTION_ITEM.match(line) and len(line) <= 40 and not line.endswith(("。", "；")):
        return 1
    if line.startswith("第") and PART.match(line):
        return 2
    if CHAPTER.match(line) and len(line) <= HEADING_MAX:
        return 3
    if ARTICLE.match(line):
        return ARTICLE_LEVEL
    # A heading is short and not a sentence: "一、健全医疗管理" is one, "一、系统指定专人管理。" is an item.
    short = len(line) <= HEADING_MAX and not line.endswith(("。", "；", ";", "，"))
    if ENUM_HEADING.match(line) and short and not inside_article:
        return 4
    if PAREN_HEADING.match(line) and short and not inside_article:
        return 5
    return None


def _split_run_together_parts(line: Tracked) -> Iterator[Tracked]:
    """The courseware puts whole parts on one line: cut before every ``第X部分`` and after its title."""
    cuts = [m.start() for m in PART.finditer(line.text)]
    if not cuts:
        yield line
        return
    bounds = [0, *cuts, len(line.text)]
    for start, end in pairwise(bounds):
        piece = line[start:end]
        if not piece.text.strip():
            continue
        m = PART.match(piece.text)
        if m:
            rest = piece.text[m.end() :].lstrip(":：　 ")
            skip = len(piece.text) - len(rest)
            title = PART_TITLE_END.match(rest)
            title_len = title.end() if title else min(8, len(rest))
            yield piece[: skip + title_len]
            if len(rest) > title_len:
                yield piece[skip + title_len :]
        else:
            yield piece


# A line the scraper wrapped in mid-sentence: long, and ending in a character or a comma, not a sentence's end.
_WRAPPED_END = re.compile(r"[\u4e00-\u9fff\w，,、]$")
# A numbered item or an enumerated heading (ENUM_HEADING) opens a line of its own.
_ITEM_START = re.compile(rf"^(?:[①-⑳]|\d{{1,2}}\s*[、.．)）]|[（(][\d{NUM}]+[）)])|{ENUM_HEADING.pattern}")


def _rejoin_wrapped(lines: Iterable[Tracked]) -> Iterator[Tracked]:
    """"…严格掌握配药量,单次" + "购买最高金额一般不超过60元…": a sentence the scrape broke over two lines is one
    line again (else a passage could end in "单次" and the next begin without its subject). A line that opens a
    heading or a numbered item starts afresh."""
    pending: Tracked | None = None
    for line in lines:
        text = line.text.strip()
        if pending is not None:
            if text and not _ITEM_START.match(text) and _heading_level(text, inside_article=False) is None:
                rest = line[len(line.text) - len(line.text.lstrip()) :]
                pending = Tracked(pending.text + rest.text, (*pending.offsets, *rest.offsets))
                if not _WRAPPED_END.search(pending.text):
                    yield pending
                    pending = None
                continue
            yield pending
            pending = None
        if len(text) > HEADING_MAX and _WRAPPED_END.search(line.text.rstrip()):
            pending = line[: len(line.text.rstrip())]
        else:
            yield line
    if pending is not None:
        yield pending


def sections(doc_id: str, title: str, lines: Iterable[Tracked]) -> list[Section]:
    """Group cleaned lines under their headings; text before any heading belongs to the document itself."""
    root = Section(f"{doc_id}:s0", (title,), 0)
    out = [root]
    stack = [root]
    for raw_line in _rejoin_wrapped(lines):
        for line in _split_run_together_parts(raw_line):
            text = line.text.strip()
            level = _heading_level(text, inside_article=stack[-1].level == ARTICLE_LEVEL)
            is_title = text.startswith(title) and len(text) <= len(title) + 10 and level != 1
            if level is None or is_title:
                if not is_title:  # the collection's title repeated on top of its parts adds nothing
                    stack[-1].body.append(line)
                continue
            while stack and stack[-1].level >= level:
                stack.pop()
            parent = stack[-1] if stack else root
            heading = text if level != ARTICLE_LEVEL else ARTICLE.match(text).group(0)  # type: ignore[union-attr]
            section = Section(f"{doc_id}:s{len(out)}", (*parent.titles, heading), level)
            if level == ARTICLE_LEVEL:  # an article's own text is its body
                body = line[len(heading) :]
                section.body.append(body)
            out.append(section)
            stack.append(section)
    return [s for s in out if s.body]


def _sentences(t: Tracked) -> list[Tracked]:
    bounds = [0, *[m.start() for m in SENTENCE_END.finditer(t.text)], len(t.text)]
    pieces = [t[a:b] for a, b in pairwise(bounds) if t.text[a:b].strip()]
    out: list[Tracked] = []
    for p in pieces:  # an overlong sentence (run-together slides) is cut at commas, then hard
        while len(p.text) > MAX_PASSAGE:
            cut = max(p.text.rfind(c, 0, TARGET_PASSAGE) for c in "，,、")
            cut = cut + 1 if cut > MIN_PASSAGE else TARGET_PASSAGE
            out.append(p[:cut])
            p = p[cut:]
        out.append(p)
    return out


def _join(parts: list[tuple[int, Tracked]]) -> Tracked:
    """Sentences of one paragraph run on; separate paragraphs (list items) keep a line break between them."""
    text, offsets = "", ()
    for i, (paragraph, part) in enumerate(parts):
        if i and parts[i - 1][0] != paragraph:
            text, offsets = text + "\n", (*offsets, -1)
        text, offsets = text + part.text, (*offsets, *part.offsets)
    return Tracked(text, offsets)


def passages(section: Section) -> list[Tracked]:
    """Pack the section's paragraphs and sentences into passages of readable size, never across sections."""
    units: list[tuple[int, Tracked]] = []
    for i, paragraph in enumerate(section.body):
        pieces = [paragraph] if len(paragraph.text) <= MAX_PASSAGE else _sentences(paragraph)
        units.extend((i, piece) for piece in pieces)
    out: list[list[tuple[int, Tracked]]] = []
    size = 0
    for unit in units:
        n = len(unit[1].text)
        if out and (size + n <= TARGET_PASSAGE or (size < MIN_PASSAGE and size + n <= MAX_PASSAGE)):
            out[-1].append(unit)
            size += n
        else:
            out.append([unit])
            size = n
    return [_join(group) for group in out]
