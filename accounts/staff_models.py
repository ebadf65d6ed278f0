"""Tables of the staff side: staff accounts and their sign-in sessions, and the curated answers that
``kb_admin`` staff write from the unanswered queue (every change kept as a version).

Same declarative base as ``accounts.models``; the schema is created by migration 0005.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accounts.models import Base, UtcDateTime

ROLES = ("staff", "kb_admin")  # staff: search and read reports; kb_admin: also curate answers, manage documents


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StaffLoginGuard(Base):
    """Failed sign-ins per typed user name (hashed), existing or not, so lockout reveals no account."""

    __tablename__ = "staff_login_guards"

    name_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class StaffSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CuratedAnswer(Base):
    """The current state of one curated answer; its history is in ``curated_answer_versions``."""

    __tablename__ = "curated_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    variants: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of paraphrases
    answer: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(16))  # "passage" | "policy"
    source_id: Mapped[str] = mapped_column(String(64))  # passage id, or "policy:<rule>:<figure>"
    citation: Mapped[str] = mapped_column(Text)  # JSON {doc, section, passage_id, quote} as shown to patients
    status: Mapped[str] = mapped_column(String(16), default="active")  # "active" | "retired"
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CuratedAnswerVersion(Base):
    """Append-only: one row per create, change or retirement, with who and when."""

    __tablename__ = "curated_answer_versions"
    __table_args__ = (Index("ix_curated_versions_answer", "answer_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("curated_answers.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # "create" | "update" | "retire" | "import"
    snapshot: Mapped[str] = mapped_column(Text)  # JSON of the answer after the change
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class CuratedAnswerUse(Base):
    """One row each time a curated answer was served (for the dashboard's "most used")."""

    __tablename__ = "curated_answer_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("curated_answers.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
