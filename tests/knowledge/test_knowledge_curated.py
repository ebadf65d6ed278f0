"""Curated answers on a private database and a copy of the built index: a source is required, paraphrases
match and other questions do not, changes apply from the next question, every change is versioned, YAML moves
answers between installations, and `yibao faq add` does the same from the command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from yibao.settings import PROJECT_ROOT, get_settings

QUESTION = "医保卡丢了怎么补办"
ANSWER = "医保卡丢失后请先挂失，再带身份证到一楼医保服务窗口补办。"
PARAPHRASES = ["社保卡弄丢了去哪里补", "医保卡丢了，怎么补办？"]
OTHERS = ["住院报销比例是多少", "异地就医备案怎么办理", "医保卡可以借给别人用吗", "阿莫西林能报销吗", "今天天气怎么样"]


def _reset() -> None:
    from knowledge.live import forget

    get_settings.cache_clear()
    forget()


@pytest.fixture(scope="module")
def index_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shipped = get_settings().index_dir
    if not (shipped / "passages.sqlite").exists():
        pytest.fail("no built index: run `yibao kb build` first")
    path = tmp_path_factory.mktemp("curated-index")
    shutil.copytree(shipped, path / "index")
    return path / "index"


@pytest.fixture
def env(index_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "index").symlink_to(index_copy)
    monkeypatch.setenv("YIBAO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'yibao.db'}")
    _reset()
    yield tmp_path
    _reset()


@pytest.fixture
def passage_id(env: Path) -> str:
    from knowledge.retrieve import get_knowledge_base

    return get_knowledge_base().search("参保人员应凭本人参保有效身份凭证", k=1)[0].passage_id


def test_an_answer_without_a_known_source_is_refused(env: Path, passage_id: str) -> None:
    from knowledge.faq import CuratedError, get_curated_answers

    store = get_curated_answers()
    for source in ("", "   ", "999-0000000000", "policy:99:ratio", "policy:1:nonsense"):
        with pytest.raises(CuratedError):
            store.create(QUESTION, ANSWER, source, "test")
    for question, answer in (("", ANSWER), (QUESTION, ""), ("问" * 201, ANSWER), (QUESTION, "答" * 1001)):
        with pytest.raises(CuratedError):
            store.create(question, answer, passage_id, "test")
    assert store.all(include_retired=True) == []


def test_paraphrases_get_the_answer_other_questions_do_not(env: Path, passage_id: str) -> None:
    from knowledge.faq import best_match, curated_answer, get_curated_answers

    assert best_match(QUESTION) is None  # nothing curated yet
    created = get_curated_answers().create(QUESTION, ANSWER, passage_id, "test", variants=["医保卡掉了"])
    assert created.citation["passage_id"] == passage_id and created.citation["quote"]
    for question in [QUESTION, *PARAPHRASES]:  # from the very next question: no restart, no retraining
        match = curated_answer(question)
        assert match is not None and match.answer.id == created.id, question
    for question in OTHERS:
        assert best_match(question) is None, question
    used = get_curated_answers().usage(since=datetime(2000, 1, 1, tzinfo=UTC))
    assert used == [(created.id, QUESTION, 1 + len(PARAPHRASES))]


def test_every_change_is_a_version_and_retired_answers_are_not_served(env: Path, passage_id: str) -> None:
    from knowledge.faq import best_match, get_curated_answers

    store = get_curated_answers()
    created = store.create(QUESTION, ANSWER, passage_id, "wang")
    store.update(created.id, "li", answer="新的答案：请带身份证到窗口补办。", source_id="policy:1:ratio")
    assert best_match(QUESTION).answer.answer.startswith("新的答案")
    store.retire(created.id, "zhao")
    assert best_match(QUESTION) is None
    history = store.history(created.id)
    assert [(h["version"], h["action"], h["actor"]) for h in history] == [
        (1, "create", "wang"), (2, "update", "li"), (3, "retire", "zhao")]
    assert history[1]["snapshot"]["source_kind"] == "policy" and history[0]["snapshot"]["answer"] == ANSWER
    assert store.all() == [] and store.all(include_retired=True)[0].status == "retired"


def test_yaml_export_and_import_between_installations(
    env: Path, passage_id: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from knowledge.faq import CuratedError, _store_for, get_curated_answers

    source = get_curated_answers()
    source.create(QUESTION, ANSWER, passage_id, "test", variants=PARAPHRASES[:1])
    source.create("职工医保住院报销比例", "一般为 80%～95%，以参保地规定为准。", "policy:1:ratio", "test")
    text = source.export_yaml()

    other = _store_for(f"sqlite:///{tmp_path_factory.mktemp('production') / 'yibao.db'}")
    assert other.import_yaml(text, "import-test") == {"created": 2, "updated": 0}
    assert [(a.question, a.answer, a.source_id, a.variants) for a in other.all()] == [
        (a.question, a.answer, a.source_id, a.variants) for a in source.all()]
    assert other.import_yaml(text, "import-test") == {"created": 0, "updated": 2}
    broken = text.replace(passage_id, "000-notapassage")
    with pytest.raises(CuratedError, match="第 1 条"):
        other.import_yaml(broken, "import-test")
    with pytest.raises(CuratedError):
        other.import_yaml("curated_answers: [oops", "import-test")
    assert len(other.all()) == 2


def test_yibao_faq_add_from_the_command_line(env: Path, passage_id: str) -> None:
    command = [sys.executable, "-m", "yibao.cli", "faq", "add", "--question", QUESTION, "--answer", ANSWER]
    run_env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    refused = subprocess.run([*command, "--source", ""], env=run_env, cwd=PROJECT_ROOT, text=True,
                             capture_output=True, timeout=300)
    assert refused.returncode == 1 and "来源" in refused.stdout
    done = subprocess.run([*command, "--source", passage_id, "--by", "cli-test"], env=run_env, cwd=PROJECT_ROOT,
                          text=True, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    from knowledge.faq import get_curated_answers

    [created] = get_curated_answers().all()
    assert (created.question, created.source_id, created.updated_by) == (QUESTION, passage_id, "cli-test")
