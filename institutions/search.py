"""Searching the directory: fuzzy name (typos, homophones, pinyin and its initials, short names such as 市一医院),
filters (district, type, level, nature, any flag) and distance from the kiosk, nearest first.

    from institutions.search import get_directory, InstitutionQuery
    result = get_directory().search(InstitutionQuery(types=("零售药店",), flags=("external_prescription",), near=True))
    result.matches[0].record.name, result.matches[0].distance_m, result.label

The index is built in memory from the database and rebuilt only after an import changed it (possibly in another
process). Filters are numpy masks and names are scored by rapidfuzz over the filtered rows only, so a search over
ten thousand institutions stays within a few milliseconds (benchmarks/bench_institutions.py).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from institutions.importer import LEVELS, NATURES, SAMPLE_FILE, SAMPLE_LABEL, TYPES, InstitutionRecord, read_file
from institutions.models import FLAGS, Institution, InstitutionImport
from knowledge.text import to_simplified
from yibao.settings import get_settings

# Name scores, 0..100: exact name or short name 100; the query inside a name 95; the query's characters in the
# name's order (市一医院 in 安澜市第一人民医院) 90; pinyin initials 90; a typo or homophone 80..90.
MIN_NAME_SCORE = 80.0
SURE_SCORE = 95.0
EARTH_RADIUS_M = 6_371_000.0
# How often a process asks the database whether another process imported a new directory.
VERSION_CHECK_SECONDS = 2.0
# Words of an institution's kind that say nothing about which one ("医院" alone is the type, not a name).
GENERIC_NAME_WORDS = {"医院", "药店", "药房", "诊所", "门诊部", "卫生院", "社区", "社区医院", "卫生服务中心", "机构",
                      "定点", "定点医院", "定点药店", "定点机构", "大药房"}


class QueryProblem(ValueError):
    """The search cannot be run as asked (polite Chinese for the patient or the API's 422)."""


def plain(text: str) -> str:
    """Simplified, half-width, lower case, letters/digits/CJK only."""
    text = to_simplified(unicodedata.normalize("NFKC", text or "")).lower()
    return re.sub(r"[^0-9a-z\u3400-\u9fff]+", "", text)


def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower().replace("ü", "u")


def _initials(text: str) -> str:
    return "".join(p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p).lower()


def _subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


@dataclass(frozen=True)
class InstitutionQuery:
    name: str = ""
    types: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    natures: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # keys of institutions.models.FLAGS; all must hold
    near: bool = False  # nearest first (from ``origin`` or the kiosk's location)
    origin: tuple[float, float] | None = None  # (latitude, longitude)
    limit: int = 10
    offset: int = 0

    @property
    def has_criteria(self) -> bool:
        return bool(self.name or self.types or self.districts or self.levels or self.natures or self.flags
                    or self.near)


@dataclass(frozen=True)
class InstitutionMatch:
    record: InstitutionRecord
    score: float  # name score 0..100, 100 when no name was asked for
    distance_m: float | None  # from the origin, when there is one and the record has coordinates

    def distance_text(self) -> str:
        if self.distance_m is None:
            return ""
        if self.distance_m < 1000:
            return f"约 {max(10, round(self.distance_m, -1)):.0f} 米"
        return f"约 {self.distance_m / 1000:.1f} 公里"


@dataclass(frozen=True)
class SearchResult:
    matches: list[InstitutionMatch]
    total: int  # matches before limit/offset
    label: str  # the data source, shown with every answer
    is_sample: bool
    origin: tuple[float, float] | None = None  # where distances are measured from
    suggestions: list[InstitutionMatch] = field(default_factory=list)  # weak name matches, never stated as answers


def haversine_m(lat: np.ndarray, lon: np.ndarray, origin: tuple[float, float]) -> np.ndarray:
    lat1, lon1 = np.radians(origin[0]), np.radians(origin[1])
    lat2, lon2 = np.radians(lat), np.radians(lon)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def key_score(query: str, query_pinyin: str, latin: bool, key: str, key_pinyin: str, key_initials: str) -> float:
    """One name (or short name) against the query, 0..100 — the single definition of a name match.

    Chinese: exact 100; inside the name 95; its characters in the name's order (a short form such as 市一医院 for
    安澜市第一人民医院) 90; one or two wrong characters 84..89; a homophone 83..92; part of a longer query 80..88.
    Latin letters: pinyin initials at the start or inside 90, initials with some left out 80, (almost) full pinyin
    81..95.
    """
    if query == key:
        return 100.0
    if latin:
        if len(query) < 2:
            return 0.0
        best = 90.0 if key_initials.startswith(query) or (len(query) >= 3 and query in key_initials) else 0.0
        if len(query) >= 3 and key_initials[:1] == query[0] and _subsequence(query, key_initials):
            best = max(best, 80.0)
        if len(query) >= 4 and len(key_pinyin) >= len(query):
            sound = fuzz.partial_ratio(query, key_pinyin, score_cutoff=85)
            best = max(best, 0.95 * sound)
        return best
    best = SURE_SCORE if len(query) >= 2 and query in key else 0.0
    typo = fuzz.ratio(query, key, score_cutoff=75)
    if typo:
        best = max(best, min(89.0, 0.3 * typo + 62.0))
    if len(query) >= 3:
        if _subsequence(query, key):
            best = max(best, 90.0)
        if len(key) >= len(query):
            best = max(best, min(88.0, 0.9 * fuzz.partial_ratio(query, key, score_cutoff=75)))
        sound = fuzz.ratio(query_pinyin, key_pinyin, score_cutoff=90)
        best = max(best, 0.92 * sound)
    return best


class DirectoryIndex:
    """The records with everything a search compares precomputed: plain names, their pinyin and initials, an
    index from each character to the names holding it, and the filter columns as integer arrays."""

    def __init__(self, records: list[InstitutionRecord], label: str, is_sample: bool) -> None:
        self.records, self.label, self.is_sample = records, label, is_sample
        names = [[plain(r.name), *(plain(a) for a in r.aliases.split("|") if a)] for r in records]
        self.keys = [k for k in (key for group in names for key in group) if k]
        self.key_owner = np.array([i for i, group in enumerate(names) for key in group if key], dtype=np.int64)
        self.key_pinyin = [_pinyin(k) for k in self.keys]
        self.key_initials = [_initials(k) for k in self.keys]
        self.exact: dict[str, int] = {}
        postings: dict[str, list[int]] = {}
        for k, key in enumerate(self.keys):
            self.exact.setdefault(key, int(self.key_owner[k]))
            for ch in set(key):
                postings.setdefault(ch, []).append(k)
        self.char_keys = {ch: np.array(ids, dtype=np.int64) for ch, ids in postings.items()}
        self.key_len = np.array([len(k) for k in self.keys], dtype=np.float64)
        by_letter: dict[str, list[int]] = {}
        for k, initials in enumerate(self.key_initials):
            by_letter.setdefault(initials[:1], []).append(k)
        self.initials_by_letter = {letter: np.array(ids, dtype=np.int64) for letter, ids in by_letter.items()}
        gram_postings: dict[str, list[int]] = {}
        for k, pinyin in enumerate(self.key_pinyin):
            for gram in {pinyin[i:i + 3] for i in range(len(pinyin) - 2)}:
                gram_postings.setdefault(gram, []).append(k)
        self.gram_keys = {g: np.array(ids, dtype=np.int64) for g, ids in gram_postings.items()}
        # Joined with newlines so one regex pass over the C string finds every matching name.
        self._initials_text, self._initials_starts = self._joined(self.key_initials)
        self.lat = np.array([np.nan if r.latitude is None else r.latitude for r in records], dtype=np.float64)
        self.lon = np.array([np.nan if r.longitude is None else r.longitude for r in records], dtype=np.float64)
        self.codes: dict[str, dict[str, int]] = {}
        self.columns: dict[str, np.ndarray] = {}
        for column in ("type", "district", "level", "nature"):
            values = [getattr(r, column) for r in records]
            self.codes[column] = {v: i for i, v in enumerate(sorted(set(values)))}
            self.columns[column] = np.array([self.codes[column][v] for v in values], dtype=np.int32)
        self.flags = {flag: np.array([getattr(r, flag) for r in records], dtype=bool) for flag in FLAGS}
        self.districts = sorted(self.codes["district"], key=lambda d: (-len(d), d))

    @staticmethod
    def _joined(texts: list[str]) -> tuple[str, np.ndarray]:
        starts = np.cumsum([0, *(len(t) + 1 for t in texts[:-1])]) if texts else np.zeros(0, dtype=np.int64)
        return "\n".join(texts), np.asarray(starts, dtype=np.int64)

    def _lines_matching(self, pattern: str, text: str, starts: np.ndarray) -> np.ndarray:
        positions = [m.start() for m in re.finditer(pattern, text)]
        return np.unique(np.searchsorted(starts, positions, side="right") - 1) if positions else np.zeros(0, np.int64)

    # --- filters -------------------------------------------------------------------------------------------

    def mask(self, query: InstitutionQuery) -> np.ndarray:
        keep = np.ones(len(self.records), dtype=bool)
        for column, wanted in (("type", query.types), ("district", query.districts), ("level", query.levels),
                               ("nature", query.natures)):
            if wanted:
                codes = [self.codes[column][w] for w in wanted if w in self.codes[column]]
                keep &= np.isin(self.columns[column], codes)
        for flag in query.flags:
            keep &= self.flags[flag]
        return keep

    # --- names ---------------------------------------------------------------------------------------------

    def candidates(self, query: str, latin: bool) -> np.ndarray:
        """The names that can reach a score at all (a superset of key_score's matches, found cheaply): through the
        character index with bounds on what each rule needs, or regex passes over the joined initials."""
        if latin:
            return self._latin_candidates(query)
        distinct = set(query)
        chars = [self.char_keys[c] for c in distinct if c in self.char_keys]
        if not chars:
            return np.zeros(0, dtype=np.int64)
        shared = np.bincount(np.concatenate(chars), minlength=len(self.keys))
        lq, dq, lk = len(query), len(distinct), self.key_len
        possible = (
            (shared == dq)  # inside, or the characters in order
            | (2 * (shared + 1) >= 0.75 * (lq + lk))  # a typo (ratio >= 75); +1 for a repeated character
            | ((lk >= lq) & (shared + 1 >= 0.85 * dq))  # part of a longer name (partial ratio >= 89)
            | ((np.abs(lk - lq) <= 0.25 * lq + 1) & (shared >= max(1.0, 0.35 * dq)))  # a homophone
        )
        return np.flatnonzero(possible & (shared > 0))

    def _latin_candidates(self, query: str) -> np.ndarray:
        if len(query) < 2:
            return np.zeros(0, dtype=np.int64)
        # Initials that start with the query, or hold its letters in order after the same first letter.
        same_start = self.initials_by_letter.get(query[0], np.zeros(0, dtype=np.int64))
        found = [same_start if len(query) >= 3 else
                 np.array([k for k in same_start.tolist() if self.key_initials[k].startswith(query)], dtype=np.int64)]
        if len(query) >= 3:  # the initials inside a longer name's initials
            found.append(self._lines_matching(re.escape(query), self._initials_text, self._initials_starts))
        if len(query) >= 4:  # (almost) the full pinyin: shares a good part of its three-letter pieces
            grams = [self.gram_keys[g] for g in {query[i:i + 3] for i in range(len(query) - 2)} if g in self.gram_keys]
            if grams:
                shared = np.bincount(np.concatenate(grams), minlength=len(self.keys))
                found.append(np.flatnonzero(shared >= max(1, int(np.ceil(0.4 * (len(query) - 2))))))
        return np.unique(np.concatenate(found))

    def name_scores(self, name: str, allowed: np.ndarray) -> np.ndarray:
        """Best score per record (0 where nothing matches), looking only at the names of ``allowed`` records."""
        scores = np.zeros(len(self.records), dtype=np.float64)
        query = plain(name)
        if not query:
            return scores
        latin = not re.search(r"[\u3400-\u9fff]", query)
        query_pinyin = "" if latin else _pinyin(query)
        keys = self.candidates(query, latin)
        keys = keys[allowed[self.key_owner[keys]]]
        for k in keys.tolist():
            value = key_score(query, query_pinyin, latin, self.keys[k], self.key_pinyin[k], self.key_initials[k])
            owner = self.key_owner[k]
            if value > scores[owner]:
                scores[owner] = value
        return scores

    # --- the search ----------------------------------------------------------------------------------------

    def search(self, query: InstitutionQuery, origin: tuple[float, float] | None) -> SearchResult:
        allowed = self.mask(query)
        scores = np.where(allowed, 100.0, 0.0)
        suggestions: list[int] = []
        if query.name:
            scores = self.name_scores(query.name, allowed)
            scores = keep_sure(scores)
            weak = np.flatnonzero((scores >= 60.0) & (scores < MIN_NAME_SCORE))
            suggestions = weak[np.argsort(-scores[weak], kind="stable")][:3].tolist()
            allowed = scores >= MIN_NAME_SCORE
        hits = np.flatnonzero(allowed)
        distances = None
        if origin is not None:
            distances = np.full(len(self.records), np.nan)
            distances[hits] = haversine_m(self.lat[hits], self.lon[hits], origin)
        order = rank(scores[hits], None if distances is None else distances[hits], bool(query.name), query.near)
        ranked = hits[order]
        page = ranked[query.offset: query.offset + query.limit]

        def match(i: int) -> InstitutionMatch:
            d = None if distances is None or np.isnan(distances[i]) else float(distances[i])
            return InstitutionMatch(self.records[i], round(float(scores[i]), 1), d)

        return SearchResult([match(int(i)) for i in page], len(ranked), self.label, self.is_sample, origin,
                            [match(int(i)) for i in suggestions] if not len(ranked) else [])


def keep_sure(scores: np.ndarray) -> np.ndarray:
    """A sure hit makes the look-alikes noise: an exact name stands alone, a name inside keeps those >= 90."""
    best = scores.max(initial=0.0)
    if best >= SURE_SCORE:
        return np.where(scores >= (100.0 if best >= 100.0 else 90.0), scores, 0.0)
    return scores


def rank(scores: np.ndarray, distances: np.ndarray | None, named: bool, near: bool) -> np.ndarray:
    """Order of results: by name score (in steps of 5), nearest first within a step when asked or unnamed."""
    if distances is not None and (near or not named):
        far = np.where(np.isnan(distances), np.inf, distances)
        return np.lexsort((far, -np.round(scores / 5))) if named else np.argsort(far, kind="stable")
    return np.argsort(-scores, kind="stable")


def naive_search(records: list[InstitutionRecord], query: InstitutionQuery, origin: tuple[float, float] | None
                 ) -> list[tuple[float, float | None, InstitutionRecord]]:
    """The obvious loop: every record filtered, every name normalised, converted to pinyin and scored, every
    distance computed, in Python — the benchmark's baseline and the index's reference in the tests."""
    import math

    q = plain(query.name)
    latin = not re.search(r"[\u3400-\u9fff]", q)
    q_pinyin = "" if latin else _pinyin(q)
    kept, scores, distances = [], [], []
    for r in records:
        if (query.types and r.type not in query.types) or (query.districts and r.district not in query.districts):
            continue
        if (query.levels and r.level not in query.levels) or (query.natures and r.nature not in query.natures):
            continue
        if any(not getattr(r, f) for f in query.flags):
            continue
        score = 100.0
        if q:
            keys = [k for k in (plain(r.name), *(plain(a) for a in r.aliases.split("|") if a)) if k]
            score = max(key_score(q, q_pinyin, latin, k, _pinyin(k), _initials(k)) for k in keys)
        distance = math.nan
        if origin and r.latitude is not None and r.longitude is not None:
            p1, p2 = math.radians(origin[0]), math.radians(r.latitude)
            dp, dl = p2 - p1, math.radians(r.longitude - origin[1])
            a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            distance = 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))
        kept.append(r)
        scores.append(score)
        distances.append(distance)
    score_array = keep_sure(np.array(scores)) if q else np.array(scores)
    chosen = np.flatnonzero(score_array >= (MIN_NAME_SCORE if q else 0))
    order = rank(score_array[chosen], np.array(distances)[chosen] if origin else None, bool(q), query.near)
    picked = chosen[order][query.offset: query.offset + query.limit]
    return [(float(score_array[i]), None if math.isnan(distances[i]) else distances[i], kept[i]) for i in picked]


