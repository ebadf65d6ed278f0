"""Normalising what a patient types on a keypad or keyboard (full-width digits, spaces, dashes)."""

from __future__ import annotations

import re
import unicodedata

CARD_PATTERN = re.compile(r"[0-9A-Z]{6,20}")
PIN_PATTERN = re.compile(r"\d{6}")
OTP_PATTERN = re.compile(r"\d{6}")
ID_LAST6_PATTERN = re.compile(r"\d{5}[0-9X]")
MAX_CONVERSATION_ID = 128


def normalize(value: object) -> str:
    """NFKC (full-width -> ASCII), upper case, spaces and dashes removed; non-strings become ''."""
    if not isinstance(value, str) or len(value) > 200:
        return ""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value)).upper()


def valid_card(card: str) -> bool:
    return bool(CARD_PATTERN.fullmatch(card))


def valid_conversation_id(conversation_id: object) -> bool:
    return isinstance(conversation_id, str) and 0 < len(conversation_id) <= MAX_CONVERSATION_ID
