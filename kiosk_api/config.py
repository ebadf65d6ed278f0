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


def _limit(name: str, default: str) -> str:
    return os.environ.get(f"YIBAO_LIMIT_{name}", default)


@dataclass(frozen=True)
class KioskConfig:
    # Kiosk screen: idle seconds before the "still there?" countdown, then countdown seconds before reset
    # (at least 20 s to answer it: WCAG 2.2.1; one tap on the warning gives another idle period).
    idle_seconds: int = field(default_factory=lambda: _int("IDLE_SECONDS", 90))
    countdown_seconds: int = field(default_factory=lambda: _int("COUNTDOWN_SECONDS", 30))
    # A session unused this long is over on the server too (a walked-away patient's verification must lapse).
    session_ttl_seconds: int = field(default_factory=lambda: _int("SESSION_TTL_SECONDS", 1800))
    # Request bodies above this size are refused before parsing.
    max_body_bytes: int = field(default_factory=lambda: _int("MAX_BODY_BYTES", 65536))
    rasa_timeout_seconds: float = field(default_factory=lambda: float(_int("RASA_TIMEOUT_SECONDS", 30)))
    # Read-aloud (POST /api/tts): engine ("espeak-ng" or "package.module:factory"), espeak voice and speed,
    # and memory for cached audio (its longest text is yibao.settings' kiosk_tts_max_chars; its rate limit is
    # limit_tts_per_client below).
    tts_engine: str = field(default_factory=lambda: os.environ.get("YIBAO_KIOSK_TTS_ENGINE", "espeak-ng"))
    tts_voice: str = field(default_factory=lambda: os.environ.get("YIBAO_KIOSK_TTS_VOICE", "cmn-latn-pinyin"))
    tts_words_per_minute: int = field(default_factory=lambda: _int("TTS_WORDS_PER_MINUTE", 150))
    tts_cache_mb: int = field(default_factory=lambda: _int("TTS_CACHE_MB", 64))
    # Sliding windows ("N per M minutes", limits syntax); see kiosk_api/deps.py and the README's "Limits".
    limit_sessions_per_client: str = field(default_factory=lambda: _limit("SESSIONS_PER_CLIENT", "20/minute"))
    limit_chat_per_client: str = field(default_factory=lambda: _limit("CHAT_PER_CLIENT", "300/minute"))
    limit_chat_per_session: str = field(default_factory=lambda: _limit("CHAT_PER_SESSION", "30/minute"))
    limit_secrets_per_client: str = field(default_factory=lambda: _limit("SECRETS_PER_CLIENT", "20 per 10 minutes"))
    # Read-aloud requests per client: a kiosk reads one answer in a few sentence-sized pieces.
    limit_tts_per_client: str = field(default_factory=lambda: _limit("TTS_PER_CLIENT", "60/minute"))

    @property
    def rasa_url(self) -> str:
        return get_settings().rasa_url.rstrip("/")


@lru_cache(maxsize=1)
def get_config() -> KioskConfig:
    return KioskConfig()
