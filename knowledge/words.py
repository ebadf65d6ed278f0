"""Words: the jieba tokenizer with the 医保 user dictionary, and the colloquial -> canonical synonym map.

Both indexing and queries tokenise here, so a query's "社保卡"/"外地"/"报账" meets the documents'
"医保卡"/"异地"/"报销".
The data files live in ``knowledge/lexicon/`` (``jieba/userdict.txt`` is also Rasa's JiebaTokenizer dictionary).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import jieba
import jieba.posseg
import yaml

from knowledge.text import to_simplified

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
USER_DICT = LEXICON_DIR / "jieba" / "userdict.txt"
SYNONYMS = LEXICON_DIR / "synonyms.yml"
# Patients' everyday words for the documents' words, reviewed by 医保办 from the documents (not from questions).
GLOSSARY = LEXICON_DIR / "glossary.yml"
# Specific things patients name (高血压, 洗发水) under the category words of the documents' rules (慢性病, 生活用品).
CATEGORIES = LEXICON_DIR / "categories.yml"

# Question words and particles: frequent in queries, absent from (or meaningless in) the policy text.
STOPWORDS = frozenset(
    [
        "的", "了", "是", "吗", "呢", "吧", "啊", "呀", "么", "我", "你", "他", "她",
        "它", "我们", "请问", "请", "一下", "怎么", "怎么办", "怎样", "怎么样", "如何",
        "什么", "哪些", "哪个", "哪里", "哪儿", "多少", "多久", "几", "几个", "能", "能不能",
        "可以", "可不可以", "需要", "要", "有", "没有", "有没有", "还", "都", "和", "与",
        "及", "或", "在", "对", "把", "被", "就", "也", "又", "等", "这", "那", "个",
        "一般", "现在", "时候", "之后", "以后", "一个", "一张", "给", "帮", "帮我", "去",
        "到", "让", "用", "会", "该", "应该", "里", "中", "上", "下"
    ]
)
_WORD = re.compile(r"[\w%]")


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.load_userdict(str(USER_DICT))
    return tk


@lru_cache(maxsize=1)
def pos_tokenizer() -> jieba.posseg.POSTokenizer:
    """Part-of-speech tagging on :func:`tokenizer` (not jieba's global one, a second dictionary in memory)."""
    return jieba.posseg.POSTokenizer(tokenizer())


def general_dictionary() -> Iterator[tuple[str, int, str]]:
    """(word, count, tag) of jieba's own dictionary of general Chinese, without the 医保 terms, read line by line
    (350,000 entries: a list of them all would add ~100 MiB at its peak)."""
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                yield parts[0], int(parts[1]), parts[2]


@lru_cache(maxsize=1)
def synonym_map() -> dict[str, str]:
    """colloquial term -> canonical term, longest colloquial term first."""
    pairs: dict[str, str] = {}
    for source in (SYNONYMS, GLOSSARY):
        data = yaml.safe_load(source.read_text(encoding="utf-8")) if source.exists() else None
        for canonical, aliases in (data or {}).items():
            for alias in aliases:
                pairs.setdefault(to_simplified(alias), to_simplified(canonical))
    return dict(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


@lru_cache(maxsize=1)
def categories_of() -> dict[str, frozenset[str]]:
    """member -> the categories it belongs to (a member may be in several: 阿莫西林 is 处方药 and 抗菌药物)."""
    data = yaml.safe_load(CATEGORIES.read_text(encoding="utf-8")) if CATEGORIES.exists() else None
    found: dict[str, set[str]] = {}
    for category, members in (data or {}).items():
        for member in members:
            found.setdefault(to_simplified(str(member)).lower(), set()).add(to_simplified(category))
    return {member: frozenset(categories) for member, categories in found.items()}


def canonical_terms(text: str) -> list[str]:
    """Canonical terms for the colloquial terms in ``text`` that the text does not already contain."""
    found: list[str] = []
    for alias, canonical in synonym_map().items():
        if alias in text and canonical not in text and canonical not in found:
            found.append(canonical)
    return found


def expand(text: str) -> str:
    """``text`` followed by the canonical terms of its colloquial words (for the dense encoder)."""
    extra = canonical_terms(text)
    return f"{text}（{'，'.join(extra)}）" if extra else text


# A number (digits, a Chinese numeral, or the question words 几/多少 that ask for one) followed by a unit: "2名",
# "3日", "一个月", "几天". Each becomes a "#unit" token, so a question's 几名 meets the document's 2名.
_NUMBER = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两半]+|几|多少)"
QUANTITY = re.compile(
    rf"({_NUMBER})(个工作日|个月|周岁|工作日|小时|分钟|个|名|人|日|天|周|月|年|次|元|钱|岁|份|倍)"
)
# Units that mean the same quantity; questions say 天 and 多少钱, regulations say 日 and 元.
_UNIT_ALIASES = {"天": "日", "工作日": "个工作日", "月": "个月", "岁": "周岁", "钱": "元"}
# 一 is mostly not a count ("一人一卡", "一次性", "一个"); after it only units of time are quantities.
_UNITS_AFTER_ONE = frozenset(["个月", "个工作日", "年", "周", "日", "天", "小时"])
# "How long" asks for any span of time.
_HOW_LONG = re.compile(r"多久|多长时间|多长期限|期限多长")
_TIME_UNITS = ("日", "个工作日", "个月", "年", "小时", "分钟")
# Query tokens that are alternative ways for a passage to answer the same thing: "多久" is answered by a time
# limit in any unit (or by the word 时限), so a passage saying "保存2年" covers it fully.
ALTERNATIVE_TOKENS: tuple[frozenset[str], ...] = (frozenset({"时限", *(f"#{u}" for u in _TIME_UNITS)}),)


