"""`yibao ask`: questions through the real dialogue stack (Rasa server + kiosk API's actions), one JSON line each.

    yibao ask "异地就医备案在哪里办"
    yibao ask --batch questions.jsonl [--eval]      # records with "question" (and "id"); --eval scores them

The stack is reused when it is already listening on the configured ports, otherwise started for the call.
Every batch question gets a fresh sender id, so no question sees another's conversation; a record's ``context``
(earlier user turns of a follow-up) is asked first in that same conversation.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from yibao.answer_meta import AnswerMeta, find_answer_meta
from yibao.stack import running_stack

REQUEST_TIMEOUT = 180.0  # the first question may wait for kiosk_api to load the embedding model


def ask_one(http: httpx.Client, question: str, qid: str = "", context: Iterable[str] = ()) -> dict[str, Any]:
    """Send one question (after its ``context`` turns) in a new conversation; return the ``yibao ask`` JSON."""
    sender = f"ask-{uuid.uuid4().hex}"
    for turn in context:
        http.post("/webhooks/rest/webhook", json={"sender": sender, "message": turn}).raise_for_status()
    resp = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": question})
    resp.raise_for_status()
    outputs = [o for o in resp.json() if isinstance(o, dict)]
    metas = find_answer_meta(outputs)
    if metas:
        meta = metas[0]
    else:  # an utterance without answer_meta: ask the NLU for the intent instead
        parsed = http.post("/model/parse", json={"text": question}).json().get("intent") or {}
        meta = AnswerMeta(intent=parsed.get("name"), confidence=parsed.get("confidence"))
    answer = "\n".join(str(o["text"]) for o in outputs if o.get("text"))
    return {
        "id": qid,
        "question": question,
        "intent": meta.intent,
        "confidence": meta.confidence,
        "answer": answer,
        "citations": [c.as_meta(quote=False) for c in meta.citations],
        "fallback": meta.fallback,
        # why the assistant did not answer (docs/CONTRACTS.md); a bare fallback from an older model is "not_sure"
        "refusal": meta.refusal or ("not_sure" if meta.fallback else None),
    }


def ask_records(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Records (id, question, optional context) → answers, through a stack started only if it is not running."""
    with running_stack() as stack, httpx.Client(
        base_url=stack.rasa_url, timeout=REQUEST_TIMEOUT, params={"token": stack.rasa_token}
    ) as http:
        for record in records:
            yield ask_one(http, str(record["question"]), str(record.get("id", "")), record.get("context") or ())


def read_batch(path: Path) -> list[dict[str, Any]]:
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            record = json.loads(line)
            record.setdefault("id", str(n))
            context = record.get("context", [])
            if not isinstance(context, list) or not all(isinstance(turn, str) for turn in context):
                # a bare string would be replayed one character per turn
                raise typer.BadParameter(f"{path}:{n}: context 应是先前各轮提问的列表，例如 [\"异地就医怎么备案\"]")
            records.append(record)
    return records


EVAL_HELP = "按 must_any / expect / expect_intent 评分，列出失败项、分类通过率和拒答类型"


def ask(
    question: Annotated[str | None, typer.Argument(help="问题，例如 “异地就医备案在哪里办”")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help="JSONL 文件，每行含 question（可含 id）")] = None,
    evaluate: Annotated[bool, typer.Option("--eval", help=EVAL_HELP)] = False,
) -> None:
    """Print one JSON object per question: id, question, intent, confidence, answer, citations, fallback, refusal."""
    if (question is None) == (batch is None):
        raise typer.BadParameter("请给出一个问题，或用 --batch 指定问题文件（二选一）")
    records = read_batch(batch) if batch else [{"id": "", "question": question}]
    answers = []
    for answer in ask_records(records):
        answers.append(answer)
        typer.echo(json.dumps(answer, ensure_ascii=False))
    if evaluate:
        from bot.evaluate import report

        passed = report(records, answers, out=sys.stderr)
        raise typer.Exit(0 if passed else 1)
