"""BM25 as one sparse matrix product: weights for every (unit, term) are computed once at load, so scoring a
query is a sum of a few precomputed columns instead of a Python loop over all documents (as in rank_bm25).

Okapi BM25 with the non-negative idf of Lucene, ``log(1 + (N - df + 0.5) / (df + 0.5))``: a term in more than
half of the units still counts a little instead of going negative.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import sparse

K1 = 1.5
B = 0.75


class SparseBM25:
    def __init__(self, corpus: list[list[str]], k1: float = K1, b: float = B) -> None:
        self.vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        for row, doc in enumerate(corpus):
            for term, tf in Counter(doc).items():
                rows.append(row)
                cols.append(self.vocab.setdefault(term, len(self.vocab)))
                tfs.append(tf)
        n_docs = len(corpus)
        lengths = np.array([len(d) for d in corpus], dtype=np.float64)
        avgdl = float(lengths.mean()) if n_docs and lengths.sum() else 1.0
        tf = np.array(tfs, dtype=np.float64)
        df = np.bincount(np.array(cols, dtype=np.int64), minlength=len(self.vocab)).astype(np.float64)
        self.idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        norm = k1 * (1.0 - b + b * lengths[np.array(rows, dtype=np.int64)] / avgdl) if rows else 0.0
        weights = self.idf[np.array(cols, dtype=np.int64)] * tf * (k1 + 1.0) / (tf + norm) if rows else []
        # terms x docs, so a query picks its terms' rows and sums them
        self._matrix = sparse.csr_matrix((weights, (cols, rows)), shape=(len(self.vocab), n_docs), dtype=np.float32)
        self.n_docs = n_docs

    def scores(self, query: list[str]) -> np.ndarray:
        """BM25 score of every document; a repeated query term counts once per occurrence (as in rank_bm25)."""
        counts = Counter(t for t in query if t in self.vocab)
        if not counts:
            return np.zeros(self.n_docs, dtype=np.float32)
        ids = [self.vocab[t] for t in counts]
        weights = np.array(list(counts.values()), dtype=np.float32)
        return np.asarray(weights @ self._matrix[ids], dtype=np.float32).ravel()

    def term_idf(self, term: str) -> float | None:
        i = self.vocab.get(term)
        return float(self.idf[i]) if i is not None else None
