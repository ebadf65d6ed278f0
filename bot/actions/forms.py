"""What every form shares: the base class of their validation actions, and the one place that says how a form
is left (its name when the patient stops it, the slots it forgets, which wishes leave it).

Imitates RasaHQ/financial-demo ``actions/custom_forms.py``: forms subclass ``FormWithExits`` instead of
``FormValidationAction``. At any prompt of any form, a message that asks for another service - a menu button
pressed at the wrong moment above all (old buttons stay clickable) - leaves the form cleanly: its slots are
forgotten (the PIN form's card number too), the form ends (``requested_slot`` None, as Rasa documents for
ending a form from its validation action) and Rasa runs that service next (``FollowupAction``). It is never
taken as an answer, and never rejected back into the same form: Rasa then predicted the form again and
again until its circuit breaker stopped the turn, and the conversation stayed stuck.

Stopping (否/再见/转人工) and off-topic questions are rules (bot/data/rules/NN-<topic>.yml); they use ``FORMS`` too.
A message with one of a form's ``LEAVING_INTENTS`` never fills its slots: domain.yml's ``not_intent`` lists
(YAML cannot import this module; tests/bot/test_bot_form_exits.py checks they are these sets) and the custom
extractions of balance.py and estimate.py.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from rasa_sdk.utils import all_subclasses

# What each form is called when the patient cancels it, and the slots it leaves behind.
FORMS: dict[str, tuple[str, list[str]]] = {
    "remote_filing_form": ("异地就医备案指引", ["filing_type"]),
    "special_disease_form": ("慢特病申请指引", ["disease"]),
    "estimate_form": ("报销估算", ["insurance_type", "visit_type", "total_cost", "hospital_level"]),
    "balance_form": ("余额查询", ["card_number", "pin", "balance_verified"]),
    "balance_otp_form": ("余额查询", ["card_number", "id_last6", "otp", "balance_verified"]),
}

# Intents whose message is the patient leaving a form, never an answer to its prompt: stopping, greeting,
# thanking, asking for a person or for something off-topic ...
_ALWAYS_LEAVING = frozenset({"deny", "out_of_scope", "request_human", "goodbye", "greet", "thank"})
# ... and, per form, the other service its prompt is most often left for: the balance from a guide or the
# estimate, the "forgot my PIN" way from the card-number and PIN prompts.
LEAVING_INTENTS: dict[str, frozenset[str]] = {
    "remote_filing_form": _ALWAYS_LEAVING | {"check_balance"},
    "special_disease_form": _ALWAYS_LEAVING | {"check_balance"},
    "estimate_form": _ALWAYS_LEAVING | {"check_balance"},
    "balance_form": _ALWAYS_LEAVING | {"forgot_pin"},
    "balance_otp_form": _ALWAYS_LEAVING | {"forgot_pin"},
}

# Intents that start a service of their own (the main menu's buttons, the PIN prompt's "forgot my PIN") and
# the action that starts it. At a form's prompt they leave the form for that service.
SERVICE_STARTS: dict[str, str] = {
    "check_balance": "balance_form",
    "forgot_pin": "balance_otp_form",
    "estimate_reimbursement": "estimate_form",
    "guide_special_disease": "special_disease_form",
    "guide_remote_filing": "remote_filing_form",
    "ask_catalog": "action_catalog_lookup",
}


def form_reset_events(form: str | None) -> list[Any]:
    """Clear a form's slots (the PIN above all) so a cancelled form starts from scratch next time."""
    _, slots = FORMS.get(form or "", ("", []))
    return [SlotSet(slot, None) for slot in slots]


def is_button_payload(tracker: Tracker) -> bool:
    """A tapped button (or a hand-typed payload): Rasa's ``/intent{...}`` form, never a patient's words."""
    return str(tracker.latest_message.get("text") or "").startswith("/")


class FormWithExits(FormValidationAction, ABC):
    """Base of every ``validate_<form>`` action of 医保通 (abstract: rasa-sdk registers only the subclasses)."""

    @abstractmethod
    def name(self) -> str: ...

    def service_asked_for(self, tracker: Tracker) -> str | None:
        """The action of another service the latest message asks for at this form's prompt, else None."""
        if tracker.active_loop.get("name") != self.form_name() or not tracker.get_slot("requested_slot"):
            return None  # activation (possibly by a FollowupAction of ours): nothing was asked yet
        if not self._answers_the_prompt(tracker):
            return None  # back in the form after an answer to a side question: nothing new was said
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return SERVICE_STARTS.get(str(intent))

    def _answers_the_prompt(self, tracker: Tracker) -> bool:
        """Whether the latest user message is what the form runs on now (no other action ran since it).

        Rasa hands a validation action a tracker in which this form's own execution is already logged.
        """
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                return True
            if event.get("event") == "action" and event.get("name") not in {self.form_name(), "action_listen"}:
                return False
        return False

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        service = self.service_asked_for(tracker)
        if service is None:
            return await super().run(dispatcher, _without_empty_candidates(tracker), domain)
        if not is_button_payload(tracker):
            # Typed words may still answer the prompt ("糖尿病" can be read as a wish to apply): they do if a slot
            # of the form validates (for the PIN: accounts' verdict); only then is what the validation said shown.
            trial = CollectingDispatcher()
            events = await super().run(trial, copy.deepcopy(tracker), domain)
            _, form_slots = FORMS.get(self.form_name(), ("", []))
            if any(e.get("event") == "slot" and e.get("name") in form_slots and e.get("value") is not None
                   for e in events):
                dispatcher.messages.extend(trial.messages)
                return events
        return await self.leave(service, dispatcher, tracker, domain)

    async def leave(
        self, service: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[Any]:
        """End this form, forgetting what it collected, and start ``service``.

        A form is started by Rasa (``FollowupAction``). An answer is given here, and the turn ends with it:
        left to the policies after a form ended this way, the answer action was predicted again and again.
        """
        events = [*form_reset_events(self.form_name()), SlotSet("requested_slot", None)]
        if service in FORMS:
            return [*events, FollowupAction(service)]
        answer = _action_named(service)
        events += await answer.run(dispatcher, tracker, domain) or []
        return [*events, FollowupAction("action_listen")]


def _action_named(name: str) -> Action:
    """The custom action called ``name`` (the ones rasa-sdk registers)."""
    import bot.actions

    for module in pkgutil.iter_modules(bot.actions.__path__, "bot.actions."):
        importlib.import_module(module.name)  # as rasa-sdk does: every module of the package
    for cls in all_subclasses(Action):
        if not inspect.isabstract(cls) and cls.__module__.startswith("bot.actions"):
            action = cls()
            if action.name() == name:
                return action
    raise LookupError(f"no action {name!r} in bot.actions")


def _without_empty_candidates(tracker: Tracker) -> Tracker:
    """The tracker without the empty slot candidates Rasa appends (rasa-sdk validates the trailing slot events).

    Leaving a form resets its slots to None; when the same form starts again in that turn Rasa hands those
    resets back as candidates, and validating "nothing" could only complain ("请选择…") before the first question.
    """
    events = list(tracker.events)
    tail = len(events)
    while tail and events[tail - 1].get("event") == "slot":
        tail -= 1
    kept = [e for e in events[tail:] if e.get("value") is not None or e.get("name") == "requested_slot"]
    if len(kept) == len(events) - tail:
        return tracker
    trimmed = copy.copy(tracker)
    trimmed.events = events[:tail] + kept
    return trimmed
