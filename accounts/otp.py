"""Delivery of one-time codes.

There is no SMS gateway in this project: the default sender writes each code to an outbox file in the data
directory, for demos and tests only. In production, plug in the hospital's SMS gateway by passing an
``OtpSender`` implementation to ``AccountService`` (or setting ``AccountService.otp_sender``).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from accounts.redaction import mask_card


class OtpSender(Protocol):
    def send(self, phone: str, code: str, *, card_number: str) -> None:
        """Deliver ``code`` to ``phone``; raise on failure (the service then tells the patient it could not)."""


class OutboxOtpSender:
    """DEMO/TEST ONLY: appends ``{"at", "phone", "card", "code"}`` JSON lines to ``otp_outbox.jsonl``.

    The phone and card are masked; the code is in clear because this file stands in for the patient's phone.
    """

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
