"""Curated answers: short patient-facing texts that ``kb_admin`` staff write for questions the assistant could
not answer well. Each cites a passage of the knowledge base or a row of the policy table (no source, no answer).

    from knowledge.faq import curated_answer, get_curated_answers
    match = curated_answer("医保卡丢了怎么补办")   # CuratedMatch(answer, score, matched) or None; use recorded
    get_curated_answers().create(question, answer, source_id, actor="wang", variants=[...])

Matching: the question and its variants, dense (the knowledge base's embedding model) and lexical (character
bigram overlap) combined, against ``YIBAO_CURATED_THRESHOLD``. The matcher notices any change (a new version
row) on the next question, so there is no retraining and no restart. A curated answer whose cited passage is
no longer in the live knowledge base (its document was retired) is not served.
Every create, change, retirement and import is a row of ``curated_answer_versions`` (who, when, snapshot);
``export_yaml`` / ``import_yaml`` move answers between installations.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import yaml
from sqlalchemy import func, select

from accounts.db import database_url, make_engine, upgrade
from accounts.staff_models import CuratedAnswer as Row
from accounts.staff_models import CuratedAnswerUse, CuratedAnswerVersion
from knowledge.text import compact, normalize_query
from knowledge.words import bigrams
from yibao.answer_meta import Citation
from yibao.settings import get_settings

MAX_QUESTION = 200
MAX_ANSWER = 1000
MAX_VARIANTS = 20
# m3e-small puts paraphrases at cosine ~0.88-0.95 but also near-topic questions ("卡丢了" vs "卡密码忘了") at
# ~0.85-0.90, so dense weighs most and the lexical overlap (IDF-weighted: rare words count) breaks ties; the
# reliable lever is the variants (a queue group's questions become variants of the answer written for it).
DENSE_WEIGHT = 0.85
FIGURES = {"deductible": "起付线", "ratio": "报销比例", "cap": "封顶线"}


class CuratedError(ValueError):
    """A polite Chinese reason (no source, unknown source, empty text, unknown answer)."""


@dataclass(frozen=True)
class CuratedAnswer:
    id: int
    question: str
    variants: list[str]
    answer: str
    source_kind: str
    source_id: str
    citation: dict[str, str]
    status: str
    version: int
    updated_by: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CuratedMatch:
    answer: CuratedAnswer
    score: float
    matched: str  # the question or variant that matched

    @property
    def citation(self) -> dict[str, str]:
        return self.answer.citation


def _now() -> datetime:
    return datetime.now(UTC)


def _clean(text: Any, what: str, limit: int) -> str:
    value = " ".join(str(text or "").split())
    if not value:
        raise CuratedError(f"请填写{what}。")
    if len(value) > limit:
        raise CuratedError(f"{what}太长了（最多 {limit} 字）。")
    return value


# --- sources ---------------------------------------------------------------------------------------------------


def policy_rows() -> list[dict[str, str]]:
    """Every figure of the policy table that names its source, as a citable row: id, label, citation."""
    from knowledge.policy_table import get_policy_table

    out = []
    for number, rule in enumerate(get_policy_table().rules, 1):
        for key, label in FIGURES.items():
            figure = getattr(rule, key)
            if figure.source is None:
                continue
            scope = " · ".join(x for x in (rule.insurance_type, rule.visit_type, rule.hospital_level) if x)
            value = (figure.percent_text() if key == "ratio" else f"{figure.low} 元") if figure.known else "未给出"
            out.append({"id": f"policy:{number}:{key}", "label": f"{scope} · {label}：{value}",
                        "citation": replace(figure.source, section=f"政策表 {scope} · {label}",
                                            passage_id=f"policy:{number}:{key}").as_meta()})
    return out


def _passage(passage_id: str) -> dict[str, str] | None:
    from knowledge.retrieve import get_knowledge_base

    db = sqlite3.connect(f"file:{get_knowledge_base().index_dir / 'passages.sqlite'}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT passage_id, doc_title, section, original FROM passages WHERE passage_id = ?",
                         (passage_id,)).fetchone()
    finally:
        db.close()
    return Citation(doc=row[1], section=row[2], passage_id=row[0], quote=row[3][:300]).as_meta() if row else None


def resolve_source(source_id: str) -> tuple[str, dict[str, str]]:
    """("passage" | "policy", citation) for a passage id or a policy-table row id."""
    source_id = (source_id or "").strip()
    if not source_id:
        raise CuratedError("标准答案必须注明来源：请从检索结果中选一段政策原文，或选政策表中的一行。")
    if source_id.startswith("policy:"):
        row = next((r for r in policy_rows() if r["id"] == source_id), None)
        if row is None:
            raise CuratedError(f"政策表里没有这一行：{source_id}")
        return "policy", row["citation"]
    found = _passage(source_id)
    if found is None:
        raise CuratedError(f"知识库当前版本里没有这段原文：{source_id}")
    return "passage", found


# --- the store -------------------------------------------------------------------------------------------------


def _to_answer(row: Row) -> CuratedAnswer:
    return CuratedAnswer(
        id=row.id, question=row.question, variants=json.loads(row.variants or "[]"), answer=row.answer,
        source_kind=row.source_kind, source_id=row.source_id, citation=json.loads(row.citation),
        status=row.status, version=row.version, updated_by=row.updated_by,
        updated_at=row.updated_at.isoformat(timespec="seconds"),
    )


def _variants(values: Any) -> list[str]:
    items = [v for v in (values or []) if str(v).strip()]
    if len(items) > MAX_VARIANTS:
        raise CuratedError(f"问法最多 {MAX_VARIANTS} 个。")
    return list(dict.fromkeys(_clean(v, "问法", MAX_QUESTION) for v in items))


class CuratedAnswers:
    def __init__(self, engine: Any) -> None:
        from sqlalchemy.orm import sessionmaker

        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def _version(self, db: Any, row: Row, action: str, actor: str) -> None:
        db.flush()
        snapshot = json.dumps(_to_answer(row).as_dict(), ensure_ascii=False)
        db.add(CuratedAnswerVersion(answer_id=row.id, version=row.version, action=action, snapshot=snapshot,
                                    actor=actor, at=row.updated_at))

    def create(self, question: str, answer: str, source_id: str, actor: str,
               variants: list[str] | None = None, action: str = "create") -> CuratedAnswer:
        question, answer = _clean(question, "问题", MAX_QUESTION), _clean(answer, "答案", MAX_ANSWER)
        kind, citation = resolve_source(source_id)
        with self._sessions.begin() as db:
            row = Row(question=question, variants=json.dumps(_variants(variants), ensure_ascii=False),
                      answer=answer, source_kind=kind, source_id=source_id.strip(),
                      citation=json.dumps(citation, ensure_ascii=False), status="active", version=1,
                      updated_by=actor, updated_at=_now())
            db.add(row)
            self._version(db, row, action, actor)
            return _to_answer(row)

    def update(self, answer_id: int, actor: str, *, question: str | None = None, answer: str | None = None,
               source_id: str | None = None, variants: list[str] | None = None) -> CuratedAnswer:
        with self._sessions.begin() as db:
            row = db.get(Row, answer_id)
            if row is None or row.status != "active":
                raise CuratedError("没有这条标准答案，或它已停用。")
            if question is not None:
                row.question = _clean(question, "问题", MAX_QUESTION)
            if answer is not None:
                row.answer = _clean(answer, "答案", MAX_ANSWER)
            if source_id is not None:
                row.source_kind, citation = resolve_source(source_id)
                row.source_id, row.citation = source_id.strip(), json.dumps(citation, ensure_ascii=False)
            if variants is not None:
                row.variants = json.dumps(_variants(variants), ensure_ascii=False)
            row.version, row.updated_by, row.updated_at = row.version + 1, actor, _now()
            self._version(db, row, "update", actor)
            return _to_answer(row)

    def retire(self, answer_id: int, actor: str) -> CuratedAnswer:
        with self._sessions.begin() as db:
            row = db.get(Row, answer_id)
            if row is None or row.status != "active":
                raise CuratedError("没有这条标准答案，或它已停用。")
            row.status, row.version, row.updated_by, row.updated_at = "retired", row.version + 1, actor, _now()
            self._version(db, row, "retire", actor)
            return _to_answer(row)

    def all(self, include_retired: bool = False) -> list[CuratedAnswer]:
        query = select(Row).order_by(Row.id)
        if not include_retired:
            query = query.where(Row.status == "active")
        with self._sessions() as db:
            return [_to_answer(r) for r in db.scalars(query)]

    def get(self, answer_id: int) -> CuratedAnswer | None:
        with self._sessions() as db:
            row = db.get(Row, answer_id)
            return _to_answer(row) if row else None

    def history(self, answer_id: int) -> list[dict[str, Any]]:
        query = select(CuratedAnswerVersion).where(CuratedAnswerVersion.answer_id == answer_id).order_by(
            CuratedAnswerVersion.id)
        with self._sessions() as db:
            return [{"version": v.version, "action": v.action, "actor": v.actor,
                     "at": v.at.isoformat(timespec="seconds"), "snapshot": json.loads(v.snapshot)}
                    for v in db.scalars(query)]

    def revision(self) -> int:
        """Changes with every create, change, retirement and import (the matcher's cache key)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(CuratedAnswerVersion.id))).scalar() or 0)

    def record_use(self, answer_id: int) -> None:
        with self._sessions.begin() as db:
            db.add(CuratedAnswerUse(answer_id=answer_id, at=_now()))

    def usage(self, since: datetime, limit: int = 10) -> list[tuple[int, str, int]]:
        query = (select(Row.id, Row.question, func.count(CuratedAnswerUse.id))
                 .join(CuratedAnswerUse, CuratedAnswerUse.answer_id == Row.id)
                 .where(CuratedAnswerUse.at >= since)
                 .group_by(Row.id, Row.question).order_by(func.count(CuratedAnswerUse.id).desc()).limit(limit))
        with self._sessions() as db:
            return [(int(i), str(q), int(n)) for i, q, n in db.execute(query)]

    # --- moving answers between installations ------------------------------------------------------------------

    def export_yaml(self) -> str:
        items = [{"question": a.question, "variants": a.variants, "answer": a.answer, "source": a.source_id,
                  "citation": a.citation, "version": a.version, "updated_by": a.updated_by,
                  "updated_at": a.updated_at} for a in self.all()]
        return yaml.safe_dump({"curated_answers": items}, allow_unicode=True, sort_keys=False)

    def import_yaml(self, text: str, actor: str) -> dict[str, int]:
        """Answers whose question already exists are updated, the others created; every source is checked
        against this installation's knowledge base before anything is written."""
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise CuratedError(f"YAML 格式不正确：{str(exc)[:200]}") from exc
        items = data.get("curated_answers") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise CuratedError("YAML 里没有 curated_answers 列表。")
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise CuratedError(f"第 {n} 条格式不正确。")
            try:
                _clean(item.get("question"), "问题", MAX_QUESTION)
                _clean(item.get("answer"), "答案", MAX_ANSWER)
                resolve_source(str(item.get("source") or ""))
            except CuratedError as exc:
                raise CuratedError(f"第 {n} 条：{exc}") from exc
        existing = {a.question: a for a in self.all()}
        created = updated = 0
        for item in items:
            current = existing.get(" ".join(str(item["question"]).split()))
            if current is None:
                self.create(item["question"], item["answer"], str(item["source"]), actor,
                            variants=item.get("variants") or [], action="import")
                created += 1
            else:
                self.update(current.id, actor, answer=item["answer"], source_id=str(item["source"]),
                            variants=item.get("variants") or [])
                updated += 1
        return {"created": created, "updated": updated}


@lru_cache(maxsize=4)
def _store_for(url: str) -> CuratedAnswers:
    engine = make_engine(url)
    upgrade(engine)
    return CuratedAnswers(engine)


def get_curated_answers() -> CuratedAnswers:
    return _store_for(database_url())


# --- matching --------------------------------------------------------------------------------------------------


def _idf(kb: Any) -> Callable[[str], float]:
    """Bigram IDF from the knowledge base's own statistics (uniform when it has none)."""
    stats = getattr(kb, "_bigrams", None)
    if stats is None or not hasattr(stats, "idf"):
        return lambda _gram: 1.0
    top = float(stats.idf.max()) if len(stats.idf) else 1.0
    return lambda gram: float(stats.idf[stats.vocab[gram]]) if gram in stats.vocab else top


def lexical_similarity(a: str, b: str, idf: Callable[[str], float] = lambda _g: 1.0) -> float:
    """IDF-weighted Dice overlap of character bigrams (robust to word order and to particles like 的/了/吗)."""
    x, y = set(bigrams(a)), set(bigrams(b))
    total = sum(map(idf, x)) + sum(map(idf, y))
    return 2 * sum(map(idf, x & y)) / total if total else 0.0


@dataclass
class _Matcher:
    revision: tuple[str, int] = ("", -1)
    kb_dir: str = ""
    texts: list[tuple[CuratedAnswer, str]] = field(default_factory=list)
    vectors: np.ndarray | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_matcher = _Matcher()


def _encode(kb: Any, texts: list[str]) -> np.ndarray:
    vectors = kb.encoder().encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    return np.asarray(vectors, dtype=np.float32)


def _refresh(store: CuratedAnswers, kb: Any) -> _Matcher:
    # The database is part of the key: a revision number means nothing in another database.
    revision, kb_dir = (str(store.engine.url), store.revision()), str(kb.index_dir)
    if revision == _matcher.revision and kb_dir == _matcher.kb_dir:
        return _matcher
    with _matcher.lock:
        if revision != _matcher.revision or kb_dir != _matcher.kb_dir:
            texts = [(a, normalize_query(t)) for a in store.all() for t in (a.question, *a.variants)]
            texts = [(a, t) for a, t in texts if t]
            _matcher.vectors = _encode(kb, [t for _, t in texts]) if texts else None
            _matcher.texts, _matcher.revision, _matcher.kb_dir = texts, revision, kb_dir
    return _matcher


def best_match(question: str) -> CuratedMatch | None:
    """The best curated answer for the question above the threshold, without recording its use."""
    from knowledge.retrieve import get_knowledge_base

    query = normalize_query(question or "")
    if not compact(query):
        return None
    kb = get_knowledge_base()
    matcher = _refresh(get_curated_answers(), kb)
    if matcher.vectors is None or not matcher.texts:
        return None
    dense = matcher.vectors @ _encode(kb, [query])[0]
    idf = _idf(kb)
    scores = [DENSE_WEIGHT * float(d) + (1 - DENSE_WEIGHT) * lexical_similarity(query, t, idf)
              for d, (_, t) in zip(dense, matcher.texts, strict=True)]
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    threshold = get_settings().curated_threshold
    for i in order:
        if scores[i] < threshold:
            return None
        answer, text = matcher.texts[i]
        if answer.source_kind == "passage" and _passage(answer.source_id) is None:
            continue  # its document was retired: the answer's source is gone, so is the answer
        return CuratedMatch(answer, round(scores[i], 4), text)
    return None


def curated_answer(question: str) -> CuratedMatch | None:
    """``best_match`` and, when there is one, its use recorded for the dashboard."""
    match = best_match(question)
    if match is not None:
        get_curated_answers().record_use(match.answer.id)
    return match
