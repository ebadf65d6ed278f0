"""What a catalog query is before it is matched: cleaned of markup and symbols, normalised for comparing, and
checked (empty, too long, no letters of a drug name)."""

from __future__ import annotations

import re
import unicodedata

from knowledge.text import to_simplified
from yibao.settings import get_settings


def plain(text: str) -> str:
    """Simplified, half-width, lower case, letters/digits/CJK only."""
    text = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    return re.sub(r"[^0-9a-z\u3400-\u9fff]+", "", text)


def clean_query(query: str | None) -> str:
    """The query without HTML tags, control characters, emoji and symbols; simplified and half-width."""
    text = re.sub(r"<[^>]*>", " ", (query or "")[:1000])
    text = "".join(c for c in text if unicodedata.category(c)[0] not in "CS")
    return re.sub(r"\s+", " ", to_simplified(unicodedata.normalize("NFKC", text))).strip()


def check_query(query: str | None) -> str | None:
    """None when ``query`` can be looked up, else a polite Chinese reason (empty, too long, no drug-name letters)."""
    text = plain(clean_query(query))
    if not text:
        return "请输入要查询的药品名称（中文通用名或拼音），例如：阿莫西林。"
    if len(text) > (limit := get_settings().max_name_chars):
        return f"药品名称太长了，请只输入药品通用名（{limit} 个字以内），例如：二甲双胍。"
    if not re.search(r"[a-z\u3400-\u9fff]", text):
        return "没看懂这个药名，请输入药品的中文通用名或拼音，例如：布洛芬 或 buluofen。"
    return None
