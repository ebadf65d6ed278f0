"""`yibao accounts migrate|import|demo` and `yibao audit`, run as a person would, on a private data dir."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounts.importer import DEMO_CSV
from accounts.models import InsuredPerson
from accounts.service import AccountService
from yibao.settings import PROJECT_ROOT

YIBAO = PROJECT_ROOT / ".venv" / "bin" / "yibao"


def yibao(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YIBAO_DATA_DIR": str(data_dir), "DATABASE_URL": "", "COLUMNS": "200"}
    return subprocess.run([str(YIBAO), *args], env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def person_count(data_dir: Path) -> int:
    svc = AccountService.open(f"sqlite:///{data_dir / 'yibao.db'}")
    with svc.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(InsuredPerson)) or 0)


def test_demo_is_idempotent_and_prints_how_to_try_it(data_dir: Path) -> None:
    first = yibao(data_dir, "accounts", "demo")
    assert first.returncode == 0, first.stderr
    assert yibao(data_dir, "accounts", "demo").returncode == 0
    rows = DEMO_CSV.read_text(encoding="utf-8").splitlines()[1:]
    assert person_count(data_dir) == len(rows)
    card, _name, _id, pin = rows[0].split(",")[:4]
    assert card in first.stdout and pin in first.stdout and "演示" in first.stdout


def test_import_is_all_or_nothing_with_clear_errors(data_dir: Path, tmp_path: Path) -> None:
    assert yibao(data_dir, "accounts", "migrate").returncode == 0
    header = DEMO_CSV.read_text(encoding="utf-8").splitlines()[0]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{header}\n"
        "9900000000000101,测试甲,000000199001011234,123456,13800000001,职工医保,10.00,0,\n"
        "9900000000000102,测试乙,000000199001011234,12ab,13800000001,职工医保,abc,0,\n",
        encoding="utf-8",
    )
    result = yibao(data_dir, "accounts", "import", str(bad))
    assert result.returncode == 1
    assert "第 3 行" in result.stderr and "密码" in result.stderr
    assert person_count(data_dir) == 0

    good = tmp_path / "good.csv"
    good.write_text(bad.read_text(encoding="utf-8").splitlines(keepends=True)[0] + bad.read_text(
        encoding="utf-8").splitlines(keepends=True)[1], encoding="utf-8")
    assert yibao(data_dir, "accounts", "import", str(good)).returncode == 0
    assert person_count(data_dir) == 1


def test_audit_lists_attempts_without_secrets(data_dir: Path) -> None:
    assert yibao(data_dir, "accounts", "demo").returncode == 0
    card, _name, _id, pin = DEMO_CSV.read_text(encoding="utf-8").splitlines()[1].split(",")[:4]
    svc = AccountService.open(f"sqlite:///{data_dir / 'yibao.db'}")
    svc.verify_pin(card, "000000", conversation_id="cli-test", channel="kiosk")
    svc.verify_pin(card, pin, conversation_id="cli-test", channel="kiosk")
    svc.disclose_balance("cli-test", channel="kiosk")

    result = yibao(data_dir, "audit", "--json", "--conversation", "cli-test")
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["event"], e["outcome"]) for e in entries] == [
        ("disclose_balance", "disclosed"), ("verify_pin", "ok"), ("verify_pin", "failed"),
    ]
    assert card not in result.stdout and pin not in result.stdout
    assert yibao(data_dir, "audit", "--event", "verify_pin", "--since", "1h").returncode == 0
    assert yibao(data_dir, "audit", "--since", "yesterday-ish").returncode != 0
