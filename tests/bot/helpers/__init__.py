"""Helpers of the bot tests (importable: conftest modules are not, under --import-mode=importlib). The scripts
beside this module (``*_probe.py``) are run in the Rasa venv by the tests; this module runs in ``.venv``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker

from bot.actions import in_process
from bot.actions.in_process import make_tracker
from yibao.settings import PROJECT_ROOT

__all__ = ["DEMO_CARD", "DEMO_PIN", "DOMAIN", "answer_meta", "answer_text", "load_tracker", "make_tracker",
           "run_action"]
DATA = Path(__file__).resolve().parent.parent / "data"


def _first_demo_account() -> tuple[str, str]:
    from accounts.importer import DEMO_CSV, read_csv

    row = read_csv(DEMO_CSV)[0]
    return row.card_number, row.pin


DEMO_CARD, DEMO_PIN = _first_demo_account()


def load_tracker(name: str) -> Tracker:
    """A conversation saved as Rasa sends it to the action server (tests/bot/data/NAME.json), as a rasa-sdk
    Tracker (as RasaHQ/financial-demo's action tests load theirs)."""
    return Tracker.from_dict(json.loads((DATA / f"{name}.json").read_text(encoding="utf-8")))


def run_action(action: Any, tracker: Tracker, domain: dict[str, Any] | None = None) -> tuple[list[dict], list]:
    """Run an action like rasa-sdk's executor does (with domain.yml unless told); returns (messages, events)."""
    return in_process.run_action(action, tracker, domain or DOMAIN)


def answer_meta(messages: list[dict]) -> dict[str, Any]:
    metas = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "answer_meta"]
    assert len(metas) == 1, f"expected exactly one answer_meta, got {messages}"
    return metas[0]


def answer_text(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))


def _load_domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


DOMAIN = _load_domain()
