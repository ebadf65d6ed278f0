"""bot/rasa_patches.py caches two Rasa lookups: the cached versions must answer exactly like Rasa's own,
including the errors they raise; and its socket.io fix must deliver our answer_meta message where Rasa's own
code raised, while leaving messages written for socket.io as they were (checked in the Rasa venv, against
the unpatched functions)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.bot.conftest import rasa_env
from yibao.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
PROBE = Path(__file__).resolve().parent / "helpers" / "rasa_patches_probe.py"

pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="Rasa venv .venv-rasa not installed")


@pytest.fixture(scope="module")
def report() -> dict:
    done = subprocess.run([str(RASA_PYTHON), str(PROBE)], env=rasa_env(), capture_output=True, text=True,
                          timeout=300, check=False, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_speedups_are_installed_when_rasa_loads_the_tracker_store(report: dict) -> None:
    assert report["applied"] is True


def test_action_responses_are_accepted_and_rejected_as_rasa_does(report: dict) -> None:
    outcomes = report["validate"]
    assert [original == cached for original, cached in outcomes] == [True] * len(outcomes)
    # The probe's inputs include both kinds, so the comparison covers the error path and its message.
    assert {original["ok"] for original, _ in outcomes} == {True, False}
    rejected = [cached for _, cached in outcomes if not cached["ok"]]
    assert all("Failed to validate Action server response" in r["message"] for r in rejected)


def test_event_names_resolve_to_the_same_classes(report: dict) -> None:
    resolved = report["resolve"]
    assert len(resolved) > 20  # every Event subclass Rasa knows, plus "topic" and an unknown name
    assert {name: pair for name, pair in resolved.items() if pair[0] != pair[1]} == {}
    assert resolved["slot"][1] == {"ok": True, "result": "SlotSet"}
    assert resolved["no_such_event"][1]["error"] == "ValueError"
    assert report["resolve_default"][0] == report["resolve_default"][1] == {"ok": True, "result": "Event"}


def test_socketio_delivers_answer_meta_and_keeps_socketio_shaped_messages(report: dict) -> None:
    original, patched = report["socketio"]["answer_meta"]
    assert original["ok"] is False and "unexpected keyword argument" in original["error"]  # the bug
    assert patched == {"ok": True, "emitted": [{"event": "bot_uttered", "room": "room-1", "data": {
        "custom": {"type": "answer_meta", "intent": "ask_remote_filing", "citations": []}}}]}
    original, patched = report["socketio"]["written_for_socketio"]
    assert original == patched and patched["emitted"][0]["data"] == {"text": "hi"}
