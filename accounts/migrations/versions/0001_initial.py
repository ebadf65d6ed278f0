"""Initial accounts schema: insured persons, transactions, card guards, verifications, OTP challenges, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accounts.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)

# The audit log is append-only at the database level, not just by convention in our code.
SQLITE_AUDIT_TRIGGERS = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
]
POSTGRES_AUDIT_TRIGGERS = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "insured_persons",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("card_number", sa.String(32), nullable=False, unique=True),
        sa.Column("masked_name", sa.String(32), nullable=False),
        sa.Column("id_number_hash", sa.String(128), nullable=False),
        sa.Column("id_last6_hash", sa.String(128), nullable=False),
        sa.Column("pin_hash", sa.String(128), nullable=False),
        sa.Column("phone", sa.String(20)),
        sa.Column("insurance_type", sa.String(32), nullable=False),
        sa.Column("balance", MONEY, nullable=False),
        sa.Column("arrears", MONEY, nullable=False),
        sa.Column("is_demo", sa.Boolean, nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "account_transactions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "person_id", sa.Integer, sa.ForeignKey("insured_persons.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("description", sa.String(100), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
    )
    op.create_table(
        "card_guards",
        sa.Column("card_key", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", UtcDateTime()),
        sa.Column("last_failure_at", UtcDateTime()),
    )
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("insured_persons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("verified_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime()),
    )
    op.create_index("ix_verifications_conversation", "verifications", ["conversation_id", "expires_at"])
    op.create_table(
        "otp_challenges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("card_key", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("code_hash", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("used_at", UtcDateTime()),
    )
    op.create_index("ix_otp_conversation", "otp_challenges", ["conversation_id", "card_key"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=False, index=True),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False, index=True),
        sa.Column("card_hint", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_AUDIT_TRIGGERS, "postgresql": POSTGRES_AUDIT_TRIGGERS}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    for table in ("audit_log", "otp_challenges", "verifications", "card_guards", "account_transactions"):
        op.drop_table(table)
    op.drop_table("insured_persons")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
