"""The policy documents the knowledge base is built from, and its versions.

    <data dir>/kb/documents.json      registry: documents added (``kb add``) or retired (``kb remove``); the
                                      shipped corpus folder (knowledge/corpus/raw/) is never edited
    <data dir>/kb/documents/<sha>/    an added document's original file and its extracted text (<doc_id>.txt)
    <data dir>/kb/versions/v0007/     one complete, never-modified index per version, with version.json
                                      (who, when, what changed, the registry it was built from)
    <data dir>/index  ->  kb/versions/v0007       the live version: a symlink, switched atomically

Every change (add, remove, build) builds a *new* version directory next to the live one, then switches the
symlink with one ``rename``: running processes (``knowledge.live``) notice and load the new version in the
background while the old one keeps answering, so a question never meets a half-built index. Rollback
points the symlink back at an older directory.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.formats import DocumentRefused, extract
from knowledge.ingest import corpus_files
from yibao.settings import Settings, get_settings

VERSION_FILE = "version.json"
INDEX_FILES = ("passages.sqlite", "dense.faiss", "manifest.json")
_DOC_ID_DROP = re.compile(r"[^0-9A-Za-z_\-\u3400-\u9fff]+")


def kb_dir(settings: Settings) -> Path:
    return settings.data_dir / "kb"


def versions_dir(settings: Settings) -> Path:
    return kb_dir(settings) / "versions"


# --- registry ------------------------------------------------------------------------------------------------


def read_registry(settings: Settings) -> dict[str, dict[str, Any]]:
    path = kb_dir(settings) / "documents.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _write_registry(settings: Settings, registry: dict[str, dict[str, Any]]) -> None:
    _write_json(kb_dir(settings) / "documents.json", registry)


def document_files(settings: Settings | None = None) -> list[Path]:
    """The text files of the active documents: the shipped corpus (less retired or replaced ones), then the
    added documents in the order they were added."""
    settings = settings or get_settings()
    registry = read_registry(settings)
    files: list[Path] = []
    for path in corpus_files(settings.corpus_dir):
        entry = registry.get(path.stem)
        if entry is None:
            files.append(path)
        elif entry["status"] == "active" and entry.get("file"):
            files.append(kb_dir(settings) / entry["file"])
    shipped = {p.stem for p in corpus_files(settings.corpus_dir)}
    added = sorted((e.get("added_at", ""), doc_id) for doc_id, e in registry.items()
                   if doc_id not in shipped and e["status"] == "active" and e.get("file"))
    files.extend(kb_dir(settings) / registry[doc_id]["file"] for _, doc_id in added)
    return files


def doc_id_for(name: str) -> str:
    stem = _DOC_ID_DROP.sub("_", Path(name).stem).strip("_")[:60]
    return stem or "document"


# --- versions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    number: int
    path: Path
    info: dict[str, Any]
    current: bool = False

    @property
    def name(self) -> str:
        return self.path.name


@contextmanager
def _publish_lock(settings: Settings) -> Iterator[None]:
    """One change of the knowledge base at a time, across processes (CLI, staff page, another API instance)."""
    path = kb_dir(settings) / "publish.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _number(path: Path) -> int:
    m = re.fullmatch(r"v(\d+)", path.name)
    return int(m.group(1)) if m else -1


def current_dir(settings: Settings) -> Path | None:
    index = settings.index_dir
    if not (index / "manifest.json").exists():
        return None
    return index.resolve()


def list_versions(settings: Settings | None = None) -> list[Version]:
    settings = settings or get_settings()
    current = current_dir(settings)
    out = []
    root = versions_dir(settings)
    for path in sorted(root.glob("v*"), key=_number) if root.is_dir() else []:
        if _number(path) < 0 or not (path / VERSION_FILE).exists():
            continue
        info = json.loads((path / VERSION_FILE).read_text(encoding="utf-8"))
        out.append(Version(_number(path), path, info, current == path.resolve()))
    return out


def _doc_counts(index_dir: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(f"file:{index_dir / 'passages.sqlite'}?mode=ro", uri=True)
    try:
        counts = dict(db.execute("SELECT doc_id, count(*) FROM passages GROUP BY doc_id"))
    finally:
        db.close()
    return {doc_id: {"title": d["title"], "sha256": d["sha256"], "passages": int(counts.get(doc_id, 0))}
            for doc_id, d in manifest.get("documents", {}).items()}


def _changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(d for d in set(after) & set(before) if after[d]["sha256"] != before[d]["sha256"]),
    }


def _switch(settings: Settings, target: Path) -> None:
    """Point ``<data dir>/index`` at ``target`` in one atomic rename (readers see the old or the new one)."""
    link = settings.index_dir
    tmp = link.with_name(f".index.{os.getpid()}.swap")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, link.parent), tmp)
    os.replace(tmp, link)


def _adopt_legacy_index(settings: Settings) -> None:
    """An index built in place (before versions, or copied by hand) becomes version 1."""
    index = settings.index_dir
    if index.is_symlink() or not index.is_dir():
        return
    numbers = [_number(p) for p in versions_dir(settings).glob("v*")]
    target = versions_dir(settings) / f"v{max([*numbers, 0]) + 1:04d}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if (index / "manifest.json").exists():
        docs = _doc_counts(index)
        info = {"number": _number(target), "created_at": _now(), "actor": "system", "action": "已有索引",
                "documents": docs, "passages": sum(d["passages"] for d in docs.values()),
                "changes": _changes({}, docs), "registry": read_registry(settings)}
        _write_json(index / VERSION_FILE, info)
    os.rename(index, target)
    _switch(settings, target)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _prune(settings: Settings) -> None:
    keep = max(1, settings.kb_versions_kept)
    versions = list_versions(settings)
    for v in versions[:-keep]:
        if not v.current:
            shutil.rmtree(v.path, ignore_errors=True)
    for stale in versions_dir(settings).glob("*.building"):  # a build that crashed half-way
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def _publish_locked(
    settings: Settings, actor: str, action: str, *, force: bool = False, progress: Callable | None = None,
    require: Callable[[dict[str, dict[str, Any]]], None] | None = None,
) -> Version | None:
    from knowledge.index import build

    _adopt_legacy_index(settings)
    current = current_dir(settings)
    root = versions_dir(settings)
    root.mkdir(parents=True, exist_ok=True)
    number = max([_number(p) for p in root.glob("v*")] + [0]) + 1
    staging = root / f"v{number:04d}.building"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        if current is not None:  # the embedding cache lives in passages.sqlite: unchanged text is not re-embedded
            for name in INDEX_FILES:
                if (current / name).exists():
                    shutil.copy2(current / name, staging / name)
        report = build(settings, force=force, progress=progress, index_dir=staging)
        if report.up_to_date and current is not None:
            shutil.rmtree(staging)
            return None
        docs = _doc_counts(staging)
        if require is not None:
            require(docs)
        before = json.loads((current / VERSION_FILE).read_text(encoding="utf-8"))["documents"] if (
            current is not None and (current / VERSION_FILE).exists()) else {}
        info = {"number": number, "created_at": _now(), "actor": actor, "action": action, "documents": docs,
                "passages": sum(d["passages"] for d in docs.values()), "changes": _changes(before, docs),
                "registry": read_registry(settings)}
        _write_json(staging / VERSION_FILE, info)
        final = root / f"v{number:04d}"
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _switch(settings, final)
    _prune(settings)
    return Version(number, final, info, True)


def publish(settings: Settings | None = None, actor: str = "cli", action: str = "重建", force: bool = False,
            progress: Callable | None = None) -> Version | None:
    """Build a new version from the active documents and switch to it; None when nothing changed."""
    settings = settings or get_settings()
    with _publish_lock(settings):
        return _publish_locked(settings, actor, action, force=force, progress=progress)


def _store_text(settings: Settings, doc_id: str, text: str, original: Path) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    folder = kb_dir(settings) / "documents" / digest
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    shutil.copy2(original, folder / f"original{original.suffix.lower()}")
    return str((folder / f"{doc_id}.txt").relative_to(kb_dir(settings)))


def add_document(path: Path, actor: str, settings: Settings | None = None, name: str | None = None,
                 progress: Callable | None = None) -> Version:
    """Extract, store and index one document (a document with the same name is replaced); DocumentRefused
    with a reason when the file cannot be used. ``name`` is the original file name of an upload."""
    settings = settings or get_settings()
    extracted = extract(path)
    doc_id = doc_id_for(name or path.name)
    with _publish_lock(settings):
        registry = read_registry(settings)
        before = dict(registry)
        registry[doc_id] = {
            "title": extracted.title, "format": extracted.format, "source_file": Path(name or path.name).name,
            "file": _store_text(settings, doc_id, extracted.text, path), "status": "active",
            "added_at": _now(), "added_by": actor,
        }
        _write_registry(settings, registry)

        def has_passages(docs: dict[str, dict[str, Any]]) -> None:
            if not docs.get(doc_id, {}).get("passages"):
                raise DocumentRefused("这个文件里没有找到可用的政策内容（清洗后为空），未加入知识库。")

        try:
            version = _publish_locked(settings, actor, f"添加 {doc_id}", require=has_passages)
        except BaseException:
            _write_registry(settings, before)
            raise
    if version is None:  # the very same text was already indexed
        raise DocumentRefused("知识库里已经有内容完全相同的这份文件，没有变化。")
    return version


def active_documents(settings: Settings | None = None) -> dict[str, dict[str, Any]]:
    """doc_id -> {title, passages, sha256} of the live version."""
    settings = settings or get_settings()
    current = current_dir(settings)
    return _doc_counts(current) if current is not None else {}


def resolve_document(name: str, settings: Settings | None = None) -> str:
    """A live document's id from its id, the start of its id ("003") or its title."""
    docs = active_documents(settings)
    name = name.strip()
    if name in docs:
        return name
    matches = [d for d in docs if d.startswith(name)]
    matches = matches or [d for d, info in docs.items() if name and name in info["title"]]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise DocumentRefused(f"知识库里没有文档“{name}”。用 `yibao kb versions` 或 `yibao kb stats` 查看现有文档。")
    raise DocumentRefused(f"“{name}”对应多份文档：{'、'.join(matches)}，请写完整的文档编号。")


