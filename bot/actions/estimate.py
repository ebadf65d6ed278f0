"""Reimbursement estimate: insurance type, visit type and total cost → the policy table's arithmetic,
shown step by step with the source of every figure. knowledge.policy_table owns the figures and what the
patient's words mean: the insurance and visit type names the slots keep, and the amounts."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, texts
from bot.actions.forms import LEAVING_INTENTS, FormWithExits
from bot.actions.replies import Citation, main_menu, reply
from knowledge.policy_table import MAX_TOTAL_COST, amount_in

INTENT = "estimate_reimbursement"
_AMOUNT_INTENTS = {"estimate_reimbursement", "inform"}


class ValidateEstimateForm(FormWithExits):
    def name(self) -> str:
        return "validate_estimate_form"

    def extract_total_cost(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("total_cost") is not None:
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        asked = tracker.get_slot("requested_slot") == "total_cost"
        # An answer to "总费用多少" with a leaving intent is the patient leaving the form, not an amount.
        if (intent not in _AMOUNT_INTENTS and not asked) or intent in LEAVING_INTENTS["estimate_form"]:
            return {}
        entity = next(tracker.get_latest_entity_values("amount"), None)
        amount = amount_in(str(entity)) if entity else None
        text = tracker.latest_message.get("text") or ""
        amount = amount or amount_in(text)
        if amount is None:
            return {"total_cost": text} if asked and text else {}  # validation explains what is expected
        return {"total_cost": float(amount)}

    def validate_insurance_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._named("insurance_type", value, texts.INVALID_INSURANCE_TYPE, dispatcher, tracker)

    def validate_visit_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._named("visit_type", value, texts.INVALID_VISIT_TYPE, dispatcher, tracker)

    @staticmethod
    def _named(slot: str, value: Any, invalid: str, dispatcher: CollectingDispatcher,
               tracker: Tracker) -> dict[str, Any]:
        """The policy table's name for what the patient said (职工医保, 新农合, 住院, 普通门诊, …), or a re-ask."""
        try:
            table = backends.policy_table()
        except backends.BackendUnavailable as exc:
            reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
                  fallback=True, handoff=True, intent=INTENT)
            return {slot: None}
        read = table.named_insurance_type if slot == "insurance_type" else table.visit_type_of
        name = read(str(value or ""))
        if name is None:
            reply(dispatcher, tracker, invalid, intent=INTENT)
        return {slot: name}

    def validate_total_cost(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        amount = value if isinstance(value, int | float) else amount_in(str(value or ""))
        if amount is None or not 0 < amount <= MAX_TOTAL_COST:
            reply(dispatcher, tracker, texts.INVALID_TOTAL_COST, intent=INTENT)
            return {"total_cost": None}
        return {"total_cost": float(amount)}


class ActionEstimate(Action):
    def name(self) -> str:
        return "action_estimate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        kind = tracker.get_slot("insurance_type")
        visit = tracker.get_slot("visit_type")
        total = float(tracker.get_slot("total_cost") or 0)
        level = tracker.get_slot("hospital_level")
        reset = [SlotSet(slot, None) for slot in ("insurance_type", "visit_type", "total_cost", "hospital_level")]
        try:
            # A merged scheme (新农合 -> 居民医保) is computed with the type it became, and the reply says so.
            merged = backends.policy_table().merged_insurance_types.get(kind)
            table_kind = merged.into if merged else kind
            result = backends.estimate(table_kind, visit, total, level)
        except backends.BackendUnavailable as exc:
            reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
                  fallback=True, handoff=True, intent=INTENT)
            return reset
        if result is None:
            try:
                reason = backends.estimate_problem(table_kind, visit, total, level)
            except backends.BackendUnavailable:
                reason = ""
            reply(dispatcher, tracker, (reason or "") + texts.ESTIMATE_UNAVAILABLE.format(
                insurance_type=kind, visit_type=visit, help=texts.human_help()), fallback=True, handoff=True,
                intent=INTENT, buttons=main_menu())
            return reset
        lines = [texts.MERGED_INSURANCE_TYPE.format(note=merged.note)] if merged and merged.note else []
        lines.append(result.explain())
        complete = bool(getattr(result, "complete", False)) and result.reimbursed is not None
        reply(dispatcher, tracker, "\n".join(lines), citations=[Citation.of(s) for s in result.sources],
              confidence=1.0 if complete else 0.5, intent=INTENT, buttons=main_menu(),
              handoff=result.reimbursed is None)
        return reset
