"""Shared fixtures. ``live_stack`` runs the real Rasa server and kiosk API (with the custom actions) on free ports
with a private data directory for databases, so tests never touch a running installation's data. ``postgres_url``
and ``redis_url``: real PostgreSQL and Redis servers on free loopback ports in temporary directories (skipped only
when the binaries are absent), for the accounts database and the Rasa tracker and lock stores."""

from __future__ import annotations

import base64
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.importer import DEMO_CSV, AccountRow, read_csv
from tests.stack_helpers import WIDGET_ORIGIN
from yibao.settings import PROJECT_ROOT, get_settings
from yibao.stack import Ports, Stack, free_port


@pytest.fixture(scope="session", autouse=True)
def data_key() -> Iterator[str]:
    """One data key for the whole run (accounts/crypto.py): fixtures build databases in one data directory and
    the services read them from another, as a restored backup is read with its key."""
    key = os.environ.get("YIBAO_TRACKER_KEY") or base64.b64encode(os.urandom(64)).decode()
    os.environ["YIBAO_TRACKER_KEY"] = key
    get_settings.cache_clear()  # settings read before this fixture (the report header) lack the key
    yield key


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One real stack for the whole test session (starting Rasa takes ~20 s)."""
    data_dir = tmp_path_factory.mktemp("stack-data")
    # Share the built index (read-only) instead of rebuilding it; databases stay private to the tests.
    shutil.copytree(get_settings().index_dir, data_dir / "index")
    env = {
        "YIBAO_DATA_DIR": str(data_dir),
        "YIBAO_TRACKER_DB": str(data_dir / "rasa_tracker.db"),
        "DATABASE_URL": f"sqlite:///{data_dir / 'yibao.db'}",
        # The suites share one client address (127.0.0.1) and the fuzzers fire hundreds of requests in seconds:
        # the per-client and per-session windows are wide here; tests/kiosk_api/test_kiosk_api_limits.py
        # and benchmarks/replay_attacks.py check the real defaults.
        "YIBAO_LIMIT_SESSIONS_PER_CLIENT": "2000/minute",
        "YIBAO_LIMIT_CHAT_PER_CLIENT": "5000/minute",
        "YIBAO_LIMIT_CHAT_PER_SESSION": "2000/minute",
        "YIBAO_WIDGET_ORIGINS": WIDGET_ORIGIN,
    }
    stack = Stack(ports=Ports.free(), log_dir=data_dir / "logs", env_overrides=env)
    stack.start(timeout=600)  # a loaded 2-core machine can take minutes to load the Rasa model
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def demo_rows() -> list[AccountRow]:
    return read_csv(DEMO_CSV)


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


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


def pytest_report_header() -> str:
    return f"yibao data dir: {os.environ.get('YIBAO_DATA_DIR', get_settings().data_dir)}"
