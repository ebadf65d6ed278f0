"""A custom action run in-process, without Rasa: the rasa-sdk Tracker it would receive after the patient said
something, and the run itself as rasa-sdk's executor does it. Used by ``bot.evaluate --actions-only`` and by the
action tests (tests/bot)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(
    text: str,
    intent: str,
    *,
    confidence: float = 0.95,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str = "test-conversation",
    channel: str = "kiosk",
) -> Tracker:
    """The tracker of a conversation whose only event is the user saying ``text`` (``channel``: the front end
    kiosk_api names in the message metadata)."""
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
              "metadata": {"channel": channel}}
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}]
    return Tracker(sender_id, dict(slots or {}), latest, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run_action(action: Action, tracker: Tracker, domain: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """Run ``action`` on ``tracker``; returns (the messages it sent, the events it returned)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return dispatcher.messages, events
