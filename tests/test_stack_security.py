"""The internal services are not a way around kiosk_api: Rasa listens on loopback only and its HTTP API wants its
token; kiosk_api runs the custom actions only for callers with the action token (tests/bot/test_bot_stack.py)."""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

import httpx
import pytest

from tests.stack_helpers import WIDGET_ORIGIN
from yibao.stack import Stack

pytestmark = pytest.mark.stack


def _listen_addresses(port: int) -> set[str]:
    """Local addresses listening on ``port``, from the kernel's socket tables (IPv4 and IPv6)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, port_hex = local.rsplit(":", 1)
                if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                    found.add(address)
    return found


def test_rasa_listens_on_loopback_only(live_stack: Stack) -> None:
    addresses = _listen_addresses(live_stack.ports.rasa)
    assert addresses, f"nothing listens on {live_stack.ports.rasa}"
    assert addresses <= {"0100007F", "00000000000000000000000001000000"}, addresses  # 127.0.0.1, ::1


def test_rasa_http_api_refuses_requests_without_the_token(live_stack: Stack) -> None:
    url = f"{live_stack.rasa_url}/conversations/someone/tracker"
    assert httpx.get(url, timeout=30).status_code == 401
    assert httpx.get(url, params={"token": "guess"}, timeout=30).status_code == 401
    assert httpx.get(url, params={"token": live_stack.rasa_token}, timeout=30).status_code == 200


# ---- issue 12, findings 6 and 7: Rasa's channel, CORS, the token on command lines, header size ----------------


def _webhook(stack: Stack, body: object, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=120)


def test_rasa_rest_channel_wants_the_token(live_stack: Stack) -> None:
    """Finding 6: the REST channel took anything from anyone on the machine."""
    body = {"sender": "channel-auth", "message": "你好"}
    assert _webhook(live_stack, body, None).status_code == 401
    assert _webhook(live_stack, body, "guess").status_code == 401
    answered = _webhook(live_stack, body, live_stack.rasa_token)
    assert answered.status_code == 200 and answered.json()


def test_rasa_rest_channel_refuses_long_messages_before_nlu(live_stack: Stack) -> None:
    """Finding 6: 20,000 characters held the server for 19.6 s while other patients waited."""
    body = {"sender": "channel-length", "message": "报销" * 5000}
    resp = _webhook(live_stack, body, live_stack.rasa_token)
    assert resp.status_code == 413
    assert resp.elapsed.total_seconds() < 2
    assert _webhook(live_stack, {"sender": "x" * 500, "message": "你好"}, live_stack.rasa_token).status_code == 400


@pytest.mark.parametrize("origin", ["http://evil.example", WIDGET_ORIGIN])
def test_rasa_allows_cross_origin_calls_only_from_the_widget_origins(live_stack: Stack, origin: str) -> None:
    """Finding 6: ``--cors "*"`` let any web page drive Rasa from a visitor's browser."""
    preflight = httpx.options(
        f"{live_stack.rasa_url}/webhooks/rest/webhook", timeout=30,
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    allowed = preflight.headers.get("access-control-allow-origin")
    if origin == WIDGET_ORIGIN:
        assert allowed == origin
    else:
        assert allowed is None, preflight.headers


def test_the_rasa_token_is_on_no_command_line(live_stack: Stack) -> None:
    """Finding 7: ``rasa run --auth-token …`` showed the token to every local user in ``ps``."""
    token = live_stack.rasa_token.encode()
    seen = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                seen.append((proc / "cmdline").read_bytes())
            except OSError:  # the process ended meanwhile
                continue
    ours = [c for c in seen if b"bot.rasa_server" in c and str(live_stack.ports.rasa).encode() in c]
    assert ours, "the stack's Rasa process was not found"
    assert not [c for c in seen if token in c]


@pytest.mark.parametrize("service", ["api", "rasa"])
def test_huge_request_headers_are_refused(live_stack: Stack, service: str) -> None:
    """Finding 7: an 8 MiB request header was accepted."""
    port = {"api": live_stack.ports.api, "rasa": live_stack.ports.rasa}[service]
    request = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + b"a" * (8 * 1024 * 1024) + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        with contextlib.suppress(OSError):  # the server may hang up while the header is still being sent
            conn.sendall(request)
        with contextlib.suppress(OSError):
            status_line = conn.recv(200).split(b"\r\n", 1)[0]
            # Refused before any handler runs (uvicorn/Sanic: 400 or 413), or the connection is dropped.
            assert not status_line or int(status_line.split()[1]) >= 400, status_line
    alive = {"api": "/api/config", "rasa": "/"}[service]
    assert httpx.get(f"http://127.0.0.1:{port}{alive}", timeout=30).status_code == 200  # and it still answers


def test_a_header_just_over_the_limit_gets_a_polite_431(live_stack: Stack) -> None:
    resp = httpx.get(f"{live_stack.api_url}/api/config", headers={"X-Padding": "a" * 17000}, timeout=30)
    assert resp.status_code in {400, 431}
    if resp.status_code == 431:
        assert resp.json()["error"]["message"]


def test_session_ids_stay_out_of_every_log(live_stack: Stack) -> None:
    """Issue 12, finding 3: a session id is the key to a verified conversation, so no log may hold one whole -
    not kiosk_api's access log, not Rasa's, not the actions' (which now run inside kiosk_api)."""
    created = httpx.post(f"{live_stack.api_url}/api/session", json={"channel": "kiosk"}, timeout=60)
    assert created.status_code == 201, created.text
    session_id = created.json()["session_id"]
    question = {"session_id": session_id, "message": "异地就医备案怎么办"}
    reply = httpx.post(f"{live_stack.api_url}/api/chat", json=question, timeout=180)
    assert reply.status_code == 200, reply.text
    assert httpx.delete(f"{live_stack.api_url}/api/session/{session_id}", timeout=60).status_code == 204
    logs = {p.name: p.read_text(errors="replace") for p in live_stack.log_dir.glob("*.log")}
    assert {"api.log", "rasa.log"} <= logs.keys()
    assert [name for name, text in logs.items() if session_id in text] == []
    assert session_id[:6] in logs["api.log"]  # the log does follow the session, by a short prefix
