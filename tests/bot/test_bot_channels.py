"""bot.channels.KioskSocketIOInput, named in credentials.yml, answers through its own socket.io output, which
delivers our answer_meta message where Rasa's own raised, and leaves messages written for socket.io as they
were (checked in the Rasa venv, beside Rasa's SocketIOOutput). Over a real server:
test_rasa_socketio_channel_answers_an_existing_widget in test_bot_stack.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.bot.conftest import rasa_env
from yibao.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
PROBE = Path(__file__).resolve().parent / "helpers" / "socketio_output_probe.py"

pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="Rasa venv .venv-rasa not installed")


@pytest.fixture(scope="module")
def report() -> dict:
    done = subprocess.run([str(RASA_PYTHON), str(PROBE)], env=rasa_env(), capture_output=True, text=True,
                          timeout=300, check=False, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_socketio_output_delivers_answer_meta_and_keeps_socketio_shaped_messages(report: dict) -> None:
    rasas, ours = report["messages"]["answer_meta"]
    assert rasas["ok"] is False and "unexpected keyword argument" in rasas["error"]  # Rasa's bug
    assert ours == {"ok": True, "emitted": [{"event": "bot_uttered", "room": "room-1", "data": {
        "custom": {"type": "answer_meta", "intent": "ask_remote_filing", "citations": []}}}]}
    rasas, ours = report["messages"]["written_for_socketio"]
    assert rasas == ours and ours["emitted"][0]["data"] == {"text": "hi"}


def test_the_configured_socketio_channel_answers_through_that_output(report: dict) -> None:
    assert report["channel"] == {
        "credentials_key": "bot.channels.KioskSocketIOInput", "channel_name": "socketio",
        "input_channel": "socketio", "sender_id": "session-1", "output": "KioskSocketIOOutput",
        "output_for_external_events": "KioskSocketIOOutput", "socketio_path": "/socket.io",
        "session_persistence": True,
    }
