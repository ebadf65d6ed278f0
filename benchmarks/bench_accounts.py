"""Accounts benchmark: latency of verification and disclosure, and of guessing PINs, on a temporary SQLite file.

    .venv/bin/python benchmarks/bench_accounts.py [--repeat 20]

Targets (2-core CPU): verify_pin p95 < 500 ms (argon2id is slow on purpose: an offline attacker with the
database pays the same per guess), disclose_balance p95 < 20 ms. The baseline row is a bare primary-key read of
the same account: the cost of the database alone.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from accounts.importer import DEMO_CSV, read_csv, store
from accounts.models import InsuredPerson
from accounts.otp import OutboxOtpSender
from accounts.service import AccountService


def timed(call: Callable[[int], object], repeat: int) -> list[float]:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def row(name: str, times: list[float], target: str) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return f"{name:<34}{statistics.median(times):>10.1f}{p95:>10.1f}   {target}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        svc = AccountService.open(f"sqlite:///{Path(tmp) / 'bench.db'}", otp_sender=OutboxOtpSender(Path(tmp) / "o"))
        demo = read_csv(DEMO_CSV)
        start = time.perf_counter()
        with svc.transaction() as session:
            store(session, demo, demo=True)
        import_ms = (time.perf_counter() - start) * 1000
        card, pin = demo[0].card_number, demo[0].pin

        def baseline(_: int) -> None:
            with svc.transaction() as session:
                session.scalar(select(InsuredPerson).where(InsuredPerson.card_number == card))

        results = [
            row("baseline: read account by card", timed(baseline, args.repeat), "-"),
            row("verify_pin (right PIN)", timed(lambda i: svc.verify_pin(card, pin, conversation_id=f"b{i}"),
                                               args.repeat), "p95 < 500 ms"),
            row("verify_pin (unknown card)", timed(lambda i: svc.verify_pin(f"99000000{i:08d}", pin,
                                                                             conversation_id=f"u{i}"), args.repeat),
                "about the same as right PIN"),
            row("disclose_balance", timed(lambda i: svc.disclose_balance(f"b{i}"), args.repeat),  # once each
                "p95 < 20 ms"),
        ]
    print(f"{'':<34}{'p50 ms':>10}{'p95 ms':>10}   target")
    print("\n".join(results))
    print(f"import of {len(demo)} demo accounts: {import_ms:.0f} ms (3 argon2 hashes each)")


if __name__ == "__main__":
    main()
