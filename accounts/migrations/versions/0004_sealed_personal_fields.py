"""Seal card numbers, phone numbers, balances, transactions and yearly records with the data key (issue 12, finding 5).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from accounts.crypto import TOKEN_PREFIX, data_cipher, seal, unseal

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# table -> (column, kind, new length); kinds as in accounts.models.Sealed
SEALED = {
    "insured_persons": [("card_number", "text", 128), ("phone", "text", 128), ("balance", "decimal", 128),
                        ("arrears", "decimal", 128)],
    "account_transactions": [("description", "text", 600), ("amount", "decimal", 128)],
    "account_years": [("credited", "decimal", 128), ("spent", "decimal", 128), ("closing_balance", "decimal", 128)],
    "account_contributions": [("amount", "decimal", 128)],
    "account_arrears": [("description", "text", 600), ("amount", "decimal", 128)],
}
PLAIN_TYPES = {
    ("insured_persons", "card_number"): sa.String(32), ("insured_persons", "phone"): sa.String(20),
    ("insured_persons", "balance"): sa.Numeric(12, 2), ("insured_persons", "arrears"): sa.Numeric(12, 2),
    ("account_transactions", "description"): sa.String(100), ("account_transactions", "amount"): sa.Numeric(12, 2),
    ("account_years", "credited"): sa.Numeric(12, 2), ("account_years", "spent"): sa.Numeric(12, 2),
    ("account_years", "closing_balance"): sa.Numeric(12, 2), ("account_contributions", "amount"): sa.Numeric(12, 2),
    ("account_arrears", "description"): sa.String(100), ("account_arrears", "amount"): sa.Numeric(12, 2),
}


def _plain(value: object, kind: str) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01"))) if kind == "decimal" else str(value)


def _rewrite(table: str, convert) -> None:  # type: ignore[no-untyped-def]
    conn = op.get_bind()
    columns = SEALED[table]
    names = ", ".join(c for c, _, _ in columns)
    for row in conn.execute(sa.text(f"SELECT id, {names} FROM {table}")).mappings().all():
        values = {c: convert(row[c], kind, f"{table}.{c}") for c, kind, _ in columns}
        assignments = ", ".join(f"{c} = :{c}" for c in values)
        conn.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"), {**values, "id": row["id"]})


def upgrade() -> None:
    # SQLite keeps any text in any column; PostgreSQL needs the numeric and short columns widened to text first.
    # (On SQLite a batch table rebuild would drop insured_persons, and its ON DELETE CASCADE the transactions.)
    if op.get_bind().dialect.name != "sqlite":
        for table, columns in SEALED.items():
            for column, _, length in columns:
                op.alter_column(table, column, type_=sa.String(length), postgresql_using=f"{column}::text")
    def sealed(value: object, kind: str, context: str) -> str | None:
        if value is None or str(value).startswith(TOKEN_PREFIX):
            return None if value is None else str(value)
        return seal(data_cipher(), _plain(value, kind), context)  # the key is read only if there is data

    for table in SEALED:
        _rewrite(table, sealed)


def downgrade() -> None:
    def opened(value: object, kind: str, context: str) -> str | None:
        if value is None or not str(value).startswith(TOKEN_PREFIX):
            return None if value is None else str(value)
        return str(unseal(data_cipher(), str(value), context))

    for table in SEALED:
        _rewrite(table, opened)
    if op.get_bind().dialect.name != "sqlite":
        for (table, column), plain in PLAIN_TYPES.items():
            using = f"{column}::numeric" if isinstance(plain, sa.Numeric) else None
            op.alter_column(table, column, type_=plain, postgresql_using=using)
