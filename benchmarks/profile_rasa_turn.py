"""Where a Rasa turn spends its time: handle N messages in-process with the real endpoints and print a profile.

Runs in the Rasa venv, with a kiosk API (which serves the custom actions) listening, e.g.
`YIBAO_ACTION_TOKEN=t .venv/bin/python -m uvicorn kiosk_api.app:app --port 5156`:

    PYTHONPATH=. YIBAO_ACTION_URL=http://127.0.0.1:5156/internal/actions/webhook YIBAO_ACTION_TOKEN=t \\
        YIBAO_TRACKER_DB=/tmp/profile_tracker.db .venv-rasa/bin/python benchmarks/profile_rasa_turn.py --turns 20

The questions are the load benchmark's, a new conversation every --per-session turns (as its sessions do);
``--text`` asks one question instead. The profile counts CPU time (``time.process_time``), not waiting.

Compare with `bench_chat_load.py`, which measures the same turns over HTTP under concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import time
import uuid

from rasa.core.agent import load_agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.utils import AvailableEndpoints
from rasa.utils.log_utils import configure_structlog

from bot import rasa_patches

# The load benchmark's questions (benchmarks/bench_chat_load.py runs in the other venv, so not imported).
QUESTIONS = [
    "住院报销比例是多少", "异地就医备案怎么办理", "门诊慢性病怎么申请", "乙类药品自己要付多少",
    "起付线是多少钱", "在外地看病能直接结算吗", "看病要带什么证件", "封顶线以上的费用怎么办",
]


async def profile(model: str, endpoints: str, texts: list[str], turns: int, per_session: int, rows: int) -> None:
    configure_structlog(logging.INFO)  # as `rasa run` does: debug events are dropped early, not rendered
    rasa_patches.install()  # as bot.rasa_server does before Rasa starts
    agent = await load_agent(model_path=model, endpoints=AvailableEndpoints.read_endpoints(endpoints))
    count, sender = 0, ""

    async def turn() -> None:
        nonlocal count, sender
        if count % per_session == 0:
            sender = f"profile-{uuid.uuid4().hex}"
        await agent.handle_message(UserMessage(texts[count % len(texts)], CollectingOutputChannel(), sender_id=sender))
        count += 1

    for _ in range(3):  # warm-up: TensorFlow graph tracing, first database connections
        await turn()
    count = 0
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(turns):
        await turn()
    print(f"without the profiler: {(time.perf_counter() - started) / turns * 1000:.1f} ms per turn, "
          f"{(time.process_time() - cpu) / turns * 1000:.1f} ms CPU of this process", flush=True)
    profiler = cProfile.Profile(time.process_time)
    count = 0
    cpu = time.process_time()
    profiler.enable()
    for _ in range(turns):
        await turn()
    profiler.disable()
    per_turn = (time.process_time() - cpu) / turns * 1000
    print(f"with the profiler: {per_turn:.1f} ms CPU per turn ({turns} turns, {per_session} per conversation)")
    pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="var/models/yibao.tar.gz")
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--text", help="one question instead of the load benchmark's")
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--per-session", type=int, default=10, help="turns per conversation")
    parser.add_argument("--rows", type=int, default=30)
    args = parser.parse_args()
    texts = [args.text] if args.text else QUESTIONS
    asyncio.run(profile(args.model, args.endpoints, texts, args.turns, args.per_session, args.rows))


if __name__ == "__main__":
    main()
