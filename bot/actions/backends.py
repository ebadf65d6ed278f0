"""Lazy access to the other parts (knowledge base, catalog, policy table, accounts).

Imported inside functions so kiosk_api starts even when a part is missing or its data is not
built yet; callers turn a ``BackendUnavailable`` into a polite answer that points to the human window.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


class BackendUnavailable(RuntimeError):
    """A part of the system the answer needs cannot be used right now."""


def _call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # any failure of another part must not crash the conversation
        logger.exception("%s failed", what)
        raise BackendUnavailable(what) from exc


def knowledge_base() -> Any:
    def load() -> Any:
        from knowledge.retrieve import get_knowledge_base

        return get_knowledge_base()

    return _call("政策知识库", load)


def search(query: str, topics: list[str] | None, k: int = 5) -> list[Any]:
    kb = knowledge_base()
    return _call("政策知识库", kb.search, query, k=k, topics=topics)


def find_answer(query: str, topics: list[str] | None, whole_focus: bool = False, context: str | None = None) -> Any:
    """knowledge.answer.Outcome: the sentences that answer ``query``, or why the documents do not (``context``:
    the previous question, for one asked after it that names its own topic)."""
    from knowledge.answer import find_answer as answer

    kb = knowledge_base()
    return _call("政策知识库", answer, kb, query, topics, whole_focus, context)


def own_topic(query: str) -> bool:
    """Whether ``query`` names something the documents speak of (else it may be an elliptical follow-up)."""
    from knowledge.answer import key_terms

    kb = knowledge_base()
    return any(kb.knows(t) and kb.term_weight(t) >= OWN_TOPIC_WEIGHT for t, _ in key_terms(query))


# A word this specific (BM25 IDF) names a topic; generic words (材料, 时间, 办理) do not.
OWN_TOPIC_WEIGHT = 3.0


def catalog_answer(name: str, limit: int = 5) -> Any:
    """The catalog's answer to a drug name (knowledge.catalog.CatalogAnswer: recognised, confidence, text, …)."""
    def run() -> Any:
        from knowledge.catalog import answer

        return answer(name, limit=limit)

    return _call("药品目录", run)


def institution_answer(question: str, limit: int = 3) -> Any:
    """The directory's reply to a patient's question (institutions.answers.DirectoryAnswer)."""
    def run() -> Any:
        from institutions.answers import answer_question

        return answer_question(question, limit=limit)

    return _call("定点医药机构名录", run)


def policy_table() -> Any:
    """The configured policy table (knowledge.policy_table.PolicyTable): its figures and the names it knows."""
    def load() -> Any:
        from knowledge.policy_table import get_policy_table

        return get_policy_table()

    return _call("报销政策表", load)


def estimate(insurance_type: str, visit_type: str, total_cost: float, hospital_level: str | None) -> Any:
    def run() -> Any:
        from knowledge.policy_table import estimate as policy_estimate

        return policy_estimate(insurance_type, visit_type, total_cost, hospital_level=hospital_level)

    return _call("报销政策表", run)


def estimate_problem(insurance_type: str, visit_type: str, total_cost: float, hospital_level: str | None) -> str:
    """Why the policy table cannot estimate these inputs (a polite Chinese sentence), or ""."""
    def run() -> str:
        from knowledge.policy_table import check_estimate_inputs

        return check_estimate_inputs(insurance_type, visit_type, total_cost, hospital_level) or ""

    return _call("报销政策表", run)


def account_service() -> Any:
    def load() -> Any:
        from accounts.service import get_account_service

        return get_account_service()

    return _call("账户服务", load)


def end_conversation(conversation_id: str) -> None:
    service = account_service()
    _call("账户服务", service.end_conversation, conversation_id)
