"""Fixtures of the bot tests: a real rasa-sdk Tracker for calling actions in-process, a private data dir
(accounts database with the demo accounts, catalog, a read-only copy of the built knowledge-base index), and
the trained Rasa model (reused when newer than config/domain/data, otherwise trained into a temp dir)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from yibao.settings import PROJECT_ROOT, get_settings

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = PROJECT_ROOT / "var" / "models" / "yibao.tar.gz"
TRAINING_INPUTS = [
    PROJECT_ROOT / "config.yml", PROJECT_ROOT / "domain.yml", *sorted((PROJECT_ROOT / "bot" / "data").rglob("*.yml")),
]


def rasa_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2"}


def run_rasa(*args: str, timeout: float = 900, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RASA), *args], cwd=PROJECT_ROOT, env={**rasa_env(), **env}, capture_output=True,
                          text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    newest_input = max(p.stat().st_mtime for p in TRAINING_INPUTS)
    if MODEL.exists() and MODEL.stat().st_mtime >= newest_input:
        return MODEL
    out = tmp_path_factory.mktemp("model")
    result = run_rasa("train", "--config", "config.yml", "--domain", "domain.yml", "--data", "bot/data",
                      "--out", str(out), "--fixed-model-name", "yibao", "--quiet")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "yibao.tar.gz"


@pytest.fixture(scope="session")
def bot_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Private data dir: the built index copied read-only, demo accounts imported once."""
    index = get_settings().index_dir
    if not (index / "manifest.json").exists():
        pytest.fail(f"knowledge-base index missing in {index}: run `.venv/bin/yibao kb build` first")
    data_dir = tmp_path_factory.mktemp("bot-data")
    shutil.copytree(index, data_dir / "index")
    return data_dir


@pytest.fixture(scope="session")
def demo_accounts_db(bot_data_dir: Path) -> Path:
    """The demo accounts imported once (argon2 hashing is deliberately slow); each test gets a copy."""
    from accounts.importer import DEMO_CSV, read_csv, store
    from accounts.service import AccountService

    path = bot_data_dir.parent / "accounts-template.db"
    service = AccountService.open(f"sqlite:///{path}")
    with service.transaction() as session:
        store(session, read_csv(DEMO_CSV), demo=True)
    service.engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def private_backends(
    bot_data_dir: Path, demo_accounts_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point settings (knowledge base, catalog, accounts) at the private data dir with a fresh accounts DB."""
    shutil.copy(demo_accounts_db, tmp_path / "accounts.db")
    monkeypatch.setenv("YIBAO_DATA_DIR", str(bot_data_dir))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'accounts.db'}")
    get_settings.cache_clear()
    yield bot_data_dir
    get_settings.cache_clear()
