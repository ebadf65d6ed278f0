"""Fixtures of the bot tests: a real rasa-sdk Tracker for calling actions in-process, a private data dir
(accounts database with the demo accounts, catalog, a read-only copy of the built knowledge-base index), and
the trained Rasa model (reused when newer than config/domain/data, otherwise trained into a temp dir)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from yibao.settings import PROJECT_ROOT, get_settings

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = PROJECT_ROOT / "var" / "models" / "yibao.tar.gz"
TRAINING_INPUTS = [
    PROJECT_ROOT / "config.yml", PROJECT_ROOT / "domain.yml", *sorted((PROJECT_ROOT / "bot" / "data").glob("*.yml")),
]
DEMO_CARD, DEMO_PIN = "9900000000000001", "246810"


def rasa_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2"}


def run_rasa(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RASA), *args], cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)


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


@pytest.fixture
def private_backends(bot_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point settings (knowledge base, catalog, accounts) at the private data dir with a fresh accounts DB."""
    from accounts.importer import DEMO_CSV, read_csv, store
    from accounts.service import AccountService

    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    monkeypatch.setenv("YIBAO_DATA_DIR", str(bot_data_dir))
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    service = AccountService.open(url)
    with service.transaction() as session:
        store(session, read_csv(DEMO_CSV), demo=True)
    yield bot_data_dir
    get_settings.cache_clear()


def make_tracker(
    text: str,
    intent: str,
    *,
    confidence: float = 0.95,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str = "test-conversation",
) -> Tracker:
    """A real rasa-sdk Tracker as the action server receives it after the user said ``text``."""
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
              "metadata": {"channel": "kiosk"}}
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}]
    return Tracker(sender_id, dict(slots or {}), latest, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run_action(action: Any, tracker: Tracker, domain: dict[str, Any] | None = None) -> tuple[list[dict], list]:
    """Run an action like the action server does; returns (messages, events)."""
    import asyncio

    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or DOMAIN))
    return dispatcher.messages, events


def answer_meta(messages: list[dict]) -> dict[str, Any]:
    metas = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "answer_meta"]
    assert len(metas) == 1, f"expected exactly one answer_meta, got {messages}"
    return metas[0]


def answer_text(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))


def _load_domain() -> dict[str, Any]:
    import yaml

    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


DOMAIN = _load_domain()
