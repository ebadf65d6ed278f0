"""FastAPI dependencies: who is calling (the client address) and how fast they may go (sliding windows).

    @router.post("/session", dependencies=[Depends(limit_sessions)])

Limits per client (the connecting address; behind a reverse proxy, the address it forwards when the proxy is
listed in YIBAO_TRUSTED_PROXIES) and per session, in ``yibao.ratelimit``'s moving windows. Over a limit the
caller gets a polite 429 with ``Retry-After``; nothing it sent is processed.
"""

from __future__ import annotations

import hashlib

from fastapi import Request

from kiosk_api.errors import ApiError
from yibao.ratelimit import get_rate_limiter
from yibao.settings import get_settings

# Prompts whose answer is a guess at someone's secret (or at whose card it is): limited per client.
SECRET_PROMPTS = frozenset({"pin", "otp", "id_last6"})


def client_of(request: Request) -> str:
    """The caller's address (as uvicorn resolved it), hashed: the limiter's keys never hold an IP address."""
    host = request.client.host if request.client else "unknown"
    return hashlib.sha256(f"yibao-client:{host}".encode()).hexdigest()[:24]


def enforce(limit: str, *key: str) -> None:
    limiter = get_rate_limiter()
    if limiter.hit(limit, *key):
        return
    wait = limiter.retry_after(limit, *key)
    raise ApiError(429, "too_many_requests", f"操作太频繁了，请 {wait} 秒后再试。{get_settings().human_help}",
                   headers={"Retry-After": str(wait)})


def limit_sessions(request: Request) -> None:
    """60 sessions in 9 s from one client was possible: new sessions per client are limited."""
    enforce(get_settings().limit_sessions_per_client, "sessions", client_of(request))


def limit_chat(request: Request, session_id: str, answered_prompt: str | None) -> None:
    """Chat turns per client and per session; answers to a PIN / code / ID prompt per client, more tightly."""
    cfg, client = get_settings(), client_of(request)
    enforce(cfg.limit_chat_per_client, "chat-client", client)
    enforce(cfg.limit_chat_per_session, "chat-session", session_id)
    if answered_prompt in SECRET_PROMPTS:
        enforce(cfg.limit_secrets_per_client, "secrets", client)


def limit_tts(request: Request) -> None:
    """Each read-aloud request costs the machine a synthesis: limited per client."""
    enforce(get_settings().limit_tts_per_client, "tts", client_of(request))
