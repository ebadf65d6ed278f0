"""Run in the Rasa venv (it has python-socketio and aiohttp): talk to Rasa's socket.io channel the way the
`rasa-webchat` widget does, and print what the bot sent as one JSON line.

    socketio_probe.py URL TRANSPORT QUESTION      (TRANSPORT: websocket or polling)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import uuid

import socketio


async def main(url: str, transport: str, question: str) -> None:
    client = socketio.AsyncClient()
    confirmed: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
    answered = asyncio.Event()
    received: list[dict] = []

    @client.on("session_confirm")
    async def on_confirm(data: object) -> None:
        if not confirmed.done():
            confirmed.set_result(data if isinstance(data, dict) else {"session_id": data})

    @client.on("bot_uttered")
    async def on_bot(data: dict) -> None:
        received.append(data)
        if (data.get("custom") or data).get("type") == "answer_meta":  # the last message of an answer
            answered.set()

    await client.connect(url, transports=[transport], socketio_path="socket.io")
    session_id = uuid.uuid4().hex
    await client.emit("session_request", {"session_id": session_id})
    confirm = await asyncio.wait_for(confirmed, 60)
    await client.emit("user_uttered", {"message": question, "session_id": confirm.get("session_id", session_id)})
    with contextlib.suppress(asyncio.TimeoutError):  # reported, with whatever did arrive, for the test's message
        await asyncio.wait_for(answered.wait(), 120)
    transport_used = client.transport()
    await client.disconnect()
    print(json.dumps({"transport": transport_used, "answered": answered.is_set(), "messages": received},
                     ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
