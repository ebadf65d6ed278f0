"""Small talk, refusals, handoff, stopping a form and the kiosk's fresh start for every session."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, qa, texts
from bot.actions.forms import FORMS, form_reset_events
from bot.actions.replies import latest_intent, main_menu, reply
from knowledge.answer import ASKS_TREATMENT

_SMALL_TALK = {
    "greet": texts.GREET,
    "goodbye": texts.GOODBYE,
    "thank": texts.THANK,
    "affirm": texts.AFFIRM,
    "deny": texts.DENY,
}


class ActionSmallTalk(Action):
    def name(self) -> str:
        return "action_small_talk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        intent, _ = latest_intent(tracker)
        menu = intent in {"greet", "deny", "affirm"}
        reply(dispatcher, tracker, _SMALL_TALK.get(intent, texts.GREET), buttons=main_menu() if menu else None)
        return []


# Medical advice is the doctor's: never looked up in the policy documents, whatever words it shares with them.
# NLU has already placed the message outside the policy, so a symptom alone is enough here.
MEDICAL_ADVICE = re.compile(rf"{ASKS_TREATMENT.pattern}|能治|症状|疼|痛|发烧|咳嗽|过敏|拉肚子")


class ActionOutOfScope(Action):
    """Weather, tickets, and above all medical advice: a polite refusal that points to the doctor. A message
    NLU could not place (whole pinyin, a typo, a bare "医疗救助管谁") is first read against the documents: when
    they answer it, that answer is given instead (it is cited and checked like any other)."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        in_form = tracker.active_loop.get("name") is not None
        text = qa.question_text(tracker)
        found = None if in_form or MEDICAL_ADVICE.search(text) else qa.documents_answer(tracker, text)
        if found is not None:
            return qa.answer_from_knowledge_base(dispatcher, tracker, text, found=found)
        reply(dispatcher, tracker, texts.OUT_OF_SCOPE, intent="out_of_scope", buttons=None if in_form else main_menu(),
              refusal="out_of_scope")
        return []


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        reply(dispatcher, tracker, texts.HANDOFF.format(help=texts.human_help()), intent="request_human", handoff=True)
        return form_reset_events("balance_form")


class ActionStopForm(Action):
    """The patient changed their mind mid-form: confirm, forget what the form collected."""

    def name(self) -> str:
        return "action_stop_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        form = _last_form(tracker)
        what, _ = FORMS.get(form or "", ("当前操作", []))
        intent, _ = latest_intent(tracker)
        template = texts.FORM_STOPPED_GOODBYE if intent == "goodbye" else texts.FORM_STOPPED
        reply(dispatcher, tracker, template.format(what=what), buttons=None if intent == "goodbye" else main_menu())
        return form_reset_events(form)


def _last_form(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None


class ActionSessionStart(Action):
    """A new session (first message, or after the idle timeout in domain.yml) never inherits the previous
    patient's verification: accounts revokes it for this conversation id."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        # Nothing to revoke when accounts is not available; backends logs why.
        with contextlib.suppress(backends.BackendUnavailable):
            backends.end_conversation(tracker.sender_id)
        return [SessionStarted(), ActionExecuted("action_listen")]
