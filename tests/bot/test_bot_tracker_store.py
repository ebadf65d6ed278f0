"""The redacting Rasa tracker store (run in the Rasa venv) on SQLite, PostgreSQL and Redis: nothing secret is
written, and a fresh store instance - another Rasa instance, or one restarted - continues the conversation."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from yibao.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
PROBE = Path(__file__).resolve().parent / "helpers" / "rasa_tracker_probe.py"
CARD, PIN = "9900000000000001", "246810"
SECRETS = (CARD, PIN, "110105199001011234", "13812345678", "135790")

pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="Rasa venv .venv-rasa not installed")


def run_probe(mode: str, sender: str, db: Path, env: dict[str, str]) -> dict:
    args = [str(RASA_PYTHON), str(PROBE), mode, sender, str(db)] + ([CARD, PIN] if mode == "write" else [])
    full_env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false", **env}
    done = subprocess.run(args, env=full_env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_conversation_continues(state: dict) -> None:
    assert state["slots"]["card_number"] == CARD  # decrypted for the form's next turn
    assert state["slots"]["pin"] is None
    texts = state["user_texts"]
    assert texts[0].endswith(CARD[-4:]) and CARD not in texts[0]
    assert texts[1] == "[已隐藏]"  # typed at the PIN prompt
    assert "1234" in texts[2] and "5678" in texts[2] and not any(s in texts[2] for s in SECRETS)


def assert_no_secrets(stored: str) -> None:
    leaked = [s for s in SECRETS if s in stored]
    assert not leaked, f"stored in clear: {leaked}"
    assert "enc:v1:" in stored and "[已隐藏]" in stored


def decoded(rows: list[str]) -> str:
    """Stored JSON with \\u escapes resolved, so the checks see what a person reading the database sees."""
    return "\n".join(json.dumps(json.loads(r), ensure_ascii=False) for r in rows)


def test_sqlite_tracker_store(tmp_path: Path) -> None:
    env = {"YIBAO_DATA_DIR": str(tmp_path), "YIBAO_TRACKER_URL": "", "YIBAO_TRACKER_KEY": ""}
    db = tmp_path / "rasa_tracker.db"
    assert_conversation_continues(run_probe("write", "kiosk-1", db, env))
    state = run_probe("read", "kiosk-1", db, env)
    assert_conversation_continues(state)
    with sqlite3.connect(db) as conn:
        rows = [row[0] for row in conn.execute("SELECT data FROM events")]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert_no_secrets(decoded(rows))
    assert len(rows) == state["events"]  # each save appends only what is new: nothing stored twice
    assert journal == "wal"
    key = tmp_path / "secrets" / "tracker.key"
    assert key.stat().st_mode & 0o077 == 0  # the generated key is readable by its owner only


def test_tracker_without_the_key_restarts_cleanly(tmp_path: Path) -> None:
    """If the key is lost, the stored card number is unreadable: the form asks again; nothing breaks."""
    env = {"YIBAO_DATA_DIR": str(tmp_path), "YIBAO_TRACKER_URL": "", "YIBAO_TRACKER_KEY": ""}
    db = tmp_path / "rasa_tracker.db"
    run_probe("write", "kiosk-2", db, env)
    (tmp_path / "secrets" / "tracker.key").unlink()
    state = run_probe("read", "kiosk-2", db, env)
    assert state["slots"]["card_number"] is None and len(state["user_texts"]) == 3


def test_postgresql_tracker_store(tmp_path: Path, postgres_url: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    env = {"YIBAO_DATA_DIR": str(tmp_path), "YIBAO_TRACKER_URL": postgres_url + "rasa"}
    assert_conversation_continues(run_probe("write", "kiosk-pg", tmp_path / "unused.db", env))
    assert_conversation_continues(run_probe("read", "kiosk-pg", tmp_path / "unused.db", env))
    assert not (tmp_path / "unused.db").exists()
    with psycopg.connect(postgres_url + "rasa") as conn:
        rows = [r[0] for r in conn.execute("SELECT data FROM events WHERE sender_id = 'kiosk-pg'")]
    assert len(rows) > 5
    assert_no_secrets(decoded(rows))


def test_redis_tracker_store(tmp_path: Path, redis_url: str) -> None:
    import redis

    env = {"YIBAO_DATA_DIR": str(tmp_path), "YIBAO_TRACKER_URL": redis_url + "/0"}
    assert_conversation_continues(run_probe("write", "kiosk-redis", tmp_path / "unused.db", env))
    assert_conversation_continues(run_probe("read", "kiosk-redis", tmp_path / "unused.db", env))
    client = redis.Redis.from_url(redis_url + "/0", decode_responses=True)
    values = [client.get(k) for k in client.keys("*kiosk-redis*")]
    assert values
    stored = json.dumps([json.loads(v) for v in values], ensure_ascii=False)
    assert_no_secrets(stored)


def test_several_rasa_workers_are_refused_without_a_shared_lock_store(tmp_path: Path) -> None:
    code = "from bot.tracker_store import ConfiguredLockStore as L; print(type(L()).__name__)"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "YIBAO_DATA_DIR": str(tmp_path), "YIBAO_LOCK_URL": ""}

    def lock_store(workers: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(RASA_PYTHON), "-c", code], env={**env, "SANIC_WORKERS": workers},
                              capture_output=True, text=True, timeout=300, check=False)

    assert lock_store("1").stdout.strip() == "InMemoryLockStore"
    refused = lock_store("2")
    assert refused.returncode != 0 and "YIBAO_LOCK_URL" in refused.stderr
