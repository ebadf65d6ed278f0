"""`action_ask_<slot>`: how each form asks for its next slot (text, quick replies, keypad hint)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import texts
from bot.actions.filing_types import FILING_TYPE_CHOICES
from bot.actions.replies import ExpectInput, reply
from bot.actions.replies import buttons as buttons_for

# The buttons' titles; a tap sends the title, which the policy table reads like typed words (bot/actions/estimate.py).
INSURANCE_TYPE_CHOICES = ["职工医保", "城乡居民医保", "新农合"]
VISIT_TYPE_CHOICES = ["门诊", "住院", "门诊慢特病"]


def _inform_buttons(slot: str, choices: list[tuple[str, str]]) -> list[dict[str, str]]:
    # Payloads set the slot's entity directly, so a tap never depends on the NLU model.
    entity = {"total_cost": "amount"}.get(slot, slot)
    return [{"title": title, "payload": f'/inform{{"{entity}":"{value}"}}'} for title, value in choices]


class AskForSlot(Action, ABC):
    """Abstract (so rasa-sdk does not register it): subclasses set ``slot`` and ``text``."""

    text: str = ""
    choices: ClassVar[list[tuple[str, str]]] = []
    expect_input: ExpectInput | None = None
    form_intent: str = ""
    extra_buttons: ClassVar[list[tuple[str, str]]] = []

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        buttons = _inform_buttons(self.slot, self.choices) + buttons_for(self.extra_buttons)
        # The intent reported is the form's topic, not "inform": the patient is inside that topic's dialogue.
        reply(dispatcher, tracker, self.text, buttons=buttons, expect_input=self.expect_input,
              intent=self.form_intent or None)
        return []


class AskFilingType(AskForSlot):
    slot, text, form_intent = "filing_type", texts.ASK_FILING_TYPE, "guide_remote_filing"
    choices: ClassVar = [(choice, choice) for choice in FILING_TYPE_CHOICES]


class AskDisease(AskForSlot):
    slot, text, form_intent = "disease", texts.ASK_DISEASE, "guide_special_disease"


class AskInsuranceType(AskForSlot):
    slot, text, form_intent = "insurance_type", texts.ASK_INSURANCE_TYPE, "estimate_reimbursement"
    choices: ClassVar = [(choice, choice) for choice in INSURANCE_TYPE_CHOICES]


class AskVisitType(AskForSlot):
    slot, text, form_intent = "visit_type", texts.ASK_VISIT_TYPE, "estimate_reimbursement"
    choices: ClassVar = [(choice, choice) for choice in VISIT_TYPE_CHOICES]


class AskTotalCost(AskForSlot):
    # "amount": the kiosk shows its number keypad, so the estimate needs no keyboard either.
    slot, text, form_intent, expect_input = "total_cost", texts.ASK_TOTAL_COST, "estimate_reimbursement", "amount"


class AskCardNumber(AskForSlot):
    slot, text, form_intent, expect_input = "card_number", texts.ASK_CARD_NUMBER, "check_balance", "card_number"


class AskPin(AskForSlot):
    slot, text, form_intent, expect_input = "pin", texts.ASK_PIN, "check_balance", "pin"
    extra_buttons: ClassVar = [texts.FORGOT_PIN_BUTTON]


class AskIdLast6(AskForSlot):
    slot, text, form_intent, expect_input = "id_last6", texts.ASK_ID_LAST6, "check_balance", "id_last6"


class AskOtp(AskForSlot):
    slot, text, form_intent, expect_input = "otp", texts.ASK_OTP, "check_balance", "otp"
