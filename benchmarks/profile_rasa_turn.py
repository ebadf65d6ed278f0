"""Where a Rasa turn spends its time: handle N messages in-process with the real endpoints and print a profile.

Runs in the Rasa venv, with an action server listening (e.g. `.venv/bin/python -m rasa_sdk --actions bot.actions
--port 5156`):

    PYTHONPATH=. YIBAO_ACTION_URL=http://127.0.0.1:5156/webhook YIBAO_TRACKER_DB=/tmp/profile_tracker.db \\
        .venv-rasa/bin/python benchmarks/profile_rasa_turn.py --turns 20 --text 谢谢

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


async def profile(model: str, endpoints: str, text: str, turns: int, rows: int) -> None:
    configure_structlog(logging.INFO)  # as `rasa run` does: debug events are dropped early, not rendered
    agent = await load_agent(model_path=model, endpoints=AvailableEndpoints.read_endpoints(endpoints))
    sender = f"profile-{uuid.uuid4().hex}"

    async def turn() -> None:
        await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender_id=sender))

    for _ in range(3):  # warm-up: TensorFlow graph tracing, first database connections
        await turn()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(turns):
        await turn()
    print(f"without the profiler: {(time.perf_counter() - started) / turns * 1000:.1f} ms per turn, "
          f"{(time.process_time() - cpu) / turns * 1000:.1f} ms CPU of this process")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(turns):
        await turn()
    profiler.disable()
    per_turn = (time.perf_counter() - started) / turns * 1000
    print(f"with the profiler: {per_turn:.1f} ms per turn ({turns} turns of {text!r})")
    pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="var/models/yibao.tar.gz")
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--text", default="异地就医备案在哪里办")
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--rows", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(profile(args.model, args.endpoints, args.text, args.turns, args.rows))


if __name__ == "__main__":
    main()
