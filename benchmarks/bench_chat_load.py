"""Chat load benchmark: latency p50/p95/p99 and throughput at 1, 10 and 50 concurrent sessions.

Each concurrent session is a patient asking questions one after another. Two load models:
  patients      a session reads each answer before asking again: a pause drawn uniformly from --think
                (default 1-3 s, far quicker than a patient at a kiosk reads a Chinese answer)
  back-to-back  no pause at all: every session always has a question waiting (saturation, i.e. capacity)
and three targets, side by side:
  floor    GET /api/config (the API's own floor: a request that calls nothing behind it)
  rasa     the Rasa REST webhook directly (the baseline: what the dialogue stack itself costs)
  api      POST /api/chat through kiosk_api (what the pages see)
Target: api p95 <= 150 ms at 10 concurrent patient sessions, 0 errors. Back-to-back rows are reported
beside it, not hidden: their req/s is the capacity of the machine.

Beside the latencies, each row shows the CPU each service spent per request (user + system time of all its
processes, from /proc, over that row's requests), and the resident memory of the whole stack is printed after
its first question and at the end (RSS, and PSS, which counts memory shared between processes once). CPU and
memory need the private stack (the benchmark knows its processes); with --api-url they are left out.

    .venv/bin/python benchmarks/bench_chat_load.py                 # private stack on free ports
    .venv/bin/python benchmarks/bench_chat_load.py --api-url http://127.0.0.1:8000 --rasa-url http://127.0.0.1:5005
    .venv/bin/python benchmarks/bench_chat_load.py --env SANIC_WORKERS=2 --env YIBAO_LOCK_URL=redis://127.0.0.1:6379/1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from yibao.settings import get_settings
from yibao.stack import Ports, Stack

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Typical patient questions (a mix of policy topics); the answers are not checked here, only timed.
QUESTIONS = [
    "住院报销比例是多少", "异地就医备案怎么办理", "门诊慢性病怎么申请", "乙类药品自己要付多少",
    "起付线是多少钱", "在外地看病能直接结算吗", "看病要带什么证件", "封顶线以上的费用怎么办",
]
TARGET_P95_MS, TARGET_CONCURRENCY = 150.0, 10


@dataclass(frozen=True)
class Think:
    """The pause between a session's questions, uniform in [low_s, high_s] seconds."""

    low_s: float
    high_s: float

    @classmethod
    def parse(cls, text: str) -> Think:
        low, _, high = text.partition("-")
        return cls(float(low), float(high or low))

    @property
    def label(self) -> str:
        return "back-to-back" if self.high_s == 0 else f"{self.low_s:g}-{self.high_s:g} s"

    async def pause(self, rng: random.Random) -> None:
        if self.high_s > 0:
            await asyncio.sleep(rng.uniform(self.low_s, self.high_s))


BACK_TO_BACK = Think(0, 0)


