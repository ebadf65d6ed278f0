"""Patients' spelling -> the documents' words, by general means rather than one entry per phrase:

- regional function words (粤/川/东北, ``lexicon/dialect.yml``) -> Mandarin;
- whole-pinyin input ("menzhen manxingbing") -> the knowledge base's own words with that pinyin;
- homophone typos ("异地就医被案", "报消") -> the word of the vocabulary with the same toneless pinyin;
- one-character typos of longer words ("门诊特殊病仲") -> the vocabulary word differing in one character.

The vocabulary is built from the knowledge base itself (the words of its passages), the jieba user dictionary
and the synonym lexicon, so it follows the documents a hospital loads. A typed word is only corrected when it
occurs neither in the documents nor in jieba's dictionary: real words are never "corrected".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import yaml
from pypinyin import lazy_pinyin

from knowledge.places import gazetteer
from knowledge.text import to_simplified
from knowledge.words import LEXICON_DIR, STOPWORDS, synonym_map, tokenizer

DIALECT = LEXICON_DIR / "dialect.yml"
# A character this frequent as a word of its own in jieba's dictionary (要, 放, 是, 被…) is read as that word.
COMMON_CHAR_FREQ = 10000
# A classifier right after a number or 多少/几 starts a count phrase ("多少种药"), never a typo to correct.
_COUNTED = re.compile(r"(?:多少|几|\d|[一二两三四五六七八九十百千万])$")
_CLASSIFIERS = frozenset("种个次家张盒类项位名天年月周笔份片粒支瓶")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z' ]*[A-Za-z]")
# Pinyin of the words patients use around the topic words; the topic words come from the documents.
_FUNCTION_WORDS = [
    "我",
    "你",
    "他",
    "她",
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "是",
    "有",
    "没有",
    "在",
    "去",
    "来",
    "要",
    "能",
    "会",
    "可以",
    "需要",
    "怎么",
    "怎么办",
    "怎样",
    "什么",
    "多少",
    "多久",
    "哪里",
    "哪些",
    "为什么",
    "几",
    "几天",
    "能不能",
    "可不可以",
    "是不是",
    "要不要",
    "有没有",
    "办",
    "办理",
    "申请",
    "报销",
    "看病",
    "拿药",
    "住院",
    "门诊",
    "医保",
    "医保卡",
    "社保卡",
    "备案",
    "材料",
    "流程",
    "比例",
    "钱",
    "多少钱",
    "带",
    "带什么",
    "用",
    "哪个",
    "谁",
    "和",
    "还",
    "就",
    "都",
    "这个",
    "那个",
    "呢",
    "我妈",
    "我爸",
    "孩子",
    "老人",
    "一下",
    "多长时间",
    "一次",
    "每年",
    "可不可以",
    "行不行",
]


@lru_cache(maxsize=1)
def dialect_map() -> dict[str, str]:
    """Regional form -> Mandarin, longest form first."""
    data = yaml.safe_load(DIALECT.read_text(encoding="utf-8")) or {}
    pairs = {to_simplified(str(k)): to_simplified(str(v)) for k, v in data.items()}
    return dict(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def to_mandarin(text: str) -> str:
    """Replace regional function words (longest first, never inside an already replaced span)."""
    table = dialect_map()
    if not table:
        return text
    pattern = re.compile("|".join(re.escape(k) for k in table))
    return pattern.sub(lambda m: table[m.group(0)], text)


def pinyin_key(word: str) -> str:
    """Toneless pinyin without separators, one reading per character (the same on both sides)."""
    return "".join(lazy_pinyin(word))


@dataclass
class Vocabulary:
    """The words a query is corrected towards, with the indexes the corrections need."""

    frequency: Counter[str]
    known: frozenset[str]  # words and substrings that are no typo (the documents' text, jieba's dictionary)
    by_pinyin: dict[str, str] = field(default_factory=dict)
    by_wildcard: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        texts = [to_simplified(t) for t in texts]
        frequency: Counter[str] = Counter()
        for text in texts:
            frequency.update(w for w in tokenizer().lcut(text) if len(w) >= 2 and _CJK.match(w) and w not in STOPWORDS)
        lexicon = [w for w, _ in synonym_map().items()] + list(set(synonym_map().values()))
        for word in lexicon:
            frequency[word] += 2
        frequency = Counter({w: n for w, n in frequency.items() if n >= 2 and _CJK_RUN.fullmatch(w)})
        known: set[str] = set()
        for text in texts:
            for run in _CJK_RUN.findall(text):
                for n in (2, 3, 4):
                    known.update(run[i : i + n] for i in range(len(run) - n + 1))
        vocab = cls(frequency=frequency, known=frozenset(known) | frozenset(lexicon))
        for word, _ in frequency.most_common():  # most frequent word wins a shared key
            vocab.by_pinyin.setdefault(pinyin_key(word), word)
            if len(word) >= 3:
                for i in range(len(word)):
                    vocab.by_wildcard.setdefault(word[:i] + "?" + word[i + 1 :], []).append(word)
        for word in [*_FUNCTION_WORDS, *sorted(gazetteer(), key=len)]:  # place names: "shanghai" is 上海
            vocab.by_pinyin.setdefault(pinyin_key(word), word)
        # A syllable no word covers stands for the documents' most frequent character with that reading.
        chars = Counter(ch for text in texts for ch in _CJK.findall(text))
        for ch, _ in chars.most_common():
            vocab.by_pinyin.setdefault(pinyin_key(ch), ch)
        return vocab

    def is_known(self, word: str) -> bool:
        return word in self.known or word in tokenizer().FREQ

    # --- whole pinyin ---------------------------------------------------------------------------------------

    def pinyin_to_words(self, latin: str) -> str | None:
        """ "menzhen manxingbing" -> "门诊慢性病": the fewest vocabulary words whose pinyin spells the run, or
        None when the run is not pinyin (an English word, a drug code)."""
        s = re.sub(r"[^a-z]", "", latin.lower())
        if len(s) < 4:
            return None
        # best[i] = (pieces, words) for s[:i]; a word of longer pinyin is preferred (fewer pieces)
        best: list[tuple[int, list[str]] | None] = [None] * (len(s) + 1)
        best[0] = (0, [])
        for i in range(len(s)):
            if best[i] is None:
                continue
            pieces, words = best[i]  # type: ignore[misc]
            for j in range(min(len(s), i + 24), i, -1):
                word = self.by_pinyin.get(s[i:j])
                # a single character costs more than a word: "zhigong" is 职工, not 职+工
                cost = pieces + (1 if word and len(word) > 1 else 3)
                if word and (best[j] is None or best[j][0] > cost):  # type: ignore[index]
                    best[j] = (cost, [*words, word])
        found = best[len(s)]
        return "".join(found[1]) if found else None

    # --- typos -------------------------------------------------------------------------------------------------

    def correct_run(self, run: str) -> tuple[str, list[tuple[str, str]]]:
        """Correct typos in a run of Chinese characters; returns the run and the (typed, meant) pairs.

        Only stretches that jieba cannot read as known words are candidates: a run of single characters
        ("被案" -> 被/案) or a word jieba only guessed (not in its dictionary nor in the documents). Inside
        such a stretch, the longest window with a vocabulary homophone (or, for three or more characters, a
        vocabulary word one character away) is replaced."""
        fixes: list[tuple[str, str]] = []
        pieces: list[str] = []
        stretch: list[str] = []

        def flush() -> None:
            text = "".join(stretch)
            stretch.clear()
            before = "".join(pieces)
            pieces.append(self._correct_stretch(text, fixes, before) if len(text) >= 2 else text)

        for word in tokenizer().lcut(run):
            if len(word) == 1 or not self.is_known(word):
                stretch.append(word)
            else:
                flush()
                pieces.append(word)
        flush()
        return "".join(pieces), fixes

    def _correct_stretch(self, text: str, fixes: list[tuple[str, str]], before: str = "") -> str:
        out, i = [], 0
        while i < len(text):
            fixed = None
            for n in (4, 3, 2):
                window = text[i : i + n]
                if len(window) < n or window in self.known or self._all_common(window):
                    continue
                if _COUNTED.search(before + text[:i]) and window[0] in _CLASSIFIERS:
                    continue  # "多少种药", "三次病": a count and what is counted, no typo
                meant = self._homophone(window) or (self._one_edit(window) if n >= 3 else None)
                if meant and meant != window:
                    fixed = (window, meant)
                    break
            if fixed:
                fixes.append(fixed)
                out.append(fixed[1])
                i += len(fixed[0])
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    @staticmethod
    def _all_common(window: str) -> bool:
        """Every character is a frequent word on its own ("要放", "是在"): ordinary words, not a typo."""
        return all(tokenizer().FREQ.get(ch, 0) >= COMMON_CHAR_FREQ for ch in window)

    def _homophone(self, window: str) -> str | None:
        word = self.by_pinyin.get(pinyin_key(window))
        known = word in self.frequency or word in _FUNCTION_WORDS
        return word if word and len(word) == len(window) and known else None

    def _one_edit(self, window: str) -> str | None:
        candidates = {
            w for i in range(len(window)) for w in self.by_wildcard.get(window[:i] + "?" + window[i + 1 :], [])
        }
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda w: self.frequency[w])


@dataclass(frozen=True)
class Spelled:
    text: str  # the query in the documents' words
    corrections: tuple[tuple[str, str], ...]  # (typed, meant), for "您是不是想问…"


def respell(query: str, vocab: Vocabulary) -> Spelled:
    """Dialect, whole pinyin and typos, in that order, on an already simplified query."""
    corrections: list[tuple[str, str]] = []
    text = to_mandarin(query)

    def from_pinyin(m: re.Match[str]) -> str:
        words = vocab.pinyin_to_words(m.group(0))
        if words:
            corrections.append((m.group(0), words))
            return words
        return m.group(0)

    text = _LATIN_RUN.sub(from_pinyin, text)

    def fix(m: re.Match[str]) -> str:
        fixed, fixes = vocab.correct_run(m.group(0))
        corrections.extend(fixes)
        return fixed

    text = _CJK_RUN.sub(fix, text)
    return Spelled(text=text, corrections=tuple(corrections))
