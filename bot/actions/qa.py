"""One-turn answers: policy questions from the knowledge base, drug lookups in the catalog, NLU fallback."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, curated, followup, passages, texts
from bot.actions.intents import DEFAULT_QUESTIONS, INTENT_TOPICS
from bot.actions.replies import Citation, buttons, latest_intent, main_menu, reply
from knowledge.answer import ASKS
from yibao.settings import get_settings

_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def question_text(tracker: Tracker) -> str:
    """The user's question; a bare button payload ("/ask_catalog") stands for the topic's general question."""
    text = (tracker.latest_message.get("text") or "").strip()
    if text.startswith("/"):
        return DEFAULT_QUESTIONS.get(latest_intent(tracker)[0], "")
    return text[: get_settings().max_question_chars]


# The action a question's topic leads to, offered as a button after the documents' answer: a form or a personal
# lookup starts when the patient taps it, not because a question mentioned its topic (bot/components/speech_act.py).
OFFERS: dict[str, tuple[str, str]] = {
    "ask_reimbursement": ("帮我估算报销金额", "/estimate_reimbursement"),
    "ask_remote_filing": ("一步步办理异地就医备案", "/guide_remote_filing"),
    "ask_special_disease": ("慢特病申请指引", "/guide_special_disease"),
}
_ACCOUNT_WORDS = re.compile(r"个人账户|个人帐户|个账|余额|账户")
BALANCE_OFFER = ("查询我的个人账户", "/check_balance")


def offer_buttons(intent: str, query: str) -> list[dict[str, str]]:
    offers = [OFFERS[intent]] if intent in OFFERS else []
    if _ACCOUNT_WORDS.search(query):
        offers.append(BALANCE_OFFER)
    return buttons(offers)


def understood_question(tracker: Tracker, query: str) -> tuple[str, bool, str | None]:
    """The question as meant: an elliptical follow-up joined to the previous question (bot/actions/followup.py).
    Returns the question, whether it is such a follow-up, and otherwise the previous question as its context (a
    question with words of its own may still lean on the turn before: "材料不全的话，多久会通知补？")."""
    previous = tracker.get_slot("topic_question")
    resolved = followup.resolve(query, previous, backends.own_topic(query)) if previous else query
    is_followup = resolved != query
    return resolved, is_followup, None if is_followup else previous


def documents_answer(tracker: Tracker, query: str) -> Any | None:
    """The documents' answer to ``query`` (read as a follow-up where it is one), or None when they do not answer
    it or are unavailable. Pass it on to ``answer_from_knowledge_base`` so that it is not looked up twice."""
    try:
        question, is_followup, context = understood_question(tracker, query)
        outcome = backends.find_answer(question, None, whole_focus=is_followup, context=context)
    except backends.BackendUnavailable:
        return None
    return outcome if outcome.refusal is None else None


def answer_from_knowledge_base(dispatcher: CollectingDispatcher, tracker: Tracker, query: str,
                               unknown_drug: str | None = None, found: Any | None = None) -> list[Any]:
    """Answer from the documents, or say honestly that they do not answer it. Returns the events to apply.
    ``unknown_drug``: a drug name the catalog does not know, said first when the documents do not answer.
    ``found``: the outcome ``documents_answer`` already looked up for this query (same intent topics: none)."""
    if curated.answer_curated(dispatcher, tracker, query):  # staff's curated answers first (knowledge.faq)
        return []
    intent, _ = latest_intent(tracker)
    if not _MEANINGFUL.search(query):
        reply(dispatcher, tracker, texts.EMPTY_INPUT, buttons=main_menu(), fallback=True, refusal="empty")
        return []
    try:
        question, is_followup, context = understood_question(tracker, query)
        # "职工" / "5000" with nothing to continue; a question that merely holds a number ("叫120救护车的钱
        # 医保能报吗") is a question.
        if intent == "inform" and not is_followup and not ASKS.search(query):
            reply(dispatcher, tracker, texts.INFORM_WITHOUT_CONTEXT, buttons=main_menu())
            return []
        outcome = found or backends.find_answer(question, INTENT_TOPICS.get(intent), whole_focus=is_followup,
                                                context=context)
    except backends.BackendUnavailable as exc:
        reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
              fallback=True, handoff=True, refusal="unavailable")
        return []
    if outcome.refusal:
        text = refusal_text(outcome)
        if unknown_drug:
            text = texts.CATALOG_NOT_FOUND.format(name=unknown_drug) + text
        reply(dispatcher, tracker, text, confidence=outcome.confidence, fallback=True, handoff=True,
              buttons=main_menu(), refusal=outcome.refusal)
        return [SlotSet("topic_question", outcome.question.focus)]
    text, citations = passages.compose_answer(outcome)
    reply(dispatcher, tracker, text, citations=citations, confidence=outcome.confidence,
          buttons=offer_buttons(intent, question))
    return [SlotSet("topic_question", outcome.question.focus)]


def refusal_text(outcome: Any) -> str:
    """Honest and specific: what the documents do not say, the nearest thing they do say (no figures), and
    where to ask. Never a figure: a figure would be passed off as the answer."""
    q = outcome.question
    if outcome.refusal == "unknown_place":
        places = "、".join(q.unknown_places or q.named_places)
        return texts.NOT_THAT_PLACE.format(places=places, help=texts.human_help())
    if outcome.refusal == "unknown_year":
        return texts.NOT_THAT_YEAR.format(help=texts.human_help())
    if outcome.refusal == "out_of_scope":  # how to treat: the doctor's
        return texts.OUT_OF_SCOPE
    nearest = ""
    if outcome.nearest is not None and outcome.nearest.coverage > 0:
        section = re.sub(r"\d+", "", str(outcome.nearest.hit.section).split(" > ")[-1]).strip()
        missing = "、".join(f"“{t}”" for t in outcome.nearest.missing[:2] if not re.search(r"\d", t))
        nearest = texts.NEAREST_POINT.format(doc=outcome.nearest.hit.doc_title, section=section,
                                             missing=missing or "您问的这一点")
    return texts.NOT_IN_DOCUMENTS.format(nearest=nearest, help=texts.human_help())


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        return answer_from_knowledge_base(dispatcher, tracker, question_text(tracker))


class ActionFallback(ActionAnswerQuestion):
    """Low NLU confidence: the knowledge base may still know; if it does not, hand over to a person."""

    def name(self) -> str:
        return "action_fallback"


# Words around a drug name in a catalog question; what is left is the name to look up.
_CATALOG_FILLER = re.compile(
    r"(请问|请|问一下|想问|帮我查查?|查一下|查查|我想知道|这个药|这种药|这药|药品|医保目录|目录里|目录|医保卡|医保|"
    r"能不能|可不可以|可以|能|报销|报不报|报吗|报|吗|呢|啊|吧|是不是|是|属于|哪一类|哪类|什么|甲类还是乙类|甲类|乙类|"
    r"用|买|在|里|不在|的|了|走|刷|和|或|还是|[？?！!，,。.\s])"
)


def drug_candidate(tracker: Tracker) -> str | None:
    """The drug the user asks about: the extracted entity, else the question minus its filler words."""
    entity = next(tracker.get_latest_entity_values("drug"), None)
    if entity:
        return str(entity)
    rest = _CATALOG_FILLER.sub("", question_text(tracker))
    return rest if 2 <= len(rest) <= 20 else None


class ActionCatalogLookup(Action):
    """One drug looked up in the catalog table when the catalog recognises its name; every other catalog
    question (甲类/乙类, who sets the catalog, …) is answered from the documents ("医保目录是谁定的" names no drug)."""

    def name(self) -> str:
        return "action_catalog_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        name = drug_candidate(tracker)
        try:
            found = backends.catalog_answer(name) if name else None
        except backends.BackendUnavailable as exc:
            reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
                  fallback=True, handoff=True, refusal="unavailable")
            return []
        if found is None or not found.recognised:
            entity = next(tracker.get_latest_entity_values("drug"), None)
            return answer_from_knowledge_base(dispatcher, tracker, question_text(tracker), unknown_drug=entity)
        # The catalog phrases its own rows (category explained, restriction, data source); the bot cites them.
        citations = [replace(Citation.of(c), quote=c.quote[: passages.QUOTE_CHARS]) for c in found.citations]
        reply(dispatcher, tracker, found.recognised_text, citations=citations, confidence=found.confidence)
        return []
