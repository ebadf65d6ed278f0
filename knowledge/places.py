"""Place names a question may mention, to tell "the documents do not cover that city" from "they do".

The gazetteer is jieba's own dictionary: words tagged ``ns`` (place names) that end in 省/市/县, with their
stems where jieba also tags the stem as a place (北京市 -> 北京), plus countries and regions outside the
mainland that patients ask about. Districts (…区) are left out: too many ordinary words end in 区.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.words import general_dictionary

ABROAD = (
    "美国",
    "英国",
    "法国",
    "德国",
    "日本",
    "韩国",
    "俄罗斯",
    "加拿大",
    "澳大利亚",
    "新加坡",
    "泰国",
    "意大利",
    "西班牙",
    "新西兰",
    "马来西亚",
    "香港",
    "澳门",
    "台湾",
    "国外",
    "海外",
    "境外",
    "出国",
    "外国",
)


# What a place's full name ends in (北京市, 广东省, 剑阁县).
SUFFIXES = ("省", "市", "县")


@lru_cache(maxsize=1)
def gazetteer() -> frozenset[str]:
    tagged = {word for word, _, tag in general_dictionary() if tag == "ns"}
    names = {w for w in tagged if len(w) >= 3 and w.endswith(SUFFIXES)}
    stems = {w[:-1] for w in names if w[:-1] in tagged and len(w) >= 3}
    return frozenset(names | stems | set(ABROAD))


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p) for p in sorted(gazetteer(), key=len, reverse=True)))


def places_in(text: str) -> list[str]:
    """Place names in ``text``, longest match first, in order of appearance."""
    return list(dict.fromkeys(m.group(0) for m in _pattern().finditer(text)))


def stem(place: str) -> str:
    """The place without its 省/市/县 where the gazetteer knows it so (徐州市 -> 徐州), else as it is."""
    return place[:-1] if place.endswith(SUFFIXES) and place[:-1] in gazetteer() else place


def same_place(a: str, b: str) -> bool:
    """One name is the other's, with or without more of it (徐州 / 徐州市)."""
    return a in b or b in a
