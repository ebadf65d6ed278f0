"""Shared fixtures. ``live_stack`` runs the real Rasa server and kiosk API (with the custom actions) on free ports
with a private data directory for databases, so tests never touch a running installation's data."""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stack_helpers import WIDGET_ORIGIN
from yibao.settings import PROJECT_ROOT, get_settings
from yibao.stack import Ports, Stack


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
def project_root() -> Path:
    return PROJECT_ROOT


def pytest_report_header() -> str:
    return f"yibao data dir: {os.environ.get('YIBAO_DATA_DIR', get_settings().data_dir)}"
