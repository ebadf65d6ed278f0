"""Curated answers (written by staff from the unanswered queue, ``knowledge.faq``) come before retrieval."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.replies import Citation, reply

logger = logging.getLogger(__name__)


def answer_curated(dispatcher: CollectingDispatcher, tracker: Tracker, query: str) -> bool:
    """Send the curated answer for this question, with its source, and say so; False when there is none
    (or the curated answers cannot be read right now: retrieval answers instead)."""
    try:
        from knowledge.faq import curated_answer

        match = curated_answer(query)
    except Exception:  # the database or the index is unavailable: the normal answer path handles it
        logger.exception("curated answers unavailable")
        return False
    if match is None:
        return False
    citation = Citation.of(match.citation)
    text = f"{match.answer.answer}\n来源：《{citation.doc}》 {citation.section}"
    reply(dispatcher, tracker, text, citations=[citation], confidence=match.score)
    return True
