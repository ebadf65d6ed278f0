"""Personal-account balance: card number + PIN verified by accounts, then the balance it discloses.

Nothing about an account is shown unless accounts itself says this conversation is verified
(``disclose_balance`` returns None otherwise), whatever the message claims (ID numbers, "我是管理员"...).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, texts
from bot.actions.forms import LEAVING_INTENTS, FormWithExits
from bot.actions.replies import main_menu, reply
from yibao.answer_meta import SHOW_STATEMENT
from yibao.inputs import ID_LAST6_PATTERN, PIN_PATTERN, strip_separators, valid_card

INTENT = "check_balance"
MAX_TRANSACTIONS = 5


def _channel(tracker: Tracker) -> str:
    """kiosk / widget / staff as kiosk_api labels it in the message metadata, else Rasa's input channel."""
    metadata = tracker.latest_message.get("metadata") or {}
    return str(metadata.get("channel") or tracker.get_latest_input_channel() or "rest")


def _typed(tracker: Tracker, slot: str) -> dict[str, Any]:
    """What the patient typed at the prompt for ``slot`` (a secret: read here, never mapped by Rasa)."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    text = tracker.latest_message.get("text") or ""
    # A reply to "请输入密码" with a leaving intent is the patient leaving the form, not a PIN (both balance forms
    # have the same leaving intents).
    if intent in LEAVING_INTENTS["balance_form"] or text.startswith("/"):
        return {}
    return {slot: strip_separators(text).upper()}


class _BalanceValidation(FormWithExits):
    """Shared by both ways of verifying: the card number, and ending the form once accounts has decided."""

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        # Verified (True) or locked out (False): nothing more to ask, the form ends.
        if tracker.get_slot("balance_verified") is not None:
            return []
        return domain_slots

    @abstractmethod
    def name(self) -> str:  # abstract: rasa-sdk registers only the two concrete forms below
        ...

    def validate_card_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        card = strip_separators(str(value or ""))
        if not valid_card(card):
            reply(dispatcher, tracker, texts.INVALID_CARD_NUMBER, intent=INTENT, expect_input="card_number")
            return {"card_number": None}
        return {"card_number": card}

    def _verify_secret(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, value: Any, invalid_text: str,
        verify: Callable[[str], Any],
    ) -> dict[str, Any]:
        """A PIN or one-time code (6 digits): refused if malformed, else accounts' verdict on it."""
        secret, retry = str(value or ""), {slot: None}
        if not PIN_PATTERN.fullmatch(secret):
            reply(dispatcher, tracker, invalid_text, intent=INTENT, expect_input=slot)
            return retry
        try:
            result = verify(secret)
        except backends.BackendUnavailable as exc:
            return self._unavailable(dispatcher, tracker, exc, retry)
        return self._verdict(dispatcher, tracker, result, retry)

    def _verdict(self, dispatcher: CollectingDispatcher, tracker: Tracker, result: Any, retry: dict[str, Any]
                 ) -> dict[str, Any]:
        """accounts' answer → slots; its message is generic and never says which input was wrong."""
        if result.ok:
            return {**retry, "balance_verified": True}
        if result.locked:
            reply(dispatcher, tracker, f"{result.message}\n" + texts.BALANCE_LOCKED.format(help=texts.human_help()),
                  intent=INTENT, handoff=True)
            return {**retry, "balance_verified": False}
        reply(dispatcher, tracker, str(result.message), intent=INTENT)
        return retry

    def _unavailable(self, dispatcher: CollectingDispatcher, tracker: Tracker, exc: Exception,
                     retry: dict[str, Any]) -> dict[str, Any]:
        reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
              intent=INTENT, fallback=True, handoff=True)
        return {**retry, "balance_verified": False}


class ValidateBalanceForm(_BalanceValidation):
    def name(self) -> str:
        return "validate_balance_form"

    def extract_pin(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return _typed(tracker, "pin")

    def validate_pin(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._verify_secret(
            dispatcher, tracker, "pin", value, texts.INVALID_PIN,
            lambda pin: backends.account_service().verify_pin(
                tracker.get_slot("card_number"), pin, conversation_id=tracker.sender_id, channel=_channel(tracker)
            ),
        )


class ValidateBalanceOtpForm(_BalanceValidation):
    """ID last six + SMS code, for patients without their PIN: accounts sends the code, then checks it."""

    def name(self) -> str:
        return "validate_balance_otp_form"

    def extract_id_last6(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
                         ) -> dict[str, Any]:
        return _typed(tracker, "id_last6")

    def extract_otp(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return _typed(tracker, "otp")

    def validate_id_last6(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        id_last6 = str(value or "")
        if not ID_LAST6_PATTERN.fullmatch(id_last6):
            reply(dispatcher, tracker, texts.INVALID_ID_LAST6, intent=INTENT, expect_input="id_last6")
            return {"id_last6": None}
        try:
            request = backends.account_service().request_otp(
                tracker.get_slot("card_number"), id_last6, conversation_id=tracker.sender_id,
                channel=_channel(tracker))
        except backends.BackendUnavailable as exc:
            return self._unavailable(dispatcher, tracker, exc, {"id_last6": None})
        reply(dispatcher, tracker, str(request.message), intent=INTENT, handoff=bool(request.locked))
        if request.locked:
            return {"id_last6": None, "balance_verified": False}
        return {"id_last6": id_last6 if request.accepted else None}

    def validate_otp(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._verify_secret(
            dispatcher, tracker, "otp", value, texts.INVALID_OTP,
            lambda otp: backends.account_service().verify_id_otp(
                tracker.get_slot("card_number"), tracker.get_slot("id_last6"), otp,
                conversation_id=tracker.sender_id, channel=_channel(tracker)),
        )


class ActionShowBalance(Action):
    def name(self) -> str:
        return "action_show_balance"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        reset = [SlotSet(slot, None) for slot in ("card_number", "pin", "id_last6", "otp", "balance_verified")]
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
        # The year-by-year statement goes from kiosk_api to the page, never through this conversation's tracker.
        reply(dispatcher, tracker, format_balance(view), intent=INTENT, confidence=1.0, buttons=main_menu(),
              show=SHOW_STATEMENT)
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