class Directory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine)
        self._cached: tuple[tuple[int | None, int], DirectoryIndex] | None = None
        self._checked_at = 0.0

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session
        self._checked_at = 0.0  # this process sees its own import at once

    def index(self) -> DirectoryIndex:
        """The current index; the sample file until a directory was imported. The database is asked whether an
        import happened at most every VERSION_CHECK_SECONDS, so a search costs no query."""
        now = time.monotonic()
        if self._cached and now - self._checked_at < VERSION_CHECK_SECONDS:
            return self._cached[1]
        with self._sessions() as session:
            version = self._version(session)
            self._checked_at = now
            if self._cached and self._cached[0] == version:
                return self._cached[1]
            latest = session.scalar(select(InstitutionImport).order_by(InstitutionImport.id.desc()).limit(1))
            if latest is None:
                records, _ = read_file(SAMPLE_FILE)
                index = DirectoryIndex(records, SAMPLE_LABEL, True)
            else:
                rows = session.scalars(select(Institution).order_by(Institution.code)).all()
                index = DirectoryIndex([InstitutionRecord.of(r) for r in rows], latest.label, latest.is_sample)
        self._cached = (version, index)
        return index

    @staticmethod
    def _version(session: Session) -> tuple[int | None, int]:
        return (session.scalar(select(func.max(InstitutionImport.id))),
                int(session.scalar(select(func.count(Institution.id))) or 0))

    def origin(self, index: DirectoryIndex | None = None) -> tuple[float, float] | None:
        """The kiosk's location (YIBAO_KIOSK_LOCATION); for the sample data, the sample's own kiosk."""
        configured = get_settings().kiosk_location
        if configured:
            return configured
        return SAMPLE_KIOSK_LOCATION if (index or self.index()).is_sample else None

    def search(self, query: InstitutionQuery) -> SearchResult:
        if len(plain(query.name)) > (limit := get_settings().max_name_chars):
            raise QueryProblem(f"机构名称太长了，请只输入名称（{limit} 个字以内）。")
        index = self.index()
        origin = query.origin or self.origin(index)
        return index.search(query, origin)


