"""The same rules on PostgreSQL, and several processes at once (schema upgrade, failure counting)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from accounts.importer import AccountRow, store
from accounts.models import AuditEntry, CardGuard
from accounts.service import AccountService
from yibao.settings import PROJECT_ROOT

# Each process opens the service (upgrading the schema if needed), then tries one wrong PIN.
WORKER = """
import sys
from accounts.service import AccountService
svc = AccountService.open(sys.argv[1])
result = svc.verify_pin(sys.argv[2], "000000", conversation_id="worker-" + sys.argv[3], channel="test")
print("locked" if result.locked else "failed")
"""


def run_workers(url: str, card: str, count: int) -> list[str]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, card, str(i)], cwd=PROJECT_ROOT, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin"},
        )
        for i in range(count)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        outputs.append(out.strip())
    return outputs


@pytest.fixture(scope="module")
def pg_service(postgres_url: str, demo_rows: list[AccountRow]) -> AccountService:
    svc = AccountService.open(postgres_url + "accounts")  # plain postgresql:// is mapped to psycopg 3
    with svc.transaction() as session:
        store(session, demo_rows, demo=True)
    return svc


def test_pin_lockout_and_disclosure_on_postgresql(pg_service: AccountService, demo_rows: list[AccountRow]) -> None:
    row, other = demo_rows[0], demo_rows[1]
    assert pg_service.verify_pin(other.card_number, other.pin, conversation_id="pg-ok").ok
    view = pg_service.disclose_balance("pg-ok")
    assert view is not None and view.balance == other.balance
    outcomes = [pg_service.verify_pin(row.card_number, "000000", conversation_id=f"pg-{i}") for i in range(5)]
    assert [o.locked for o in outcomes] == [False, False, False, False, True]
    assert pg_service.verify_pin(row.card_number, row.pin, conversation_id="pg-new").locked


def test_audit_log_is_append_only_on_postgresql(pg_service: AccountService) -> None:
    pg_service.disclose_balance("pg-audit")
    for statement in ("UPDATE audit_log SET outcome = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(Exception, match="append-only"), pg_service.transaction() as session:
            session.execute(text(statement))
    with pg_service.transaction() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.conversation_id == "pg-audit")).all()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_processes_upgrade_once_and_count_every_failure(
    backend: str, tmp_path: Path, postgres_url: str, demo_rows: list[AccountRow]
) -> None:
    """Fresh database, four processes at once: all upgrade safely, and the per-card counter sees all four."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        import psycopg

        with psycopg.connect(postgres_url + "postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS concurrent")
            conn.execute("CREATE DATABASE concurrent")
        url = postgres_url + "concurrent"
    card = demo_rows[2].card_number
    assert run_workers(url, card, 4) == ["failed"] * 4
    svc = AccountService.open(url)
    with svc.transaction() as session:
        guards = session.scalars(select(CardGuard)).all()
        attempts = session.scalars(select(AuditEntry).where(AuditEntry.event == "verify_pin")).all()
    assert len(guards) == 1 and guards[0].failures == 4
    assert len(attempts) == 4
    assert run_workers(url, card, 1) == ["locked"]
