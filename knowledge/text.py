"""Text cleaning for the scraped policy documents and for user queries.

Each cleaning step is a named function ``str -> str`` so it can be tested on real fragments. The ingestion
pipeline runs the same steps on a :class:`Tracked` string, which remembers for every character its offset in
the raw file, so passages keep exact character offsets into the source for citation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import opencc

from yibao.settings import get_settings

CJK = r"\u3400-\u9fff"
# Pinyin with tone marks (the courseware writes 醫(yī)院); plain ASCII words in brackets such as (DRGs) stay.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
PINYIN_ANNOTATION = re.compile(rf"(?<=[{CJK}?？A-Za-z])\((?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}\)")

# Lines that are search-engine spam or site chrome, never policy content (matched on simplified text).
SPAM_WORDS = ("在线观看", "久久", "婷婷", "狼论坛", "一卡2卡", "乱码理论", "国产第", "视频免费", "av", "bbw", "gv老师")
BOILERPLATE_LINE = re.compile(
    r"^(我要投稿|投诉建议|手机阅读|•?\s*相关推荐|时间[:：]\s*\d{4}|格式[:：]\s*DOC|\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}.*小编"
    r"|版权说明|文档简介|声明[:：]|您可能关注的文档|评论$|0/150|提交评论|同志们[:：]$|各位领导)"
    r"|小编|范文|希望对大家有所帮助|欢迎大家借鉴|写一篇文章|心得体会范文"
)
# A heading that starts a trailing block of site chrome: everything after it is dropped.
TRAILER_START = re.compile(r"(】相关文章[:：]|^主站蜘蛛池模板|^温馨提示$|^最新文档$)")


@dataclass(frozen=True)
class Tracked:
    """A string plus, for every character, its offset in the raw source (``-1`` for inserted characters)."""

    text: str
    offsets: tuple[int, ...]

    @classmethod
    def of(cls, text: str, start: int = 0) -> Tracked:
        return cls(text, tuple(range(start, start + len(text))))

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> Tracked:
        """Like ``pattern.sub`` but keeping offsets: a replacement inherits the offset of the match start."""
        pieces: list[str] = []
        offsets: list[int] = []
        pos = 0
        for m in pattern.finditer(self.text):
            pieces.append(self.text[pos : m.start()])
            offsets.extend(self.offsets[pos : m.start()])
            new = repl(m) if callable(repl) else m.expand(repl)
            pieces.append(new)
            if len(new) == m.end() - m.start():
                offsets.extend(self.offsets[m.start() : m.end()])
            else:
                origin = self.offsets[m.start()] if m.start() < len(self.offsets) else -1
                offsets.extend([origin] * len(new))
            pos = m.end()
        pieces.append(self.text[pos:])
        offsets.extend(self.offsets[pos:])
        return Tracked("".join(pieces), tuple(offsets))

    def map_chars(self, fn: Callable[[str], str]) -> Tracked:
        """Apply a length-preserving per-character mapping."""
        return Tracked("".join(fn(c) for c in self.text), self.offsets)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Raw-file offsets covering characters ``start:end`` of this text."""
        inside = [o for o in self.offsets[start:end] if o >= 0]
        return (min(inside), max(inside) + 1) if inside else (-1, -1)

    def __getitem__(self, item: slice) -> Tracked:
        return Tracked(self.text[item], self.offsets[item])


# --- line filters ------------------------------------------------------------------------------------------


def is_spam_line(line: str) -> bool:
    """SEO spam: the comma-separated keyword lines on top of scraped pages, and the '蜘蛛池' link farms."""
    simple = to_simplified(line).lower()
    if "蜘蛛池" in simple:
        return True
    hits = sum(word in simple for word in SPAM_WORDS)
    return hits >= 2 or (hits == 1 and simple.count(",") >= 2)


