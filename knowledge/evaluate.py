"""Retrieval hit rates on a question file (`yibao search --eval FILE.jsonl`).

A question counts as a hit at k when one of the top-k passages contains one of its ``must_any`` strings,
both sides converted to simplified Chinese. Questions without ``must_any`` (intent-only) are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.retrieve import MODES, KnowledgeBase
from knowledge.text import to_simplified


@dataclass
class ModeResult:
    mode: str
    top1: int = 0
    top3: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)  # ids not found in the top 3

    def rate(self, hits: int) -> float:
        return hits / self.total if self.total else 0.0


def load_questions(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("must_any")]


def _rank_of_hit(texts: list[str], must_any: list[str]) -> int | None:
    wanted = [to_simplified(m) for m in must_any]
    for rank, text in enumerate(texts):
        if any(w in to_simplified(text) for w in wanted):
            return rank
    return None


def evaluate(kb: KnowledgeBase, questions: list[dict], modes: tuple[str, ...] = MODES) -> list[ModeResult]:
    results = []
    for mode in modes:
        result = ModeResult(mode)
        for q in questions:
            hits = kb.search(q["question"], k=3, mode=mode)
            rank = _rank_of_hit([h.text for h in hits], q["must_any"])
            result.total += 1
            result.top1 += rank == 0
            result.top3 += rank is not None
            if rank is None:
                result.misses.append(q.get("id", q["question"]))
        results.append(result)
    return results
