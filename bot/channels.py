"""Rasa input channel of 医保通 (runs inside ``.venv-rasa``): Rasa's REST channel, but only for kiosk_api.

credentials.yml names it instead of ``rest:``; it keeps the REST channel's name and address
(``POST /webhooks/rest/webhook``) and its JSON, and before Rasa sees a message it refuses:

* a caller without the shared token (``Authorization: Bearer <YIBAO_RASA_TOKEN>``, or ``?token=`` as Rasa's
  HTTP API takes it): 401 - being on the same machine is not a credential;
* a message longer than ``YIBAO_MAX_MESSAGE_CHARS`` (the limit kiosk_api applies too), a sender id longer
  than 128 characters, or a body that is not ``{"sender": str, "message": str}``: 413 / 400, before NLU runs
  (a 20,000-character message used to hold the server for 20 s).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from yibao.settings import get_settings

MAX_SENDER_ID = 128


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization") or ""
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return str(request.args.get("token") or "")


def _refusal(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": {"code": code, "message": message}}, status=status)


class KioskRestInput(RestInput):
    """``bot.channels.KioskRestInput:`` in credentials.yml (optional key ``max_message_chars``)."""

    def __init__(self, token: str, max_message_chars: int) -> None:
        self.token, self.max_message_chars = token, max_message_chars

    @classmethod
    def name(cls) -> str:
        return "rest"  # same address and input_channel as Rasa's REST channel: callers need only the token

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> KioskRestInput:
        settings = get_settings()
        limit = int((credentials or {}).get("max_message_chars") or settings.max_message_chars)
        return cls(settings.rasa_token, limit)

    def check(self, request: Request) -> HTTPResponse | None:
        """None if the request may reach Rasa, else the refusal to send."""
        if not hmac.compare_digest(_bearer(request).encode(), self.token.encode()):
            return _refusal(401, "unauthorized", "missing or wrong token")
        try:
            body = request.json
        except Exception:  # Sanic raises its own InvalidUsage for a body that is not JSON
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            return _refusal(400, "invalid_input", 'body must be {"sender": str, "message": str}')
        sender = body.get("sender")
        if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_ID:
            return _refusal(400, "invalid_input", f"sender must be 1 to {MAX_SENDER_ID} characters")
        if len(body["message"]) > self.max_message_chars:
            return _refusal(413, "too_large", f"message longer than {self.max_message_chars} characters")
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def guard(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None  # GET /webhooks/rest/ is the channel's health check; it discloses nothing
            return self.check(request)

        return webhook
