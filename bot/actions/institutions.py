"""定点医药机构名录 questions: "附近哪家药店能刷医保", "哪些医院能异地直接结算", "市一医院电话多少".

The reply lists only institutions found in the directory (institutions/), each as a card for the kiosk and the
widget; a name the list does not hold is said to be not in the list. A question about designated institutions
that names nothing to search by ("定点医院是什么意思") is answered from the policy documents instead.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, texts
from bot.actions.qa import answer_from_knowledge_base, question_text
from bot.actions.replies import Citation, buttons, reply

INTENT = "ask_institution"
MAX_CARDS = 3
# Buttons offered when the patient only pressed "定点机构" (no question yet): whole questions the action understands.
STARTERS = [
    ("附近能刷医保的药店", "附近能刷医保的药店"),
    ("能外配处方的药店", "附近能外配处方的药店"),
    ("能跨省直接结算的医院", "哪些医院能跨省异地直接结算"),
    ("门诊慢特病定点医院", "哪些医院是门诊慢特病定点"),
    ("24小时药店", "附近24小时营业的药店"),
]


class ActionInstitutionLookup(Action):
    def name(self) -> str:
        return "action_institution_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        raw = (tracker.latest_message.get("text") or "").strip()
        question = "" if raw.startswith("/") else question_text(tracker)
        if not question:
            reply(dispatcher, tracker, texts.INSTITUTION_START, intent=INTENT, buttons=buttons(STARTERS))
            return []
        try:
            answer = backends.institution_answer(question, MAX_CARDS)
        except backends.BackendUnavailable as exc:
            reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
                  intent=INTENT, fallback=True, handoff=True)
            return []
        if not answer.understood:
            answer_from_knowledge_base(dispatcher, tracker, question)
            return []
        citations = [Citation(doc=answer.label, section="定点医药机构名录", passage_id=f"institution:{c['code']}",
                              quote=f"{c['name']}：{c['address']}") for c in answer.cards]
        reply(dispatcher, tracker, answer.text, intent=INTENT, citations=citations,
              confidence=1.0 if answer.found else 0.0, handoff=not answer.found,
              buttons=None if answer.found else buttons(STARTERS[:3]),
              institutions=answer.cards)
        return []
