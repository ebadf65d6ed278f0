"""Helpers the knowledge-base tests share."""

from __future__ import annotations

from knowledge.retrieve import Hit


def hit(text: str, section: str = "t", *, doc_id: str = "t", doc_title: str = "t", section_id: str = "t",
        confidence: float = 0.9) -> Hit:
    """A retrieval hit on a passage written for a test (a real ``Hit``, as the answer code reads it)."""
    return Hit(passage_id=f"{doc_id}-t", text=text, original=text, doc_id=doc_id, doc_title=doc_title,
               section=section, section_id=section_id, topics=[], score=1.0, confidence=confidence, sources=[])
