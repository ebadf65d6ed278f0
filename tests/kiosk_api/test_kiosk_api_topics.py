"""The topic tree behind the kiosk's touch navigation: served by GET /api/topics, three taps deep from the
home screen's tiles, and every question in it answered from the documents with a citation (real stack)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.actions.related import MAX_RELATED, MIN_RELATED
from kiosk_api.routes.pages import STATIC_DIR
from yibao.topic_tree import get_topic_tree


@pytest.fixture
def client(private_env: Path) -> Iterator[TestClient]:
    from kiosk_api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def test_topics_endpoint_serves_the_tree(client: TestClient) -> None:
    body = client.get("/api/topics").json()
    assert [t["id"] for t in body["topics"]] == [t.id for t in get_topic_tree().topics]
    question = body["topics"][0]["subtopics"][0]["questions"][0]
    assert set(question) == {"id", "text", "payload"}


def test_every_home_tile_opens_the_tree_and_every_question_is_three_taps_away() -> None:
    tiles = re.findall(r'data-topic="([a-z_]+)"', (STATIC_DIR / "kiosk.html").read_text(encoding="utf-8"))
    tree = get_topic_tree()
    assert tiles and all(tree.topic(t) for t in tiles)
    reachable = {q.id for t in tiles for sub in tree.topic(t).subtopics for q in sub.questions}  # tile, sub, question
    assert reachable == set(tree.questions)


@pytest.mark.stack
def test_every_tree_question_gets_a_cited_answer_with_related_buttons(api: httpx.Client) -> None:
    failures, tree = [], get_topic_tree()
    for q in tree.questions.values():
        sid = api.post("/api/session", json={"channel": "kiosk"}).json()["session_id"]
        reply = api.post("/api/chat", json={"session_id": sid, "message": q.payload}).json()
        api.delete(f"/api/session/{sid}")
        buttons = [b for m in reply["messages"] for b in m["buttons"]]
        if q.kind == "form":  # asks back, with choices to tap
            if reply["fallback"] or len(buttons) < 2:
                failures.append(f"{q.id}: the form did not ask back with choices")
        elif reply["fallback"] or not reply["citations"]:
            failures.append(f"{q.id}: not answered ({reply['messages'][0]['text'][:40]})")
        elif (len([b for b in buttons if tree.find(b["payload"])]) < MIN_RELATED or len(buttons) > MAX_RELATED
              or q.text in {b["title"] for b in buttons}):
            failures.append(f"{q.id}: {len(buttons)} buttons")
        elif (reply["topic"], reply["subtopic"]) != (q.topic, q.subtopic):
            failures.append(f"{q.id}: placed at {reply['topic']}/{reply['subtopic']}")
    assert failures == []
