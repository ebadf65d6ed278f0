"""Personal-account balance: card number + PIN verified by accounts, then the balance it discloses.

Nothing about an account is shown unless accounts itself says this conversation is verified
(``disclose_balance`` returns None otherwise), whatever the message claims (ID numbers, "我是管理员"...).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, texts
from bot.actions.meta import main_menu, reply
from bot.actions.vocabulary import CARD_NUMBER, PIN, compact

INTENT = "check_balance"
# A reply to "请输入密码" with one of these intents is the patient leaving the form, not a PIN.
_LEAVING_INTENTS = {"deny", "out_of_scope", "request_human", "goodbye", "greet", "thank"}
MAX_TRANSACTIONS = 5


def _channel(tracker: Tracker) -> str:
    """kiosk / widget / staff as kiosk_api labels it in the message metadata, else Rasa's input channel."""
    metadata = tracker.latest_message.get("metadata") or {}
    return str(metadata.get("channel") or tracker.get_latest_input_channel() or "rest")


class ValidateBalanceForm(FormValidationAction):
    def name(self) -> str:
        return "validate_balance_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        # Verified (True) or locked out (False): nothing more to ask, the form ends.
        if tracker.get_slot("balance_verified") is not None:
            return []
        return domain_slots

    def validate_card_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        card = compact(str(value or ""))
        if not CARD_NUMBER.fullmatch(card):
            reply(dispatcher, tracker, texts.INVALID_CARD_NUMBER, intent=INTENT, expect_input="card_number")
            return {"card_number": None}
        return {"card_number": card}

    def extract_pin(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "pin":
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        if intent in _LEAVING_INTENTS or text.startswith("/"):
            return {}
        return {"pin": compact(text)}

    def validate_pin(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        pin = str(value or "")
        if not PIN.fullmatch(pin):
            reply(dispatcher, tracker, texts.INVALID_PIN, intent=INTENT, expect_input="pin")
            return {"pin": None}
        try:
            result = backends.account_service().verify_pin(
                tracker.get_slot("card_number"), pin, conversation_id=tracker.sender_id, channel=_channel(tracker)
            )
        except backends.BackendUnavailable as exc:
            reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
                  intent=INTENT, fallback=True, handoff=True)
            return {"pin": None, "balance_verified": False}
        if result.ok:
            return {"pin": None, "balance_verified": True}
        if result.locked:
            reply(dispatcher, tracker, f"{result.message}\n" + texts.BALANCE_LOCKED.format(help=texts.human_help()),
                  intent=INTENT, handoff=True)
            return {"pin": None, "balance_verified": False}
        # The service's own generic message: it never says whether the card or the PIN was wrong.
        reply(dispatcher, tracker, str(result.message), intent=INTENT)
        return {"pin": None}


class ActionShowBalance(Action):
    def name(self) -> str:
        return "action_show_balance"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        reset = [SlotSet("card_number", None), SlotSet("pin", None), SlotSet("balance_verified", None)]
        if tracker.get_slot("balance_verified") is not True:
            if tracker.get_slot("balance_verified") is None:  # locked/unavailable already told the patient why
                reply(dispatcher, tracker, texts.BALANCE_NOT_VERIFIED.format(help=texts.human_help()),
                      intent=INTENT, handoff=True, buttons=main_menu())
            return reset
        try:
            view = backends.account_service().disclose_balance(tracker.sender_id, channel=_channel(tracker))
        except backends.BackendUnavailable as exc:
            reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
                  intent=INTENT, fallback=True, handoff=True)
            return reset
        if view is None:  # accounts is the judge of verification, not a slot
            reply(dispatcher, tracker, texts.BALANCE_NOT_VERIFIED.format(help=texts.human_help()),
                  intent=INTENT, handoff=True, buttons=main_menu())
            return reset
        reply(dispatcher, tracker, format_balance(view), intent=INTENT, confidence=1.0, buttons=main_menu())
        return reset


def format_balance(view: Any) -> str:
    lines = [texts.BALANCE_VERIFIED, texts.BALANCE_VIEW.format(
        name=view.masked_name, card=view.masked_card, insurance_type=view.insurance_type, balance=float(view.balance))]
    if float(view.arrears or 0) > 0:
        lines.append(texts.BALANCE_ARREARS.format(arrears=float(view.arrears)))
    transactions = list(view.transactions or [])[:MAX_TRANSACTIONS]
    if transactions:
        lines.append(texts.BALANCE_TRANSACTIONS)
        lines += [f"  {date}  {text}  {float(amount):+,.2f} 元" for date, text, amount in transactions]
    return "\n".join(lines)
