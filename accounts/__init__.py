"""Insured persons' accounts: verification, balance disclosure, audit log (SQLAlchemy; SQLite or PostgreSQL)."""
