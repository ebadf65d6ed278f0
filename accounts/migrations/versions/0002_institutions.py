"""定点医药机构名录: the institution directory and its import history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accounts.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FLAG_COLUMNS = ("cross_province", "e_voucher", "chronic_disease", "external_prescription", "open_24h")


def upgrade() -> None:
    op.create_table(
        "institutions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False, index=True),
        sa.Column("aliases", sa.String(200), nullable=False),
        sa.Column("type", sa.String(16), nullable=False, index=True),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("nature", sa.String(8), nullable=False),
        sa.Column("district", sa.String(32), nullable=False, index=True),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("opening_hours", sa.String(100), nullable=False),
        *(sa.Column(flag, sa.Boolean, nullable=False) for flag in FLAG_COLUMNS),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "institution_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_name", sa.String(255), nullable=False),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("is_sample", sa.Boolean, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("institution_imports")
    op.drop_table("institutions")
