"""Patients' spelling -> the documents' words, by general means rather than one entry per phrase:

- regional function words (粤/川/东北, ``lexicon/dialect.yml``) -> Mandarin;
- whole-pinyin input ("menzhen manxingbing") -> the knowledge base's own words with that pinyin;
- homophone typos ("异地就医被案", "报消") -> the word of the vocabulary with the same toneless pinyin;
- one-character typos of longer words ("门诊特殊病仲") -> the vocabulary word differing in one character;
- real words an input method offered for a documents' homophone ("北岸手续" -> 备案手续, "起伏线" -> 起付线),
  only where the documents write that homophone beside the same neighbour (``_homophone_in_context``).

The vocabulary is built from the knowledge base itself (the words of its passages), the jieba user dictionary
and the synonym lexicon, so it follows the documents a hospital loads. Otherwise a typed word is only corrected
when it occurs neither in the documents nor in jieba's dictionary.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import yaml
from pypinyin import lazy_pinyin

from knowledge.places import gazetteer
from knowledge.text import to_simplified
from knowledge.words import LEXICON_DIR, STOPWORDS, general_dictionary, synonym_map, tokenizer

DIALECT = LEXICON_DIR / "dialect.yml"
# A character this frequent as a word of its own in jieba's dictionary (要, 放, 是, 被…) is read as that word.
COMMON_CHAR_FREQ = 10000
# jieba's tags of the closed word classes: conjunctions, adverbs, prepositions, pronouns, particles, modal words,
# interjections, onomatopoeia, numerals, classifiers (同时, 及时, 何时, 一直, 一生). They stand next to anything, so
# a document writing one beside a word is no evidence of a phrase, and patients write their own ones as meant.
_GRAMMAR_TAGS = frozenset({"c", "d", "p", "r", "u", "y", "e", "o", "m", "q"})
# HSK 6, the vocabulary expected of a fluent everyday reader, is 5000 words: a patient who writes one of the 5000
# commonest words of jieba's general dictionary (同事, 手机, 意外, 适用) means it, whatever the documents say beside it.
EVERYDAY_WORDS = 5000
# A classifier right after a number or 多少/几 starts a count phrase ("多少种药"), never a typo to correct.
_COUNTED = re.compile(r"(?:多少|几|\d|[一二两三四五六七八九十百千万])$")
_CLASSIFIERS = frozenset("种个次家张盒类项位名天年月周笔份片粒支瓶")
# Particles patients write after a word (补的, 住了, 报吗): a window ending in one is that word and its particle.
_PARTICLES = frozenset("的了着过吗呢吧啊呀嘛")
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
    corpus: str = ""  # the documents' text, for the phrases a homophone is read in
    rare: frozenset[str] = frozenset()  # words of Chinese the documents say once: a typo's target only

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        texts = [to_simplified(t) for t in texts]
        frequency: Counter[str] = Counter()
        for text in texts:
            frequency.update(w for w in tokenizer().lcut(text) if len(w) >= 2 and _CJK.match(w) and w not in STOPWORDS)
        lexicon = [w for w, _ in synonym_map().items()] + list(set(synonym_map().values()))
        for word in lexicon:
            frequency[word] += 2
        # A word said once that Chinese has (心脏支架's 支架) is what a typo may stand for, but not so much the
        # documents' own that typing it is no typo (自负 for 自付); a run that lost bytes left behind (剞理) is neither.
        rare = frozenset(
            w for w, n in frequency.items() if n == 1 and tokenizer().FREQ.get(w) and _CJK_RUN.fullmatch(w)
        )
        frequency = Counter({w: n for w, n in frequency.items() if n >= 2 and _CJK_RUN.fullmatch(w)})
        known: set[str] = set()
        for text in texts:
            for run in _CJK_RUN.findall(text):
                for n in (2, 3, 4):
                    known.update(run[i : i + n] for i in range(len(run) - n + 1))
        vocab = cls(
            frequency=frequency, known=frozenset(known) | frozenset(lexicon), corpus="\n".join(texts), rare=rare
        )
        _general_words()  # read jieba's dictionary now (under a second), not on a patient's first question
        for word in [w for w, _ in frequency.most_common()] + sorted(rare):  # most frequent word wins a shared key
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

        words = tokenizer().lcut(run)
        respelled = self._respell_words(words, fixes)
        if respelled != words:  # read again: "起伏线是" -> 起付线/是, not 起付/线/是 with 线是 a stretch
            words = tokenizer().lcut("".join(respelled))
        for word in words:
            if len(word) == 1 or not self.is_known(word):
                stretch.append(word)
            else:
                flush()
                pieces.append(word)
        flush()
        return "".join(pieces), fixes

    def _respell_words(self, words: list[str], fixes: list[tuple[str, str]]) -> list[str]:
        """Real words standing where the documents have their homophone (``_homophone_in_context``)."""
        out = list(words)
        for i, word in enumerate(words):
            meant = self._homophone_in_context(word, out[i - 1] if i else "", "".join(words[i + 1 : i + 2]))
            if meant:
                fixes.append((word, meant))
                out[i] = meant
        return out

    def _homophone_in_context(self, word: str, before: str, after: str) -> str | None:
        """The documents' word that a real word stands for, typed by an input method in its place, or None.

        An input method offers every word of a pinyin, so a patient may pick 北岸 for 备案. Sound alone is no
        evidence against a real word, so the documents must write the homophone beside the neighbour the patient
        wrote, and the word must be no word the patient plausibly meant: not the documents' own, no grammar word
        (``_GRAMMAR_TAGS``), question word or place. Then either
        - with a neighbouring character it spells a documents' term and is no word as typed (起伏+线 -> 起付线), or
        - the documents write its homophone next to the same content word (北岸手续 -> 备案手续), and it is no
          everyday word (``EVERYDAY_WORDS``) and rarer in general Chinese than the homophone: of two homophones,
          a patient who wrote the commoner (病理 beside 病历) most likely meant it."""
        freq = tokenizer().FREQ
        grammar, everyday = _general_words()
        if not 2 <= len(word) <= 4 or word not in freq or word in self.frequency or word in grammar:
            return None
        if word in STOPWORDS or word in _FUNCTION_WORDS or word in gazetteer():
            return None
        for left, right in ((before, ""), ("", after)):  # one term with a single neighbouring character
            window = left + word + right
            if len(window) != len(word) + 1 or window in freq or freq.get(left or right, 0) >= COMMON_CHAR_FREQ:
                continue  # a word as typed, or the character is a word of its own (当时+人 is no 当事人)
            term = self.by_pinyin.get(pinyin_key(window), "")
            meant = term[len(left) : len(term) - len(right)]
            if len(term) == len(window) and term in self.frequency and term == left + meant + right != window:
                return meant
        meant = self.by_pinyin.get(pinyin_key(word))
        if word in everyday or not meant or len(meant) != len(word) or meant not in self.frequency:
            return None
        if meant in grammar or freq[word] >= freq.get(meant, 0):
            return None
        phrases = [meant + after if _content(after) else "", before + meant if _content(before) else ""]
        return meant if any(p and p in self.corpus for p in phrases) else None

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
                if window[-1] in _PARTICLES:
                    continue  # "政府补的部分": a word and its particle, no typo of 不得
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
        known = word in self.frequency or word in self.rare or word in _FUNCTION_WORDS
        return word if word and len(word) == len(window) and known else None

    def _one_edit(self, window: str) -> str | None:
        candidates = {
            w for i in range(len(window)) for w in self.by_wildcard.get(window[:i] + "?" + window[i + 1 :], [])
        }
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda w: self.frequency[w])


def _content(word: str) -> bool:
    """A word that carries a phrase's meaning: Chinese, two characters or more, no particle or grammar word."""
    return (
        len(word) >= 2 and bool(_CJK_RUN.fullmatch(word)) and word not in STOPWORDS and word not in _general_words()[0]
    )


@lru_cache(maxsize=1)
def _general_words() -> tuple[frozenset[str], frozenset[str]]:
    """From jieba's own dictionary (general Chinese, without the 医保 terms): the words of the closed classes
    (``_GRAMMAR_TAGS``) and the ``EVERYDAY_WORDS`` commonest words of two characters or more."""
    grammar: set[str] = set()
    common: list[tuple[int, int, str]] = []  # a heap of the commonest words so far (ties: the earlier entry)
    for position, (word, count, tag) in enumerate(general_dictionary()):
        if tag in _GRAMMAR_TAGS:
            grammar.add(word)
        if len(word) >= 2:
            item = (count, -position, word)
            if len(common) < EVERYDAY_WORDS:
                heapq.heappush(common, item)
            elif item > common[0]:
                heapq.heapreplace(common, item)
    return frozenset(grammar), frozenset(w for _, _, w in common)


def said_back(typed: str) -> bool:
    """Whether the patient is told how the question was read after this correction: whole pinyin, or a real word
    read as its homophone (a guess against what was written, unlike a typo that is no word)."""
    return typed.isascii() or tokenizer().FREQ.get(typed, 0) > 0


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
