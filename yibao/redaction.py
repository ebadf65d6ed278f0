"""Masking of personal numbers in free text, names and card numbers.

Standard library only: imported both by the Python 3.11 services and by Rasa's tracker store (Python 3.10).
Over-masking is preferred to leaking: any long run of digits is treated as a possible card number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

MASK = "*"
SECRET_PLACEHOLDER = "[已隐藏]"

# Digits may be typed with single spaces or dashes ("6200 1234 5678"); \d also matches full-width digits.
_SEP = r"[ \-－]?"
# 18-digit resident ID (last char may be X) or 15-digit old ID.
_ID_NUMBER = re.compile(rf"(?<![0-9A-Za-z])\d(?:{_SEP}\d){{16}}{_SEP}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{{15}}(?!\d)")
# Mainland mobile numbers, optionally with +86.
_MOBILE = re.compile(rf"(?<!\d)(?:\+?86{_SEP})?1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)")
# Landlines with area code (010-12345678) — short hotlines such as 12393 are kept.
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[ \-－]\d{7,8}(?!\d)")
# Anything else with 9+ digits (or a letter and 8+): insurance card numbers, bank cards.
_LONG_NUMBER = re.compile(rf"(?<![0-9A-Za-z])(?:[A-Za-z]\d(?:{_SEP}\d){{7,}}|\d(?:{_SEP}\d){{8,}})(?![0-9])")
# A PIN or one-time code announced in words: "密码是123456", "验证码：654321", "PIN 1234".
# A PIN, one-time code or ID last-six typed on its own ("246810", "15002X"), even when nobody asked for one; an
# amount ("200000元", "123456.5") is kept.
_BARE_SECRET = re.compile(
    r"(?<![0-9A-Za-z.])(?:\d{6}|\d{5}[Xx])(?![0-9A-Za-z.]|\s*(?:元|块|万|千|百|%|％|岁|年|月|日|号|次))"
)
_SECRET_AFTER_KEYWORD = re.compile(
    r"(密码|口令|pin|PIN|Pin|验证码|动态码|校验码|短信码)(\s*(?:是|为|:|：|=)?\s*)(\d(?:[ \-]?\d){3,7})(?!\d)"
)


def _mask_keep_last(match_text: str, keep_last: int = 4) -> str:
    """Replace every digit/letter except the last ``keep_last`` with ``*``; separators are dropped."""
    chars = [c for c in match_text if c.isalnum()]
    if len(chars) <= keep_last:
        return MASK * len(chars)
    return MASK * (len(chars) - keep_last) + "".join(chars[-keep_last:])


def _mask_mobile(match: re.Match[str]) -> str:
    digits = [c for c in match.group(0) if c.isdigit()][-11:]
    return "".join(digits[:3]) + MASK * 4 + "".join(digits[-4:])


def redact(text: str, *, secret: bool = False) -> str:
    """Mask card, ID and phone numbers and announced PINs/codes in ``text``.

    ``secret=True`` is for text typed while a PIN or one-time code was asked for: all of it is hidden.
    """
    if not text:
        return text
    if secret:
        return SECRET_PLACEHOLDER
    text = _ID_NUMBER.sub(lambda m: _mask_keep_last(m.group(0)), text)
    text = _MOBILE.sub(_mask_mobile, text)
    text = _LANDLINE.sub(lambda m: _mask_keep_last(m.group(0)), text)
    text = _LONG_NUMBER.sub(lambda m: _mask_keep_last(m.group(0)), text)
    text = _SECRET_AFTER_KEYWORD.sub(lambda m: m.group(1) + m.group(2) + MASK * 6, text)
    return _BARE_SECRET.sub(MASK * 6, text)


def redact_value(value: Any) -> Any:
    """``redact`` applied to every string inside nested dicts/lists (log events, tracker events)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return [redact_value(v) for v in value]
    return value


def mask_name(name: str) -> str:
    """张三丰 -> 张*丰, 李四 -> 李*, 欧阳娜娜 -> 欧**娜: first and (for 3+ characters) last character kept."""
    name = name.strip()
    if len(name) <= 1:
        return MASK
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]


def mask_card(card_number: str) -> str:
    """Card number with only the last 4 characters shown: ``************0001``."""
    return _mask_keep_last(card_number, keep_last=4)
