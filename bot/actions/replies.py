"""The one place that sends an answer: text (+ buttons) followed by the `answer_meta` custom message
described in docs/CONTRACTS.md, which kiosk_api merges into its reply."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import texts
from bot.actions.related import MAX_RELATED, MIN_RELATED, related_questions
from yibao.answer_meta import AnswerMeta, Citation, ExpectInput

__all__ = ["Citation", "ExpectInput", "buttons", "latest_intent", "main_menu", "not_sure", "reply"]


def latest_intent(tracker: Tracker) -> tuple[str, float]:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def buttons(choices: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in choices]


def main_menu() -> list[dict[str, str]]:
    return buttons(texts.MAIN_MENU)


def reply(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    text: str,
    *,
    buttons: list[dict[str, str]] | None = None,
    citations: list[Citation] | tuple[Citation, ...] = (),
    confidence: float | None = None,
    fallback: bool = False,
    handoff: bool = False,
    expect_input: ExpectInput | None = None,
    intent: str | None = None,
    refusal: str | None = None,
    institutions: list[dict[str, Any]] | None = None,
    show: str | None = None,
) -> None:
    """Send one answer. ``institutions`` (定点机构 cards) and ``show`` (``SHOW_STATEMENT``) are for the pages.
    ``confidence`` is the answer's (retrieval) confidence when there is one,
    otherwise the intent confidence; both are also sent separately."""
    nlu_intent, nlu_confidence = latest_intent(tracker)
    topic = subtopic = None
    if citations and not fallback and expect_input is None:
        # Every answer is followed by related questions (they replace the generic menu; an action the answer
        # offers, such as the estimate, stays after them), and says where it sits in the topic tree so the
        # kiosk's "返回上一级" knows where to go.
        related = related_questions(str(tracker.latest_message.get("text") or ""), intent or nlu_intent)
        if related.questions:
            offered = [] if not buttons or buttons == main_menu() else buttons
            # At most four buttons in all where the answer offers an action: the screen stays calm.
            room = max(MIN_RELATED, MAX_RELATED - len(offered))
            buttons = [b for b in related.buttons() if b not in offered][:room] + offered
        topic, subtopic = related.topic, related.subtopic
    dispatcher.utter_message(text=text, buttons=buttons or [])
    meta = AnswerMeta(
        intent=intent or nlu_intent,
        confidence=round(nlu_confidence if confidence is None else confidence, 4),
        intent_confidence=round(nlu_confidence, 4),
        citations=tuple(citations),
        # A refusal is not an answer, whatever its kind: the maintainers' unanswered queue must see it.
        fallback=fallback or refusal is not None,
        handoff=handoff or fallback,
        expect_input=expect_input,
        # why the assistant did not answer (yibao.answer_meta.REFUSALS); None for an answer
        refusal=refusal,
        topic=topic,
        subtopic=subtopic,
        institutions=None if institutions is None else tuple(institutions),
        show=show,
    )
    dispatcher.utter_message(json_message=meta.as_message())


def not_sure(
    dispatcher: CollectingDispatcher, tracker: Tracker, confidence: float = 0.0, intent: str | None = None
) -> None:
    """The fallback answer: say so, point to a person, flag the handoff for the kiosk."""
    reply(dispatcher, tracker, texts.NOT_SURE.format(help=texts.human_help()), confidence=confidence,
          fallback=True, handoff=True, buttons=main_menu(), intent=intent, refusal="not_in_documents")
