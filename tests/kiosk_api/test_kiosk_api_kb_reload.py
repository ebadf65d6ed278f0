"""Live reload on the real stack: patients keep asking (chat through Rasa and the action server, staff search
in kiosk_api) while `yibao kb add` and `yibao kb remove` run; zero errors, the new document is found without a
restart, and once removed it is no longer cited."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.document_fixtures import make_pdf
from yibao.settings import PROJECT_ROOT
from yibao.stack import Stack

pytestmark = [pytest.mark.stack]
GENERAL = "住院报销比例是多少"


class Askers:
    """Background patients: chat and search in a loop, every failure kept."""

    def __init__(self, api_url: str, question: str) -> None:
        self.api_url, self.question = api_url, question
        self.errors: list[str] = []
        self.answers = 0
        self.cited: list[tuple[float, set[str]]] = []  # (time, documents the chat answer cited)
        self.searched: list[tuple[float, str]] = []  # (time, top search hit's doc_id)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Askers:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(120)

    def _run(self) -> None:
        with httpx.Client(base_url=self.api_url, timeout=60) as client:
            while not self._stop.is_set():
                try:
                    sid = client.post("/api/session", json={"channel": "api"}).json()["session_id"]
                    for message in (self.question, GENERAL):
                        resp = client.post("/api/chat", json={"session_id": sid, "message": message})
                        if resp.status_code != 200 or not resp.json()["messages"]:
                            self.errors.append(f"chat {resp.status_code}: {resp.text[:200]}")
                            continue
                        self.answers += 1
                        if message == self.question:
                            self.cited.append((time.monotonic(), {c["doc"] for c in resp.json()["citations"]}))
                    client.delete(f"/api/session/{sid}")
                    resp = client.get("/api/search", params={"q": self.question, "k": 3})
                    if resp.status_code != 200:
                        self.errors.append(f"search {resp.status_code}: {resp.text[:200]}")
                        continue
                    hits = resp.json()["hits"]
                    self.searched.append((time.monotonic(), hits[0]["doc_id"] if hits else ""))
                except Exception as exc:  # a refused connection or a timeout is an error too
                    self.errors.append(f"{type(exc).__name__}: {exc}")


def _cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **stack.env(), "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "yibao.cli", *args], cwd=PROJECT_ROOT, env=env, text=True,
                          capture_output=True, timeout=600)


def _wait_for(condition: Callable[[], bool], seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_questions_are_answered_during_kb_add_and_remove_and_the_removed_document_is_not_cited(
    warm_stack: Stack, tmp_path: Path, browser: Any
) -> None:
    fixture = make_pdf(tmp_path / "押金减免.pdf", browser)
    title = "住院押金减免办法"
    with Askers(warm_stack.api_url, fixture.question) as askers:
        _wait_for(lambda: askers.answers >= 4, 120)
        added = _cli(warm_stack, "kb", "add", str(fixture.path), "--by", "reload-test")
        assert added.returncode == 0, added.stdout + added.stderr
        t_added = time.monotonic()
        assert _wait_for(lambda: any(t > t_added and d == "押金减免" for t, d in askers.searched)), \
            "kiosk_api did not switch to the new version"
        assert _wait_for(lambda: any(t > t_added and title in docs for t, docs in askers.cited)), \
            "the action server did not switch to the new version"

        removed = _cli(warm_stack, "kb", "remove", "押金减免", "--by", "reload-test")
        assert removed.returncode == 0, removed.stdout + removed.stderr
        t_removed = time.monotonic()
        assert _wait_for(lambda: any(t > t_removed and d != "押金减免" for t, d in askers.searched))
        assert _wait_for(lambda: any(t > t_removed and title not in docs for t, docs in askers.cited))
        t_switched = time.monotonic()
        _wait_for(lambda: sum(t > t_switched for t, _ in askers.cited) >= 3, 60)
    assert askers.errors == [], askers.errors[:5]
    assert askers.answers >= 10
    after = [docs for t, docs in askers.cited if t > t_switched]
    assert after and all(title not in docs for docs in after)
    assert all(d != "押金减免" for t, d in askers.searched if t > t_switched)
