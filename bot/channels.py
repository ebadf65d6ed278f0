"""Rasa input channels of 医保通 (runs inside ``.venv-rasa``), named in credentials.yml.

``KioskRestInput``: Rasa's REST channel, but only for kiosk_api. credentials.yml names it instead of ``rest:``;
it keeps the REST channel's name and address
(``POST /webhooks/rest/webhook``) and its JSON, and before Rasa sees a message it refuses:

* a caller without the shared token (``Authorization: Bearer <YIBAO_RASA_TOKEN>``, or ``?token=`` as Rasa's
  HTTP API takes it): 401 - being on the same machine is not a credential;
* a message longer than ``YIBAO_MAX_MESSAGE_CHARS`` (the limit kiosk_api applies too), a sender id longer
  than 128 characters, or a body that is not ``{"sender": str, "message": str}``: 413 / 400, before NLU runs
  (a 20,000-character message used to hold the server for 20 s).

``KioskSocketIOInput``: Rasa's socket.io channel (for an existing widget such as ``rasa-webchat``), named
instead of ``socketio:`` with the same settings, address (``/socket.io``) and events. Only its output differs:
Rasa's ``SocketIOOutput.send_custom_json`` passes a custom JSON message to ``AsyncServer.emit(event,
**message)``, so our ``answer_meta`` message (``{"type": "answer_meta", ...}``) raised and a widget on socket.io
got no answer. ``KioskSocketIOOutput`` sends a custom message as ``{"custom": {...}}``, the shape the REST
channel uses and ``rasa-webchat`` understands; a message written for socket.io (only ``emit`` arguments, e.g.
``{"data": ...}``) is still passed as Rasa does.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
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


# The keyword arguments of python-socketio's AsyncServer.emit after the event name.
_EMIT_ARGUMENTS = frozenset({"data", "to", "room", "skip_sid", "namespace", "callback", "ignore_queue"})


class KioskSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, but a custom JSON message arrives whole, as ``{"custom": {...}}``."""

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if json_message and set(json_message) <= _EMIT_ARGUMENTS:  # written for socket.io: Rasa's own behaviour
            await super().send_custom_json(recipient_id, json_message, **kwargs)
        else:
            await self._send_message(recipient_id, {"custom": json_message})


class KioskSocketIOInput(SocketIOInput):
    """``bot.channels.KioskSocketIOInput:`` in credentials.yml, with the keys of Rasa's ``socketio:``."""

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()  # Rasa's warning, and None
        return KioskSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def answer_through_our_output(message: UserMessage) -> None:
            # Rasa's handler builds its own SocketIOOutput for each message; the answer goes through ours.
            message.output_channel = KioskSocketIOOutput(self.sio, self.bot_message_evt)
            await on_new_message(message)

        return super().blueprint(answer_through_our_output)
