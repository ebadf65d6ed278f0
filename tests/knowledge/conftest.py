"""Fixtures for the knowledge-base tests: the real corpus, and a real index built into a private folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.index import build
from knowledge.retrieve import KnowledgeBase
from yibao.settings import Settings, get_settings


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return get_settings().corpus_dir


@pytest.fixture(scope="session")
def raw_docs(corpus_dir: Path) -> dict[str, str]:
    return {p.stem[:3]: p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.txt"))}


def private_settings(data_dir: Path, corpus_dir: Path | None = None) -> Settings:
    settings = get_settings().replace(data_dir=data_dir)
    return settings.replace(corpus_dir=corpus_dir) if corpus_dir else settings


def seed_embedding_cache(data_dir: Path) -> None:
    """Start from the project's index (if built) so unchanged passages are not re-embedded: the build stays real,
    only faster. Without it the fixture embeds everything (about half a minute)."""
    shared = get_settings().index_dir
    if (shared / "passages.sqlite").exists():
        shutil.copytree(shared, data_dir / "index", dirs_exist_ok=True)


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("kb-data")
    seed_embedding_cache(data_dir)
    settings = private_settings(data_dir)
    build(settings, force=True)
    return settings


@pytest.fixture(scope="session")
def kb(built_settings: Settings) -> KnowledgeBase:
    return KnowledgeBase(built_settings.index_dir, built_settings.embedding_model)
