"""`yibao kb build`: ingest the corpus and persist the index under ``get_settings().index_dir``.

    index_dir/passages.sqlite   passages, sections (full text), sources, retrieval units with their BM25 tokens
                                (words and character bigrams), embedding cache
    index_dir/dense.faiss       inner-product FAISS index over normalised unit embeddings (row = unit idx)
    index_dir/manifest.json     model, corpus hash, per-document hashes, counts, build time

Incremental: an unchanged corpus (and model, and pipeline version) is not rebuilt; otherwise ingestion reruns
(it takes a few seconds) and only units whose text is not in the embedding cache are embedded.
Retrieval units (clauses, sentences, sentence windows, passages: see ``knowledge.units``) are what is scored;
passages are what is shown.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from knowledge.ingest import Document, Passage, ingest_files
from knowledge.units import Unit, section_units
from knowledge.words import LEXICON_DIR, bigrams, tokens
from yibao.settings import Settings, get_settings

# Bump when cleaning, sectioning or tokenisation changes, so a build redoes the index for the same corpus.
PIPELINE_VERSION = "10"  # 10: lines the scrape wrapped in mid-sentence are joined again
MANIFEST = "manifest.json"
DB = "passages.sqlite"
FAISS_FILE = "dense.faiss"

SCHEMA = """
CREATE TABLE IF NOT EXISTS passages (idx INTEGER PRIMARY KEY, passage_id TEXT UNIQUE, text TEXT, section TEXT,
    section_id TEXT, doc_id TEXT, doc_title TEXT, original TEXT, topics TEXT, sources TEXT, tokens TEXT,
    title_tokens TEXT);
CREATE TABLE IF NOT EXISTS sections (section_id TEXT PRIMARY KEY, doc_id TEXT, path TEXT, text TEXT);
CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB);
CREATE TABLE IF NOT EXISTS units (idx INTEGER PRIMARY KEY, passages TEXT, shares TEXT, text TEXT, context TEXT,
    tokens TEXT, bigrams TEXT);
