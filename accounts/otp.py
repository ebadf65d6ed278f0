"""Delivery of one-time codes: the hospital's SMS gateway through an HTTP webhook, or a file outbox for demos.

    YIBAO_OTP_SENDER=webhook  YIBAO_SMS_WEBHOOK_URL=https://sms-gw.hospital.local/send
    YIBAO_SMS_WEBHOOK_TOKEN=...   (sent as "Authorization: Bearer ...")
    YIBAO_SMS_TIMEOUT_SECONDS=5   YIBAO_SMS_RETRIES=3

The webhook receives ``{"phone": "13800000001", "code": "123456", "text": "【医保通】验证码 123456，5 分钟内有效…"}``
and answers 2xx once it has accepted the message. The outbox (``YIBAO_OTP_SENDER=outbox``, the default) writes
codes to a file in the data directory and is refused in production (yibao/production.py).
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx

from yibao.logging import get_logger
from yibao.redaction import mask_card
from yibao.settings import get_settings

log = get_logger(__name__)
SMS_TEXT = "【医保通】您的医保账户查询验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人；如非本人操作，请忽略。"


class OtpSender(Protocol):
    # True: AccountService delivers in a background thread, so the gateway's latency is never in the answer.
    deliver_in_background: bool

    def send(self, phone: str, code: str, *, card_number: str) -> None:
        """Deliver ``code`` to ``phone``; raise on failure (the service logs and audits it)."""


class OutboxOtpSender:
    """DEMO/TEST ONLY: appends ``{"at", "phone", "card", "code"}`` JSON lines to ``otp_outbox.jsonl``.

    The phone and card are masked; the code is in clear because this file stands in for the patient's phone.
    """

    deliver_in_background = False  # a local append: the same few microseconds on every call

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, phone: str, code: str, *, card_number: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "at": datetime.now(UTC).isoformat(),
            "phone": phone[:3] + "****" + phone[-4:],
            "card": mask_card(card_number),
            "code": code,
        }
        # One write per line with O_APPEND: safe when several processes send at once.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode())
        finally:
            os.close(fd)

    def last_code(self, card_number: str) -> str | None:
        """The newest code sent for a card (what the patient would read on their phone)."""
        if not self.path.exists():
            return None
        wanted = mask_card(card_number)
        codes = [rec["code"] for rec in map(json.loads, self.path.read_text().splitlines()) if rec["card"] == wanted]
        return codes[-1] if codes else None


class SmsGatewayError(RuntimeError):
    """The gateway did not accept the message after every retry."""


class WebhookOtpSender:
    """POSTs each code to the hospital's SMS gateway; a timeout per try, retries with backoff on 5xx/network errors."""

    deliver_in_background = True

    def __init__(
        self, url: str, token: str = "", *, timeout: float = 5.0, retries: int = 3, backoff: float = 0.5,
        minutes: int = 5, transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url, self.retries, self.backoff, self.minutes = url, max(1, retries), backoff, minutes
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(timeout=timeout, headers=headers, transport=transport)

    def send(self, phone: str, code: str, *, card_number: str) -> None:
        body = {"phone": phone, "code": code, "text": SMS_TEXT.format(code=code, minutes=self.minutes)}
        problem = ""
        for attempt in range(1, self.retries + 1):
            try:
                resp = self._http.post(self.url, json=body)
                if resp.is_success:
                    return
                problem = f"HTTP {resp.status_code}"
                if resp.status_code < 500 and resp.status_code != 429:
                    break  # the gateway refused this message: sending it again will not help
            except httpx.HTTPError as exc:
                problem = type(exc).__name__
            log.warning("sms_gateway_retry", attempt=attempt, problem=problem, card=mask_card(card_number))
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        raise SmsGatewayError(f"SMS gateway did not accept the code: {problem}")


def otp_sender_from_settings() -> OtpSender:
    """The sender YIBAO_OTP_SENDER names: ``outbox`` (default, demo only) or ``webhook``."""
    settings = get_settings()
    kind = settings.otp_sender.strip().lower()
    if kind == "webhook":
        if not settings.sms_webhook_url:
            raise ValueError("YIBAO_OTP_SENDER=webhook needs YIBAO_SMS_WEBHOOK_URL")
        return WebhookOtpSender(
            settings.sms_webhook_url, settings.sms_webhook_token,
            timeout=settings.sms_timeout_seconds, retries=settings.sms_retries,
            minutes=max(1, settings.otp_ttl_seconds // 60),
        )
    if kind != "outbox":
        raise ValueError(f"YIBAO_OTP_SENDER must be outbox or webhook, not {kind!r}")
    return OutboxOtpSender(settings.data_dir / "otp_outbox.jsonl")
