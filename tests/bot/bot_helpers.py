"""Helpers of the bot tests (importable: conftest modules are not, under --import-mode=importlib)."""

from __future__ import annotations

import asyncio
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from yibao.settings import PROJECT_ROOT


def _first_demo_account() -> tuple[str, str]:
    from accounts.importer import DEMO_CSV, read_csv

    row = read_csv(DEMO_CSV)[0]
    return row.card_number, row.pin


DEMO_CARD, DEMO_PIN = _first_demo_account()


def make_tracker(
    text: str,
    intent: str,
    *,
    confidence: float = 0.95,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str = "test-conversation",
) -> Tracker:
    """A real rasa-sdk Tracker as the custom actions receive it after the user said ``text``."""
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
              "metadata": {"channel": "kiosk"}}
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}]
    return Tracker(sender_id, dict(slots or {}), latest, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run_action(action: Any, tracker: Tracker, domain: dict[str, Any] | None = None) -> tuple[list[dict], list]:
    """Run an action like rasa-sdk's executor does; returns (messages, events)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or DOMAIN))
    return dispatcher.messages, events


def answer_meta(messages: list[dict]) -> dict[str, Any]:
    metas = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "answer_meta"]
    assert len(metas) == 1, f"expected exactly one answer_meta, got {messages}"
    return metas[0]


def answer_text(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))


def _load_domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


DOMAIN = _load_domain()