def quantity_tokens(text: str) -> list[str]:
    """"#unit" tokens for numbers with units, for 几/多少 + unit, and for 多久 (any unit of time)."""
    found = [
        f"#{_UNIT_ALIASES.get(unit, unit)}"
        for number, unit in QUANTITY.findall(text)
        if number != "一" or unit in _UNITS_AFTER_ONE
    ]
    if _HOW_LONG.search(text):
        found.extend(f"#{u}" for u in _TIME_UNITS)
    return found


_CJK_CHAR = re.compile(r"[\u3400-\u9fff]|[a-z0-9%.]+|#\w+")


def bigrams(text: str) -> list[str]:
    """Character bigrams of the simplified text (a Latin/digit run counts as one character), never across
    punctuation, plus the quantity tokens and the bigrams of canonical synonyms. Unlike jieba words they match
    partial overlaps: 定点药店/定点零售药店 share 定点, 药店."""
    simple = to_simplified(text).lower()
    out: list[str] = []
    for chunk in re.split(r"[^\w%.]+", simple + " " + " ".join(canonical_terms(simple))):
        chars = _CJK_CHAR.findall(chunk)
        if len(chars) == 1:
            out.append(chars[0])
        out.extend(a + b for a, b in pairwise(chars))
    return out + quantity_tokens(simple)


def tokens(text: str) -> list[str]:
    """BM25 tokens: jieba search-mode words (user dictionary on), lowercased, no stopwords or punctuation,
    plus the canonical forms of colloquial terms."""
    simple = to_simplified(text).lower()
    # "多久/多长时间" is carried by its quantity tokens (any unit of time), not by the words 多长, 时间.
    words = [w.strip() for w in tokenizer().cut_for_search(_HOW_LONG.sub("，", simple))]
    # Single Chinese characters carry little meaning alone and dominate BM25 noise; digits/latin stay.
    out = [w for w in words if w and w not in STOPWORDS and _WORD.search(w) and (len(w) > 1 or w.isascii())]
    for term in canonical_terms(simple):
        out.extend(w for w in tokenizer().cut_for_search(term) if w not in STOPWORDS)
    return out + quantity_tokens(simple)
