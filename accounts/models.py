"""Tables of the accounts part. The schema itself is created by the Alembic migrations in ``migrations/``.

Card numbers, phone numbers, balances, transactions and the yearly records are stored sealed with the data key
(``accounts.crypto``): a copy of the database file shows none of them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, Numeric, String, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from accounts.crypto import data_cipher, seal, unseal

Money = Numeric(12, 2)


class Sealed(TypeDecorator[Any]):
    """A column stored as an AES-SIV token (``enc:v1:…``), bound to its table and column.

    Deterministic, so ``WHERE card_number = :typed`` and the unique index still work on the tokens.
    ``kind="decimal"`` reads the value back as a ``Decimal``.
    """

    impl = String(600)
    cache_ok = True

    def __init__(self, context: str, kind: str = "text", length: int = 600) -> None:
        super().__init__(length)
        self.context, self.kind = context, kind

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        plain = str(Decimal(value)) if self.kind == "decimal" else str(value)
        return seal(data_cipher(), plain, self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        plain = unseal(data_cipher(), str(value), self.context)
        return Decimal(plain) if self.kind == "decimal" else plain


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite itself keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime()}  # noqa: RUF012


class InsuredPerson(Base):
    """One insured person. Only the masked name and hashes are kept: the database never holds a PIN or ID number."""

    __tablename__ = "insured_persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_number: Mapped[str] = mapped_column(Sealed("insured_persons.card_number", length=128), unique=True)
    masked_name: Mapped[str] = mapped_column(String(32))
    id_number_hash: Mapped[str] = mapped_column(String(128))
    id_last6_hash: Mapped[str] = mapped_column(String(128))
    pin_hash: Mapped[str] = mapped_column(String(128))
    # Needed to send one-time codes; never shown, never logged.
    phone: Mapped[str | None] = mapped_column(Sealed("insured_persons.phone", length=128))
    insurance_type: Mapped[str] = mapped_column(String(32))
    balance: Mapped[Decimal] = mapped_column(Sealed("insured_persons.balance", "decimal", 128))
    arrears: Mapped[Decimal] = mapped_column(Sealed("insured_persons.arrears", "decimal", 128), default=Decimal("0"))
    is_demo: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    transactions: Mapped[list[Transaction]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Transaction.occurred_on.desc()"
    )
    years: Mapped[list[AccountYear]] = relationship(
        cascade="all, delete-orphan", order_by="AccountYear.year.desc()"
    )
    contributions: Mapped[list[Contribution]] = relationship(
        cascade="all, delete-orphan", order_by="Contribution.year.desc()"
    )
    arrears_periods: Mapped[list[ArrearsPeriod]] = relationship(
        cascade="all, delete-orphan", order_by="ArrearsPeriod.period_start.desc()"
    )


class Transaction(Base):
    __tablename__ = "account_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("insured_persons.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Sealed("account_transactions.description"))
    amount: Mapped[Decimal] = mapped_column(Sealed("account_transactions.amount", "decimal", 128))
    person: Mapped[InsuredPerson] = relationship(back_populates="transactions")


class AccountYear(Base):
    """The personal account over one year: 划入 (credited), 支出 (spent), 年末结余 (closing balance)."""

    __tablename__ = "account_years"
    __table_args__ = (UniqueConstraint("person_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("insured_persons.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    credited: Mapped[Decimal] = mapped_column(Sealed("account_years.credited", "decimal", 128))
    spent: Mapped[Decimal] = mapped_column(Sealed("account_years.spent", "decimal", 128))
    closing_balance: Mapped[Decimal] = mapped_column(Sealed("account_years.closing_balance", "decimal", 128))


class Contribution(Base):
    """A contribution record: 缴费年度, 月数, 金额, 状态 (已缴 / 未缴 / 部分缴纳 …, as the insurer exports it)."""

    __tablename__ = "account_contributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("insured_persons.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Sealed("account_contributions.amount", "decimal", 128))
    status: Mapped[str] = mapped_column(String(16))


class ArrearsPeriod(Base):
    """Arrears by period (``period_start``..``period_end`` are YYYY-MM) with what they are for."""

    __tablename__ = "account_arrears"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("insured_persons.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[str] = mapped_column(String(7))
    period_end: Mapped[str] = mapped_column(String(7))
    description: Mapped[str] = mapped_column(Sealed("account_arrears.description"))
    amount: Mapped[Decimal] = mapped_column(Sealed("account_arrears.amount", "decimal", 128))


class CardGuard(Base):
    """Failed-attempt counter and lockout per card, keyed by a hash of the typed card number.

    Kept for any typed number, existing or not, so lockout behaviour cannot reveal whether a card exists.
    """

    __tablename__ = "card_guards"

    card_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ConversationVerification(Base):
    """A successful verification, bound to one conversation until it expires or is revoked."""

    __tablename__ = "verifications"
    __table_args__ = (Index("ix_verifications_conversation", "conversation_id", "expires_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    person_id: Mapped[int] = mapped_column(ForeignKey("insured_persons.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32))
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The balance was shown: the grant now opens only the statement, once (then it is revoked).
    balance_shown_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OtpChallenge(Base):
    """A one-time code sent for (card, conversation); only its hash is stored."""

    __tablename__ = "otp_challenges"
    __table_args__ = (Index("ix_otp_conversation", "conversation_id", "card_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_key: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(String(128))
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuditEntry(Base):
    """Append-only (database triggers refuse UPDATE and DELETE). No PIN, no full card or ID number."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    event: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    card_hint: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(200), default="")
