"""Year-by-year personal-account records: 划入/支出/年末结余, contribution records, arrears by period.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)


def _person() -> sa.Column:
    return sa.Column(
        "person_id", sa.Integer, sa.ForeignKey("insured_persons.id", ondelete="CASCADE"), nullable=False, index=True
    )


def upgrade() -> None:
    op.create_table(
        "account_years",
        sa.Column("id", sa.Integer, primary_key=True),
        _person(),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("credited", MONEY, nullable=False),
        sa.Column("spent", MONEY, nullable=False),
        sa.Column("closing_balance", MONEY, nullable=False),
        sa.UniqueConstraint("person_id", "year"),
    )
    op.create_table(
        "account_contributions",
        sa.Column("id", sa.Integer, primary_key=True),
        _person(),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("months", sa.Integer, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "account_arrears",
        sa.Column("id", sa.Integer, primary_key=True),
        _person(),
        sa.Column("period_start", sa.String(7), nullable=False),
        sa.Column("period_end", sa.String(7), nullable=False),
        sa.Column("description", sa.String(100), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
    )


def downgrade() -> None:
    for table in ("account_arrears", "account_contributions", "account_years"):
        op.drop_table(table)