@dataclass
class Result:
    target: str
    concurrency: int
    think: Think
    latencies_ms: list[float]
    errors: int
    wall_s: float
    cpu_ms: dict[str, float] = field(default_factory=dict)  # service -> CPU ms over the row's requests

    def cpu_per_request(self, service: str) -> float:
        return self.cpu_ms.get(service, float("nan")) / max(1, len(self.latencies_ms))

    def percentile(self, q: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0


class ProcessMeter:
    """CPU time and memory of each service of a stack: the processes of the session its process leads
    (the stack starts each service in a session of its own, so worker processes are counted with it)."""

    def __init__(self, services: dict[str, int]) -> None:
        self.services = services  # service name -> pid of its session leader

    def _members(self) -> dict[str, list[int]]:
        by_session: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = self._stat(int(entry.name))
                if stat:
                    by_session.setdefault(int(stat[3]), []).append(int(entry.name))
        return {name: by_session.get(leader, []) for name, leader in self.services.items()}

    @staticmethod
    def _stat(pid: int) -> list[str]:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # exited meanwhile
            return []
        return text.rsplit(")", 1)[1].split()  # fields from 3 (state) on: the name may contain spaces

    def cpu_ms(self) -> dict[str, float]:
        """User + system CPU milliseconds each service has used so far."""
        totals = {}
        for name, pids in self._members().items():
            ticks = sum(int(f[11]) + int(f[12]) for f in map(self._stat, pids) if f)
            totals[name] = ticks * 1000 / CLOCK_TICKS
        return totals

    def memory_mib(self) -> dict[str, tuple[float, float]]:
        """(RSS, PSS) MiB per service; PSS shares pages between processes, so it adds up to the machine's use."""
        out = {}
        for name, pids in self._members().items():
            rss = pss = 0
            for pid in pids:
                try:
                    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                        if line.startswith(("Rss:", "Pss:")):
                            kib = int(line.split()[1])
                            rss, pss = (rss + kib, pss) if line.startswith("Rss:") else (rss, pss + kib)
                except OSError:
                    continue
            out[name] = (rss / 1024, pss / 1024)
        return out

    def print_memory(self, when: str) -> None:
        memory = self.memory_mib()
        parts = "  ".join(f"{name} {rss:.0f}/{pss:.0f}" for name, (rss, pss) in memory.items())
        total_rss, total_pss = (sum(m[i] for m in memory.values()) for i in (0, 1))
        print(f"memory {when} (RSS/PSS MiB): {parts}  whole stack {total_rss:.0f}/{total_pss:.0f}", flush=True)


Request = Callable[[httpx.AsyncClient, str, int], Awaitable[httpx.Response]]


async def _new_session(client: httpx.AsyncClient) -> str:
    resp = await client.post("/api/session", json={"channel": "api"})
    resp.raise_for_status()
    return str(resp.json()["session_id"])


def _requests(api_url: str, rasa_url: str) -> dict[str, tuple[str, Request]]:
    async def floor(client: httpx.AsyncClient, _: str, __: int) -> httpx.Response:
        return await client.get("/api/config")

    async def rasa(client: httpx.AsyncClient, sender: str, i: int) -> httpx.Response:
        body = {"sender": sender, "message": QUESTIONS[i % len(QUESTIONS)]}
        # Rasa's channel wants the stack's token (the same one a private stack is given: yibao/stack.py).
        return await client.post("/webhooks/rest/webhook", json=body,
                                 headers={"Authorization": f"Bearer {get_settings().rasa_token}"})

    async def api(client: httpx.AsyncClient, session_id: str, i: int) -> httpx.Response:
        return await client.post("/api/chat", json={"session_id": session_id, "message": QUESTIONS[i % len(QUESTIONS)]})

    return {"floor": (api_url, floor), "rasa": (rasa_url, rasa), "api": (api_url, api)}


async def run_level(
    name: str, base_url: str, request: Request, concurrency: int, per_session: int, think: Think = BACK_TO_BACK,
    meter: ProcessMeter | None = None,
) -> Result:
    limits = httpx.Limits(max_connections=concurrency + 5, max_keepalive_connections=concurrency + 5)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        if name == "api":
            senders = await asyncio.gather(*(_new_session(client) for _ in range(concurrency)))
        else:
            senders = [f"bench-{secrets.token_hex(8)}" for _ in range(concurrency)]
        latencies: list[float] = []
        errors = 0

        async def patient(sender: str, offset: int) -> None:
            nonlocal errors
            rng = random.Random(offset)  # the same pauses on every run
            await asyncio.sleep(rng.uniform(0, think.high_s))  # sessions do not all start at the same instant
            for i in range(per_session):
                if i:
                    await think.pause(rng)
                start = time.perf_counter()
                try:
                    resp = await request(client, sender, offset + i)
                    ok = resp.status_code < 400
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - start) * 1000)
                errors += not ok

        cpu_before = meter.cpu_ms() if meter else {}
        wall = time.perf_counter()
        await asyncio.gather(*(patient(s, n) for n, s in enumerate(senders)))
        wall = time.perf_counter() - wall
        cpu = {k: v - cpu_before[k] for k, v in meter.cpu_ms().items()} if meter else {}
        return Result(name, concurrency, think, latencies, errors, wall, cpu)


def print_table(results: list[Result], services: list[str]) -> None:
    cpu_head = "".join(f"{name[:9]:>10}" for name in services) + (f"{'all':>8}" if services else "")
    if services:
        print(f"\n{'':<78}CPU ms per request")
    print(f"{'target':<8}{'sessions':>9}{'pause':>14}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}"
          f"{'p99 ms':>10}{'req/s':>9}{cpu_head}")
    for r in results:
        cpu = "".join(f"{r.cpu_per_request(name):>10.1f}" for name in services)
        if services:
            cpu += f"{sum(r.cpu_per_request(name) for name in services):>8.1f}"
        print(f"{r.target:<8}{r.concurrency:>9}{r.think.label:>14}{len(r.latencies_ms):>10}{r.errors:>8}"
              f"{r.percentile(50):>10.1f}{r.percentile(95):>10.1f}{r.percentile(99):>10.1f}{r.throughput:>9.1f}{cpu}")
    api_rows = [r for r in results if r.target == "api" and r.concurrency == TARGET_CONCURRENCY]
    for goal in api_rows:
        is_target = goal.think != BACK_TO_BACK
        met = goal.percentile(95) <= TARGET_P95_MS and goal.errors == 0
        print(f"{'target' if is_target else 'for comparison'}: api p95 <= {TARGET_P95_MS:.0f} ms at "
              f"{TARGET_CONCURRENCY} sessions ({goal.think.label}), 0 errors -> {'MET' if met else 'NOT MET'} "
              f"(p95 {goal.percentile(95):.1f} ms, {goal.errors} errors)")


