"""One-turn answers: policy questions from the knowledge base, drug lookups in the catalog, NLU fallback."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import backends, curated, passages, texts
from bot.actions.meta import Citation, latest_intent, main_menu, not_sure, reply
from bot.actions.vocabulary import DEFAULT_QUESTIONS, INTENT_TOPICS
from yibao.settings import get_settings

MAX_QUERY_CHARS = 300
_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def question_text(tracker: Tracker) -> str:
    """The user's question; a bare button payload ("/ask_catalog") stands for the topic's general question."""
    text = (tracker.latest_message.get("text") or "").strip()
    if text.startswith("/"):
        return DEFAULT_QUESTIONS.get(latest_intent(tracker)[0], "")
    return text[:MAX_QUERY_CHARS]


def search_answer(query: str, intent: str) -> tuple[list[Any], float]:
    """Selected hits (empty when not sure) and the best confidence seen. Searches the intent's topic first,
    then everything: a misclassified question still finds its passage."""
    threshold = get_settings().answer_threshold
    topics = INTENT_TOPICS.get(intent)
    hits = backends.search(query, topics)
    if topics is not None and passages.select(hits, threshold) == []:
        hits = backends.search(query, None)
    best = max((float(h.confidence) for h in hits), default=0.0)
    return passages.select(hits, threshold), best


def answer_from_knowledge_base(dispatcher: CollectingDispatcher, tracker: Tracker, query: str) -> None:
    if curated.answer_curated(dispatcher, tracker, query):  # staff's curated answers first (knowledge.faq)
        return
    intent, _ = latest_intent(tracker)
    if not _MEANINGFUL.search(query):
        reply(dispatcher, tracker, texts.EMPTY_INPUT, buttons=main_menu(), fallback=True)
        return
    try:
        chosen, best = search_answer(query, intent)
    except backends.BackendUnavailable as exc:
        reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
              fallback=True, handoff=True)
        return
    if not chosen:
        not_sure(dispatcher, tracker, confidence=best)
        return
    text, citations = passages.compose(chosen, query)
    reply(dispatcher, tracker, text, citations=citations, confidence=max(float(h.confidence) for h in chosen))


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        answer_from_knowledge_base(dispatcher, tracker, question_text(tracker))
        return []


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
_GENERIC_CATALOG = (
    "甲类", "乙类", "目录外", "自费", "处方", "耗材", "诊疗", "分类", "几类", "饮片", "保健品", "化妆品",
    "进口", "靶向", "针灸", "推拿", "限定支付", "目录在哪",
)


def drug_candidate(tracker: Tracker) -> str | None:
    """The drug the user asks about: the extracted entity, else the question minus its filler words."""
    entity = next(tracker.get_latest_entity_values("drug"), None)
    if entity:
        return str(entity)
    text = question_text(tracker)
    if any(word in text for word in _GENERIC_CATALOG):
        return None
    rest = _CATALOG_FILLER.sub("", text)
    return rest if 2 <= len(rest) <= 20 else None


def _score(match: Any) -> float:
    score = float(match.score)
    return score / 100 if score > 1 else score


class ActionCatalogLookup(Action):
    """甲/乙/目录外 explained from the documents, or one drug looked up in the catalog table."""

    min_score = 0.8

    def name(self) -> str:
        return "action_catalog_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[Any]:
        name = drug_candidate(tracker)
        if not name:
            answer_from_knowledge_base(dispatcher, tracker, question_text(tracker))
            return []
        try:
            matches = [m for m in backends.catalog_lookup(name) if _score(m) >= self.min_score]
        except backends.BackendUnavailable as exc:
            reply(dispatcher, tracker, texts.BACKEND_UNAVAILABLE.format(what=exc, help=texts.human_help()),
                  fallback=True, handoff=True)
            return []
        if not matches:
            reply(dispatcher, tracker, texts.CATALOG_NOT_FOUND.format(name=name) + texts.human_help(),
                  confidence=0.0, handoff=True, buttons=main_menu())
            return []
        self._answer_match(dispatcher, tracker, matches)
        return []

    def _answer_match(self, dispatcher: CollectingDispatcher, tracker: Tracker, matches: list[Any]) -> None:
        """The catalog phrases its own rows (category explained, restriction, data source); the bot cites them."""
        best = matches[0]
        lines = [best.to_chinese()]
        citations = [Citation(doc=str(best.source), section=str(best.category), passage_id=f"catalog:{best.name}",
                              quote=lines[0][:passages.QUOTE_CHARS])]
        category_source = getattr(best, "citation", None)
        if category_source is not None:
            lines.append(category_source.cite())
            citations.append(Citation.of(category_source))
        others = [m.name for m in matches[1:4] if m.name != best.name]
        if others:
            lines.append(texts.CATALOG_OTHER_MATCHES.format(names="、".join(others)))
        reply(dispatcher, tracker, "\n".join(lines), citations=citations, confidence=_score(best))
