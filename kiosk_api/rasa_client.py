"""Talks to the Rasa server: the REST channel for chat, the HTTP API to restart a conversation.

``parse_turn`` turns Rasa's list of output messages into one answer: texts with their buttons plus the
``answer_meta`` messages of docs/CONTRACTS.md, read and merged by ``yibao.answer_meta``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from kiosk_api.models import BotMessage, Button, InstitutionCard
from yibao.answer_meta import MAX_INSTITUTIONS, AnswerMeta, find_answer_meta, merged


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timed out or returned an error)."""


@dataclass
class BotTurn:
    messages: list[BotMessage] = field(default_factory=list)
    meta: AnswerMeta = field(default_factory=AnswerMeta)  # the turn's metas merged
    institutions: list[InstitutionCard] = field(default_factory=list)  # meta.institutions that are valid cards


def _institutions(raw: Any) -> list[InstitutionCard]:
    """Directory cards sent with an answer; anything malformed is dropped, never shown half."""
    cards = []
    for item in raw:
        try:
            cards.append(InstitutionCard.model_validate(item))
        except ValueError:
            continue
    return cards[:MAX_INSTITUTIONS]


def parse_turn(outputs: list[dict[str, Any]]) -> BotTurn:
    meta = merged(find_answer_meta(outputs))
    turn = BotTurn(meta=meta, institutions=_institutions(meta.institutions or ()))
    for out in outputs:
        if find_answer_meta([out]):
            continue
        buttons = [
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", b.get("title", ""))))
            for b in out.get("buttons") or []
            if isinstance(b, dict) and b.get("title")
        ]
        if out.get("text") or buttons:
            turn.messages.append(BotMessage(text=str(out.get("text") or ""), buttons=buttons))
    return turn


class RasaClient:
    def __init__(
        self, base_url: str, timeout: float, token: str = "", transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=50)
        # Rasa's HTTP API (restart, status) takes the token as ?token=; our REST channel (bot/channels.py) as a
        # bearer header.
        params = {"token": token} if token else None
        headers = {"Authorization": f"Bearer {token}"} if token else None
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, limits=limits, transport=transport, params=params, headers=headers
        )

    async def send(self, sender: str, message: str, channel: str) -> BotTurn:
        body = {"sender": sender, "message": message, "metadata": {"channel": channel}}
        try:
            resp = await self._http.post("/webhooks/rest/webhook", json=body)
            resp.raise_for_status()
            outputs = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(str(exc)) from exc
        if not isinstance(outputs, list):
            raise RasaUnavailable(f"unexpected REST channel output: {type(outputs).__name__}")
        return parse_turn([o for o in outputs if isinstance(o, dict)])

    async def restart(self, sender: str) -> None:
        """Forget the conversation in Rasa (slots, forms), so a reused screen starts clean."""
        try:
            resp = await self._http.post(f"/conversations/{sender}/tracker/events", json={"event": "restart"})
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(str(exc)) from exc

    async def status(self) -> str:
        resp = await self._http.get("/status", timeout=2.0)
        resp.raise_for_status()
        return str(resp.json().get("model_file") or "model loaded")

    async def aclose(self) -> None:
        await self._http.aclose()
