"""Knowledge-base benchmark: build time, index size, load time, query latency p50/p95 per retriever, peak memory.

    .venv/bin/python benchmarks/bench_retrieval.py [--questions FILE.jsonl] [--repeat 5]

Builds into a temporary data dir (cold: every passage embedded; then warm: unchanged corpus), so the project's
index is untouched. Targets: hybrid p95 < 30 ms on a 2-core CPU; the baseline column is a naive retriever
(fixed 200-character chunks, jieba + BM25) over the same cleaned text, for comparison.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from knowledge.index import build
from knowledge.ingest import ingest
from knowledge.retrieve import MODES, KnowledgeBase
from knowledge.words import tokens
from yibao.settings import get_settings

DEFAULT_QUESTIONS = Path("/work/shared/eval/dev_questions.jsonl")
FALLBACK_QUESTIONS = ["异地就医备案需要什么材料", "职工医保住院报销比例是多少", "乙类药品怎么报销"]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def naive_baseline(corpus_dir: Path) -> tuple[BM25Okapi, list[str]]:
    _docs, passages = ingest(corpus_dir)
    text = "".join(p.text for p in passages)
    chunks = [text[i : i + 200] for i in range(0, len(text), 200)]
    return BM25Okapi([tokens(c) for c in chunks]), chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    questions = (
        [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines() if line]
        if args.questions.exists()
        else FALLBACK_QUESTIONS
    )

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(get_settings(), data_dir=Path(tmp))
        t0 = time.perf_counter()
        cold = build(settings)
        cold_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        build(settings)
        warm_s = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in settings.index_dir.iterdir())
        t0 = time.perf_counter()
        kb = KnowledgeBase(settings.index_dir, settings.embedding_model)
        kb.encoder()
        load_s = time.perf_counter() - t0
        for q in questions[:3]:  # warm-up
            kb.search(q)
        latency: dict[str, list[float]] = {m: [] for m in MODES}
        for mode in MODES:
            kb._encode.cache_clear()  # measure real query encoding, not the repeat cache
            for _ in range(args.repeat):
                kb._encode.cache_clear()
                for q in questions:
                    t = time.perf_counter()
                    kb.search(q, k=5, mode=mode)
                    latency[mode].append((time.perf_counter() - t) * 1000)
        bm25, chunks = naive_baseline(settings.corpus_dir)
        base: list[float] = []
        for _ in range(args.repeat):
            for q in questions:
                t = time.perf_counter()
                bm25.get_top_n(tokens(q), chunks, n=5)
                base.append((time.perf_counter() - t) * 1000)

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"corpus: {cold.documents} documents -> {cold.passages} passages; {len(questions)} queries x {args.repeat}")
    print(f"build cold {cold_s:6.1f} s ({cold.embedded} embedded)   warm {warm_s:5.2f} s (up to date: no re-embedding)")
    print(f"index size {size / 1024:7.0f} KiB   load + encoder warm-up {load_s:5.2f} s   peak RSS {peak_mib:6.0f} MiB")
    print(f"{'retriever':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    print(f"{'baseline: naive BM25':<22}{statistics.median(base):9.2f}{percentile(base, 95):9.2f}{max(base):9.2f}")
    for mode in MODES:
        v = latency[mode]
        flag = "  (target p95 < 30 ms)" if mode == "hybrid" else ""
        print(f"{mode:<22}{statistics.median(v):9.2f}{percentile(v, 95):9.2f}{max(v):9.2f}{flag}")


if __name__ == "__main__":
    main()
