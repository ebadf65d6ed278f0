"""Issue 15, "one place for each concern": only yibao/answer_meta.py builds or parses the ``answer_meta`` message.

The scan reads every Python file of the project (not the tests) and reports each string ``"answer_meta"`` (the
message's type, which a module needs only to build or recognise the message by hand) and each citation written
out by hand: a dict, or a tuple/list/set of key names, naming both ``"doc"`` and ``"passage_id"``. Every part
uses ``yibao.answer_meta`` instead (``Citation``, ``AnswerMeta``, ``parse``, ``find_answer_meta``, ``merged``).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_settings_single_source import SKIPPED_DIRS
from yibao.settings import PROJECT_ROOT

SHARED_MODULE = PROJECT_ROOT / "yibao" / "answer_meta.py"
CITATION_KEYS = {"doc", "passage_id"}


def _strings(nodes: list[ast.expr | None]) -> set[str]:
    return {n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def hand_made(source: str) -> list[tuple[int, str]]:
    """(line, what) of every hand-built or hand-parsed meta or citation in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value == "answer_meta":
            found.append((node.lineno, '"answer_meta"'))
        elif isinstance(node, ast.Dict) and _strings(node.keys) >= CITATION_KEYS:
            found.append((node.lineno, "citation dict"))
        elif isinstance(node, ast.Tuple | ast.List | ast.Set) and _strings(node.elts) >= CITATION_KEYS:
            found.append((node.lineno, "citation keys"))
    return sorted(found)


def hand_made_outside(root: Path, shared_module: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == shared_module or SKIPPED_DIRS & set(path.relative_to(root).parts):
            continue
        for line, what in hand_made(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(root)}:{line} {what}")
    return found


def test_only_the_shared_module_builds_or_parses_answer_meta() -> None:
    assert hand_made_outside(PROJECT_ROOT, SHARED_MODULE) == []


def test_the_scan_finds_planted_metas_and_citations(tmp_path: Path) -> None:
    """The check can fail: each way of writing the message or a citation by hand is reported."""
    (tmp_path / "planted.py").write_text(
        '"""Docstrings may name answer_meta."""\n'
        'meta = {"type": "answer_meta", "citations": []}\n'
        'is_meta = lambda m: m.get("type") == "answer_meta"\n'
        'cite = {"doc": "d", "section": "s", "passage_id": "p", "quote": "q"}\n'
        'keys = ("doc", "section", "passage_id")\n'
        'other = {"doc": "d", "title": "t"}\n',  # not a citation: not reported
        encoding="utf-8",
    )
    (tmp_path / "shared.py").write_text('TYPE = "answer_meta"\n', encoding="utf-8")
    assert hand_made_outside(tmp_path, tmp_path / "shared.py") == [
        'planted.py:2 "answer_meta"', 'planted.py:3 "answer_meta"', "planted.py:4 citation dict",
        "planted.py:5 citation keys",
    ]
