"""What of a patient's words we may keep: redacted text only, and nothing typed at a card/PIN prompt."""

from __future__ import annotations

from yibao.redaction import redact


def storable_question(text: str, answered_prompt: str | None) -> str:
    """Text safe to store for the maintainers; ``answered_prompt`` is the expect_input the text replied to.

    Whatever is typed at a card number, PIN, ID-digit or code prompt is hidden entirely, whatever it looks like.
    """
    return redact(text, secret=bool(answered_prompt))
