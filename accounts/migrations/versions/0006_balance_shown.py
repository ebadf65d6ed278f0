"""A verification shows the balance once, then the year-by-year statement once (issues 10 and 12).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accounts.models import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verifications") as batch:  # batch mode: SQLite cannot ALTER a column in place
        batch.add_column(sa.Column("balance_shown_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        batch.drop_column("balance_shown_at")