def is_boilerplate_line(line: str) -> bool:
    """Site chrome: submit/complaint links, timestamps, 'related' lists, download notes, editor's chatter."""
    simple = to_simplified(line.strip())
    return bool(BOILERPLATE_LINE.search(simple)) or bool(re.fullmatch(r"-\s*\d+\.\s*本站.*|-\s*.{2,40}", simple))


def starts_trailer(line: str) -> bool:
    return bool(TRAILER_START.search(to_simplified(line.strip())))


def content_lines(raw: str) -> Iterable[tuple[int, str]]:
    """(offset, line) for the lines that carry policy content; spam, chrome and trailing link lists are dropped."""
    offset = 0
    for line in raw.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        stripped = line.strip()
        if not stripped:
            continue
        if starts_trailer(stripped):
            return
        if is_spam_line(stripped) or is_boilerplate_line(stripped):
            continue
        yield start, line.rstrip("\r\n")


# --- character-level steps (Tracked versions used by ingestion, plain versions for everyone else) ------------


def _strip_pinyin(t: Tracked) -> Tracked:
    return t.sub(PINYIN_ANNOTATION, "")


def strip_pinyin_annotations(text: str) -> str:
    """醫(yī)院 -> 醫院: the courseware annotates characters with toned pinyin in brackets."""
    return _strip_pinyin(Tracked.of(text)).text


# UTF-8 bytes that were decoded as GBK ("鍖荤枟淇濋櫓" for 医疗保险). UTF-8 lead bytes of Chinese (E4-E9) are GBK
# level-2 (rare) characters, so only runs starting with one are tried, longest decodable run first.
_RARE_LEAD = re.compile(rf"[{CJK}]")
_MAX_MOJIBAKE_RUN = 40
# GBK text that lost bytes (a high bit stripped, a byte dropped): "醫?;鸸芾" for 醫保基金管理. The bytes are gone,
# so the garbage run is dropped: from the '?' marker to the next ASCII letter (where the decoder re-synchronised,
# inclusive) or the next punctuation (exclusive).
_GARBAGE_STOP = "，。、：；）《》“”,.:;()\\s"
_LOST_BYTES = re.compile(
    rf"(?:(?<=[{CJK}、，。：])|^)(?<![吗呢么嗎麼])\?(?:[;?!]|\?+|(?=[^\x00-\x7f，。、：；！？]{{1,14}}[!-~]))"
    rf"[^\x00-\x7f{_GARBAGE_STOP}]{{0,14}}?(?:\?[a-z{_TONED}]{{1,6}}\)|[A-Za-z0-9@#$%^&*_+=~|<>`'\"\[\]{{}}?!-]|(?=[{_GARBAGE_STOP}]|$))"
)
# A '?' standing for a lost character whose pinyin annotation lost its opening bracket: "適當?shù)".
_LOST_ANNOTATED = re.compile(rf"\?[a-z{_TONED}]{{1,6}}\)")
# A question mark right before other punctuation is the tail of a garbage run, never a real question.
_STRAY_QUESTION_MARK = re.compile(r"\?(?=[。，,])")
# Anti-scraping noise: a dot, backtick or quote, or a lone Latin letter, inserted between two Chinese characters.
_INSERTED_NOISE = re.compile(rf"(?<=[{CJK}])(?:[.`'’]|(?<![A-Za-z])[a-z](?![A-Za-z]))(?=[{CJK}])")


def _redecoded_length(text: str, i: int) -> tuple[int, str]:
    """Longest run ``text[i:i+n]`` (n >= 2) whose GBK bytes are valid UTF-8 Chinese, and its repair."""
    lead = text[i].encode("gbk", errors="ignore")[:1]
    if not lead or not 0xE4 <= lead[0] <= 0xE9:
        return 0, ""
    for n in range(min(_MAX_MOJIBAKE_RUN, len(text) - i), 1, -1):
        try:
            fixed = text[i : i + n].encode("gbk").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if re.fullmatch(rf"[{CJK}]+", fixed):
            return n, fixed
    return 0, ""


