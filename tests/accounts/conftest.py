"""Fixtures of the accounts tests: a fresh accounts database with the demo accounts (``demo_rows`` and the
PostgreSQL and Redis servers are in tests/conftest.py: the tracker-store tests in tests/bot use them too)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from accounts.importer import AccountRow, store
from accounts.otp import OutboxOtpSender
from accounts.service import AccountPolicy, AccountService


def open_service(url: str, outbox: Path, rows: list[AccountRow] | None = None, **policy: object) -> AccountService:
    svc = AccountService.open(url, policy=AccountPolicy(**policy), otp_sender=OutboxOtpSender(outbox))  # type: ignore[arg-type]
    if rows:
        with svc.transaction() as session:
            store(session, rows, demo=True)
    return svc


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory, demo_rows: list[AccountRow]) -> Path:
    """The demo accounts imported once (argon2 hashing is slow on purpose); each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "accounts.db"
    svc = open_service(f"sqlite:///{path}", path.parent / "outbox.jsonl", demo_rows)
    svc.engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


def _copy(template: Path, tmp_path: Path) -> str:
    shutil.copy(template, tmp_path / "accounts.db")
    return f"sqlite:///{tmp_path / 'accounts.db'}"


@pytest.fixture
def service(tmp_path: Path, demo_database: Path) -> AccountService:
    """A private SQLite accounts database holding the demo accounts."""
    return open_service(_copy(demo_database, tmp_path), tmp_path / "outbox.jsonl")


@pytest.fixture
def short_lived_service(tmp_path: Path, demo_database: Path) -> AccountService:
    """Verification valid for 1 s and lockout for 1 min, for the expiry tests (real clock, real sleeps)."""
    return open_service(
        _copy(demo_database, tmp_path), tmp_path / "outbox.jsonl",
        verification_ttl=timedelta(seconds=1), lockout=timedelta(minutes=1),
    )
