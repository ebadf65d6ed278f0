"""Issue 15, "one place for each concern": only yibao/settings.py reads the ``YIBAO_*`` environment variables.

The scan reads every Python file of the project (not the tests, which set variables for the processes they
start) and reports each read of the environment whose name starts with ``YIBAO_`` or cannot be told from the
source (``os.environ.get(name)``): the typed settings object is the one place a setting is defined, defaulted,
parsed and documented. Both virtual environments load it, so no module needs an exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

from yibao.settings import PROJECT_ROOT

SETTINGS_MODULE = PROJECT_ROOT / "yibao" / "settings.py"
SKIPPED_DIRS = {".venv", ".venv-rasa", "var", "tests", "node_modules", ".git"}
# (path, name) reads allowed outside the settings module, each with its reason. None today: yibao.settings loads
# in .venv-rasa too (pydantic 1's BaseSettings), so Rasa's channel and tracker store read it like everything else.
ALLOWED: set[tuple[str, str]] = set()


def _is_environ(node: ast.expr) -> bool:
    """``os.environ`` or a bare ``environ`` (``from os import environ``)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def _name_of(node: ast.expr | None) -> str | None:
    """The variable name a read asks for: the literal, the literal start of an f-string, else None (unknown)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value) + "{...}"
    return None


def environment_reads(source: str) -> list[tuple[int, str]]:
    """(line, variable name or "<unknown>") of every read of the environment in ``source``."""
    reads: list[tuple[int, ast.expr | None]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            environ_get = isinstance(func, ast.Attribute) and func.attr in {"get", "pop"} and _is_environ(func.value)
            getenv = getattr(func, "attr", getattr(func, "id", None)) == "getenv"  # os.getenv or getenv
            if environ_get or getenv:
                reads.append((node.lineno, node.args[0] if node.args else None))
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
            reads.append((node.lineno, node.slice))
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            reads.append((node.lineno, node.left))  # "YIBAO_X" in os.environ
    return sorted((line, _name_of(name) or "<unknown>") for line, name in reads)


def settings_reads_outside(root: Path, settings_module: Path) -> list[str]:
    """``path:line NAME`` for each read of a YIBAO_* (or unnamed) variable outside the settings module."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == settings_module or SKIPPED_DIRS & set(path.relative_to(root).parts):
            continue
        rel = str(path.relative_to(root))
        for line, name in environment_reads(path.read_text(encoding="utf-8")):
            if (name.startswith("YIBAO_") or name == "<unknown>") and (rel, name) not in ALLOWED:
                found.append(f"{rel}:{line} {name}")
    return found


def test_only_the_settings_module_reads_yibao_variables() -> None:
    assert settings_reads_outside(PROJECT_ROOT, SETTINGS_MODULE) == []


def test_the_scan_finds_a_planted_read(tmp_path: Path) -> None:
    """The check can fail: every way of reading a variable in a planted module is reported."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "planted.py").write_text(
        "import os\nfrom os import environ, getenv\n"
        'a = os.environ.get("YIBAO_PLANTED", "1")\n'
        'b = os.environ["YIBAO_PLANTED"]\n'
        'c = os.getenv("YIBAO_PLANTED")\n'
        'd = environ.get(f"YIBAO_{a}")\n'
        'e = "YIBAO_PLANTED" in os.environ\n'
        "f = os.environ.get(a)\n"
        'g = getenv("HOME")\n'  # not ours: not reported
        'os.environ["YIBAO_WRITTEN"] = "x"\n',  # a write, for a child process: not reported
        encoding="utf-8",
    )
    (tmp_path / "settings.py").write_text('import os\nx = os.environ.get("YIBAO_OK")\n', encoding="utf-8")
    assert settings_reads_outside(tmp_path, tmp_path / "settings.py") == [
        "pkg/planted.py:3 YIBAO_PLANTED", "pkg/planted.py:4 YIBAO_PLANTED", "pkg/planted.py:5 YIBAO_PLANTED",
        "pkg/planted.py:6 YIBAO_{...}", "pkg/planted.py:7 YIBAO_PLANTED", "pkg/planted.py:8 <unknown>",
    ]
