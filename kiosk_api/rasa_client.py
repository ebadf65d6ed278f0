"""Talks to the Rasa server: the REST channel for chat, the HTTP API to restart a conversation.

``parse_turn`` turns Rasa's list of output messages into one answer: texts with their buttons plus the
``answer_meta`` custom message of docs/CONTRACTS.md (citations, confidence, fallback/handoff, expect_input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from kiosk_api.models import BotMessage, Button, Citation, InstitutionCard

ANSWER_META = "answer_meta"
INPUT_KINDS = {"card_number", "pin", "id_last6", "otp", "amount"}


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timed out or returned an error)."""


@dataclass
class BotTurn:
    messages: list[BotMessage] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    intent: str | None = None
    confidence: float | None = None
    fallback: bool = False
    handoff: bool = False
    refusal: str | None = None
    expect_input: str | None = None
    topic: str | None = None
    subtopic: str | None = None
    institutions: list[InstitutionCard] = field(default_factory=list)
    show_statement: bool = False


def _institutions(raw: Any) -> list[InstitutionCard]:
    """Directory cards sent with an answer; anything malformed is dropped, never shown half."""
    cards = []
    for item in raw if isinstance(raw, list) else []:
        try:
            cards.append(InstitutionCard.model_validate(item))
        except ValueError:
            continue
    return cards[:10]


def _citation(raw: Any) -> Citation | None:
    if not isinstance(raw, dict) or not raw.get("doc"):
        return None
    return Citation(**{k: str(raw.get(k) or "") for k in ("doc", "section", "passage_id", "quote")})


def _apply_meta(turn: BotTurn, meta: dict[str, Any]) -> None:
    """Several metas in one turn (an answer, then a form's question): flags add up, the last one leads."""
    seen = {c.passage_id or c.quote for c in turn.citations}
    for cite in filter(None, map(_citation, meta.get("citations") or [])):
        if (cite.passage_id or cite.quote) not in seen:
            turn.citations.append(cite)
            seen.add(cite.passage_id or cite.quote)
    if meta.get("intent"):
        turn.intent = str(meta["intent"])
    if isinstance(meta.get("confidence"), int | float):
        turn.confidence = min(1.0, max(0.0, float(meta["confidence"])))
    turn.fallback = turn.fallback or bool(meta.get("fallback"))
    turn.handoff = turn.handoff or bool(meta.get("handoff"))
    if isinstance(meta.get("refusal"), str):
        turn.refusal = meta["refusal"][:32]
    for place in ("topic", "subtopic"):
        if isinstance(meta.get(place), str):
            setattr(turn, place, meta[place][:40])
    if meta.get("institutions"):
        turn.institutions = _institutions(meta["institutions"])
    turn.show_statement = turn.show_statement or meta.get("show") == "account_statement"
    expect = meta.get("expect_input")
    turn.expect_input = expect if expect in INPUT_KINDS else None


def parse_turn(outputs: list[dict[str, Any]]) -> BotTurn:
    turn = BotTurn()
    for out in outputs:
        custom = out.get("custom")
        if isinstance(custom, dict) and custom.get("type") == ANSWER_META:
            _apply_meta(turn, custom)
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
