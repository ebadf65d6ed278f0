"""Score `yibao ask` answers against eval records.

A record is one of:
- an answerable question: ``must_any`` (the answer's own content contains one of these strings, both sides in
  simplified Chinese), optional ``must_not``;
- ``"expect": "refuse"``: the documents cannot answer it; passes only with an honest refusal (``refusal`` set)
  whose own content states no figure and none of ``must_not``;
- ``expect_intent``: passes when the predicted intent is that one (action requests such as "查余额").
Follow-ups carry ``context``: the earlier user turns, asked first in the same conversation.

"Own content" is the answer less the sentences every answer may carry (the help line, the local-rules note,
the intro): a fact found only there counts for nothing.

    python -m bot.evaluate tests/eval/patients_debug.jsonl          # asks through the stack, then scores
    python -m bot.evaluate QUESTIONS.jsonl --answers ANSWERS.jsonl    # scores saved `yibao ask` output
    python -m bot.evaluate QUESTIONS.jsonl --actions-only             # the answer action alone, in-process

``--actions-only`` runs the documents' answer action (``action_answer_question``) on each question as if NLU
had said ``ask_policy``: no Rasa, no routing, about ten times faster. It measures answering apart from intent
recognition; the whole stack's figure is the one without it.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from knowledge.text import to_simplified
from yibao.answer_meta import find_answer_meta

TARGET_PASS_RATE = 0.90
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_FIGURE = re.compile(r"\d")


@lru_cache(maxsize=1)
def _carried_by_every_answer() -> frozenset[str]:
    """Fixed sentences of bot.actions.texts (formatted with the help line) that carry no answer."""
    from bot.actions import texts

    fixed = [texts.human_help(), texts.LOCAL_RULES_NOTE, texts.ANSWER_INTRO, texts.ANSWER_MORE]
    return frozenset(s.strip() for t in fixed for s in _SENTENCE.findall(to_simplified(t)) if s.strip())


def own_content(answer_text: str) -> str:
    """The answer less the sentences that every answer may carry."""
    carried = _carried_by_every_answer()
    sentences = _SENTENCE.findall(to_simplified(answer_text or ""))
    return "".join(s for s in sentences if s.strip() and s.strip() not in carried)


def expected(record: dict[str, Any]) -> str:
    if record.get("expect_intent"):
        return "intent"
    return "refuse" if record.get("expect") == "refuse" else "answer"


def passes(record: dict[str, Any], answer: dict[str, Any]) -> bool:
    content = own_content(str(answer.get("answer") or ""))
    if any(to_simplified(str(bad)) in content for bad in record.get("must_not") or []):
        return False
    kind = expected(record)
    if kind == "intent":
        return answer.get("intent") == record["expect_intent"]
    if kind == "refuse":
        return bool(answer.get("refusal")) and not _FIGURE.search(content)
    return any(to_simplified(str(fact)) in content for fact in record.get("must_any") or [])


def report(records: Sequence[dict[str, Any]], answers: Sequence[dict[str, Any]], out: TextIO = sys.stdout,
           target: float = TARGET_PASS_RATE) -> bool:
    """Print the failures, the pass rate by class and expectation, and the refusal kinds; True on target."""
    by_id = {str(a.get("id")): a for a in answers}
    by_class: dict[str, list[bool]] = defaultdict(list)
    refusals: Counter[str] = Counter()
    failures = []
    for record in records:
        answer = by_id.get(str(record.get("id")), {})
        ok = passes(record, answer)
        by_class[f"{record.get('class', record.get('topic', ''))}/{expected(record)}"].append(ok)
        refusals[f"{expected(record)} -> {answer.get('refusal') or 'answered'}"] += 1
        if not ok:
            failures.append((record, answer))
    for record, answer in failures:
        wanted = record.get("must_any") or f"intent={record.get('expect_intent')}" if expected(record) != "refuse" \
            else "an honest refusal without figures"
        print(f"FAIL {record.get('id')} [{record.get('class', record.get('topic', ''))}] "
              f"{' / '.join([*record.get('context', []), str(record.get('question'))])}", file=out)
        print(f"     wanted {wanted}; got intent={answer.get('intent')} conf={answer.get('confidence')} "
              f"refusal={answer.get('refusal')}", file=out)
        print("     answer: " + str(answer.get("answer", "")).replace("\n", " ")[:300], file=out)
    print("by class:", file=out)
    for name, results in sorted(by_class.items()):
        print(f"  {name:28s} {sum(results):3d}/{len(results):<3d} = {sum(results) / len(results):.0%}", file=out)
    print("refusal kinds (expected -> given):", file=out)
    for name, count in sorted(refusals.items()):
        print(f"  {name:40s} {count}", file=out)
    total = len(records)
    passed = total - len(failures)
    rate = passed / total if total else 0.0
    print(f"pass rate {passed}/{total} = {rate:.1%} (target {target:.0%})", file=out)
    return rate >= target


def answer_in_process(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each record's turns through the answer action alone, the conversation's slots carried between turns."""
    from bot.actions.in_process import make_tracker, run_action
    from bot.actions.qa import ActionAnswerQuestion

    action, results = ActionAnswerQuestion(), []
    for record in records:
        slots: dict[str, Any] = {}
        for text in [*record.get("context", []), record["question"]]:
            tracker = make_tracker(text, "ask_policy", confidence=1.0, slots=slots, sender_id=f"eval-{record['id']}",
                                   channel="api")
            messages, events = run_action(action, tracker, {})
            for event in events:
                if event.get("event") == "slot":
                    slots[event["name"]] = event["value"]
        meta = find_answer_meta(messages)[0]
        results.append({"id": record["id"], "question": record["question"], "intent": meta.intent,
                        "confidence": meta.confidence, "fallback": meta.fallback, "refusal": meta.refusal,
                        "answer": "\n".join(m["text"] for m in messages if m.get("text"))})
    return results


def main(
    questions: Annotated[Path, typer.Argument(help="eval JSONL: id, question, must_any | expect | expect_intent")],
    answers: Annotated[Path | None, typer.Option(help="saved `yibao ask --batch` output; default: ask now")] = None,
    actions_only: Annotated[bool, typer.Option(help="the answer action alone, in-process (no Rasa)")] = False,
) -> None:
    from bot.client import ask_records, read_batch

    records = read_batch(questions)
    if answers:
        results = [json.loads(line) for line in answers.read_text(encoding="utf-8").splitlines() if line.strip()]
    elif actions_only:
        records = [r for r in records if "expect_intent" not in r]  # routing is not measured without NLU
        results = answer_in_process(records)
    else:
        results = list(ask_records(records))
    raise typer.Exit(0 if report(records, results) else 1)


if __name__ == "__main__":
    typer.run(main)
