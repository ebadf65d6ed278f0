"""The Rasa client layer: merging the REST channel's output, and real HTTP against a small fake REST channel
(a real server on a free port; the endpoint and browser tests use the real Rasa)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request

from kiosk_api.rasa_client import RasaClient, RasaUnavailable, parse_turn
from yibao.stack import free_port


def _run(coro_fn: Any) -> None:
    """asyncio.run in its own thread: the browser tests' Playwright keeps an event loop in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro_fn()).result()


def _meta(**fields: Any) -> dict[str, Any]:
    return {"custom": {"type": "answer_meta", **fields}}


def test_texts_buttons_and_meta_are_merged() -> None:
    cite = {"doc": "异地就医管理办法", "section": "第三条", "passage_id": "p1", "quote": "应当先备案"}
    turn = parse_turn([
        {"text": "请先办理备案。", "buttons": [{"title": "需要什么材料", "payload": "/ask_materials"}]},
        _meta(intent="ask_policy", confidence=0.82, citations=[cite, cite], fallback=False, handoff=False,
              expect_input=None),
    ])
    assert [m.text for m in turn.messages] == ["请先办理备案。"]
    assert turn.messages[0].buttons[0].payload == "/ask_materials"
    assert len(turn.meta.citations) == 1 and turn.meta.citations[0].doc == "异地就医管理办法"
    assert (turn.meta.intent, turn.meta.confidence, turn.meta.fallback, turn.meta.expect_input) == (
        "ask_policy", 0.82, False, None)


def test_several_metas_flags_add_up_and_last_expect_input_wins() -> None:
    turn = parse_turn([
        {"text": "好的。"}, _meta(intent="check_balance", confidence=0.9, fallback=True),
        {"text": "请输入卡号"}, _meta(intent="check_balance", confidence=1.7, expect_input="card_number"),
    ])
    assert turn.meta.fallback is True
    assert turn.meta.confidence == 1.0  # clamped into 0..1
    assert turn.meta.expect_input == "card_number"
    assert len(turn.messages) == 2


def test_unknown_expect_input_and_bad_citations_are_dropped() -> None:
    turn = parse_turn([{"text": "x"}, _meta(expect_input="password", citations=["junk", {"quote": "no doc"}])])
    assert turn.meta.expect_input is None
    assert turn.meta.citations == ()


class FakeRestChannel:
    """A real HTTP server speaking the REST channel; records what it received."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.app = FastAPI()

        @self.app.post("/webhooks/rest/webhook")
        async def webhook(request: Request) -> Any:
            body = await request.json()
            self.received.append(body)
            return [{"recipient_id": body["sender"], "text": f"收到：{body['message']}"},
                    _meta(intent="greet", confidence=0.99)]

        @self.app.post("/conversations/{sender}/tracker/events")
        async def events(sender: str, request: Request) -> dict[str, str]:
            self.received.append({"restart": sender, **(await request.json())})
            return {"sender_id": sender}


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[tuple[str, FakeRestChannel]]:
    fake, port = FakeRestChannel(), free_port()
    server = uvicorn.Server(uvicorn.Config(fake.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", fake
    server.should_exit = True
    thread.join(timeout=10)


def test_send_posts_sender_message_and_channel(fake_rasa: tuple[str, FakeRestChannel]) -> None:
    url, fake = fake_rasa

    async def go() -> None:
        client = RasaClient(url, timeout=5)
        try:
            turn = await client.send("abc", "你好 😀", "kiosk")
            await client.restart("abc")
        finally:
            await client.aclose()
        assert turn.messages[0].text == "收到：你好 😀"
        assert turn.meta.intent == "greet"

    _run(go)
    assert {"sender": "abc", "message": "你好 😀", "metadata": {"channel": "kiosk"}} in fake.received
    assert {"restart": "abc", "event": "restart"} in fake.received


def test_unreachable_rasa_raises_rasa_unavailable() -> None:
    async def go() -> None:
        client = RasaClient(f"http://127.0.0.1:{free_port()}", timeout=2)
        try:
            with pytest.raises(RasaUnavailable):
                await client.send("abc", "你好", "api")
        finally:
            await client.aclose()

    _run(go)
