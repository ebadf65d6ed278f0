"""The internal services are not a way around kiosk_api: Rasa listens on loopback only and its HTTP API wants its
token; kiosk_api runs the custom actions only for callers with the action token (tests/bot/test_bot_stack.py)."""

from __future__ import annotations

import httpx
import pytest

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
