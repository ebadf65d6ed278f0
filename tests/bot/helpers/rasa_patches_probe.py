"""Run in the Rasa venv: Rasa's own functions and bot/rasa_patches.py's cached ones, on the same inputs.

Prints one JSON line: for each input, whether both accept it, and the error each raises.
"""

from __future__ import annotations

import asyncio
import json

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.socketio import SocketIOOutput
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

original_validate = RemoteAction._validate_action_result
original_resolve = Event.resolve_by_type
original_send_custom_json = SocketIOOutput.send_custom_json

import bot.tracker_store  # noqa: E402,F401 - importing it applies the patches, as in the Rasa server
from bot import rasa_patches  # noqa: E402

RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "drug", "value": "阿司匹林", "timestamp": None}],
     "responses": [{"text": "好的", "buttons": []}]},
    {"events": [{"event": "bot", "text": "hi", "data": {}, "metadata": {}}], "responses": []},
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot"}], "responses": "not a list"},
    {"events": [{"event": "user", "text": 42}], "responses": []},
]


def outcome(call, *args):
    try:
        result = call(*args)
        return {"ok": True, "result": result if isinstance(result, bool) else getattr(result, "__name__", result)}
    except (ValidationError, ValueError) as e:
        return {"ok": False, "error": type(e).__name__, "message": getattr(e, "message", str(e))}


class RecordingServer:
    """Records emits; the signature of python-socketio's AsyncServer.emit."""

    def __init__(self) -> None:
        self.emitted: list[dict] = []

    async def emit(self, event, data=None, to=None, room=None, skip_sid=None, namespace=None, callback=None,
                   ignore_queue=False):
        self.emitted.append({"event": event, "data": data, "room": room})


def socketio_outcome(send, message: dict) -> dict:
    server = RecordingServer()
    try:
        asyncio.run(send(SocketIOOutput(server, "bot_uttered"), "room-1", dict(message)))
    except TypeError as e:
        return {"ok": False, "error": str(e)}
    return {"ok": True, "emitted": server.emitted}


SOCKETIO_MESSAGES = {
    "answer_meta": {"type": "answer_meta", "intent": "ask_remote_filing", "citations": []},
    "written_for_socketio": {"data": {"text": "hi"}},
}


def main() -> None:
    action = RemoteAction("action_answer_question", None)
    names = [*sorted({cls.type_name for cls in all_subclasses(Event)}), "topic", "no_such_event"]
    report = {
        "applied": rasa_patches.apply() and RemoteAction._validate_action_result is not original_validate,
        "validate": [
            [outcome(original_validate, action, json.loads(json.dumps(r))),
             outcome(RemoteAction._validate_action_result, action, json.loads(json.dumps(r)))]
            for r in RESPONSES
        ],
        "resolve": {
            name: [outcome(original_resolve, name), outcome(Event.resolve_by_type, name)] for name in names
        },
        "socketio": {
            name: [socketio_outcome(original_send_custom_json, m), socketio_outcome(SocketIOOutput.send_custom_json, m)]
            for name, m in SOCKETIO_MESSAGES.items()
        },
        "resolve_default": [outcome(original_resolve, "no_such_event", Event),
                            outcome(Event.resolve_by_type, "no_such_event", Event)],
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
