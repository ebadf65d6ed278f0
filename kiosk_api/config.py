"""Settings that only the kiosk API uses (environment variables ``YIBAO_KIOSK_*``).

Shared settings (ports, database, human help text, answer threshold) stay in ``yibao.settings``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from yibao.settings import get_settings


def _int(name: str, default: int) -> int:
    return int(os.environ.get(f"YIBAO_KIOSK_{name}", default))


@dataclass(frozen=True)
class KioskConfig:
    # Longest question accepted; longer text is refused with a clear message instead of being cut.
    max_message_chars: int = field(default_factory=lambda: _int("MAX_MESSAGE_CHARS", 500))
    max_query_chars: int = field(default_factory=lambda: _int("MAX_QUERY_CHARS", 100))
    # Kiosk screen: idle seconds before the "still there?" countdown, then countdown seconds before reset.
    idle_seconds: int = field(default_factory=lambda: _int("IDLE_SECONDS", 90))
    countdown_seconds: int = field(default_factory=lambda: _int("COUNTDOWN_SECONDS", 15))
    # A session unused this long is over on the server too (a walked-away patient's verification must lapse).
    session_ttl_seconds: int = field(default_factory=lambda: _int("SESSION_TTL_SECONDS", 1800))
    # Request bodies above this size are refused before parsing.
    max_body_bytes: int = field(default_factory=lambda: _int("MAX_BODY_BYTES", 65536))
    rasa_timeout_seconds: float = field(default_factory=lambda: float(_int("RASA_TIMEOUT_SECONDS", 30)))

    @property
    def rasa_url(self) -> str:
        return get_settings().rasa_url.rstrip("/")


@lru_cache(maxsize=1)
def get_config() -> KioskConfig:
    return KioskConfig()
