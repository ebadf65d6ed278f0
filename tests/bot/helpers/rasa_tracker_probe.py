"""Runs inside .venv-rasa (Rasa 3.6): writes a balance-lookup conversation through the redacting tracker store,
or reads it back with a fresh store instance (as another Rasa instance or a restarted one would).

    python rasa_tracker_probe.py write|read SENDER_ID SQLITE_DB      (backend from YIBAO_TRACKER_URL)
Prints the read-back state as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.tracker_store import RedactingTrackerStore

SLOTS = ("card_number", "pin", "id_last6", "otp")
DOMAIN = Domain.from_dict(
    {
        "intents": ["check_balance", "inform"],
        "entities": ["card_number"],
        "slots": {
            s: {"type": "text", "influence_conversation": False, "mappings": [{"type": "custom"}]} for s in SLOTS
        },
        "forms": {"balance_form": {"required_slots": ["card_number", "pin"]}},
    }
)


def ask(text: str, expect: str | None) -> BotUttered:
    return BotUttered(text, data={"custom": {"type": "answer_meta", "expect_input": expect}})


def said(text: str, entities: list[dict] | None = None) -> UserUttered:
    return UserUttered(text, {"name": "inform", "confidence": 0.9}, entities or [])


async def write(store: RedactingTrackerStore, sender: str, card: str, pin: str) -> None:
    tracker = await store.get_or_create_tracker(sender)
    for event in (
        said(f"查余额，我的卡号是 {card}", [{"entity": "card_number", "value": card, "start": 9, "end": 25}]),
        SlotSet("card_number", card),
        SlotSet("requested_slot", "pin"),
        ask("请在键盘上输入 6 位密码", "pin"),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    await store.save(tracker)  # end of turn 1
    tracker = await store.retrieve(sender)
    for event in (
        said(pin),
        SlotSet("pin", pin),
        SlotSet("requested_slot", None),
        ask("身份核验成功。", None),
        ActionExecuted("action_listen"),
        said("顺便问下，我身份证110105199001011234，手机13812345678，密码是135790"),
    ):
        tracker.update(event)
    await store.save(tracker)  # end of turn 2


async def main() -> None:
    mode, sender, db = sys.argv[1:4]
    store = RedactingTrackerStore(domain=DOMAIN, db=db)
    if mode == "write":
        await write(store, sender, card=sys.argv[4], pin=sys.argv[5])
    tracker = await store.retrieve(sender)
    assert tracker is not None, "conversation not found"
    state = {
        "slots": {s: tracker.get_slot(s) for s in SLOTS},
        "user_texts": [e.text for e in tracker.events if isinstance(e, UserUttered)],
        "events": len(tracker.events),
    }
    print(json.dumps(state, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
