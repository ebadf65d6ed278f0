"""Matching a query to the catalog's drugs: exact, normalised (salt prefix, dosage form), fuzzy (rapidfuzz) and
pinyin (pypinyin). The score scale and what it means for an answer (recognised, confidence) are defined here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from knowledge.catalog.queries import plain as _plain
from knowledge.catalog.records import DrugMatch, DrugRecord

# Match scores (0..100): >= SURE_SCORE the drug itself (name, alias, other salt or form, homophone); TYPO_SCORE
# one wrong character; MIN_SCORE..80 a weak suggestion (part of a name, distant typo). Below MIN_SCORE nothing
# is shown. A name is recognised from RECOGNISED_SCORE on: it is stated as the answer; below, it is a guess.
MIN_SCORE = 70.0
TYPO_SCORE = 85.0
SURE_SCORE = 90.0
RECOGNISED_SCORE = TYPO_SCORE


def confidence(score: float) -> float:
    """A match score as the confidence (0..1) an answer reports."""
    return float(score) / 100


# Salt prefixes and dosage-form suffixes are stripped before comparing ("盐酸二甲双胍缓释片" -> "二甲双胍").
SALT_PREFIXES = ("注射用", "盐酸", "硫酸氢", "硫酸", "酒石酸", "琥珀酸", "苯磺酸", "马来酸", "枸橼酸", "甲磺酸",
                 "磷酸", "醋酸")
# suffix -> the dosage forms it belongs to (to warn when the catalog row is another form).
FORM_SUFFIXES: dict[str, tuple[str, ...]] = {
    "片": ("口服常释剂型", "片剂", "舌下片"), "肠溶片": ("口服常释剂型",), "分散片": ("口服常释剂型",),
    "咀嚼片": ("口服常释剂型",), "舌下片": ("舌下片", "口服常释剂型"), "缓释片": ("缓释控释剂型",),
    "控释片": ("缓释控释剂型",), "胶囊": ("口服常释剂型",), "肠溶胶囊": ("口服常释剂型",),
    "缓释胶囊": ("缓释控释剂型",), "注射液": ("注射剂",), "注射剂": ("注射剂",), "粉针剂": ("注射剂",),
    "针剂": ("注射剂",), "针": ("注射剂",), "口服液": ("口服液体剂", "合剂"), "混悬液": ("口服液体剂",),
    "糖浆": ("口服液体剂",), "气雾剂": ("吸入剂", "气雾剂"), "颗粒": ("颗粒剂",), "滴丸": ("丸剂",),
    "丸": ("丸剂",), "散": ("散剂",),
}
_SUFFIXES_LONGEST_FIRST = sorted(FORM_SUFFIXES, key=len, reverse=True)
PINYIN_SUFFIXES = ("changrongjiaonang", "huanshijiaonang", "changrongpian", "huanshipian", "kongshipian", "zhusheye",
                   "zhusheji", "koufuye", "jiaonang", "keli", "pian", "zhen", "wan")
# Words around a drug name in a question, removed before deciding whether the rest is more of a drug name.
QUESTION_WORDS = re.compile(
    r"请问|我想问|医保|目录|能不能|可不可以|可以|能|报销|报不报|给报|报|吗|呢|吧|啊|的|是不是|是|属于|哪一类|哪类|什么|"
    r"甲类还是乙类|甲类|乙类|还是|里面|里|在不在|在|药品|药|这个|这种|吃|用|买|开|多少|比例|自费|有没有|有"
)


def _core(text: str) -> tuple[str, str]:
    """(drug name without salt prefix / dosage suffix, the dosage suffix found)."""
    core, suffix = _plain(text), ""
    for prefix in SALT_PREFIXES:
        if core.startswith(prefix) and len(core) - len(prefix) >= 2:
            core = core[len(prefix):]
    for candidate in _SUFFIXES_LONGEST_FIRST:
        if core.endswith(candidate) and len(core) - len(candidate) >= 2:
            core, suffix = core[: -len(candidate)], candidate
            break
    return core, suffix


def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower().replace("ü", "u").replace("v", "u")


def _pinyin_core(text: str) -> str:
    core = re.sub(r"[^a-z]", "", text.lower()).replace("v", "u")
    for suffix in PINYIN_SUFFIXES:
        if core.endswith(suffix) and len(core) - len(suffix) >= 4:
            return core[: -len(suffix)]
    return core


@dataclass(frozen=True)
class _Key:
    record: int  # index into the records
    plain: str  # the full name or alias, normalised
    core: str
    pinyin: str


class Index:
    """Lookup keys for each record: name and aliases, their cores and pinyin."""

    def __init__(self, records: list[DrugRecord], source: str) -> None:
        self.records = records
        self.source = source
        self.keys = [
            _Key(i, _plain(text), core, _pinyin(core))
            for i, record in enumerate(records)
            for text in (record.name, *record.aliases)
            for core in [_core(text)[0]]
            if core
        ]

    def search(self, query: str, limit: int) -> list[DrugMatch]:
        plain = _plain(query)
        core, suffix = _core(query)
        # A form named inside a question ("二甲双胍缓释片能报吗"); single characters (片, 针) only as a suffix.
        suffix = suffix or next((f for f in _SUFFIXES_LONGEST_FIRST if len(f) >= 2 and f in plain), "")
        latin = not re.search(r"[\u3400-\u9fff]", plain)
        pinyin_query = _pinyin_core(plain) if latin else _pinyin(core)
        best: dict[int, float] = {}
        for key in self.keys:
            score = self._score(key, plain, core, pinyin_query, latin)
            if score > best.get(key.record, 0):
                best[key.record] = score
        ranked = sorted(((s, i) for i, s in best.items() if s >= MIN_SCORE), key=lambda p: (-p[0], p[1]))
        if ranked and ranked[0][0] >= 95:  # a sure hit: drop the look-alikes
            ranked = [(s, i) for s, i in ranked if s >= SURE_SCORE]
        return [self._match(i, s, suffix) for s, i in ranked[:limit]]

    @staticmethod
    def _score(key: _Key, plain: str, core: str, pinyin_query: str, latin: bool) -> float:
        """0..100: exact name or alias, same drug in another salt/form, typo (characters or sound), part of a name."""
        if latin:
            if len(pinyin_query) < 3:
                return 0.0
            return 0.95 * fuzz.ratio(pinyin_query, key.pinyin)
        if plain == key.plain:
            return 100.0
        if core == key.core:
            return 98.0
        scores = [fuzz.ratio(core, key.core)]
        sound = fuzz.ratio(pinyin_query, key.pinyin)
        if sound >= 85:  # same or nearly the same sound: "阿斯匹林", "二甲双瓜"
            scores.append(0.95 * sound)
        if len(key.core) >= 3 and Levenshtein.distance(core, key.core) == 1:  # one wrong character: "阿莫西休"
            scores.append(TYPO_SCORE)
        if len(key.core) >= 2 and key.core in plain:
            # The name inside a question ("阿莫西林能报销吗") is the drug; inside a longer name
            # ("阿莫西林克拉维酸钾") it is another drug, so only a suggestion.
            rest = QUESTION_WORDS.sub("", plain.replace(key.core, "", 1))
            scores.append(SURE_SCORE if rest in ("", *FORM_SUFFIXES) else MIN_SCORE + 5)
        if len(core) >= 2 and core in key.core:  # part of a name ("头孢"): a suggestion, never a sure hit
            scores.append(MIN_SCORE + 15.0 * len(core) / len(key.core))
        return max(scores)

    def _match(self, index: int, score: float, query_suffix: str) -> DrugMatch:
        r = self.records[index]
        warning = ""
        forms = FORM_SUFFIXES.get(query_suffix, ())
        if forms and r.dosage_form and r.dosage_form not in forms:
            warning = (f"注意：这里收录的是{r.dosage_form}，您问的“{query_suffix}”剂型分类可能不同，"
                       "请以国家医保药品目录为准或到窗口确认。")
        return DrugMatch(r.name, r.category, r.dosage_form, r.restriction, r.note, round(score, 1), self.source,
                         warning)
