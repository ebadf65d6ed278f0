"""Directory-search benchmark: p50/p95 over generated institutions, beside a naive full scan in the same run.

    .venv/bin/python benchmarks/bench_institutions.py [--size 10000] [--repeat 5]

The directory is ``--size`` generated fictional institutions (institutions/synthetic.py) imported into a temporary
SQLite database through the real importer, then searched through ``Directory.search`` (numpy filter masks,
rapidfuzz over the filtered rows, vectorised distances). The baseline is ``naive_search``: a Python loop over every
record computing filters, name scores (with pinyin per row) and distance per row, then sorting.
Target: p95 < 20 ms for name + filter + distance on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from institutions.importer import apply
from institutions.search import SAMPLE_KIOSK_LOCATION, Directory, InstitutionQuery, naive_search
from institutions.synthetic import generate


def _queries(records: list) -> list[tuple[str, InstitutionQuery]]:
    named = [records[i].name for i in (17, 503, 2222, 7777 % len(records))]
    typo = named[1][:2] + "X" + named[1][3:]  # one wrong character
    return [
        ("name + type + flag + distance", InstitutionQuery(name=named[0][:4], types=("医院",), flags=("e_voucher",),
                                                           near=True, limit=5)),
        ("typo name + distance", InstitutionQuery(name=typo, near=True, limit=5)),
        ("pharmacy + 外配处方 + nearest", InstitutionQuery(types=("零售药店",), flags=("external_prescription",),
                                                          near=True, limit=5)),
        ("district + level + flag + distance", InstitutionQuery(districts=("东湖区",), levels=("二级",),
                                                               flags=("cross_province",), near=True, limit=5)),
        ("pinyin initials + filter", InstitutionQuery(name="dhrmyy", types=("医院",), near=True, limit=5)),
        ("name + district + distance", InstitutionQuery(name=named[2][2:6], districts=(records[2222].district,),
                                                       near=True, limit=5)),
    ]


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from accounts.db import make_engine, upgrade

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}")
    records = generate(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        directory = Directory(engine)
        started = time.perf_counter()
        with directory.transaction() as session:
            apply(session, records, source_name="generated.csv", sample=False)
        print(f"import {args.size} institutions: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        directory.index()
        print(f"index build (first search): {(time.perf_counter() - started) * 1000:.0f} ms")
        origin = SAMPLE_KIOSK_LOCATION
        fast_all, slow_all = [], []
        print(f"load average before the run: {os.getloadavg()[0]:.1f} (wall-clock figures include waiting for the CPU; "
              "CPU figures are this thread's own time)")
        print(f"{'query':38} {'indexed p50/p95 ms':>20} {'CPU p95':>8} {'naive p50/p95 ms':>18}  same top-5")
        cpu_all: list[float] = []
        for label, query in _queries(records):
            query = replace(query, origin=origin)  # the kiosk's location (a generated list has no sample kiosk)
            fast, slow, cpu = [], [], []
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.thread_time()
                got = directory.search(query)
                fast.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
                t0 = time.perf_counter()
                naive = naive_search(records, query, origin)
                slow.append((time.perf_counter() - t0) * 1000)
            same = [m.record.code for m in got.matches] == [r.code for _, _, r in naive]
            fp, sp = _percentiles(fast), _percentiles(slow)
            cp = _percentiles(cpu)
            print(f"{label:38} {fp[0]:9.1f} / {fp[1]:6.1f} {cp[1]:8.1f} {sp[0]:9.1f} / {sp[1]:6.1f}  "
                  f"{'yes' if same else 'no'}")
            fast_all += fast
            slow_all += slow
            cpu_all += cpu
        fp, sp, cp = _percentiles(fast_all), _percentiles(slow_all), _percentiles(cpu_all)
        print(f"{'ALL':38} {fp[0]:9.1f} / {fp[1]:6.1f} {cp[1]:8.1f} {sp[0]:9.1f} / {sp[1]:6.1f}")
        print(f"target p95 < 20 ms: {'met' if fp[1] < 20 else 'NOT met'} (indexed p95 {fp[1]:.1f} ms wall, "
              f"{cp[1]:.1f} ms CPU; naive p95 {sp[1]:.1f} ms, {sp[1] / fp[1]:.0f}x); load average after: "
              f"{os.getloadavg()[0]:.1f}")
        engine.dispose()


if __name__ == "__main__":
    main()
