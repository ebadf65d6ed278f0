"""Hybrid retrieval over the built index, small-to-big: units (clauses, sentences, sentence windows and whole
passages, see ``knowledge.units``) are scored, and a passage scores as its best unit.

Retrievers: dense (m3e via FAISS), BM25 on jieba words and BM25 on character bigrams (both precomputed sparse
matrices, ``knowledge.bm25``), a weaker BM25 on section headings. Their passage scores are min-max normalised
over each retriever's top candidates and combined convexly (dense and lexical weigh the same), which keeps how
far apart the scores are, unlike reciprocal-rank fusion; then the IDF-weighted share of the query's bigrams the
passage contains is added, so a passage that says everything the question asks about beats one that says
part of it more often.

    kb = get_knowledge_base()
    kb.search("异地就医备案要什么材料", k=5, topics=["remote_filing"], mode="hybrid")

``topics`` is a soft preference: passages tagged with one of them get a boost, others still compete, so a
wrong topic guess never hides the answer. ``confidence`` (0..1) is calibrated so that
``get_settings().answer_threshold`` separates in-domain questions from off-topic text (see ``_confidence``).
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from knowledge.bm25 import SparseBM25
from knowledge.index import DB, FAISS_FILE, load_encoder, read_manifest
from knowledge.places import places_in, same_place, stem
from knowledge.spelling import Vocabulary, respell
from knowledge.text import normalize_query
from knowledge.words import ALTERNATIVE_TOKENS, bigrams, expand, tokens
from yibao.settings import get_settings

MODES = ("hybrid", "bm25", "dense")
# Weights fixed by reasoning, not fitted: dense and lexical (words and bigrams alike) count the same; headings
# and query coverage are tie-breakers of smaller weight.
DENSE_WEIGHT = 0.5
TITLE_WEIGHT = 0.1
COVERAGE_WEIGHT = 0.4
TOPIC_BOOST = 1.15
KEEP_WITHIN = 3  # places within which each retriever's best passage is kept (see _keep_each_retrievers_best)
CANDIDATES = 50  # each retriever's top passages define its normalisation range
DENSE_UNITS = 400  # nearest units fetched from FAISS (several units map to one passage)
# A window crossing a passage boundary counts fully for neither passage: 0.75 + 0.25 x its share of the text.
CROSSING_DISCOUNT = 0.25
MIN_SECTION_PLACE_PASSAGES = 3  # in how many of a section's passages a place is named before its figures are its


@dataclass(frozen=True)
class Hit:
    passage_id: str
    text: str  # clean simplified text
    original: str  # as in the source (its own script), for citation display
    doc_id: str
    doc_title: str
    section: str  # path string "第三部分 > 二、..."
    section_id: str
    topics: list[str]
    score: float
    confidence: float
    sources: list[dict]  # every document/section/offsets this passage appears in (duplicates merged)


class IndexMissing(RuntimeError):
    """The index has not been built: run `yibao kb build`."""


class KnowledgeBase:
    def __init__(self, index_dir: Path, model_path: str | None = None) -> None:
        import faiss

        if not (index_dir / DB).exists() or not (index_dir / FAISS_FILE).exists():
            raise IndexMissing(f"no index in {index_dir}: run `yibao kb build`")
        self.index_dir = index_dir
        self.manifest = read_manifest(index_dir)
        db = sqlite3.connect(f"file:{index_dir / DB}?mode=ro", uri=True)
        try:
            cols = "passage_id, text, original, doc_id, doc_title, section, section_id, topics, sources, title_tokens"
            self._rows = db.execute(f"SELECT {cols} FROM passages ORDER BY idx").fetchall()
            self._sections = dict(db.execute("SELECT section_id, text FROM sections"))
            units = db.execute("SELECT passages, shares, tokens, bigrams FROM units ORDER BY idx").fetchall()
        except sqlite3.OperationalError as exc:  # an index from before retrieval units
            raise IndexMissing(f"index in {index_dir} is outdated: run `yibao kb build`") from exc
        finally:
            db.close()
        self._topics = [set(json.loads(r[7])) for r in self._rows]
        unit_passages = [json.loads(u[0]) for u in units]
        unit_tokens = [json.loads(u[2]) for u in units]
        unit_bigrams = [json.loads(u[3]) for u in units]
        # (unit, passage, weight) triples: a passage's score is the max over the units touching it
        self._pair_unit = np.array([u for u, ps in enumerate(unit_passages) for _ in ps], dtype=np.int64)
        self._pair_passage = np.array([p for ps in unit_passages for p in ps], dtype=np.int64)
        shares = [x for u in units for x in json.loads(u[1])]
        self._pair_weight = np.array(
            [1.0 if x >= 1.0 else 1.0 - CROSSING_DISCOUNT * (1.0 - x) for x in shares], dtype=np.float32
        )
        self._words = SparseBM25(unit_tokens)
        self._bigrams = SparseBM25(unit_bigrams)
        self._titles = SparseBM25([json.loads(r[9]) or ["∅"] for r in self._rows])
        self._passage_words: list[set[str]] = [set() for _ in self._rows]
        passage_bigrams: list[set[int]] = [set() for _ in self._rows]
        for ps, toks, grams in zip(unit_passages, unit_tokens, unit_bigrams, strict=True):
            for p in ps:
                self._passage_words[p].update(toks)
                passage_bigrams[p].update(self._bigrams.vocab[g] for g in grams)
        # bigram vocabulary x passages, 1 where the passage (or its context) has the bigram: coverage is a product
        pairs = [(g, p) for p, grams in enumerate(passage_bigrams) for g in grams]
        self._bigram_presence = sparse.csr_matrix(
            (np.ones(len(pairs), dtype=np.float32), ([g for g, _ in pairs], [p for _, p in pairs])),
            shape=(len(self._bigrams.vocab), len(self._rows)),
        )
        self._index = faiss.read_index(str(index_dir / FAISS_FILE))
        if self._index.ntotal != len(units):
            raise IndexMissing(f"index in {index_dir} is inconsistent: run `yibao kb build --force`")
        self._model_path = model_path or self.manifest.get("model") or get_settings().embedding_model
        self._encoder = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    # --- retrievers: each returns a score per passage (the best of its units) --------------------------------

    def encoder(self):
        with self._lock:
            if self._encoder is None:
                self._encoder = load_encoder(self._model_path)
            return self._encoder

    @lru_cache(maxsize=512)  # noqa: B019 - one KnowledgeBase per process; repeated kiosk questions are common
    def _encode(self, query: str) -> np.ndarray:
        vec = self.encoder().encode([expand(query)], normalize_embeddings=True, convert_to_numpy=True)[0]
        return np.asarray(vec, dtype=np.float32)

    def _by_passage(self, unit_scores: np.ndarray, floor: float = 0.0) -> np.ndarray:
        out = np.full(len(self), floor, dtype=np.float32)
        np.maximum.at(out, self._pair_passage, unit_scores[self._pair_unit] * self._pair_weight)
        return out

    def _dense(self, query: str) -> np.ndarray:
        """Cosine of the best unit per passage among the nearest units (-1 for passages with none near)."""
        sims, ids = self._index.search(self._encode(query)[None, :], min(DENSE_UNITS, self._index.ntotal))
        unit_scores = np.full(self._index.ntotal, -1.0, dtype=np.float32)
        unit_scores[ids[0]] = sims[0]
        return self._by_passage(unit_scores, floor=-1.0)

    def _cosines(self, query: str, passages: list[int]) -> dict[int, float]:
        """Exact best-unit cosine for the given passages (for confidence when dense did not rank them)."""
        vec = self._encode(query)
        out: dict[int, float] = {}
        for p in passages:
            units = self._pair_unit[self._pair_passage == p]
            vectors = np.vstack([self._index.reconstruct(int(u)) for u in units])
            out[p] = float((vectors @ vec).max())
        return out

    @staticmethod
    def _normalised(scores: np.ndarray) -> np.ndarray:
        """Min-max over the retriever's top candidates: its best passage 1, its 50th 0, the rest clipped to 0."""
        top = np.partition(scores, len(scores) - min(CANDIDATES, len(scores)))[-CANDIDATES:]
        low, high = float(top.min()), float(top.max())
        if high <= low:  # one score for all: a match (1) or nothing matched at all (0)
            return (scores >= high).astype(np.float32) if high > 0 else np.zeros_like(scores)
        return np.clip((scores - low) / (high - low), 0.0, None)

    def _bigram_coverage(self, q_bigrams: list[str]) -> np.ndarray:
        """IDF-weighted share of the query's bigrams that each passage (with its context) contains."""
        ids = sorted({self._bigrams.vocab[g] for g in q_bigrams if g in self._bigrams.vocab})
        weights = self._bigrams.idf[ids].astype(np.float32)
        total = float(weights.sum())
        if not total:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(weights @ self._bigram_presence[ids], dtype=np.float32).ravel() / total

    # --- scoring -------------------------------------------------------------------------------------------

    def _coverage(self, q_tokens: list[str], idx: int) -> float:
        """IDF-weighted share of the query's words that occur in the passage or its context (unknown words weigh
        most: a query about something the documents never mention is not covered)."""
        if not q_tokens:
            return 0.0
        unknown = math.log1p(self._words.n_docs + 0.5)
        weights = {t: self._words.term_idf(t) or unknown for t in set(q_tokens)}
        words = self._passage_words[idx]
        total = found = 0.0
        # Alternatives count once, with the weight of the most common (they say what kind of answer is wanted,
        # not what it is about), and as covered if the passage has any of them.
        for group in ALTERNATIVE_TOKENS:
            present = group & weights.keys()
            if present:
                weight = min(weights.pop(t) for t in present)
                total += weight
                found += weight if present & words else 0.0
        total += sum(weights.values())
        found += sum(w for t, w in weights.items() if t in words)
        return found / total

    @staticmethod
    def _confidence(cosine: float, coverage: float) -> float:
        """Logistic in the dense similarity and the lexical coverage; fitted by eye on the dev questions
        against off-topic text (weather, train tickets, chit-chat, gibberish): see tests/knowledge."""
        z = 12.0 * (cosine - 0.80) + 4.0 * (coverage - 0.35)
        return float(1.0 / (1.0 + math.exp(-z)))

    def _parts(self, q: str, mode: str) -> dict[str, np.ndarray]:
        """Each retriever's passage scores for the normalised query ``q``: "dense" (normalised cosine) and
        "lexical" (word and bigram BM25, headings, query coverage), as far as ``mode`` needs them."""
        parts: dict[str, np.ndarray] = {}
        if mode in ("dense", "hybrid"):
            parts["dense"] = self._normalised(self._dense(q))
        if mode in ("bm25", "hybrid"):
            words, grams = tokens(q), bigrams(q)
            lexical = 0.5 * self._normalised(self._by_passage(self._words.scores(words))) + 0.5 * self._normalised(
                self._by_passage(self._bigrams.scores(grams))
            )
            parts["lexical"] = lexical + TITLE_WEIGHT * self._normalised(self._titles.scores(words))
            parts["coverage"] = COVERAGE_WEIGHT * self._bigram_coverage(grams)
        return parts

    @staticmethod
    def _fuse(parts: dict[str, np.ndarray], mode: str) -> np.ndarray:
        if mode == "dense":
            return parts["dense"]
        if mode == "bm25":
            return parts["lexical"] + parts["coverage"]
        return DENSE_WEIGHT * parts["dense"] + (1.0 - DENSE_WEIGHT) * parts["lexical"] + parts["coverage"]

    def scores(self, q: str, mode: str) -> np.ndarray:
        """Fused score of every passage for the normalised query ``q``."""
        return self._fuse(self._parts(q, mode), mode)

    def search(self, query: str, k: int = 5, topics: list[str] | None = None, mode: str = "hybrid") -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        q = normalize_query(query)
        if not q or not any(ch.isalnum() for ch in q):
            return []
        q = respell(q, self.vocabulary).text  # dialect, whole pinyin, typos -> the documents' words
        k = max(1, min(int(k), 50))
        parts = self._parts(q, mode)
        boost = np.ones(len(self), dtype=np.float32)
        if topics:
            wanted = set(topics)
            boost = np.array([TOPIC_BOOST if t & wanted else 1.0 for t in self._topics], dtype=np.float32)
        fused = self._fuse(parts, mode) * boost
        best = [int(i) for i in np.argsort(-fused, kind="stable")[:k] if fused[i] > 0]
        if mode == "hybrid":
            best = self._keep_each_retrievers_best(best, parts, boost, k)
        cosines = self._cosines(q, best)
        q_tokens = tokens(q)
        return [
            self._hit(i, float(fused[i]), self._confidence(cosines[i], self._coverage(q_tokens, i))) for i in best
        ]

    def _keep_each_retrievers_best(self, ranked: list[int], parts: dict[str, np.ndarray], boost: np.ndarray,
                                   k: int) -> list[int]:
        """The fusion must never lose what one of its retrievers found: the best passage of the lexical side and
        of the dense side each stay within the first ``KEEP_WITHIN`` places (moved up to the last of them)."""
        for side in (self._fuse(parts, "bm25"), self._fuse(parts, "dense")):
            top = int(np.argmax(side * boost))
            if side[top] <= 0 or top in ranked[:KEEP_WITHIN]:
                continue
            if top in ranked:
                ranked.remove(top)
            ranked.insert(min(KEEP_WITHIN, len(ranked)) - 1 if len(ranked) >= KEEP_WITHIN else len(ranked), top)
        return ranked[:k]

    def _hit(self, i: int, score: float, confidence: float) -> Hit:
        r = self._rows[i]
        return Hit(
            passage_id=r[0], text=r[1], original=r[2], doc_id=r[3], doc_title=r[4], section=r[5], section_id=r[6],
            topics=json.loads(r[7]), score=round(score, 6), confidence=round(confidence, 4), sources=json.loads(r[8]),
        )

    # --- what the answer checks need to know about the documents (knowledge.answer) ---------------------------

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The documents' words, for correcting patients' spelling towards them (built once, about a second)."""
        return Vocabulary.from_texts(r[1] for r in self._rows)

    @cached_property
    def _all_text(self) -> str:
        return "\n".join(r[1] for r in self._rows) + "\n" + "\n".join(r[5] for r in self._rows)

    @cached_property
    def char_counts(self) -> Counter[str]:
        return Counter(self._all_text)

    def mentions(self, text: str) -> bool:
        """Whether the documents contain ``text`` anywhere (passages or headings)."""
        return bool(text) and text in self._all_text

    def knows(self, word: str) -> bool:
        """Whether the documents use ``word`` (as a word of their own or inside longer words)."""
        return self._words.term_idf(word) is not None or self.mentions(word)

    def uses_as_word(self, word: str) -> bool:
        """Whether ``word`` is one of the documents' own words (not only part of longer ones)."""
        return self._words.term_idf(word) is not None

    @staticmethod
    def places_in(text: str) -> list[str]:
        return places_in(text)

    def term_weight(self, term: str) -> float:
        """How specific a word is in the documents (BM25 IDF over retrieval units); unknown words weigh most,
        and a word the documents contain only inside longer words counts as known, a little less specific."""
        idf = self._words.term_idf(term)
        if idf is not None:
            return float(idf)
        unknown = math.log1p(self._words.n_docs + 0.5)
        return unknown * 0.8 if self.mentions(term) else unknown

    def section_text(self, section_id: str) -> str | None:
        """The whole cleaned section (simplified), for the staff console's "full text" link."""
        return self._sections.get(section_id)

    @lru_cache(maxsize=1024)  # noqa: B019 - one KnowledgeBase per process; a section's text never changes
    def section_place(self, section_id: str) -> str | None:
        """The place a section speaks of: named in three of its passages or more, and in more of them than any
        other place (a city's speech names its city throughout; a slide naming 北京市 in one paragraph does not)."""
        counts: Counter[str] = Counter()
        for row in self._rows:
            if row[6] == section_id:  # 徐州市 and 徐州 are one place
                counts.update({stem(p) for p in places_in(row[1])})
        ranked = counts.most_common()
        if not ranked or ranked[0][1] < MIN_SECTION_PLACE_PASSAGES:
            return None
        top, n = ranked[0]
        rivals = [c for p, c in ranked[1:] if not same_place(p, top)]
        return top if all(c < n for c in rivals) else None


def get_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base for the configured index dir (encoder and vocabulary warmed up); switches
    to a new version published by `yibao kb add/remove/build/rollback` without a restart (``knowledge.live``)."""
    from knowledge.live import current

    return current(get_settings().index_dir, KnowledgeBase, warm=_warm)


def _warm(kb: KnowledgeBase) -> None:
    kb.encoder()
    kb.vocabulary  # noqa: B018 - built on first use otherwise: keep that second off the first patient's answer
