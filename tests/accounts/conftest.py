"""Fixtures of the accounts tests: a fresh accounts database with the demo accounts, and real PostgreSQL and
Redis servers on free loopback ports in temporary directories (skipped only when the binaries are absent)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from accounts.importer import DEMO_CSV, AccountRow, read_csv, store
from accounts.otp import OutboxOtpSender
from accounts.service import AccountPolicy, AccountService
from yibao.stack import free_port


@pytest.fixture(scope="session")
def demo_rows() -> list[AccountRow]:
    return read_csv(DEMO_CSV)


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


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; tests run as root in CI containers."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL cluster; yields ``postgresql://yibao@127.0.0.1:PORT/`` (append a database name)."""
    initdb, pg_ctl, psql = _pg_bin("initdb"), _pg_bin("pg_ctl"), _pg_bin("psql") or shutil.which("psql")
    if not (initdb and pg_ctl and psql):
        pytest.skip("PostgreSQL binaries not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="yibao-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-U", "yibao", "--auth=trust", "-E", "UTF8", "--no-locale"]),
        check=True, capture_output=True,
    )
    opts = f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=on"
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "pg.log"), "-w", "start"]),
        check=True, capture_output=True,
    )
    try:
        for db in ("accounts", "rasa", "scale"):
            create = f"CREATE DATABASE {db}"
            subprocess.run(
                [psql, "-h", "127.0.0.1", "-p", str(port), "-U", "yibao", "-d", "postgres", "-c", create],
                check=True, capture_output=True,
            )
        yield f"postgresql://yibao@127.0.0.1:{port}/"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throw-away Redis server with append-only persistence; yields ``redis://127.0.0.1:PORT``."""
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    root, port = Path(tempfile.mkdtemp(prefix="yibao-redis-")), free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(root), "--appendonly", "yes", "--save", ""],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
