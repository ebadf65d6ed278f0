"""bot/rasa_patches caches two Rasa lookups: the cached versions must answer exactly like Rasa's own, including
the errors they raise (checked in the Rasa venv, against the unpatched functions). The patches are installed by
bot.rasa_server before Rasa starts, not by importing the tracker store, and on a Rasa release they were not
checked against the server refuses to start."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.bot.conftest import rasa_env
from yibao.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
PROBE = Path(__file__).resolve().parent / "helpers" / "rasa_patches_probe.py"

pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="Rasa venv .venv-rasa not installed")


@pytest.fixture(scope="module")
def report() -> dict:
    env = {**rasa_env(), "YIBAO_RASA_TOKEN": "probe-token"}  # bot.rasa_server hands Rasa a token
    done = subprocess.run([str(RASA_PYTHON), str(PROBE)], env=env, capture_output=True, text=True,
                          timeout=300, check=False, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_patches_are_installed_by_the_rasa_server_before_rasa_starts(report: dict) -> None:
    assert set(report["patched_after_importing_the_tracker_store"].values()) == {False}
    started = report["checked_release"]
    assert started["started"] is True
    assert started["patched_at_start"] == {"validate": True, "resolve": True, "rule": True, "ted": True,
                                           "memo": True}
    assert report["installed_twice_is_installed_once"] is True


def test_rasa_does_not_start_on_a_release_the_patches_were_not_checked_against(report: dict) -> None:
    refused = report["other_release"]
    assert refused["started"] is False
    assert "3.7.0" in refused["refused"] and "3.6.21" in refused["refused"]
    assert set(refused["patched"].values()) == {False}  # nothing half-installed either


def test_action_responses_are_accepted_and_rejected_as_rasa_does(report: dict) -> None:
    outcomes = report["validate"]
    assert [original == cached for original, cached in outcomes] == [True] * len(outcomes)
    # The probe's inputs include both kinds, so the comparison covers the error path and its message.
    assert {original["ok"] for original, _ in outcomes} == {True, False}
    rejected = [cached for _, cached in outcomes if not cached["ok"]]
    assert all("Failed to validate Action server response" in r["message"] for r in rejected)


def test_event_names_resolve_to_the_same_classes(report: dict) -> None:
    resolved = report["resolve"]
    assert len(resolved) > 20  # every Event subclass Rasa knows, plus "topic" and an unknown name
    assert {name: pair for name, pair in resolved.items() if pair[0] != pair[1]} == {}
    assert resolved["slot"][1] == {"ok": True, "result": "SlotSet"}
    assert resolved["no_such_event"][1]["error"] == "ValueError"
    assert report["resolve_default"][0] == report["resolve_default"][1] == {"ok": True, "result": "Event"}


_TOKEN_PROBE = """
import sys
import rasa.__main__ as rasa_cli
from bot import rasa_server

def parse_only():
    print(rasa_cli.create_argument_parser().parse_args(sys.argv[1:]).auth_token)

rasa_cli.main = parse_only
sys.argv = ["bot.rasa_server", "run", "--enable-api", "--port", "5999"]
rasa_server.main()
"""


def test_a_token_that_begins_with_a_dash_reaches_rasa() -> None:
    """A generated token (token_urlsafe) begins with "-" one time in 32; given as a separate argument, Rasa's
    argument parser took it for an option and Rasa did not start."""
    token = "-Tk_leading-dash"
    done = subprocess.run([str(RASA_PYTHON), "-c", _TOKEN_PROBE], env={**rasa_env(), "YIBAO_RASA_TOKEN": token},
                          capture_output=True, text=True, timeout=300, check=False, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == token
