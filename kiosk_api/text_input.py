"""Cleaning of what people type: control characters out, length checked, garbage refused politely.

Raises ``ValueError`` with a Chinese message; pydantic turns it into our 422 error shape.
"""

from __future__ import annotations

import re
import unicodedata

_KEEP_CONTROLS = {"\n", "\t"}
_SPACES = re.compile(r"\s+")
# More than this share of unreadable characters means binary or mojibake, not a question.
_MAX_GARBAGE_SHARE = 0.2


def _is_garbage(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return (cat == "Cc" and ch not in _KEEP_CONTROLS) or cat == "Cs" or ch == "\ufffd"


def clean_text(raw: str, max_chars: int, what: str = "问题") -> str:
    """Return the text with controls removed and whitespace collapsed, or raise ValueError (Chinese)."""
    if len(raw) > max_chars * 4:  # refuse huge input before doing any work on it
        raise ValueError(f"内容太长了（最多 {max_chars} 个字），请简短一些再试。")
    garbage = sum(1 for ch in raw if _is_garbage(ch))
    if raw and garbage / len(raw) > _MAX_GARBAGE_SHARE:
        raise ValueError("内容无法识别，请输入文字。")
    text = _SPACES.sub(" ", "".join(ch for ch in raw if not _is_garbage(ch))).strip()
    if not text:
        raise ValueError(f"请输入您的{what}。")
    if len(text) > max_chars:
        raise ValueError(f"内容太长了（最多 {max_chars} 个字），请简短一些再试。")
    return text
