"""The eval/batch file reader: a follow-up's context is a list of earlier turns, never a bare string."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from bot.client import read_batch


def _write(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_list_context_is_read_as_turns(tmp_path: Path) -> None:
    records = read_batch(_write(tmp_path, {"question": "那急诊呢", "context": ["外配处方能开几天"]}))
    assert records[0]["context"] == ["外配处方能开几天"]
    assert records[0]["id"] == "1"


@pytest.mark.parametrize("context", ["外配处方能开几天", [1, 2], {"turn": "x"}])
def test_malformed_context_is_refused_with_its_line(tmp_path: Path, context: object) -> None:
    path = _write(tmp_path, {"question": "住院能报多少"}, {"question": "那急诊呢", "context": context})
    with pytest.raises(typer.BadParameter, match=r"set\.jsonl:2: context"):
        read_batch(path)
