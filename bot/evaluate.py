"""Score `yibao ask` answers against eval records: a record passes when the answer contains one of its
``must_any`` facts (both sides converted to simplified Chinese) or the intent equals ``expect_intent``.

    python -m bot.evaluate ../shared/eval/dev_questions.jsonl          # asks through the stack, then scores
    python -m bot.evaluate QUESTIONS.jsonl --answers ANSWERS.jsonl    # scores saved `yibao ask` output
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from knowledge.text import to_simplified

TARGET_PASS_RATE = 0.95


def passes(record: dict[str, Any], answer: dict[str, Any]) -> bool:
    expected_intent = record.get("expect_intent")
    if expected_intent and answer.get("intent") == expected_intent:
        return True
    text = to_simplified(str(answer.get("answer") or ""))
    return any(to_simplified(str(fact)) in text for fact in record.get("must_any") or [])


def report(records: Sequence[dict[str, Any]], answers: Sequence[dict[str, Any]], out: TextIO = sys.stdout) -> bool:
    """Print the failures and the pass rate; True when the rate reaches the target."""
    by_id = {str(a.get("id")): a for a in answers}
    failures = []
    for record in records:
        answer = by_id.get(str(record.get("id")), {})
        if not passes(record, answer):
            failures.append((record, answer))
    total = len(records)
    rate = (total - len(failures)) / total if total else 0.0
    for record, answer in failures:
        wanted = record.get("must_any") or f"intent={record.get('expect_intent')}"
        print(f"FAIL {record.get('id')} [{record.get('topic', '')}] {record.get('question')}", file=out)
        print(f"     wanted {wanted}; got intent={answer.get('intent')} "
              f"conf={answer.get('confidence')} fallback={answer.get('fallback')}", file=out)
        print("     answer: " + str(answer.get("answer", "")).replace("\n", " ")[:300], file=out)
    print(f"pass rate {total - len(failures)}/{total} = {rate:.1%} (target {TARGET_PASS_RATE:.0%})", file=out)
    return rate >= TARGET_PASS_RATE


def main(
    questions: Annotated[Path, typer.Argument(help="eval JSONL: id, question, must_any | expect_intent")],
    answers: Annotated[Path | None, typer.Option(help="saved `yibao ask --batch` output; default: ask now")] = None,
) -> None:
    from bot.client import ask_all, read_batch

    records = read_batch(questions)
    if answers:
        results = [json.loads(line) for line in answers.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        results = list(ask_all((str(r["id"]), str(r["question"])) for r in records))
    raise typer.Exit(0 if report(records, results) else 1)


if __name__ == "__main__":
    typer.run(main)