# The fictional sample's kiosk stands in the lobby of its 安澜市第一人民医院.
SAMPLE_KIOSK_LOCATION = (30.5928, 114.3055)


@lru_cache(maxsize=4)
def _directory_for(url: str) -> Directory:
    from accounts.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    return Directory(engine)


def get_directory() -> Directory:
    """The process-wide directory in the project's database (DATABASE_URL or the SQLite file in the data dir)."""
    from accounts.db import database_url

    return _directory_for(database_url())


# --- understanding a patient's question ----------------------------------------------------------------------

TYPE_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("药店", "药房", "买药", "拿药的地方", "配药"), "零售药店"),
    (("社区卫生服务中心", "社区医院", "社区卫生", "卫生服务站"), "社区卫生服务中心"),
    (("卫生院",), "卫生院"),
    (("诊所", "医务室"), "诊所"),
    (("门诊部",), "门诊部"),
    (("医院",), "医院"),
]
FLAG_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("异地", "跨省", "外省", "直接结算", "直接报", "直接刷", "即时结算", "联网结算"), "cross_province"),
    (("电子凭证", "医保码", "扫码", "刷码", "电子医保", "二维码"), "e_voucher"),
    (("慢特病", "慢性病", "特殊病", "门特", "门慢", "慢病"), "chronic_disease"),
    (("外配", "处方外配", "带处方", "拿处方", "凭处方", "医院开的处方", "双通道"), "external_prescription"),
    (("24小时", "二十四小时", "通宵", "半夜", "夜里", "晚上", "深夜", "夜间", "凌晨"), "open_24h"),
]
LEVEL_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("三甲", "三级", "大医院"), "三级"), (("二甲", "二级"), "二级"), (("一级",), "一级"),
]
NATURE_WORDS: list[tuple[tuple[str, ...], str]] = [(("公立", "公办"), "公立"), (("民营", "私立", "私人"), "民营")]
NEAR_WORDS = ("附近", "最近", "离这", "离我", "旁边", "周边", "周围", "边上", "就近", "近一点", "近的", "近点",
              "对面", "附件")
