"""Alembic migrations of the accounts schema (run by `accounts.db.upgrade`; never imported directly)."""