async def bench(
    api_url: str, rasa_url: str, levels: list[int], per_session: int, think: Think, meter: ProcessMeter | None
) -> list[Result]:
    targets = _requests(api_url, rasa_url)
    await run_level("api", api_url, targets["api"][1], 1, 1)  # the first question loads what answers need
    if meter:
        meter.print_memory("after the first question")
    # Warm-up: the first answers fill caches and trace TensorFlow graphs; not measured.
    await run_level("api", api_url, targets["api"][1], 2, len(QUESTIONS))
    results = []
    for model in dict.fromkeys([think, BACK_TO_BACK]):
        for concurrency in levels:
            for name, (base_url, request) in targets.items():
                results.append(await run_level(name, base_url, request, concurrency, per_session, model, meter))
                r = results[-1]
                cpu = "  ".join(f"{k} {r.cpu_per_request(k):.1f}" for k in r.cpu_ms)
                print(f"  {name:<7} x{concurrency:<3} {model.label:<13} p95 {r.percentile(95):7.1f} ms  "
                      f"{r.errors} errors  {r.throughput:5.1f}/s  CPU ms/request: {cpu or 'n/a'}", flush=True)
    if meter:
        meter.print_memory("at the end")
    return results


def _machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return f"{model}, load average {load} at start"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-url", help="a running kiosk API; default: start a private stack on free ports")
    parser.add_argument("--rasa-url", help="its Rasa server (for the baseline)")
    parser.add_argument("--levels", default="1,10,50", help="concurrent sessions, comma separated")
    parser.add_argument("--per-session", type=int, default=10, help="questions each session asks")
    parser.add_argument("--think", type=Think.parse, default=Think(1, 3),
                        help="seconds a patient session pauses between questions, e.g. 1-3 (0: back-to-back only)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting for the private stack, e.g. SANIC_WORKERS=2 (repeatable)")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    meter = None
    with ExitStack() as cleanup:
        if args.api_url and args.rasa_url:
            api_url, rasa_url = args.api_url, args.rasa_url
        else:
            data_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
            shutil.copytree(get_settings().index_dir, data_dir / "index")
            env = {"YIBAO_DATA_DIR": str(data_dir), "YIBAO_TRACKER_DB": str(data_dir / "rasa_tracker.db"),
                   "DATABASE_URL": f"sqlite:///{data_dir / 'yibao.db'}",
                   # Every simulated patient comes from 127.0.0.1: per-client windows wide enough for the load
                   # (the limiter still runs, so its cost is measured; benchmarks/replay_attacks.py checks limits).
                   "YIBAO_LIMIT_SESSIONS_PER_CLIENT": "100000/minute", "YIBAO_LIMIT_CHAT_PER_CLIENT": "100000/minute",
                   "YIBAO_LIMIT_CHAT_PER_SESSION": "100000/minute"}
            env.update(item.split("=", 1) for item in args.env)
            stack = Stack(ports=Ports.free(), log_dir=data_dir / "logs", env_overrides=env)
            print("starting a private stack on free ports ...", flush=True)
            stack.start(timeout=1200)  # Rasa takes ~30 s to load on an idle machine, minutes on a busy one
            cleanup.callback(stack.stop)
            api_url, rasa_url = stack.api_url, stack.rasa_url
            meter = ProcessMeter({name: proc.pid for name, proc in stack.processes.items()})
            print(f"machine: {os.cpu_count()} CPUs, {_machine()}; services: {', '.join(meter.services)}", flush=True)
        results = asyncio.run(bench(api_url, rasa_url, levels, args.per_session, args.think, meter))
        print_table(results, list(meter.services) if meter else [])


if __name__ == "__main__":
    main()