# What a question asks about an institution (the answer leads with it).
ASKED_FIELDS: list[tuple[tuple[str, ...], str]] = [
    (("电话", "号码", "联系方式", "怎么联系", "打电话"), "phone"),
    (("地址", "在哪", "在什么地方", "怎么走", "位置", "哪条路"), "address"),
    (("几点", "营业时间", "开门", "关门", "上班时间", "下班", "门诊时间", "时间"), "opening_hours"),
]
# Question words removed before what is left is taken as a name.
_FILLER = re.compile(
    "|".join(sorted({w for table in (TYPE_WORDS, FLAG_WORDS, LEVEL_WORDS, NATURE_WORDS, ASKED_FIELDS)
                     for words, _ in table for w in words} | set(NEAR_WORDS) | {
        "请问", "我想问", "问一下", "想知道", "告诉我", "帮我", "查一下", "查查", "查询", "找一下", "找", "看看",
        "哪家", "哪些", "哪个", "哪里", "哪儿", "哪", "有没有", "有什么", "有", "什么", "能不能", "可不可以", "可以",
        "能", "刷医保", "刷卡", "刷社保", "用医保", "医保卡", "社保卡", "医保", "定点", "的", "是", "多少", "吗",
        "呢", "啊", "呀", "吧", "了", "我", "要", "去", "在", "或者", "还是", "些", "都", "市里",
        "本地", "这里", "这边", "那边", "一下", "看病", "就医", "报销", "结算", "办理", "营业",
        "名录", "名单", "列表", "机构", "医药机构", "医疗机构", "支持", "接受",
        "用处方", "处方", "买药的地方", "地方", "地儿", "想办", "想", "办", "门口", "开的", "帮忙", "一些",
    }, key=len, reverse=True))
    + r"|[？?！!，,。.、\s]"
)


