"""Hybrid retrieval over the built index: BM25 (jieba tokens) + dense (m3e via FAISS), fused by reciprocal rank.

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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from knowledge.index import DB, FAISS_FILE, load_encoder, read_manifest
from knowledge.text import normalize_query
from knowledge.words import expand, tokens
from yibao.settings import get_settings

MODES = ("hybrid", "bm25", "dense")
RRF_K = 60
TITLE_WEIGHT = 0.3  # BM25 on section headings, as a third, weaker ranking in the fusion
TOPIC_BOOST = 1.15
CANDIDATES = 50


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
            cols = ("passage_id, text, original, doc_id, doc_title, section, section_id, topics, sources, tokens, "
                    "title_tokens")
            self._rows = db.execute(f"SELECT {cols} FROM passages ORDER BY idx").fetchall()
            self._sections = dict(db.execute("SELECT section_id, text FROM sections"))
        finally:
            db.close()
        self._topics = [set(json.loads(r[7])) for r in self._rows]
        self._tokens = [json.loads(r[9]) for r in self._rows]
        self._token_sets = [set(t) for t in self._tokens]
        self._bm25 = BM25Okapi(self._tokens)
        self._title_bm25 = BM25Okapi([json.loads(r[10]) or ["∅"] for r in self._rows])
        self._index = faiss.read_index(str(index_dir / FAISS_FILE))
        self._model_path = model_path or self.manifest.get("model") or get_settings().embedding_model
        self._encoder = None
        self._lock = threading.Lock()
        df: dict[str, int] = {}
        for s in self._token_sets:
            for t in s:
                df[t] = df.get(t, 0) + 1
        n = len(self._rows)
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._unknown_idf = math.log(1 + n)

    def __len__(self) -> int:
        return len(self._rows)

    # --- retrievers ----------------------------------------------------------------------------------------

    def encoder(self):
        with self._lock:
            if self._encoder is None:
                self._encoder = load_encoder(self._model_path)
            return self._encoder

    def _dense(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        vec = self._encode(query)
        scores, ids = self._index.search(vec[None, :], min(CANDIDATES, len(self)))
        return ids[0], scores[0]

    @lru_cache(maxsize=512)  # noqa: B019 - one KnowledgeBase per process; repeated kiosk questions are common
    def _encode(self, query: str) -> np.ndarray:
        vec = self.encoder().encode([expand(query)], normalize_embeddings=True, convert_to_numpy=True)[0]
        return np.asarray(vec, dtype=np.float32)

    def _lexical(self, q_tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        scores = self._bm25.get_scores(q_tokens) if q_tokens else np.zeros(len(self))
        order = np.argsort(-scores)[:CANDIDATES]
        order = order[scores[order] > 0]
        return order, scores[order]

    def _titles(self, q_tokens: list[str]) -> np.ndarray:
        scores = self._title_bm25.get_scores(q_tokens) if q_tokens else np.zeros(len(self))
        order = np.argsort(-scores)[:CANDIDATES]
        return order[scores[order] > 0]

    # --- scoring -------------------------------------------------------------------------------------------

    def _coverage(self, q_tokens: list[str], idx: int) -> float:
        """IDF-weighted share of the query's words that occur in the passage (unknown words weigh most)."""
        if not q_tokens:
            return 0.0
        weights = {t: self._idf.get(t, self._unknown_idf) for t in set(q_tokens)}
        found = sum(w for t, w in weights.items() if t in self._token_sets[idx])
        return found / sum(weights.values())

    @staticmethod
    def _confidence(cosine: float, coverage: float) -> float:
        """Logistic in the dense similarity and the lexical coverage; fitted by eye on the dev questions
        against off-topic text (weather, train tickets, chit-chat, gibberish): see tests/knowledge."""
        z = 12.0 * (cosine - 0.80) + 4.0 * (coverage - 0.35)
        return float(1.0 / (1.0 + math.exp(-z)))

    def search(self, query: str, k: int = 5, topics: list[str] | None = None, mode: str = "hybrid") -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        q = normalize_query(query)
        q_tokens = tokens(q)
        if not q or not any(ch.isalnum() for ch in q):
            return []
        k = max(1, min(int(k), 50))
        fused: dict[int, float] = {}
        cosines: dict[int, float] = {}
        if mode in ("hybrid", "dense"):
            ids, sims = self._dense(q)
            for rank, (i, s) in enumerate(zip(ids.tolist(), sims.tolist(), strict=True)):
                cosines[i] = s
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
        if mode in ("hybrid", "bm25"):
            order, _ = self._lexical(q_tokens)
            for rank, i in enumerate(order.tolist()):
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
            for rank, i in enumerate(self._titles(q_tokens).tolist()):
                fused[i] = fused.get(i, 0.0) + TITLE_WEIGHT / (RRF_K + rank)
        if topics:
            wanted = set(topics)
            fused = {i: s * (TOPIC_BOOST if self._topics[i] & wanted else 1.0) for i, s in fused.items()}
        best = sorted(fused, key=fused.get, reverse=True)[:k]  # type: ignore[arg-type]
        if best and mode != "dense" and any(i not in cosines for i in best):
            cosines.update(self._cosines(q, [i for i in best if i not in cosines]))
        confidences = [self._confidence(cosines.get(i, 0.0), self._coverage(q_tokens, i)) for i in best]
        return [self._hit(i, fused[i], c) for i, c in zip(best, confidences, strict=True)]

    def _cosines(self, query: str, ids: list[int]) -> dict[int, float]:
        vec = self._encode(query)
        return {i: float(np.dot(self._index.reconstruct(i), vec)) for i in ids}

    def _hit(self, i: int, score: float, confidence: float) -> Hit:
        r = self._rows[i]
        return Hit(
            passage_id=r[0], text=r[1], original=r[2], doc_id=r[3], doc_title=r[4], section=r[5], section_id=r[6],
            topics=json.loads(r[7]), score=round(score, 6), confidence=round(confidence, 4), sources=json.loads(r[8]),
        )

    def section_text(self, section_id: str) -> str | None:
        """The whole cleaned section (simplified), for the staff console's "full text" link."""
        return self._sections.get(section_id)


@lru_cache(maxsize=4)
def _load(index_dir: str) -> KnowledgeBase:
    return KnowledgeBase(Path(index_dir))


def get_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base for the configured index dir (loaded once, encoder warmed up)."""
    kb = _load(str(get_settings().index_dir))
    kb.encoder()
    return kb
