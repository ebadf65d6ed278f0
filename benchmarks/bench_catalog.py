"""Drug-catalog benchmark: import time, first-lookup (index build) time, lookup latency p50/p95, hit rate.

    .venv/bin/python benchmarks/bench_catalog.py [--size 3000] [--repeat 3]

Runs on the shipped sample and on a generated catalog of ``--size`` rows (made-up names built from the sample's
names, only to measure speed at the size of a real national catalog), each in a temporary SQLite file.
Target: lookup p95 < 20 ms at 3000 rows on a 2-core CPU. The baseline column is a plain
``rapidfuzz.process.extractOne`` over the names (no normalisation, aliases or pinyin), for comparison.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
from pathlib import Path

from rapidfuzz import process

from knowledge.catalog import SAMPLE_CSV, Catalog, read_catalog_csv

# (query, the drug it should find): typos, pinyin, traditional, salts and forms, a question.
QUERIES = [
    ("阿莫西林", "阿莫西林"), ("阿莫西休", "阿莫西林"), ("amoxilin jiaonang", "阿莫西林"),
    ("頭孢曲松", "头孢曲松"), ("盐酸二甲双胍片", "二甲双胍"), ("阿斯匹林", "阿司匹林"), ("buluofen", "布洛芬"),
    ("扑热息痛", "对乙酰氨基酚"), ("硫酸氢氯吡格雷片", "氯吡格雷"), ("布洛芬能报销吗", "布洛芬"),
    ("xiaobendiping", "硝苯地平"), ("二甲双瓜", "二甲双胍"),
]


def _generated_csv(path: Path, size: int) -> None:
    sample = read_catalog_csv(SAMPLE_CSV)
    names = [r.name for r in sample]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "category", "dosage_form", "aliases"])
        for r in sample:
            writer.writerow([r.name, r.category, r.dosage_form, "|".join(r.aliases)])
        for i in range(size - len(names)):
            # Made-up but name-like rows: two sample names spliced, so fuzzy matching has look-alikes to reject.
            a, b = names[i % len(names)], names[(i * 7 + 3) % len(names)]
            writer.writerow([f"{a[: len(a) // 2 + 1]}{b[len(b) // 2:]}{i}", "乙类", "注射剂", ""])


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def _run(label: str, csv_path: Path | None, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog(f"sqlite:///{Path(tmp) / 'bench.db'}")
        started = time.perf_counter()
        rows = catalog.import_csv(csv_path) if csv_path else len(read_catalog_csv(SAMPLE_CSV))
        imported = time.perf_counter() - started
        started = time.perf_counter()
        catalog.lookup("阿莫西林")  # builds the index
        first = time.perf_counter() - started
        names = [r.name for r in read_catalog_csv(csv_path or SAMPLE_CSV)]
        ours, base, hits, base_hits = [], [], 0, 0
        for _ in range(repeat):
            for query, expected in QUERIES:
                t = time.perf_counter()
                matches = catalog.lookup(query)
                ours.append((time.perf_counter() - t) * 1000)
                hits += bool(matches) and matches[0].name == expected
                t = time.perf_counter()
                best = process.extractOne(query, names)
                base.append((time.perf_counter() - t) * 1000)
                base_hits += bool(best) and best[0] == expected
        total = len(QUERIES) * repeat
        print(f"\n{label}: {rows} rows  import {imported * 1000:.0f} ms  "
              f"first lookup (index build) {first * 1000:.0f} ms")
        print(f"{'':24}{'医保通 lookup':>16}{'baseline extractOne':>22}")
        print(f"{'latency p50 (ms)':24}{statistics.median(ours):>16.2f}{statistics.median(base):>22.2f}")
        print(f"{'latency p95 (ms)':24}{_percentile(ours, 95):>16.2f}{_percentile(base, 95):>22.2f}")
        print(f"{'hit rate':24}{hits / total:>16.0%}{base_hits / total:>22.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    _run("shipped sample (no import)", None, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "generated.csv"
        _generated_csv(generated, args.size)
        _run(f"generated catalog ({args.size} rows)", generated, args.repeat)


if __name__ == "__main__":
    main()