def _found(text: str, table: list[tuple[tuple[str, ...], str]]) -> list[str]:
    return [value for words, value in table if any(w in text for w in words)]


@dataclass(frozen=True)
class ParsedQuestion:
    query: InstitutionQuery
    asked: tuple[str, ...]  # fields asked about: phone / address / opening_hours
    explicit_name: bool = False  # the name came with its kind ("协和医院"): not found means not in the list


def parse_question(text: str, districts: list[str] | tuple[str, ...] = (), limit: int = 3) -> ParsedQuestion:
    """A patient's sentence as a directory query: type, flags, level, nature, district, nearest, and a name."""
    simple = to_simplified(unicodedata.normalize("NFKC", text or ""))[:200]
    name_part = simple
    picked_districts: list[str] = []
    whole_name, whole_explicit = _name(simple)
    # "北岭县医院" is a name; "东湖区的药店" is a district filter.
    named_with_district = whole_explicit and any(d in whole_name or d[:-1] in whole_name for d in districts if d)
    for district in () if named_with_district else districts:
        short = district[:-1] if len(district) >= 3 and district[-1] in "区县市" else district
        if district in name_part or (len(short) >= 2 and short in name_part):
            picked_districts.append(district)
            name_part = name_part.replace(district, " ").replace(short, " ")
    types = _found(simple, TYPE_WORDS)
    if "零售药店" in types and "医院" in types and re.search(r"医院(门口|对面|旁边|附近)", simple):
        types = ["零售药店"]  # 医院附近的药店
    elif len(types) > 1 and "医院" in types:
        types = [t for t in types if t != "医院"]  # 社区医院 is a 社区卫生服务中心, not a 医院
    flags = _found(simple, FLAG_WORDS)
    name, explicit = _name(name_part)
    query = InstitutionQuery(
        name=name, types=tuple(types) if not explicit else (), districts=tuple(picked_districts),
        levels=tuple(_found(simple, LEVEL_WORDS)), natures=tuple(_found(simple, NATURE_WORDS)),
        flags=tuple(flags), near=any(w in simple for w in NEAR_WORDS), limit=limit,
    )
    return ParsedQuestion(query, tuple(_found(simple, ASKED_FIELDS)), explicit)


