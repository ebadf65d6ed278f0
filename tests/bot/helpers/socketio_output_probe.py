"""Run in the Rasa venv: Rasa's socket.io output and bot.channels' (KioskSocketIOOutput) on the same messages,
and which output Rasa answers a message through when the channel is bot.channels.KioskSocketIOInput, built
from credentials.yml as Rasa builds it.

Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json

import yaml
from rasa.core.channels.socketio import SocketIOOutput
from rasa.core.run import _create_single_channel

from bot.channels import KioskSocketIOOutput
from yibao.settings import PROJECT_ROOT


class RecordingServer:
    """Records emits; the signature of python-socketio's AsyncServer.emit."""

    def __init__(self) -> None:
        self.emitted: list[dict] = []

    async def emit(self, event, data=None, to=None, room=None, skip_sid=None, namespace=None, callback=None,
                   ignore_queue=False):
        self.emitted.append({"event": event, "data": data, "room": room})


def sent(output_class: type[SocketIOOutput], message: dict) -> dict:
    server = RecordingServer()
    try:
        asyncio.run(output_class(server, "bot_uttered").send_custom_json("room-1", dict(message)))
    except TypeError as e:
        return {"ok": False, "error": str(e)}
    return {"ok": True, "emitted": server.emitted}


MESSAGES = {
    "answer_meta": {"type": "answer_meta", "intent": "ask_remote_filing", "citations": []},
    "written_for_socketio": {"data": {"text": "hi"}},
}


def answered_through() -> dict:
    """What Rasa does with the credentials.yml entry: create the channel, its blueprint, then a user message."""
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8"))
    name = next(key for key in credentials if "socketio" in key.lower())
    channel = _create_single_channel(name, credentials[name])
    received = []

    async def on_new_message(message) -> None:
        received.append(message)

    channel.blueprint(on_new_message)
    handler = channel.sio.handlers["/"][channel.user_message_evt]
    asyncio.run(handler("sid-1", {"message": "你好", "session_id": "session-1"}))
    message = received[0]
    return {"credentials_key": name, "channel_name": channel.name(), "input_channel": message.input_channel,
            "sender_id": message.sender_id, "output": type(message.output_channel).__name__,
            "output_for_external_events": type(channel.get_output_channel()).__name__,
            "socketio_path": channel.socketio_path, "session_persistence": channel.session_persistence}


def main() -> None:
    report = {
        "messages": {name: [sent(SocketIOOutput, m), sent(KioskSocketIOOutput, m)] for name, m in MESSAGES.items()},
        "channel": answered_through(),
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