"""


@dataclass
class BuildReport:
    up_to_date: bool
    documents: int
    passages: int
    embedded: int  # units embedded in this run (the rest came from the cache)
    seconds: float


def retrieval_units(items: list[Passage]) -> list[Unit]:
    """The units of every section, in document order (passage indices refer to ``items``)."""
    by_section: dict[str, list[tuple[int, str]]] = {}
    paths: dict[str, str] = {}
    for idx, p in enumerate(items):
        by_section.setdefault(p.primary.section_id, []).append((idx, p.text))
        paths[p.primary.section_id] = p.section
    return [u for sid, members in by_section.items() for u in section_units(paths[sid], members)]


def corpus_hash(docs: list[Document], model: str) -> str:
    """Changes with the corpus, the model, the pipeline and the lexicon (tokens are stored in the index)."""
    lexicon = [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(LEXICON_DIR.rglob("*")) if p.is_file()]
    parts = [PIPELINE_VERSION, Path(model).name, *lexicon, *(f"{d.doc_id}:{d.sha256}" for d in docs)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def read_manifest(index_dir: Path) -> dict:
    path = index_dir / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def load_encoder(model_path: str):  # -> SentenceTransformer (imported lazily: torch takes seconds to import)
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    if not Path(model_path).is_dir():
        raise FileNotFoundError(f"embedding model folder not found: {model_path} (set YIBAO_EMBEDDING_MODEL)")
    return SentenceTransformer(model_path, device="cpu", local_files_only=True)


def _embed_missing(
    db: sqlite3.Connection, texts: list[str], model_path: str, progress: Callable
) -> tuple[np.ndarray, int]:
    keys = [hashlib.sha1(f"{Path(model_path).name}\n{t}".encode()).hexdigest() for t in texts]
    wanted = set(keys)
    cached = {k: v for k, v in db.execute("SELECT key, vector FROM embeddings") if k in wanted}
    # Similar lengths batch together (less padding); a repeated unit text is embedded once.
    missing = sorted({k: i for i, k in enumerate(keys) if k not in cached}.values(), key=lambda i: len(texts[i]))
    if missing:
        encoder = load_encoder(model_path)
        batch = 64
        for start in progress(range(0, len(missing), batch), desc="embedding", unit="batch"):
            ids = missing[start : start + batch]
            vecs = encoder.encode([texts[i] for i in ids], normalize_embeddings=True, convert_to_numpy=True)
            for i, v in zip(ids, vecs, strict=True):
                cached[keys[i]] = np.asarray(v, dtype=np.float32).tobytes()
                db.execute("INSERT OR REPLACE INTO embeddings VALUES (?, ?)", (keys[i], cached[keys[i]]))
    # Vectors of units that no longer exist (edited documents, an older pipeline) would only grow the index.
    stale = [(k,) for (k,) in db.execute("SELECT key FROM embeddings") if k not in wanted]
    db.executemany("DELETE FROM embeddings WHERE key = ?", stale)
    matrix = np.vstack([np.frombuffer(cached[k], dtype=np.float32) for k in keys]) if keys else np.zeros((0, 1))
    return matrix.astype(np.float32), len(missing)


def _write_passages(db: sqlite3.Connection, docs: list[Document], items: list[Passage], units: list[Unit]) -> None:
    db.execute("DELETE FROM passages")
    db.execute("DELETE FROM sections")
    db.execute("DELETE FROM units")
    for idx, u in enumerate(units):
        db.execute(
            "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                idx, json.dumps(u.passages), json.dumps([round(x, 3) for x in u.shares]), u.text, u.context,
                json.dumps(tokens(u.index_text), ensure_ascii=False),
                json.dumps(bigrams(u.index_text), ensure_ascii=False),
            ),
        )
    from knowledge.text import to_simplified

    for doc in docs:
        for s in doc.sections:
            body = "\n".join(line.text for line in s.body)
            db.execute(
                "INSERT INTO sections VALUES (?, ?, ?, ?)",
                (s.section_id, doc.doc_id, to_simplified(s.path), to_simplified(body)),
            )
    for idx, p in enumerate(items):
        src = p.primary
        db.execute(
            "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                idx, p.passage_id, p.text, p.section, src.section_id, src.doc_id, src.doc_title, src.original,
                json.dumps(p.topics), json.dumps([asdict(s) for s in p.sources], ensure_ascii=False),
                json.dumps(tokens(p.text), ensure_ascii=False),
                json.dumps(tokens(" ".join(p.section.split(" > ")[1:])), ensure_ascii=False),
            ),
        )


def build(
    settings: Settings | None = None, force: bool = False, progress: Callable | None = None,
    index_dir: Path | None = None,
) -> BuildReport:
    """Build or refresh the index in ``index_dir`` (default: the live one, in place); returns what was done.
    ``progress`` wraps iterables (e.g. ``tqdm``). ``knowledge.documents.publish`` builds a new version instead."""
    import faiss

    from knowledge.documents import document_files

    settings = settings or get_settings()
    progress = progress or (lambda it, **_: it)
    started = time.perf_counter()
    index_dir = index_dir or settings.index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    docs, items = ingest_files(document_files(settings))
    if not items:
        raise ValueError(f"no passages: is {settings.corpus_dir} empty?")
    digest = corpus_hash(docs, settings.embedding_model)
    manifest = read_manifest(index_dir)
    complete = all((index_dir / f).exists() for f in (DB, FAISS_FILE))
    if not force and complete and manifest.get("corpus_hash") == digest:
        return BuildReport(True, len(docs), len(items), 0, time.perf_counter() - started)

    db = sqlite3.connect(index_dir / DB)
    try:
        db.execute("DROP TABLE IF EXISTS units")  # derived data only; its columns change with the pipeline
        db.executescript(SCHEMA)
        units = retrieval_units(items)
        matrix, embedded = _embed_missing(db, [u.index_text for u in units], settings.embedding_model, progress)
        _write_passages(db, docs, items, units)
        db.commit()
        db.execute("VACUUM")  # give back the space of pruned vectors
    finally:
        db.close()
    index = faiss.IndexFlatIP(matrix.shape[1])
    index.add(matrix)
    tmp = index_dir / (FAISS_FILE + ".tmp")
    faiss.write_index(index, str(tmp))
    os.replace(tmp, index_dir / FAISS_FILE)
    new_manifest = {
        "model": settings.embedding_model,
        "model_name": Path(settings.embedding_model).name,
        "dimension": int(matrix.shape[1]),
        "corpus_hash": digest,
        "pipeline_version": PIPELINE_VERSION,
        "documents": {d.doc_id: {"title": d.title, "sha256": d.sha256, "sections": len(d.sections)} for d in docs},
        "passages": len(items),
        "units": len(units),
        "merged_duplicates": sum(len(p.sources) - 1 for p in items),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    manifest_text = json.dumps(new_manifest, ensure_ascii=False, indent=2)
    (index_dir / (MANIFEST + ".tmp")).write_text(manifest_text, encoding="utf-8")
    os.replace(index_dir / (MANIFEST + ".tmp"), index_dir / MANIFEST)
    return BuildReport(False, len(docs), len(items), embedded, time.perf_counter() - started)
