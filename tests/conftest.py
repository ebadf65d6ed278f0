"""Shared fixtures. ``live_stack`` runs the real Rasa server, action server and kiosk API on free ports
with a private data directory for databases, so tests never touch a running installation's data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from yibao.settings import PROJECT_ROOT, get_settings
from yibao.stack import Ports, Stack


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
    }
    stack = Stack(ports=Ports.free(), log_dir=data_dir / "logs", env_overrides=env)
    stack.start(timeout=400)  # Rasa loads its model in ~30 s on an idle machine, minutes on a busy one
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


def pytest_report_header() -> str:
    return f"yibao data dir: {os.environ.get('YIBAO_DATA_DIR', get_settings().data_dir)}"
