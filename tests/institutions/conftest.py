"""Fixtures of the directory tests: a fresh project database per test, migrated by Alembic like production."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from institutions.search import Directory


@pytest.fixture
def directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Directory]:
    from accounts.db import make_engine, upgrade
    from yibao.settings import get_settings

    monkeypatch.setenv("YIBAO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("YIBAO_KIOSK_LOCATION", raising=False)
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{tmp_path / 'yibao.db'}")
    upgrade(engine)
    yield Directory(engine)
    engine.dispose()
    get_settings.cache_clear()


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
