"""The SMS-gateway webhook sender of one-time codes: a timeout per try, retries on 5xx and network errors, none
on a refusal; against a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.otp import SmsGatewayError, WebhookOtpSender


class Gateway:
    def __init__(self, statuses: list[int], delay: float = 0.0) -> None:
        self.statuses, self.delay, self.received = statuses, delay, []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.received.append((self.headers.get("Authorization"), body))
                time.sleep(gateway.delay)
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway_factory() -> Iterator[type[Gateway]]:
    made: list[Gateway] = []

    def make(statuses: list[int], delay: float = 0.0) -> Gateway:
        made.append(Gateway(statuses, delay))
        return made[-1]

    yield make  # type: ignore[misc]
    for gateway in made:
        gateway.server.shutdown()


def test_code_is_posted_with_the_token_and_retried_after_a_server_error(gateway_factory) -> None:  # type: ignore[no-untyped-def]
    gateway = gateway_factory([503])
    sender = WebhookOtpSender(gateway.url, "gw-token", backoff=0.05)
    sender.send("13800000001", "123456", card_number="9907358214630592")
    assert len(gateway.received) == 2
    auth, body = gateway.received[-1]
    assert auth == "Bearer gw-token" and body["phone"] == "13800000001" and "123456" in body["text"]


def test_a_refusal_is_not_retried(gateway_factory) -> None:  # type: ignore[no-untyped-def]
    gateway = gateway_factory([400])
    with pytest.raises(SmsGatewayError):
        WebhookOtpSender(gateway.url, backoff=0.05).send("13800000001", "123456", card_number="9907358214630592")
    assert len(gateway.received) == 1


def test_a_hanging_gateway_times_out_after_each_retry(gateway_factory) -> None:  # type: ignore[no-untyped-def]
    gateway = gateway_factory([], delay=2.0)
    sender = WebhookOtpSender(gateway.url, timeout=0.3, retries=2, backoff=0.05)
    start = time.perf_counter()
    with pytest.raises(SmsGatewayError, match="Timeout"):
        sender.send("13800000001", "123456", card_number="9907358214630592")
    assert time.perf_counter() - start < 1.5
