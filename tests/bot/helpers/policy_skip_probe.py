"""Run in the Rasa venv, with the real model and a kiosk API serving the actions (YIBAO_ACTION_URL/TOKEN set):
every conversation of bot/tests/test_stories.yml plus single questions, once with Rasa running every policy and
once with bot/rasa_patches/policies.py skipping the ones that cannot change the prediction.

Prints one JSON line: per conversation the two traces (each action with the policy that chose it and its
confidence), and how often TED and Memoization really ran in each mode.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path

import yaml
from rasa.core.agent import load_agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.events import ActionExecuted

from bot import rasa_patches
from bot.rasa_patches import policies

rasa_patches.install()  # as bot.rasa_server does before Rasa starts

SINGLE_QUESTIONS = ["住院报销比例是多少", "异地就医备案怎么办理", "门诊慢性病怎么申请", "乙类药品自己要付多少",
                    "今天天气怎么样", "asdfgh", "谢谢", "我要找人工", "阿莫西林能报销吗", "/check_balance"]
runs = {"TEDPolicy": 0, "MemoizationPolicy": 0}


def counted(name: str, original):
    def predict(*args, **kwargs):
        runs[name] += 1
        return original(*args, **kwargs)
    return predict


ORIGINAL = {
    RulePolicy: policies.original_rule_predict,
    TEDPolicy: counted("TEDPolicy", TEDPolicy.predict_action_probabilities.__wrapped_original__),
    MemoizationPolicy: counted(
        "MemoizationPolicy", MemoizationPolicy.predict_action_probabilities.__wrapped_original__),
}
PATCHED = {
    RulePolicy: policies.rule_predict,
    TEDPolicy: policies.unless_rules_decide(ORIGINAL[TEDPolicy]),
    MemoizationPolicy: policies.unless_rules_decide(ORIGINAL[MemoizationPolicy]),
}


def use(agent, methods: dict) -> None:
    """Point the loaded model's policy nodes at ``methods`` (graph nodes bind their function when loaded)."""
    for node in agent.processor.graph_runner._instantiated_nodes.values():
        if node._fn_name == "predict_action_probabilities" and node._component_class in methods:
            node._fn = methods[node._component_class]


def conversations() -> list[list[str]]:
    stories = yaml.safe_load(Path("bot/tests/test_stories.yml").read_text(encoding="utf-8"))["stories"]
    found = [[step["user"].strip() for step in story["steps"] if "user" in step] for story in stories]
    return [c for c in found if c] + [[q] for q in SINGLE_QUESTIONS]


async def trace(agent, texts: list[str]) -> list:
    sender = f"probe-{uuid.uuid4().hex}"
    for text in texts:
        await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender_id=sender))
    tracker = await agent.tracker_store.retrieve(sender)
    # What the policies decide; the texts also depend on the accounts database, which the first mode changes.
    return [[e.action_name, e.policy, round(e.confidence or 0.0, 6)] for e in tracker.events
            if isinstance(e, ActionExecuted)]


async def main() -> None:
    agent = await load_agent(model_path=sys.argv[1], endpoints=AvailableEndpoints.read_endpoints("endpoints.yml"))
    result = {"conversations": [], "runs": {}}
    traces: dict[str, list] = {}
    for mode, methods in (("original", ORIGINAL), ("patched", PATCHED)):
        use(agent, methods)
        runs.update(TEDPolicy=0, MemoizationPolicy=0)
        traces[mode] = [await trace(agent, texts) for texts in conversations()]
        result["runs"][mode] = dict(runs)
    result["conversations"] = [list(pair) for pair in zip(traces["original"], traces["patched"], strict=True)]
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
