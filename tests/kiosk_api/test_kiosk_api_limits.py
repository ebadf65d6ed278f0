"""Issue 12, finding 4: kiosk_api limits how fast one client and one session may go (sliding windows), with a
polite 429 and Retry-After. Real app, private database, no Rasa (what is limited never reaches it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update


@pytest.fixture
def client(private_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("YIBAO_LIMIT_SESSIONS_PER_CLIENT", "5/minute")
    monkeypatch.setenv("YIBAO_LIMIT_CHAT_PER_SESSION", "4/minute")
    monkeypatch.setenv("YIBAO_LIMIT_SECRETS_PER_CLIENT", "3 per 10 minutes")
    from kiosk_api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def test_new_sessions_per_client_are_limited(client: TestClient) -> None:
    """60 sessions were created in 9 s from one client."""
    statuses = [client.post("/api/session", json={"channel": "kiosk"}).status_code for _ in range(8)]
    assert statuses == [201] * 5 + [429] * 3
    refused = client.post("/api/session", json={"channel": "kiosk"})
    assert int(refused.headers["retry-after"]) > 0
    assert "秒后再试" in refused.json()["error"]["message"]


def test_chat_turns_per_session_are_limited(client: TestClient) -> None:
    sid = client.post("/api/session", json={"channel": "kiosk"}).json()["session_id"]
    statuses = [client.post("/api/chat", json={"session_id": sid, "message": "你好"}).status_code for _ in range(6)]
    assert statuses == [503] * 4 + [429] * 2  # Rasa is down here: the first four reach it, the rest do not
    other = client.post("/api/session", json={"channel": "kiosk"}).json()["session_id"]
    assert client.post("/api/chat", json={"session_id": other, "message": "你好"}).status_code == 503


def test_answers_to_pin_prompts_are_limited_per_client_across_sessions(client: TestClient) -> None:
    """One session made 24 PIN guesses across 6 cards in 10 s; new sessions must not reset the count."""
    from kiosk_api.store import get_store, sessions

    statuses = []
    for _ in range(5):
        sid = client.post("/api/session", json={"channel": "kiosk"}).json()["session_id"]
        with get_store().engine.begin() as conn:  # as if the bot had just asked for the PIN
            conn.execute(update(sessions).where(sessions.c.id == sid).values(expect_input="pin"))
        statuses.append(client.post("/api/chat", json={"session_id": sid, "message": "123456"}).status_code)
    assert statuses == [503] * 3 + [429] * 2
