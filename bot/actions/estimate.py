"""Reimbursement estimate: insurance type, visit type and total cost → the policy table's arithmetic,
shown step by step with the source of every figure (knowledge.policy_table owns the figures)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, texts
from bot.actions.forms import LEAVING_INTENTS, FormWithExits
from bot.actions.replies import Citation, main_menu, reply
from bot.actions.slot_values import insurance_type, parse_amount, visit_type

MAX_TOTAL_COST = 10_000_000  # yuan; anything above is a typo, not a hospital bill
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
        amount = parse_amount(str(entity)) if entity else None
        text = tracker.latest_message.get("text") or ""
        amount = amount or parse_amount(text)
        if amount is None:
            return {"total_cost": text} if asked and text else {}  # validation explains what is expected
        return {"total_cost": amount}

    def validate_insurance_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = insurance_type(str(value or ""))
        if kind is None:
            reply(dispatcher, tracker, texts.INVALID_INSURANCE_TYPE, intent=INTENT)
        return {"insurance_type": kind}

    def validate_visit_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = visit_type(str(value or ""))
        if kind is None:
            reply(dispatcher, tracker, texts.INVALID_VISIT_TYPE, intent=INTENT)
        return {"visit_type": kind}

    def validate_total_cost(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        amount = value if isinstance(value, int | float) else parse_amount(str(value or ""))
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
        # 新农合 was merged into 城乡居民医保: compute with the residents' rules and say so.
        table_kind = "居民" if kind == "新农合" else kind
        reset = [SlotSet(slot, None) for slot in ("insurance_type", "visit_type", "total_cost", "hospital_level")]
        try:
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
        lines = [texts.NEW_RURAL_MERGED] if kind == "新农合" else []
        lines.append(result.explain())
        complete = bool(getattr(result, "complete", False)) and result.reimbursed is not None
        reply(dispatcher, tracker, "\n".join(lines), citations=[Citation.of(s) for s in result.sources],
              confidence=1.0 if complete else 0.5, intent=INTENT, buttons=main_menu(),
              handoff=result.reimbursed is None)
        return reset