def _redecode_runs(t: Tracked) -> Tracked:
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(t.text):
        n, fixed = _redecoded_length(t.text, i) if _RARE_LEAD.match(t.text[i]) else (0, "")
        if n:
            spans.append((i, i + n, fixed))
        i += n or 1
    if not spans:
        return t
    text, offsets, pos = "", (), 0
    for a, b, fixed in spans:
        text += t.text[pos:a] + fixed
        offsets += t.offsets[pos:a] + (t.offsets[a],) * len(fixed)
        pos = b
    return Tracked(text + t.text[pos:], offsets + t.offsets[pos:])


def _repair_mojibake(t: Tracked) -> Tracked:
    t = _redecode_runs(t)
    t = t.sub(_LOST_BYTES, "")
    t = t.sub(_LOST_ANNOTATED, "")
    t = t.sub(_STRAY_QUESTION_MARK, "")
    t = t.sub(re.compile("\ufffd+"), "")
    return t.sub(_INSERTED_NOISE, "")


def repair_mojibake(text: str) -> str:
    """Re-decode UTF-8-read-as-GBK runs; drop GBK garbage whose bytes were lost, U+FFFD and anti-scraping noise."""
    return _repair_mojibake(Tracked.of(text)).text


_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_PUNCT_NEAR_CJK = re.compile(rf"(?<=[{CJK}\d）)])[,;:?!]|[,;:?!(](?=[{CJK}（(])|(?<=[{CJK}])[()]|[()](?=[{CJK}])")
_SPACE_BETWEEN_CJK = re.compile(
    rf"(?<=[{CJK}，。、；：）])[ \t\u3000\xa0]+(?=[{CJK}（\d])|(?<=[{CJK}\d])[ \t\u3000\xa0]+(?=[{CJK}，。、；：])"
)
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def _width(c: str) -> str:
    # Full-width letters, digits and %, ～ become ASCII; Chinese punctuation (，。；：) is kept as is.
    if "\uff01" <= c <= "\uff5e" and c not in "，。；：？！（）《》“”【】、～":
        return unicodedata.normalize("NFKC", c)
    return {"\u2014": "-", "\u2013": "-", "～": "~", "•": ""}.get(c, c)


def _normalize_punctuation(t: Tracked) -> Tracked:
    t = t.map_chars(_width)
    t = t.sub(_PUNCT_NEAR_CJK, lambda m: _HALF_TO_FULL.get(m.group(0), m.group(0)))
    t = t.sub(_SPACE_BETWEEN_CJK, "")
    t = t.sub(_SPACES, " ")
    start = len(t.text) - len(t.text.lstrip())
    end = len(t.text.rstrip())
    return t[start:end]


def normalize_punctuation(text: str) -> str:
    """Full-width letters/digits -> ASCII, ASCII punctuation in Chinese text -> Chinese forms, whitespace collapsed."""
    return _normalize_punctuation(Tracked.of(text)).text


def clean_line(t: Tracked) -> Tracked:
    """The character-level cleaning pipeline, in order; the result is still in the source's own script."""
    return _normalize_punctuation(_repair_mojibake(_strip_pinyin(t)))


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese with OpenCC (phrase-aware; simplified text passes through unchanged)."""
    return _t2s().convert(text) if text else text


def normalize_query(query: str) -> str:
    """What every query goes through: bounded length, simplified, no control characters, normalised punctuation."""
    limit = get_settings().max_question_chars
    query = "".join(c for c in (query or "")[: limit * 2] if unicodedata.category(c)[0] != "C" or c == " ")
    query = normalize_punctuation(strip_pinyin_annotations(to_simplified(query)))
    return query[:limit].strip()


def compact(text: str) -> str:
    """Letters and digits only: the key used to compare passages for duplicates and answers for hits."""
    return re.sub(r"[\W_]+", "", to_simplified(text)).lower()