def remove_document(name: str, actor: str, settings: Settings | None = None) -> Version:
    """Retire a document: a new version without its passages."""
    settings = settings or get_settings()
    doc_id = resolve_document(name, settings)
    with _publish_lock(settings):
        registry = read_registry(settings)
        before = dict(registry)
        entry = dict(registry.get(doc_id, {"title": active_documents(settings)[doc_id]["title"]}))
        entry.update(status="retired", retired_at=_now(), retired_by=actor)
        registry[doc_id] = entry
        _write_registry(settings, registry)
        try:
            version = _publish_locked(settings, actor, f"移除 {doc_id}")
        except BaseException:
            _write_registry(settings, before)
            raise
    if version is None:
        raise DocumentRefused(f"文档 {doc_id} 已不在知识库中。")
    return version


def rollback(number: int, actor: str, settings: Settings | None = None) -> Version:
    """Switch back to an earlier version (its documents become the active ones again)."""
    settings = settings or get_settings()
    with _publish_lock(settings):
        target = next((v for v in list_versions(settings) if v.number == number), None)
        if target is None:
            raise DocumentRefused(f"没有版本 {number}（可能已被清理）。用 `yibao kb versions` 查看。")
        _write_registry(settings, target.info.get("registry", {}))
        _switch(settings, target.path)
        history = kb_dir(settings) / "history.jsonl"
        with open(history, "a", encoding="utf-8") as f:
            f.write(json.dumps({"at": _now(), "actor": actor, "action": "rollback", "to": number}) + "\n")
    return Version(target.number, target.path, target.info, True)
