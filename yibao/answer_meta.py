"""The ``answer_meta`` message (docs/CONTRACTS.md) in one place: its citation and meta types, the message a
reply sends, and the one way every reader finds it in a list of messages.

    meta = AnswerMeta(intent="ask_policy", confidence=0.82, citations=(Citation(doc, section, passage_id, quote),))
    dispatcher.utter_message(json_message=meta.as_message())  # bot/actions/replies.py, the one sender
    metas = find_answer_meta(messages)  # REST channel outputs, rasa-sdk dispatcher messages, BotUttered data
    turn = merged(metas)                # an answer, then a form's question: one meta for the turn

A meta crosses a process boundary (Rasa -> kiosk_api, the tracker store, ``yibao ask``), so ``parse`` reads it
defensively: unknown ``expect_input`` values, citations without a document and malformed fields are dropped,
confidences are kept inside 0..1, short texts are cut to their bounds.

Standard library only: it loads in both virtual environments (the tracker store reads ``expect_input`` in
``.venv-rasa``, Python 3.10 with pydantic 1); kiosk_api's response models (pydantic 2) use ``Citation`` and
``ExpectInput`` as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

TYPE = "answer_meta"
ExpectInput = Literal["card_number", "pin", "id_last6", "otp", "amount"]
INPUT_KINDS = frozenset(get_args(ExpectInput))
# Why nothing was answered (``refusal``); null for an answer.
REFUSALS = ("not_in_documents", "unknown_place", "unknown_year", "out_of_scope", "empty", "unavailable")
# ``show``: what the page may fetch beside the answer (the verified balance answer's year-by-year statement).
SHOW_STATEMENT = "account_statement"
CITATION_KEYS = ("doc", "section", "passage_id", "quote")
# Bounds of the short texts a meta carries (kiosk_api stores and returns them).
MAX_REFUSAL_CHARS, MAX_PLACE_CHARS, MAX_INSTITUTIONS = 32, 40, 10


@dataclass(frozen=True)
class Citation:
    """Where an answer comes from: the document's title, its section path, the passage, the sentence shown."""

    doc: str
    section: str = ""
    passage_id: str = ""
    quote: str = ""

    @classmethod
    def of(cls, source: Any) -> Citation:
        """From another part's citation (a ``Citation``, anything with ``as_meta()``) or a citation dict."""
        meta = source.as_meta() if hasattr(source, "as_meta") else dict(source)
        return cls(**{key: str(meta.get(key) or "") for key in CITATION_KEYS})

    def as_meta(self, quote: bool = True) -> dict[str, str]:
        """The citation as ``answer_meta`` carries it (without the quote: as ``yibao ask`` prints it)."""
        keys = CITATION_KEYS if quote else CITATION_KEYS[:-1]
        return {key: getattr(self, key) for key in keys}


@dataclass(frozen=True)
class AnswerMeta:
    """What accompanies one answer. ``confidence`` is the answer's retrieval confidence for knowledge-base
    answers, else the NLU one; ``intent_confidence`` is always the NLU one. ``topic``/``subtopic`` place the
    answer in the topic tree; ``institutions`` are 定点机构 cards; ``show`` is ``SHOW_STATEMENT`` or None."""

    intent: str | None = None
    confidence: float | None = None
    intent_confidence: float | None = None
    citations: tuple[Citation, ...] = ()
    fallback: bool = False
    handoff: bool = False
    expect_input: ExpectInput | None = None
    refusal: str | None = None
    topic: str | None = None
    subtopic: str | None = None
    institutions: tuple[Mapping[str, Any], ...] | None = None  # None: not a directory answer
    show: str | None = None

    @property
    def shows_statement(self) -> bool:
        return self.show == SHOW_STATEMENT

    def as_message(self) -> dict[str, Any]:
        """The custom message (``dispatcher.utter_message(json_message=...)``); optional keys only when set."""
        message: dict[str, Any] = {
            "type": TYPE, "intent": self.intent, "confidence": self.confidence,
            "intent_confidence": self.intent_confidence, "citations": [c.as_meta() for c in self.citations],
            "fallback": self.fallback, "handoff": self.handoff, "expect_input": self.expect_input,
            "refusal": self.refusal,
        }
        if self.topic is not None or self.subtopic is not None:
            message.update(topic=self.topic, subtopic=self.subtopic)
        if self.institutions is not None:
            message["institutions"] = [dict(card) for card in self.institutions]
        if self.show is not None:
            message["show"] = self.show
        return message


def _unit(value: Any) -> float | None:
    return min(1.0, max(0.0, float(value))) if isinstance(value, int | float) else None


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _citation(raw: Any) -> Citation | None:
    return Citation.of(raw) if isinstance(raw, Mapping) and raw.get("doc") else None


def _items(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else []


def parse(custom: Any) -> AnswerMeta | None:
    """The meta in one custom payload (``{"type": "answer_meta", ...}``); None when it is not one."""
    if not isinstance(custom, Mapping) or custom.get("type") != TYPE:
        return None
    expect = custom.get("expect_input")
    return AnswerMeta(
        intent=None if custom.get("intent") is None else str(custom["intent"]),
        confidence=_unit(custom.get("confidence")),
        intent_confidence=_unit(custom.get("intent_confidence")),
        citations=tuple(c for c in map(_citation, _items(custom.get("citations"))) if c),
        fallback=bool(custom.get("fallback")),
        handoff=bool(custom.get("handoff")),
        expect_input=expect if expect in INPUT_KINDS else None,
        refusal=_text(custom.get("refusal"), MAX_REFUSAL_CHARS),
        topic=_text(custom.get("topic"), MAX_PLACE_CHARS),
        subtopic=_text(custom.get("subtopic"), MAX_PLACE_CHARS),
        institutions=None if custom.get("institutions") is None else tuple(
            card for card in _items(custom.get("institutions")) if isinstance(card, Mapping)),
        show=_text(custom.get("show"), MAX_PLACE_CHARS),
    )


def find_answer_meta(messages: Iterable[Any]) -> list[AnswerMeta]:
    """Every meta among ``messages`` (dicts whose ``custom`` may hold one), in order."""
    metas = (parse(m.get("custom")) for m in messages if isinstance(m, Mapping))
    return [meta for meta in metas if meta is not None]


# Fields in which a later meta of the same turn replaces an earlier one only when it gives a value.
LAST_GIVEN = ("confidence", "intent_confidence", "refusal", "topic", "subtopic", "show")


def merged(metas: Iterable[AnswerMeta]) -> AnswerMeta:
    """Several metas of one turn (an answer, then a form's question) as one: flags add up, citations join
    without repeats, the last meta leads (the last intent, confidence, refusal, place and cards given; its
    ``expect_input`` whatever it is)."""
    out = AnswerMeta()
    for meta in metas:
        joined: dict[str, Citation] = {}
        for cite in (*out.citations, *meta.citations):
            joined.setdefault(cite.passage_id or cite.quote, cite)
        given = {name: value for name in LAST_GIVEN if (value := getattr(meta, name)) is not None}
        out = replace(out, **given, intent=meta.intent or out.intent, citations=tuple(joined.values()),
                      fallback=out.fallback or meta.fallback, handoff=out.handoff or meta.handoff,
                      expect_input=meta.expect_input, institutions=meta.institutions or out.institutions)
    return out
