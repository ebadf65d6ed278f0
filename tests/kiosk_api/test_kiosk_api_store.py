"""Sessions, turns and feedback in a real SQLite database, and the `yibao report` commands."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from kiosk_api.cli import report_app
from kiosk_api.privacy import storable_question
from kiosk_api.store import Store, TurnRecord, get_store, utcnow

HOUR = timedelta(hours=1)


def _turn(question: str, confidence: float | None = 0.9, fallback: bool = False,
          expect: str | None = None) -> TurnRecord:
    return TurnRecord(question=question, intent="ask", confidence=confidence, fallback=fallback, handoff=False,
                      expect_input=expect)


def test_session_lifecycle(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    row = store.start_session("kiosk")
    assert len(row.id) >= 32 and row.id != store.start_session("kiosk").id
    assert store.active_session(row.id, HOUR) is not None
    assert store.active_session(row.id, timedelta(seconds=-1)) is None  # idle longer than the TTL
    assert store.end_session(row.id) is True
    assert store.end_session(row.id) is False
    assert store.active_session(row.id, HOUR) is None
    assert store.active_session("../../etc/passwd", HOUR) is None


def test_sessions_survive_a_new_store_on_the_same_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    row = Store(url).start_session("widget")
    assert Store(url).active_session(row.id, HOUR).channel == "widget"


def test_expect_input_is_remembered_for_the_next_message(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    sid = store.start_session("kiosk").id
    store.record_turn(sid, "kiosk", _turn("查余额", expect="pin"))
    assert store.active_session(sid, HOUR).expect_input == "pin"
    assert storable_question("246810", "pin") != "246810"
    assert "246810" not in storable_question("246810", "pin")


def test_redaction_of_stored_questions() -> None:
    stored = storable_question("我的卡号是9900000000000001，手机13800000001", None)
    assert "9900000000000001" not in stored and "13800000001" not in stored
    assert stored.startswith("我的卡号是")


def test_unanswered_and_feedback(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'd.db'}")
    sid = store.start_session("widget").id
    good = store.record_turn(sid, "widget", _turn("住院报销比例"))
    store.record_turn(sid, "widget", _turn("火车票", confidence=0.1))
    store.record_turn(sid, "widget", _turn("天气怎么样", confidence=None, fallback=True))
    questions = [r["question"] for r in store.unanswered(utcnow() - HOUR, threshold=0.35)]
    assert sorted(questions) == ["天气怎么样", "火车票"]
    assert store.add_feedback(sid, good, "up", None) is True
    other = store.start_session("kiosk").id
    assert store.add_feedback(other, good, "down", None) is False  # not that session's answer
    assert store.add_feedback(sid, None, "unsolved", "没说清楚") is True
    assert store.satisfaction(utcnow() - HOUR) == {"widget": {"questions": 3, "up": 1, "down": 0, "unsolved": 1}}


def test_report_commands_print_literal_redacted_questions(private_env: Path) -> None:
    store = get_store()
    sid = store.start_session("kiosk").id
    store.record_turn(sid, "kiosk", _turn(storable_question("[bold]红色[/bold] 卡号9900000000000001", None),
                                          confidence=0.05))
    store.add_feedback(sid, None, "down", None)
    runner = CliRunner()
    out = runner.invoke(report_app, ["unanswered", "--days", "1"])
    assert out.exit_code == 0, out.output
    assert "[bold]红色[/bold]" in out.output  # printed literally, not as rich markup
    assert "9900000000000001" not in out.output
    lines = runner.invoke(report_app, ["unanswered", "--json"]).output.strip().splitlines()
    assert json.loads(lines[0])["channel"] == "kiosk"
    sat = runner.invoke(report_app, ["satisfaction", "--json"])
    assert json.loads(sat.output) == {"kiosk": {"questions": 1, "up": 0, "down": 1, "unsolved": 0}}
