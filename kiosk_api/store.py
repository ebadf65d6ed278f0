"""The kiosk API's own tables: sessions, question turns (redacted) and satisfaction feedback.

Kept in the shared database (``DATABASE_URL`` or the SQLite file in the data dir), so sessions survive an
API restart and several API instances behind a load balancer see the same sessions.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    or_,
    select,
    update,
)

from yibao.settings import get_settings

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

metadata = MetaData()
sessions = Table(
    "kiosk_sessions", metadata,
    Column("id", String(64), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("ended_at", DateTime),
    # What the bot asked for last (card number, PIN…): the next message is then never stored as text.
    Column("expect_input", String(16)),
)
turns = Table(
    "kiosk_turns", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("kiosk_sessions.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("question", Text, nullable=False),  # redacted
    Column("intent", String(64)),
    Column("confidence", Float),
    Column("fallback", Boolean, nullable=False, default=False),
    Column("handoff", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False, index=True),
)
feedback = Table(
    "kiosk_feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("kiosk_sessions.id"), nullable=False, index=True),
    Column("turn_id", Integer, ForeignKey("kiosk_turns.id")),
    Column("rating", String(16), nullable=False),
    Column("comment", Text),  # redacted
    Column("created_at", DateTime, nullable=False, index=True),
)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # naive UTC: SQLite keeps no time zone


@dataclass(frozen=True)
class SessionRow:
    id: str
    channel: str
    created_at: datetime
    expect_input: str | None


@dataclass(frozen=True)
class TurnRecord:
    question: str
    intent: str | None
    confidence: float | None
    fallback: bool
    handoff: bool
    expect_input: str | None


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn: Any, _: Any) -> None:
            # WAL: readers do not block the writer; the kiosk and staff pages read while chats write.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")

        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    def __init__(self, url: str) -> None:
        self.engine = _engine(url)
        metadata.create_all(self.engine)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))

    def start_session(self, channel: str) -> SessionRow:
        now = utcnow()
        row = SessionRow(id=secrets.token_urlsafe(24), channel=channel, created_at=now, expect_input=None)
        with self.engine.begin() as conn:
            conn.execute(sessions.insert().values(id=row.id, channel=channel, created_at=now, last_seen=now))
        return row

    def active_session(self, session_id: str, ttl: timedelta) -> SessionRow | None:
        if not SESSION_ID.match(session_id):
            return None
        query = select(sessions).where(
            sessions.c.id == session_id, sessions.c.ended_at.is_(None), sessions.c.last_seen >= utcnow() - ttl
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).mappings().first()
        if found is None:
            return None
        return SessionRow(found["id"], found["channel"], found["created_at"], found["expect_input"])

    def end_session(self, session_id: str) -> bool:
        if not SESSION_ID.match(session_id):
            return False
        with self.engine.begin() as conn:
            result = conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id, sessions.c.ended_at.is_(None))
                .values(ended_at=utcnow(), expect_input=None)
            )
        return result.rowcount == 1

    def record_turn(self, session_id: str, channel: str, turn: TurnRecord) -> int:
        now = utcnow()
        with self.engine.begin() as conn:
            turn_id = conn.execute(
                turns.insert().values(
                    session_id=session_id, channel=channel, question=turn.question, intent=turn.intent,
                    confidence=turn.confidence, fallback=turn.fallback, handoff=turn.handoff, created_at=now,
                )
            ).inserted_primary_key[0]
            touch = update(sessions).where(sessions.c.id == session_id)
            conn.execute(touch.values(last_seen=now, expect_input=turn.expect_input))
        return int(turn_id)

    def add_feedback(self, session_id: str, turn_id: int | None, rating: str, comment: str | None) -> bool:
        """False when the turn is not one of this session's (feedback cannot be attached elsewhere)."""
        with self.engine.begin() as conn:
            if turn_id is not None:
                owner = conn.execute(select(turns.c.session_id).where(turns.c.id == turn_id)).scalar()
                if owner != session_id:
                    return False
            conn.execute(
                feedback.insert().values(
                    session_id=session_id, turn_id=turn_id, rating=rating, comment=comment, created_at=utcnow()
                )
            )
        return True

    def unanswered(self, since: datetime, threshold: float, limit: int = 200) -> list[dict[str, Any]]:
        """Questions the assistant fell back on, handed off, or answered with low confidence (newest first)."""
        query = (
            select(turns.c.created_at, turns.c.channel, turns.c.question, turns.c.intent, turns.c.confidence,
                   turns.c.fallback, turns.c.handoff)
            .where(turns.c.created_at >= since)
            .where(or_(turns.c.fallback, turns.c.handoff, turns.c.confidence < threshold))
            .order_by(turns.c.created_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def satisfaction(self, since: datetime) -> dict[str, dict[str, int]]:
        """Per channel: questions asked and feedback counts (up / down / unsolved)."""
        asked = select(turns.c.channel, func.count()).where(turns.c.created_at >= since).group_by(turns.c.channel)
        rated = (
            select(sessions.c.channel, feedback.c.rating, func.count())
            .select_from(feedback.join(sessions, sessions.c.id == feedback.c.session_id))
            .where(feedback.c.created_at >= since)
            .group_by(sessions.c.channel, feedback.c.rating)
        )
        counts: dict[str, dict[str, int]] = {}

        def row(channel: str) -> dict[str, int]:
            return counts.setdefault(channel, {"questions": 0, "up": 0, "down": 0, "unsolved": 0})

        with self.engine.connect() as conn:
            for channel, n in conn.execute(asked):
                row(channel)["questions"] = int(n)
            for channel, rating, n in conn.execute(rated):
                row(channel)[rating] = int(n)
        return counts


@lru_cache(maxsize=1)
def get_store() -> Store:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store(settings.database_url)
