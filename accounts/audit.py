"""The append-only audit log: who tried to verify or saw a balance, when, through which channel, with what outcome.

Entries hold the masked card (last 4) and never a PIN, code or full number; the database refuses updates and
deletes (triggers in the first migration).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accounts.models import AuditEntry
from yibao.redaction import mask_card, redact

EVENTS = ("verify_pin", "request_otp", "verify_otp", "disclose_balance", "disclose_statement", "end_conversation")


def record(
    session: Session,
    at: datetime,
    event: str,
    outcome: str,
    channel: str,
    conversation_id: str,
    card: str,
    detail: str = "",
    actor: str = "patient",
) -> None:
    """Adds an entry to ``session``: it is committed together with the change it describes, or not at all."""
    session.add(
        AuditEntry(
            occurred_at=at,
            event=event,
            outcome=outcome,
            actor=actor[:64],
            channel=redact(str(channel))[:32] or "unknown",
            conversation_id=redact(conversation_id)[:128],
            card_hint=mask_card(card) if card else "",
            detail=redact(detail)[:200],
        )
    )


def query(
    session: Session,
    *,
    since: datetime | None = None,
    event: str | None = None,
    outcome: str | None = None,
    conversation_id: str | None = None,
    card_last4: str | None = None,
    limit: int = 50,
) -> Sequence[AuditEntry]:
    """Newest first."""
    stmt: Select[tuple[AuditEntry]] = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if since is not None:
        stmt = stmt.where(AuditEntry.occurred_at >= since)
    if event:
        stmt = stmt.where(AuditEntry.event == event)
    if outcome:
        stmt = stmt.where(AuditEntry.outcome == outcome)
    if conversation_id:
        stmt = stmt.where(AuditEntry.conversation_id == conversation_id)
    if card_last4:
        stmt = stmt.where(AuditEntry.card_hint.endswith(card_last4[-4:]))
    return session.scalars(stmt).all()
