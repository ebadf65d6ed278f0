"""What a patient types at the card-number, PIN, ID-digits and one-time-code prompts: the one place for their
patterns and clean-up. accounts decides with them; the balance forms use them to ask again politely before
calling accounts. Standard library only (Rasa's venv imports yibao too). Masking such numbers in free text is
yibao/redaction.py.
"""

from __future__ import annotations

import re
import unicodedata

# Case-insensitive as typed; accounts upper-cases first (normalize), the forms check the digits as typed.
CARD_PATTERN = re.compile(r"[0-9A-Za-z]{6,20}")
PIN_PATTERN = re.compile(r"\d{6}")
OTP_PATTERN = PIN_PATTERN  # a one-time code is six digits too
ID_LAST6_PATTERN = re.compile(r"\d{5}[0-9X]")
MAX_CONVERSATION_ID = 128


def normalize(value: object) -> str:
    """NFKC (full-width -> ASCII), upper case, spaces and dashes removed; non-strings become ''."""
    if not isinstance(value, str) or len(value) > 200:
        return ""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value)).upper()


def strip_separators(text: str) -> str:
    """Digits typed with spaces or dashes on a keypad: '6217 0012-3456' → '621700123456' (nothing else changes)."""
    return re.sub(r"[\s\-－—]", "", text or "")


def valid_card(card: str) -> bool:
    return bool(CARD_PATTERN.fullmatch(card))


def valid_conversation_id(conversation_id: object) -> bool:
    return isinstance(conversation_id, str) and 0 < len(conversation_id) <= MAX_CONVERSATION_ID
