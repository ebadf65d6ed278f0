"""Reimbursement estimate: insurance type, visit type and total cost → the policy table's arithmetic,
shown step by step with the source of every figure (knowledge.policy_table owns the figures)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, texts
from bot.actions.meta import Citation, main_menu, reply
from bot.actions.vocabulary import insurance_type, parse_amount, visit_type

MAX_TOTAL_COST = 10_000_000  # yuan; anything above is a typo, not a hospital bill
INTENT = "estimate_reimbursement"


class ValidateEstimateForm(FormValidationAction):
    def name(self) -> str:
        return "validate_estimate_form"

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


def as_citation(source: Any) -> Citation:
    """The policy table's sources may be Citation-like objects, dicts or plain strings."""
    if isinstance(source, dict):
        get = source.get
    else:
        def get(key: str, default: str = "") -> Any:
            return getattr(source, key, default)
    if isinstance(source, str):
        return Citation(doc=source, section="", passage_id="")
    return Citation(doc=str(get("doc", "") or get("doc_title", "")), section=str(get("section", "")),
                    passage_id=str(get("passage_id", "")), quote=str(get("quote", "")))


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
            reply(dispatcher, tracker, texts.ESTIMATE_UNAVAILABLE.format(
                insurance_type=kind, visit_type=visit, help=texts.human_help()), fallback=True, handoff=True,
                intent=INTENT, buttons=main_menu())
            return reset
        lines = [texts.ESTIMATE_TITLE.format(insurance_type=table_kind, visit_type=visit, total_cost=total)]
        if kind == "新农合":
            lines.append(texts.NEW_RURAL_MERGED)
        lines += [f"{n}. {step}" for n, step in enumerate(result.steps, 1)]
        lines += [texts.ESTIMATE_RESULT.format(reimbursed=result.reimbursed, self_pay=result.self_pay),
                  texts.ESTIMATE_DISCLAIMER]
        reply(dispatcher, tracker, "\n".join(lines), citations=[as_citation(s) for s in result.sources],
              confidence=1.0, intent=INTENT, buttons=main_menu())
        return reset