_KIND_WORDS = ("社区卫生服务中心", "社区医院", "大药房", "医院", "药房", "药店", "诊所", "卫生院", "门诊部", "中心",
               "院")
_FILLER_KEEPING_KINDS = re.compile(
    "|".join(w for w in _FILLER.pattern.split("|")[:-1] if w not in _KIND_WORDS) + r"|[？?！!，,。.、\s]"
)


def _name(text: str) -> tuple[str, bool]:
    """(the name asked about, whether it came with its kind: "市一医院" yes, "百姓" no), or ("", False).

    The sentence is cut at every question or filter word; the longest piece left that is not a bare kind
    ("医院", "药店") is the name. A name said with its kind ("协和医院") that the list lacks is not in the list.
    """
    pieces = [p for p in _FILLER_KEEPING_KINDS.sub("|", text).split("|") if len(p) >= 2]
    pieces = [p for p in pieces if p not in GENERIC_NAME_WORDS and _FILLER.sub("", p)]
    if not pieces:
        return "", False
    best = max(pieces, key=len)
    explicit = best.endswith(_KIND_WORDS)
    return (best if explicit else _FILLER.sub("", best)), explicit


ALL_TYPES = tuple(TYPES)
ALL_LEVELS = tuple(LEVELS)
ALL_NATURES = tuple(NATURES)
